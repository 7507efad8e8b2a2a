"""The site back-office home's "Today's sessions to check in" (services.home, registered in
ServicesConfig.ready()) and its figure on the site manager's landing page: this site's own
sessions starting today (local time), not cancelled, with their registrations counted,
linked to their attendance page; another site's and the network's never show."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scopes_disabled

from services.models import RegistrationStatus, SessionStatus
from services.selectors.home import day_bounds
from tests.factories import RegistrationFactory, ServiceFactory, ServiceSessionFactory

from . import backoffice_setup

manager = backoffice_setup.manager
pytestmark = pytest.mark.django_db

HOME = "/manage/site-a/"
HOUR = datetime.timedelta(hours=1)


def _today(hours: float) -> datetime.datetime:
    """`hours` after the start of today, Casablanca time (negative: yesterday)."""
    return day_bounds(timezone.localdate())[0] + datetime.timedelta(hours=hours)


def _session(site, title: str, *, hours: float, **kwargs):
    with scopes_disabled():
        return ServiceSessionFactory(
            service=ServiceFactory(site=site, title=title),
            starts_at=_today(hours),
            registration_deadline=_today(hours) - HOUR,
            **kwargs,
        )


def _panel(response) -> dict:
    return next(panel for _template, panel in response.context["panels"] if panel.get("key") == "sessions-today")


def test_todays_sessions_of_this_site_only(manager, site_a, site_b):
    morning = _session(site_a, "Morning pitch", hours=9)
    early = _session(site_a, "Early coffee", hours=0.5)
    with scopes_disabled():
        for status in [RegistrationStatus.CONFIRMED, RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED]:
            RegistrationFactory(session=morning, status=status)
        RegistrationFactory(session=morning, status=RegistrationStatus.CANCELLED)
    _session(site_a, "Cancelled talk", hours=10, status=SessionStatus.CANCELLED)
    _session(site_a, "Tomorrow's class", hours=24)
    _session(site_a, "Yesterday's class", hours=-1)
    _session(site_b, "Site B workshop", hours=9)
    _session(None, "Network webinar", hours=9)
    response = manager.get(HOME)
    panel = _panel(response)
    assert [session.service.title for session in panel["items"]] == ["Early coffee", "Morning pitch"]
    assert panel["count"] == 2
    assert [(session.confirmed_count, session.waitlisted_count) for session in panel["items"]] == [(0, 0), (2, 1)]
    html = response.content.decode()
    for absent in [
        "Cancelled talk",
        "Tomorrow&#x27;s class",
        "Yesterday&#x27;s class",
        "Site B workshop",
        "Network webinar",
    ]:
        assert absent not in html, absent
    assert f'href="/manage/site-a/sessions/{morning.pk}/attendance/"' in html
    assert f'href="/manage/site-a/sessions/{early.pk}/attendance/"' in html
    assert "2 registered · 1 on the waiting list" in html
    assert 'href="/manage/site-a/services/"' in html  # see the list


def test_no_session_today(manager, site_b):
    _session(site_b, "Site B workshop", hours=9)
    response = manager.get(HOME)
    assert _panel(response)["count"] == 0
    assert "Nothing to check in: no session of the site starts today." in response.content.decode()


def test_home_sessions_in_a_constant_number_of_queries(manager, site_a):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            manager.get(HOME)
        return len(queries)

    for n in range(5):
        session = _session(site_a, f"Session {n}", hours=8 + n)
        with scopes_disabled():
            RegistrationFactory(session=session)
    manager.get(HOME)
    few = count()
    for n in range(5):
        session = _session(site_a, f"Later {n}", hours=14 + n)
        with scopes_disabled():
            RegistrationFactory.create_batch(3, session=session)
    assert count() == few
    panel = _panel(manager.get(HOME))
    assert (len(panel["items"]), panel["count"]) == (5, 10)


def test_landing_card_counts_todays_sessions(client, manager_a, site_a, site_b, world):
    _session(site_a, "Morning pitch", hours=9)
    _session(site_a, "Afternoon demo", hours=15)
    _session(site_b, "Site B workshop", hours=9)
    client.cookies["django_language"] = "en"
    client.force_login(manager_a)
    response = client.get("/dashboard/")
    [(_template, panel)] = response.context["panels"]
    [card] = panel["cards"]
    figure = next(figure for figure in card["counts"] if figure.key == "sessions-today")
    assert (figure.count, figure.url) == (2, "/manage/site-a/services/")
    assert "Today&#x27;s sessions to check in" in response.content.decode()
