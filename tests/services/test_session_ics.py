"""A session's calendar file from "My registrations" (issue 18): for the person registered
(a seat or a place on the waitlist) and nobody else; the feed's event (UID, times in UTC),
with the join link only for a confirmed seat; linked from "My registrations" and the
service's page."""

import datetime

import pytest
from django.utils import timezone
from icalendar import Calendar

from services.models import Registration, RegistrationStatus, ServiceSession, SessionStatus
from tests.factories import RegistrationFactory, ServiceFactory, ServiceSessionFactory, UserFactory

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def ics_url(pk: int) -> str:
    return f"/me/registrations/{pk}/session.ics"


def the_event(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    [event] = Calendar.from_ical(response.content).walk("VEVENT")
    return event


@pytest.fixture
def network_session(unscoped):
    """An e-Technopark live stream (no site) next month, 10:00–12:00 UTC, with a link."""
    starts = (timezone.now() + datetime.timedelta(days=30)).replace(hour=10, minute=0, second=0, microsecond=0)
    return ServiceSessionFactory(
        service=ServiceFactory(site=None, title="Live seminar on export", format="live_stream"),
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        location="",
        join_url="https://stream.example.ma/export",
        seats=1,
    )


def test_a_confirmed_seat_gives_the_feeds_event_with_the_link(client, founder_a, network_session):
    registration = RegistrationFactory(session=network_session, user=founder_a, email=founder_a.email)
    client.force_login(founder_a)
    response = client.get(ics_url(registration.pk))
    event = the_event(response)
    assert response["Content-Disposition"] == f'attachment; filename="session-{network_session.pk}.ics"'
    assert str(event.get("uid")) == f"session-{network_session.pk}@technopark.ma"  # as in the feed
    assert str(event.get("summary")) == "Live seminar on export"
    assert event.decoded("dtstart") == network_session.starts_at.astimezone(UTC)
    assert event.decoded("dtend") == network_session.ends_at.astimezone(UTC)
    assert f"DTSTART:{network_session.starts_at.astimezone(UTC):%Y%m%dT%H%M%S}Z" in response.content.decode()
    assert str(event.get("location")) == "https://stream.example.ma/export"
    assert str(event.get("url")) == "https://stream.example.ma/export"
    # The feed gives the same event (one writer).
    feed = client.get(f"/calendar/{founder_a.calendar_token}.ics")
    [same] = [e for e in Calendar.from_ical(feed.content).walk("VEVENT") if e.get("uid") == event.get("uid")]
    assert same.to_ical() == event.to_ical()


def test_a_place_on_the_waitlist_gives_the_event_without_the_link(client, founder_a, network_session):
    RegistrationFactory(session=network_session)  # the one seat
    registration = RegistrationFactory(
        session=network_session,
        user=founder_a,
        email=founder_a.email,
        status=RegistrationStatus.WAITLISTED,
        waitlisted_at=timezone.now(),
    )
    client.force_login(founder_a)
    event = the_event(client.get(ics_url(registration.pk)))
    assert event.get("location") is None
    assert str(event.get("url")).endswith(network_session.service.get_absolute_url())
    assert "stream.example.ma" not in event.to_ical().decode()


def test_a_registration_made_with_the_address_alone_is_theirs_too(client, founder_a, network_session):
    registration = RegistrationFactory(session=network_session, user=None, email=founder_a.email)
    client.force_login(founder_a)
    assert client.get(ics_url(registration.pk)).status_code == 200


def test_anybody_elses_registration_is_a_404(client, world, founder_a, network_session, client_for):
    mine = Registration.objects.get(pk=world["registration_a"])
    for persona in ("outsider", "manager_a", "staff"):
        assert client_for(persona).get(ics_url(mine.pk)).status_code == 404, persona
    someone = UserFactory()
    theirs = RegistrationFactory(session=network_session, user=someone, email=someone.email)
    client.force_login(founder_a)
    assert client.get(ics_url(theirs.pk)).status_code == 404
    assert client.get(ics_url(10**9)).status_code == 404


def test_anonymous_visitors_sign_in_first(client, world):
    response = client.get(ics_url(world["registration_a"]))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_cancelled_registrations_and_sessions_have_no_file(client, founder_a, network_session):
    registration = RegistrationFactory(session=network_session, user=founder_a, email=founder_a.email)
    client.force_login(founder_a)
    Registration.objects.filter(pk=registration.pk).update(status=RegistrationStatus.CANCELLED)
    assert client.get(ics_url(registration.pk)).status_code == 404
    Registration.objects.filter(pk=registration.pk).update(status=RegistrationStatus.CONFIRMED)
    ServiceSession.objects.filter(pk=network_session.pk).update(status=SessionStatus.CANCELLED)
    assert client.get(ics_url(registration.pk)).status_code == 404


def test_my_registrations_and_the_service_page_link_to_the_file(client, founder_a, network_session):
    RegistrationFactory(session=network_session)
    waiting = RegistrationFactory(
        session=network_session,
        user=founder_a,
        email=founder_a.email,
        status=RegistrationStatus.WAITLISTED,
        waitlisted_at=timezone.now(),
    )
    other = ServiceSessionFactory(service=network_session.service, seats=5)
    cancelled = RegistrationFactory(
        session=other, user=founder_a, email=founder_a.email, status=RegistrationStatus.CANCELLED
    )
    client.force_login(founder_a)
    client.cookies["django_language"] = "en"
    mine = client.get("/me/registrations/").content.decode()
    assert f'href="{ics_url(waiting.pk)}"' in mine and "Add to my calendar" in mine
    assert ics_url(cancelled.pk) not in mine
    page = client.get(network_session.service.get_absolute_url()).content.decode()
    assert f'href="{ics_url(waiting.pk)}"' in page
