"""Satisfaction of a scope (issue 22, point 4), for the dashboards (the "satisfaction" and
"ratings" tables, and a site's latest comments) and the board reports (reports.board.satisfaction):

- the yearly survey (surveys): per site and campaign year, the startups invited, the answers,
  the response rate (answers / invited), promoters (9–10), passives (7–8), detractors (0–6)
  and the NPS (% promoters − % detractors, −100 to 100; "—" without an answer), with the
  scope's total per year when it has several sites. A dashboard shows the campaigns of the
  years its activity period touches (a campaign runs from October to December);
- ratings from 1 to 5 given after service sessions (services.Registration: confirmed seats
  at sessions starting in the period, per service, the network's e-Technopark services in the
  network scope only, as the activity's) and after mentoring sessions (mentors.Booking
  starting in the period, per site: the startup's home site): how many, and their average
  to one decimal (half up).

Like the rest of the KPI engine (reports.activity), it reads across sites with the tenancy
scopes disabled and filters on the scope's sites itself; the views decide who may ask for
which scope. Four queries at most, whatever the amount of data. A site's latest comments are read
in the request's scope (the site's), for the people who manage it only (`comments_context`).
The sector filter does not apply: the survey asks about the site's services."""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Sum
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from core.local_time import local_midnight
from core.multilingual import translated_value
from mentors.models import Booking
from services.models import Registration, RegistrationStatus, Service
from sites.roles import MANAGE, can
from surveys.selectors import NpsRow, latest_comments, nps_by_site_year, nps_total

from .exports import Table, Year, rate_cell
from .kpis import KpiScope, anniversary, cached_figures

AVERAGE_PLACES = Decimal("0.1")
TABLES = ["satisfaction", "ratings"]  # the dashboards' tables (reports.dashboards)


@dataclass(frozen=True)
class Rating:
    """The ratings of one service (`subject`: its title) or, `subject` "", of the mentoring
    sessions of one site's startups."""

    site_id: int | None  # None: the network's e-Technopark offer
    site_name: str
    subject: str
    ratings: int
    total: int  # the sum of the ratings

    @property
    def average(self) -> Decimal | None:
        if not self.ratings:
            return None
        return (Decimal(self.total) / Decimal(self.ratings)).quantize(AVERAGE_PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Satisfaction:
    years: tuple[int, ...]  # the campaigns shown
    nps: list[NpsRow]  # per site and year, by site name then year
    services: list[Rating]  # per service, by site name then title
    mentoring: list[Rating]  # per site, by name

    def nps_rows(self, *, total_label: str) -> list[NpsRow]:
        """The sites' rows, then, for each year with several sites, their total."""
        totals = [
            nps_total(self.nps, year=year, label=total_label)
            for year in self.years
            if sum(row.year == year for row in self.nps) > 1
        ]
        return [*self.nps, *totals]


def satisfaction(
    scope: KpiScope, *, date_from: datetime.date, date_to: datetime.date, years: tuple[int, ...] | None = None
) -> Satisfaction:
    """The satisfaction of `scope`: the survey campaigns of `years` (by default those the
    period touches) and the ratings of the sessions of `date_from` to `date_to` (local days,
    both included)."""
    years = tuple(years or range(date_from.year, date_to.year + 1))
    start, end = local_midnight(date_from), local_midnight(date_to + datetime.timedelta(days=1))
    with scopes_disabled():
        return Satisfaction(
            years=years,
            nps=nps_by_site_year(site_ids=scope.site_ids, years=years),
            services=_service_ratings(scope, start, end),
            mentoring=_mentor_ratings(scope, start, end),
        )


def _sorted(ratings: list[Rating]) -> list[Rating]:
    return sorted(ratings, key=lambda rating: (rating.site_id is None, rating.site_name, rating.subject))


def _service_ratings(scope: KpiScope, start: datetime.datetime, end: datetime.datetime) -> list[Rating]:
    """Two queries: the ratings per service, read from the rated registrations' index alone
    (registration_rated_idx: grouped by the service's id only, the period's tens of thousands
    of ratings add up fast), then the few services' titles and sites."""
    rated = Registration.objects.filter(
        status=RegistrationStatus.CONFIRMED,
        rating__isnull=False,
        session__starts_at__gte=start,
        session__starts_at__lt=end,
    )
    if scope.site_ids is not None:
        rated = rated.filter(session__site__in=scope.site_ids)  # the service's site (services.actions)
    totals = {
        row["service_pk"]: row
        for row in rated.order_by()
        .values(service_pk=F("session__service_id"))
        .annotate(ratings=Count("rating"), total=Sum("rating"))
    }
    if not totals:
        return []
    services = Service.objects.filter(pk__in=totals).values(
        "pk", "site_id", owner_name=translated_value("site__name"), subject=translated_value("title")
    )
    rows = [(service, totals[service["pk"]]) for service in services]
    return _sorted(
        [
            Rating(service["site_id"], service["owner_name"] or "", service["subject"], row["ratings"], row["total"])
            for service, row in rows
        ]
    )


def _mentor_ratings(scope: KpiScope, start: datetime.datetime, end: datetime.datetime) -> list[Rating]:
    rated = Booking.objects.filter(rating__isnull=False, starts_at__gte=start, starts_at__lt=end)
    if scope.site_ids is not None:
        rated = rated.filter(site__in=scope.site_ids)
    rows = (
        rated.order_by()
        .values("site_id", owner_name=translated_value("site__name"))
        .annotate(ratings=Count("pk"), total=Sum("rating"))
    )
    return _sorted([Rating(row["site_id"], row["owner_name"], "", row["ratings"], row["total"]) for row in rows])


# --- The board reports (reports.board.content, .satisfaction) ------------------------------
def ratings_period(month_end: datetime.date) -> tuple[datetime.date, datetime.date]:
    """A board report's ratings: of the twelve months ending with its month."""
    return anniversary(month_end, -1) + datetime.timedelta(days=1), month_end


def board_satisfaction(scope: KpiScope, *, month_end: datetime.date) -> Satisfaction:
    """A board report's satisfaction: the campaigns of the month's year and of the year
    before, the ratings of the twelve months ending with the month."""
    date_from, date_to = ratings_period(month_end)
    return satisfaction(scope, date_from=date_from, date_to=date_to, years=(month_end.year - 1, month_end.year))


# --- The dashboards (reports.dashboards.Dashboard: "satisfaction" and "ratings") -------------
def dashboard_satisfaction(dashboard) -> Satisfaction:
    """A dashboard's satisfaction, kept KPI_CACHE_SECONDS under all its inputs (the labels:
    in the active language)."""

    def compute():
        return satisfaction(dashboard.scope, date_from=dashboard.date_from, date_to=dashboard.date_to)

    inputs = (dashboard.scope, dashboard.date_from, dashboard.date_to, get_language())
    return cached_figures("satisfaction", compute, *inputs)


def nps_header() -> list[str]:
    """The columns of the NPS table, on the dashboards and in the board reports."""
    return [
        _("Site"),
        _("Year"),
        _("Startups asked"),
        _("Answers"),
        _("Response rate"),
        _("Promoters (9–10)"),
        _("Passives (7–8)"),
        _("Detractors (0–6)"),
        _("NPS"),
    ]


def nps_table(figures: Satisfaction, *, total_label: str) -> Table:
    return Table(
        "satisfaction",
        _("Yearly satisfaction survey (NPS)"),
        nps_header(),
        [
            [
                row.site_name,
                Year(row.year),
                row.invited,
                row.answers,
                rate_cell(row.response_rate),
                row.promoters,
                row.passives,
                row.detractors,
                row.nps,
            ]
            for row in figures.nps_rows(total_label=total_label)
        ],
    )


def site_label(rating: Rating) -> str:
    return rating.site_name if rating.site_id is not None else _("e-Technopark (network)")


def rating_rows(figures: Satisfaction) -> list[tuple[str, str, int, Decimal | None]]:
    """(site, what was rated, ratings, average) for each site's mentoring then its services."""
    mentoring = _("Mentoring sessions")
    rows = [(site_label(rating), 0, mentoring, rating) for rating in figures.mentoring]
    rows += [(site_label(rating), 1, rating.subject, rating) for rating in figures.services]
    ordered = sorted(rows, key=lambda row: (row[3].site_id is None, row[0], row[1], row[2]))
    return [(site, subject, rating.ratings, rating.average) for site, _kind, subject, rating in ordered]


def ratings_table(figures: Satisfaction) -> Table:
    return Table(
        "ratings",
        _("Ratings of sessions and mentoring (1 to 5)"),
        [_("Site"), _("Service"), _("Ratings"), _("Average rating")],
        [list(row) for row in rating_rows(figures)],
    )


def comments_context(request, dashboard) -> dict:
    """A site dashboard's latest survey comments, for the people who manage the site (its
    managers and head office): read in the request's scope, the site's."""
    if dashboard is None or dashboard.network or not can(request, MANAGE):
        return {}
    comments = SimpleLazyObject(
        lambda: latest_comments(site=request.site, date_from=dashboard.date_from, date_to=dashboard.date_to)
    )
    return {"satisfaction_comments": comments, "shows_satisfaction_comments": True}
