"""What the feature apps add to the accounts' pages and duties, without accounts importing
them (layers point down: accounts sits below startups, services and mentors). Each app
registers its part in its AppConfig.ready().

- Personal data (law 09-08): what an app holds about a person, for the export and for the
  deletion of the account (accounts.privacy).
- Landing pages: what a role's landing page shows that an app knows (accounts.views): the
  role's main context, and panels that other apps add (a founder's next sessions, from
  services; their next mentoring sessions, from mentors).
- The personal calendar feed (services' `calendar/<token>.ics`): the events each app adds
  for the person (mentor sessions, room bookings).
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class PersonalData:
    """One app's share of a person's data. Every function runs inside `network_scope()` and
    filters by the user explicitly (a person's data is not limited to the sites they may
    see today).

    - `export(user)`: sections of the export, JSON-ready, in a constant number of queries;
    - `cancel_upcoming(user)`: free what the person would have attended, through the
      app's own actions (the others are told); runs before any membership goes;
    - `anonymise(user, new_email)`: what identifies the person goes, what the startups'
      history and the KPIs count stays.
    """

    export: Callable[..., dict]
    cancel_upcoming: Callable[..., None] | None = None
    anonymise: Callable[..., None] | None = None


@dataclass(frozen=True)
class LandingPanel:
    """A block of a role's landing page: `template` is rendered with `panel`, the dict
    `context(user)` returns (read in the request's scope, in a constant number of queries)."""

    template: str
    context: Callable[..., dict]


@dataclass(frozen=True)
class CalendarSource:
    """One app's events in a person's calendar feed: `events(user, since)` returns
    (start, iCalendar event) pairs from `since` on. It runs inside `network_scope()` with
    the person's language active, filters by the user explicitly, in a constant number of
    queries."""

    events: Callable[..., list]


PERSONAL_DATA: list[PersonalData] = []
CALENDAR_SOURCES: list[CalendarSource] = []
LANDING_CONTEXTS: dict[str, Callable[..., dict]] = {}
LANDING_PANELS: dict[str, list[LandingPanel]] = {}


def personal_data_register(part: PersonalData) -> None:
    PERSONAL_DATA.append(part)


def landing_context_register(role: str, context: Callable[..., dict]) -> None:
    """`context(user)`: what the landing page of `role` shows from the registering app,
    read in the request's scope."""
    LANDING_CONTEXTS[role] = context


def landing_panel_register(role: str, panel: LandingPanel) -> None:
    LANDING_PANELS.setdefault(role, []).append(panel)


def calendar_source_register(source: CalendarSource) -> None:
    CALENDAR_SOURCES.append(source)
