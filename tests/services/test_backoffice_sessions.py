"""Services back-office, the sessions of a service (/manage/<site>/sessions/… and
/network/services/sessions/…): creating and editing in local time, validation, waitlist
promotion, cancelling, marking held, attendance, the public check-in CSV, and the query
counts of the back-office's pages. The services themselves: test_backoffice_services.py."""

import csv
import datetime
import io
import zoneinfo

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import dateformat, timezone, translation
from django_scopes import scopes_disabled

from services import actions
from services.models import (
    Attendance,
    Registration,
    RegistrationStatus,
    Service,
    ServiceSession,
    SessionStatus,
)
from tests.factories import PartnerFactory, RegistrationFactory, ServiceFactory, ServiceSessionFactory

from . import backoffice_setup
from .backoffice_setup import HOUR, LIST, _audited, _get

# The fixtures shared with the sibling modules: pytest finds a fixture by its name in the module.
head_office = backoffice_setup.head_office
manager = backoffice_setup.manager

# Every test here uses the world: built once for the module (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_world")]

CASABLANCA = zoneinfo.ZoneInfo("Africa/Casablanca")


def _session_data(**overrides) -> dict:
    data = {
        "starts_at": "2030-05-10T09:00",
        "ends_at": "2030-05-10T12:00",
        "location_fr": "Salle Atlas",
        "join_url": "",
        "seats": "12",
        "registration_deadline": "",
    }
    data.update(overrides)
    return data


# --- Sessions: create, edit, validation -------------------------------------------------------
def test_create_a_session_in_local_time_with_the_deadline_defaulting_to_the_start(manager, world):
    url = f"/manage/site-a/services/{world['service_a']}/sessions/new/"
    assert manager.get(url).status_code == 200
    response = manager.post(url, _session_data())
    assert response.status_code == 302
    with scopes_disabled():
        session = ServiceSession.objects.filter(service_id=world["service_a"]).latest("pk")
    assert response["Location"] == f"/manage/site-a/sessions/{session.pk}/"
    assert session.starts_at == datetime.datetime(2030, 5, 10, 9, 0, tzinfo=CASABLANCA)
    assert session.ends_at == datetime.datetime(2030, 5, 10, 12, 0, tzinfo=CASABLANCA)
    assert session.registration_deadline == session.starts_at
    assert session.site_id == _get(Service, world["service_a"]).site_id
    assert session.seats == 12


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"seats": "0"}, "seats"),
        ({"seats": "-3"}, "seats"),
        ({"seats": "many"}, "seats"),
        ({"ends_at": "2030-05-10T08:00"}, "ends_at"),
        ({"ends_at": "2030-05-10T09:00"}, "ends_at"),
        ({"registration_deadline": "2030-05-10T12:30"}, "registration_deadline"),
        ({"starts_at": "not a date"}, "starts_at"),
        ({"join_url": "javascript:alert(1)"}, "join_url"),
    ],
)
def test_session_validation(manager, world, overrides, field):
    url = f"/manage/site-a/services/{world['service_a']}/sessions/new/"
    with scopes_disabled():
        before = ServiceSession.objects.count()
    response = manager.post(url, _session_data(**overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert response.context["form"]["location_fr"].value() == "Salle Atlas"
    with scopes_disabled():
        assert ServiceSession.objects.count() == before


def test_deadline_after_the_end_is_refused_with_a_clear_message(manager, world):
    url = f"/manage/site-a/services/{world['service_a']}/sessions/new/"
    response = manager.post(url, _session_data(registration_deadline="2030-05-11T09:00"))
    assert "Registration must close before the session ends." in response.content.decode()


def test_raising_seats_promotes_the_waitlist_in_order(manager, world, django_capture_on_commit_callbacks):
    now = timezone.now()
    with scopes_disabled():
        session = ServiceSession.objects.get(pk=world["session_a"])
        session.seats = 1
        session.save()
        # Joined the waitlist in the order second, first, third (not the id order).
        second = RegistrationFactory(session=session, status="waitlisted", waitlisted_at=now - 2 * HOUR)
        first = RegistrationFactory(session=session, status="waitlisted", waitlisted_at=now - 3 * HOUR)
        third = RegistrationFactory(session=session, status="waitlisted", waitlisted_at=now - 1 * HOUR)
    local_start = timezone.localtime(session.starts_at).strftime("%Y-%m-%dT%H:%M")
    local_end = timezone.localtime(session.ends_at).strftime("%Y-%m-%dT%H:%M")
    with django_capture_on_commit_callbacks(execute=True):
        response = manager.post(
            f"/manage/site-a/sessions/{session.pk}/edit/",
            _session_data(starts_at=local_start, ends_at=local_end, seats="3", registration_deadline=local_start),
        )
    assert response.status_code == 302
    with scopes_disabled():
        statuses = {r.pk: r.status for r in Registration.objects.filter(session=session)}
    assert statuses[first.pk] == statuses[second.pk] == RegistrationStatus.CONFIRMED
    assert statuses[third.pk] == RegistrationStatus.WAITLISTED
    assert sorted(message.to[0] for message in mail.outbox) == sorted([first.email, second.email])
    page = manager.get(f"/manage/site-a/sessions/{session.pk}/")
    assert [r.pk for r in page.context["waitlisted"]] == [third.pk]
    assert page.context["counts"]["confirmed"] == 3


def test_waitlist_is_listed_in_promotion_order(manager, world):
    now = timezone.now()
    with scopes_disabled():
        session = ServiceSession.objects.get(pk=world["session_a"])
        late = RegistrationFactory(session=session, status="waitlisted", waitlisted_at=now - HOUR)
        early = RegistrationFactory(session=session, status="waitlisted", waitlisted_at=now - 2 * HOUR)
        RegistrationFactory(session=session, status="cancelled", name="Gone Person")
    response = manager.get(f"/manage/site-a/sessions/{session.pk}/")
    assert [r.pk for r in response.context["waitlisted"]] == [early.pk, late.pk]
    assert {"confirmed": 1, "waitlisted": 2, "cancelled": 1, "free": 9}.items() <= response.context["counts"].items()
    assert "Gone Person" in response.content.decode()


def test_lowering_seats_below_the_confirmed_count_is_refused(manager, world):
    with scopes_disabled():
        session = ServiceSession.objects.get(pk=world["session_a"])
        RegistrationFactory(session=session)
    local_start = timezone.localtime(session.starts_at).strftime("%Y-%m-%dT%H:%M")
    local_end = timezone.localtime(session.ends_at).strftime("%Y-%m-%dT%H:%M")
    response = manager.post(
        f"/manage/site-a/sessions/{session.pk}/edit/",
        _session_data(starts_at=local_start, ends_at=local_end, seats="1"),
    )
    assert response.status_code == 200 and "seats" in response.context["form"].errors


# --- Cancelling and "held" --------------------------------------------------------------------
def test_cancelling_a_session_notifies_everyone_registered(
    manager, world, manager_a, django_capture_on_commit_callbacks
):
    with scopes_disabled():
        session = ServiceSession.objects.get(pk=world["session_a"])
        waiting = RegistrationFactory(session=session, status="waitlisted", waitlisted_at=timezone.now())
        gone = RegistrationFactory(session=session, status="cancelled")
    url = f"/manage/site-a/sessions/{session.pk}/cancel/"
    assert manager.get(url).status_code == 200

    response = manager.post(url, {"reason": "  "})
    assert response.status_code == 200 and "reason" in response.context["form"].errors

    with django_capture_on_commit_callbacks(execute=True):
        response = manager.post(url, {"reason": "The trainer is ill."}, follow=True)
    assert response.status_code == 200
    assert "2 registered people were told by email" in response.content.decode()
    session.refresh_from_db()
    assert session.status == SessionStatus.CANCELLED and session.cancel_reason == "The trainer is ill."
    recipients = sorted(message.to[0] for message in mail.outbox)
    assert recipients == sorted(["founder.a@example.ma", waiting.email])
    assert gone.email not in recipients
    assert all("The trainer is ill." in message.body for message in mail.outbox)
    assert _audited(object_id=str(session.pk), actor=manager_a)

    # A cancelled session is not cancelled twice, nor edited.
    assert manager.post(url, {"reason": "again"}).status_code == 302
    assert manager.get(f"/manage/site-a/sessions/{session.pk}/edit/").status_code == 302


def test_mark_held_only_once_over(manager, world, site_a):
    url = f"/manage/site-a/sessions/{world['session_a']}/held/"
    response = manager.post(url, follow=True)
    assert "not over yet" in response.content.decode()
    assert _get(ServiceSession, world["session_a"]).status == SessionStatus.SCHEDULED
    assert manager.get(url).status_code == 405

    with scopes_disabled():
        past = ServiceSessionFactory(service_id=world["service_a"], site=site_a, starts_at=timezone.now() - 5 * HOUR)
    response = manager.post(f"/manage/site-a/sessions/{past.pk}/held/")
    assert response.status_code == 302
    assert _get(ServiceSession, past.pk).status == SessionStatus.HELD


# --- Attendance -------------------------------------------------------------------------------
def _start(session_pk: int) -> None:
    """Move the session's start an hour back: attendance is taken from the start on."""
    with scopes_disabled():
        ServiceSession.objects.filter(pk=session_pk).update(starts_at=timezone.now() - HOUR)


def test_attendance_with_plain_forms(manager, world, manager_a):
    _start(world["session_a"])
    url = f"/manage/site-a/sessions/{world['session_a']}/attendance/"
    page = manager.get(url)
    assert page.status_code == 200
    assert [r.pk for r in page.context["participants"]] == [world["registration_a"]]
    assert 'value="present"' in page.content.decode()

    response = manager.post(url, {"registration": world["registration_a"], "attendance": "present"})
    assert response.status_code == 302
    assert response["Location"] == f"{url}#registration-{world['registration_a']}"
    registration = _get(Registration, world["registration_a"])
    assert registration.attendance == Attendance.PRESENT and registration.checked_in_at is not None
    assert _audited(object_id=str(registration.pk), actor=manager_a)

    manager.post(url, {"registration": world["registration_a"], "attendance": "no_show"})
    registration = _get(Registration, world["registration_a"])
    assert registration.attendance == Attendance.NO_SHOW and registration.checked_in_at is None

    manager.post(url, {"registration": world["registration_a"], "attendance": "clear"})
    assert _get(Registration, world["registration_a"]).attendance == ""

    # Bad input: a message, never a 500.
    response = manager.post(url, {"registration": "abc", "attendance": "maybe"}, follow=True)
    assert response.status_code == 200


def test_attendance_with_htmx_swaps_the_row_and_the_counts(manager, world):
    _start(world["session_a"])
    url = f"/manage/site-a/sessions/{world['session_a']}/attendance/"
    response = manager.post(
        url, {"registration": world["registration_a"], "attendance": "present"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="registration-{world["registration_a"]}"' in html
    assert 'hx-swap-oob="true"' in html and "Present: 1" in html
    assert "<html" not in html


def test_waitlisted_people_are_not_on_the_attendance_list(manager, world, unscoped):
    waiting = RegistrationFactory(
        session=ServiceSession.objects.get(pk=world["session_a"]), status="waitlisted", waitlisted_at=timezone.now()
    )
    url = f"/manage/site-a/sessions/{world['session_a']}/attendance/"
    assert waiting.pk not in [r.pk for r in manager.get(url).context["participants"]]
    assert manager.post(url, {"registration": waiting.pk, "attendance": "present"}).status_code == 404


def test_no_attendance_on_a_cancelled_session(manager, world, unscoped):
    ServiceSession.objects.filter(pk=world["session_a"]).update(status=SessionStatus.CANCELLED)
    url = f"/manage/site-a/sessions/{world['session_a']}/attendance/"
    response = manager.post(url, {"registration": world["registration_a"], "attendance": "present"}, follow=True)
    assert "cancelled" in response.content.decode()
    assert Registration.objects.get(pk=world["registration_a"]).attendance == ""


def test_head_office_takes_attendance_of_a_network_session(head_office, world, unscoped):
    _start(world["session_network"])
    session = ServiceSession.objects.get(pk=world["session_network"])
    registration = RegistrationFactory(session=session)
    url = f"/network/services/sessions/{session.pk}/attendance/"
    assert head_office.post(url, {"registration": registration.pk, "attendance": "present"}).status_code == 302
    assert Registration.objects.get(pk=registration.pk).attendance == Attendance.PRESENT
    # …but not of a site's registration through the network's page.
    response = head_office.post(url, {"registration": world["registration_a"], "attendance": "present"})
    assert response.status_code == 404


def test_attendance_only_from_the_sessions_start(manager, world):
    """A week before the session: no Present / No-show buttons but a sentence saying from
    when; a forged POST (plain or htmx) is refused with that message and changes nothing.
    From the start on, the buttons are there and the mark is taken."""
    url = f"/manage/site-a/sessions/{world['session_a']}/attendance/"
    session = _get(ServiceSession, world["session_a"])
    with translation.override("en"):
        start = dateformat.format(timezone.localtime(session.starts_at), "N j, Y, H:i")  # English DATETIME_FORMAT
    html = manager.get(url).content.decode()
    assert 'value="present"' not in html and 'value="no_show"' not in html
    assert f"Attendance can be taken once the session has started, from {start}." in html
    mark = {"registration": world["registration_a"], "attendance": "present"}
    response = manager.post(url, mark, follow=True)
    assert response.redirect_chain == [(f"{url}#registration-{world['registration_a']}", 302)]
    assert f"Attendance can be taken once the session has started, from {start}." in response.content.decode()
    row = manager.post(url, {**mark, "attendance": "no_show"}, headers={"HX-Request": "true"})
    assert row.status_code == 200
    assert 'role="alert">Attendance can be taken once the session has started' in row.content.decode()
    assert 'value="present"' not in row.content.decode()
    registration = _get(Registration, world["registration_a"])
    assert (registration.attendance, registration.checked_in_at) == ("", None)

    _start(world["session_a"])
    assert 'value="present"' in manager.get(url).content.decode()
    assert manager.post(url, mark).status_code == 302
    assert _get(Registration, world["registration_a"]).attendance == Attendance.PRESENT


def test_attendance_mark_refuses_before_the_start_but_a_mark_may_be_cleared(world, manager_a, unscoped):
    """The action is the rule: from `starts_at` exactly. A mark taken too early (before
    the rule) can still be cleared, and the page offers only that."""
    registration = Registration.objects.select_related("session").get(pk=world["registration_a"])
    session = registration.session
    assert not actions.attendance_is_open(session=session, now=session.starts_at - datetime.timedelta(seconds=1))
    assert actions.attendance_is_open(session=session, now=session.starts_at)
    for value in (Attendance.PRESENT, Attendance.NO_SHOW):
        with pytest.raises(ValidationError) as refused:
            actions.attendance_mark(actor=manager_a, registration=registration, attendance=value)
        assert refused.value.code == "not_started"
    Registration.objects.filter(pk=registration.pk).update(attendance=Attendance.PRESENT)
    registration.refresh_from_db()
    actions.attendance_mark(actor=manager_a, registration=registration, attendance=Attendance.UNKNOWN)
    assert Registration.objects.get(pk=registration.pk).attendance == ""


def test_an_early_mark_can_be_cleared_from_the_page(manager, world, unscoped):
    Registration.objects.filter(pk=world["registration_a"]).update(attendance=Attendance.PRESENT)
    url = f"/manage/site-a/sessions/{world['session_a']}/attendance/"
    html = manager.get(url).content.decode()
    assert 'value="clear"' in html and 'value="present"' not in html
    mark = {"registration": world["registration_a"], "attendance": "clear"}
    assert manager.post(url, mark).status_code == 302
    assert Registration.objects.get(pk=world["registration_a"]).attendance == ""


# --- Public events: check-in CSV --------------------------------------------------------------
def test_checkin_csv_of_a_public_event_is_injection_safe(manager, world):
    _start(world["session_public"])
    url = f"/manage/site-a/sessions/{world['session_public']}/attendance/"
    with scopes_disabled():
        session = ServiceSession.objects.get(pk=world["session_public"])
        evil = RegistrationFactory(
            session=session, name='=HYPERLINK("http://x")', email="evil@example.ma", organisation="+212 Corp"
        )
        RegistrationFactory(session=session, name="@SUM(A1)", email="at@example.ma", organisation="-1")
        RegistrationFactory(session=session, name="Waiting Person", status="waitlisted", waitlisted_at=timezone.now())
        RegistrationFactory(session=session, name="Cancelled Person", status="cancelled")
    manager.post(url, {"registration": evil.pk, "attendance": "present"})  # checked in on the day

    response = manager.get(f"/manage/site-a/sessions/{world['session_public']}/checkin.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Name", "Email", "Organisation", "Status", "Checked in at"]
    by_email = {row[1]: row for row in rows[1:]}
    assert set(by_email) == {"visitor@example.ma", "evil@example.ma", "at@example.ma", _waiting_email(session)}
    assert by_email["evil@example.ma"][0] == '\'=HYPERLINK("http://x")'
    assert by_email["evil@example.ma"][2] == "'+212 Corp"
    assert by_email["evil@example.ma"][3] == "Confirmed"
    checked_in = _get(Registration, evil.pk).checked_in_at
    assert by_email["evil@example.ma"][4] == timezone.localtime(checked_in).strftime("%Y-%m-%d %H:%M")
    assert by_email["at@example.ma"][0] == "'@SUM(A1)" and by_email["at@example.ma"][2] == "'-1"
    assert by_email["visitor@example.ma"][4] == ""
    assert "Cancelled Person" not in response.content.decode()
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def _waiting_email(session):
    with scopes_disabled():
        return Registration.objects.get(session=session, name="Waiting Person").email


def test_checkin_is_offered_only_for_public_events(manager, world):
    assert manager.get(f"/manage/site-a/sessions/{world['session_a']}/checkin.csv").status_code == 404
    page = manager.get(f"/manage/site-a/sessions/{world['session_public']}/").content.decode()
    assert "checkin.csv" in page and "Check-in" in page
    assert "checkin.csv" not in manager.get(f"/manage/site-a/sessions/{world['session_a']}/").content.decode()


# --- Query counts -----------------------------------------------------------------------------
def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_service_list_is_constant_in_queries(manager, site_a, django_assert_max_num_queries):
    one = _queries(manager, LIST)
    with scopes_disabled():
        partner = PartnerFactory()
        for _index in range(30):
            service = ServiceFactory(site=site_a, provider_kind="partner", partner=partner)
            session = ServiceSessionFactory(service=service, status=SessionStatus.HELD)
            RegistrationFactory(session=session, attendance="present", rating=4)
    with django_assert_max_num_queries(one):
        response = manager.get(LIST)
    assert len(response.context["page"]) == 32


def test_session_pages_are_constant_in_queries(manager, world, django_assert_max_num_queries):
    detail = f"/manage/site-a/sessions/{world['session_public']}/"
    attendance = f"/manage/site-a/sessions/{world['session_public']}/attendance/"
    service = f"/manage/site-a/services/{world['service_public']}/"
    export = f"/manage/site-a/sessions/{world['session_public']}/checkin.csv"
    urls = (detail, attendance, service, export)
    counts = [_queries(manager, url) for url in urls]
    with scopes_disabled():
        session = ServiceSession.objects.get(pk=world["session_public"])
        for index in range(30):
            RegistrationFactory(session=session, organisation=f"Org {index}")
            RegistrationFactory(session=session, status="waitlisted", waitlisted_at=timezone.now())
            RegistrationFactory(session=session, status="cancelled")
            ServiceSessionFactory(service=session.service)
    for url, count in zip(urls, counts, strict=True):
        with django_assert_max_num_queries(count):
            manager.get(url)
    assert len(manager.get(detail).context["confirmed"]) == 31
