"""iCalendar: the `.ics` attached to confirmations and the personal feed, parsed back with
`icalendar` (UID, DTSTART in UTC, SUMMARY); regenerating the feed's secret; the 24-hour
reminders (idempotent)."""

import datetime
import zoneinfo

import pytest
from django.core import mail
from django.utils import timezone
from django_scopes import scopes_disabled
from icalendar import Calendar

from services import actions
from services.models import Registration, RegistrationStatus, ServiceSession
from services.tasks import send_session_reminders
from sites.scoping import network_scope
from tests.factories import RegistrationFactory, ServiceFactory, ServiceSessionFactory

pytestmark = pytest.mark.django_db

CASABLANCA = zoneinfo.ZoneInfo("Africa/Casablanca")
UTC = datetime.UTC


def local(year, month, day, hour, minute=0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=CASABLANCA)


def events(calendar_text: str | bytes) -> list:
    calendar = Calendar.from_ical(calendar_text)
    assert calendar.get("version") == "2.0"
    assert calendar.get("prodid")
    return list(calendar.walk("VEVENT"))


@pytest.fixture
def summer_and_ramadan(world, unscoped):
    """Two sessions at 10:00 in Casablanca: in June (UTC+1) and during Ramadan (UTC+0)."""
    service = ServiceFactory(site=None, title="Fundraising bootcamp")
    summer = ServiceSessionFactory(
        service=service,
        starts_at=local(2030, 6, 15, 10),
        ends_at=local(2030, 6, 15, 12, 30),
        registration_deadline=local(2030, 6, 14, 18),
        join_url="https://meet.example.ma/bootcamp",
        location="",
    )
    ramadan = ServiceSessionFactory(
        service=service,
        starts_at=local(2030, 1, 15, 10),
        ends_at=local(2030, 1, 15, 12),
        registration_deadline=local(2030, 1, 14, 18),
    )
    return summer, ramadan


# --- The confirmation's attachment ---------------------------------------------------------
def test_the_confirmation_carries_a_valid_ics(summer_and_ramadan, founder_a, django_capture_on_commit_callbacks):
    summer, _ramadan = summer_and_ramadan
    with django_capture_on_commit_callbacks(execute=True), network_scope():
        actions.registration_create(
            session=summer, name="Founder A", email=founder_a.email, language="en", user=founder_a
        )
    [message] = mail.outbox
    [(filename, content, mimetype)] = message.attachments
    assert (filename, mimetype) == ("session.ics", "text/calendar")
    [event] = events(content)
    assert str(event.get("uid")) == f"session-{summer.pk}@technopark.ma"
    assert str(event.get("summary")) == "Fundraising bootcamp"
    assert event.decoded("dtstart") == datetime.datetime(2030, 6, 15, 9, 0, tzinfo=UTC)
    assert event.decoded("dtend") == datetime.datetime(2030, 6, 15, 11, 30, tzinfo=UTC)
    assert "DTSTART:20300615T090000Z" in content  # written in UTC
    assert str(event.get("url")) == "https://meet.example.ma/bootcamp"  # a confirmed seat: the link


def test_a_waitlisted_person_gets_no_calendar_file(summer_and_ramadan, django_capture_on_commit_callbacks):
    summer, _ramadan = summer_and_ramadan
    ServiceSession.objects.filter(pk=summer.pk).update(seats=1)
    summer.refresh_from_db()
    RegistrationFactory(session=summer)
    with django_capture_on_commit_callbacks(execute=True), network_scope():
        registration = actions.registration_create(session=summer, name="W", email="w@example.ma", language="en")
    assert registration.status == RegistrationStatus.WAITLISTED
    [message] = mail.outbox
    assert message.attachments == []
    assert "https://meet.example.ma/bootcamp" not in message.body


# --- The personal feed -----------------------------------------------------------------------
def _feed(client, user):
    response = client.get(f"/calendar/{user.calendar_token}.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return response


def test_the_feed_lists_confirmed_sessions_in_utc(client, summer_and_ramadan, founder_a, unscoped):
    summer, ramadan = summer_and_ramadan
    for session in (summer, ramadan):
        RegistrationFactory(session=session, user=founder_a, email=founder_a.email)
    by_uid = {
        str(event.get("uid")): event
        for event in events(_feed(client, founder_a).content)
        if str(event.get("uid")).startswith("session-")  # mentor sessions: tests/mentors/test_calendar.py
    }
    # The world's confirmed seat at site A's training, and the two bootcamp sessions.
    assert set(by_uid) == {f"session-{pk}@technopark.ma" for pk in (world_session_a(founder_a), summer.pk, ramadan.pk)}
    assert by_uid[f"session-{summer.pk}@technopark.ma"].decoded("dtstart") == datetime.datetime(
        2030, 6, 15, 9, tzinfo=UTC
    )
    # During Ramadan Morocco is on UTC+0: 10:00 in Casablanca is 10:00 UTC.
    ramadan_event = by_uid[f"session-{ramadan.pk}@technopark.ma"]
    assert ramadan_event.decoded("dtstart") == datetime.datetime(2030, 1, 15, 10, tzinfo=UTC)
    assert str(ramadan_event.get("summary")) == "Fundraising bootcamp"


def world_session_a(user) -> int:
    return Registration.objects.get(user=user, session__service__title="Pitch training A").session_id


def test_the_feed_leaves_out_what_is_not_a_confirmed_seat(client, summer_and_ramadan, founder_a, world, unscoped):
    summer, ramadan = summer_and_ramadan
    RegistrationFactory(session=summer, user=founder_a, email=founder_a.email, status=RegistrationStatus.WAITLISTED)
    RegistrationFactory(session=ramadan, user=founder_a, email=founder_a.email, status=RegistrationStatus.CANCELLED)
    long_ago = timezone.now() - datetime.timedelta(days=120)
    RegistrationFactory(
        session=ServiceSessionFactory(service=summer.service, starts_at=long_ago, registration_deadline=long_ago),
        user=founder_a,
        email=founder_a.email,
    )
    recent = timezone.now() - datetime.timedelta(days=30)
    recent_session = ServiceSessionFactory(service=summer.service, starts_at=recent, registration_deadline=recent)
    RegistrationFactory(session=recent_session, user=founder_a, email=founder_a.email)
    cancelled_session = ServiceSessionFactory(service=summer.service, status="cancelled")
    RegistrationFactory(session=cancelled_session, user=founder_a, email=founder_a.email)
    RegistrationFactory(session=ServiceSession.objects.get(pk=world["session_b"]))  # someone else's
    uids = {str(event.get("uid")) for event in events(_feed(client, founder_a).content)}
    uids = {uid for uid in uids if uid.startswith("session-")}  # mentor sessions: tests/mentors/test_calendar.py
    assert uids == {f"session-{world['session_a']}@technopark.ma", f"session-{recent_session.pk}@technopark.ma"}


def test_the_feed_of_someone_with_nothing_is_an_empty_calendar(client, outsider):
    assert events(_feed(client, outsider).content) == []


@pytest.mark.parametrize("token", ["nope", "a" * 43, "..", "%00", "x" * 100, "caf%C3%A9"])
def test_an_unknown_token_is_404(client, world, token):
    assert client.get(f"/calendar/{token}.ics").status_code == 404


def test_an_inactive_users_feed_is_404(client, world, founder_a):
    founder_a.is_active = False
    founder_a.save()
    assert client.get(f"/calendar/{founder_a.calendar_token}.ics").status_code == 404


def test_regenerating_the_token_kills_the_old_url(client, world, founder_a):
    old = founder_a.calendar_token
    client.force_login(founder_a)
    assert client.get("/me/calendar/regenerate/").status_code == 405  # POST only
    response = client.post("/me/calendar/regenerate/")
    assert response["Location"] == "/me/registrations/"
    founder_a.refresh_from_db()
    assert founder_a.calendar_token != old and len(founder_a.calendar_token) >= 40
    client.logout()
    assert client.get(f"/calendar/{old}.ics").status_code == 404
    assert client.get(f"/calendar/{founder_a.calendar_token}.ics").status_code == 200


def test_my_registrations_shows_the_feed_url(client, world, founder_a):
    client.force_login(founder_a)
    page = client.get("/me/registrations/").content.decode()
    assert f"http://testserver/calendar/{founder_a.calendar_token}.ics" in page


# --- Reminders ---------------------------------------------------------------------------------
def _session_in(hours: float, **kwargs) -> ServiceSession:
    with scopes_disabled():
        starts_at = timezone.now() + datetime.timedelta(hours=hours)
        return ServiceSessionFactory(
            service=kwargs.pop("service", None) or ServiceFactory(site=None, title=f"In {hours} h"),
            starts_at=starts_at,
            registration_deadline=starts_at - datetime.timedelta(minutes=30),
            **kwargs,
        )


def _registered(session, *, days_ago: float = 3, **kwargs) -> Registration:
    """A registration made `days_ago` days ago (created_at is set on insert: back-dated)."""
    with scopes_disabled():
        registration = RegistrationFactory(session=session, language="en", **kwargs)
        Registration.objects.filter(pk=registration.pk).update(
            created_at=timezone.now() - datetime.timedelta(days=days_ago)
        )
        return registration


def _run_reminders(django_capture_on_commit_callbacks) -> int:
    with django_capture_on_commit_callbacks(execute=True):
        return send_session_reminders()


def test_reminders_go_once_to_confirmed_seats_within_24_hours(
    world, site_a, django_capture_on_commit_callbacks, unscoped
):
    due = _registered(_session_in(20), email="due@example.ma")
    due_at_site = _registered(_session_in(23.9, service=ServiceFactory(site=site_a)), email="site@example.ma")
    _registered(_session_in(30), email="too-early@example.ma")
    _registered(_session_in(-1), email="started@example.ma")
    _registered(_session_in(10), email="waiting@example.ma", status=RegistrationStatus.WAITLISTED)
    _registered(_session_in(10), email="left@example.ma", status=RegistrationStatus.CANCELLED)
    _registered(_session_in(10, status="cancelled"), email="cancelled-session@example.ma")
    _registered(_session_in(10), email="late@example.ma", days_ago=0.1)  # just got the confirmation

    assert _run_reminders(django_capture_on_commit_callbacks) == 2
    assert sorted(message.to[0] for message in mail.outbox) == ["due@example.ma", "site@example.ma"]
    message = next(message for message in mail.outbox if message.to == ["due@example.ma"])
    assert message.subject == "Tomorrow: In 20 h"
    assert f"/registrations/{due.token}/cancel/" in message.body
    due.refresh_from_db()
    due_at_site.refresh_from_db()
    assert due.reminded_at is not None and due_at_site.reminded_at is not None

    # Idempotent: a second run (or an overlapping beat) sends nothing new.
    assert _run_reminders(django_capture_on_commit_callbacks) == 0
    assert len(mail.outbox) == 2


def test_reminders_cover_every_site_and_the_network(world, django_capture_on_commit_callbacks, unscoped):
    for session_key in ("session_a", "session_b", "session_network"):
        starts_at = timezone.now() + datetime.timedelta(hours=12)
        ServiceSession.objects.filter(pk=world[session_key]).update(
            starts_at=starts_at,
            ends_at=starts_at + datetime.timedelta(hours=2),
            registration_deadline=starts_at - datetime.timedelta(hours=1),
        )
        _registered(ServiceSession.objects.get(pk=world[session_key]), email=f"{session_key}@example.ma")
    Registration.objects.update(created_at=timezone.now() - datetime.timedelta(days=3))
    sent = _run_reminders(django_capture_on_commit_callbacks)
    recipients = {message.to[0] for message in mail.outbox}
    assert {"session_a@example.ma", "session_b@example.ma", "session_network@example.ma"} <= recipients
    assert sent == len(mail.outbox)


def test_a_reminder_is_not_sent_twice_even_when_called_per_registration(world, django_capture_on_commit_callbacks):
    registration = _registered(_session_in(5), email="once@example.ma")
    with django_capture_on_commit_callbacks(execute=True), network_scope():
        assert actions.registration_remind(registration=registration) is True
        assert actions.registration_remind(registration=registration) is False
    assert len(mail.outbox) == 1


def test_the_task_runs_through_celery(world, django_capture_on_commit_callbacks):
    _registered(_session_in(6), email="celery@example.ma")
    with django_capture_on_commit_callbacks(execute=True):
        result = send_session_reminders.delay()
    assert result.get() == 1
    assert [message.to for message in mail.outbox] == [["celery@example.ma"]]
