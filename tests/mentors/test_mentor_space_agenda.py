"""The mentor's own space (/mentor/…), the agenda: own bookings only, across sites, notes,
attendance and cancelling after or before a session, the mentor on every page, and query
counts."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone
from django_scopes import scopes_disabled

from mentors.models import Attendance, Booking, BookingStatus
from mentors.views import mentor_space
from tests.factories import BookingFactory, MentorProfileFactory

from . import mentor_space_setup
from .mentor_space_setup import AGENDA, AVAILABILITY, HOUR, PROFILE, _login, _messages

# The fixtures shared with the sibling modules: pytest finds a fixture by its name in the module.
as_mentor = mentor_space_setup.as_mentor
mentor = mentor_space_setup.mentor
mentor_user = mentor_space_setup.mentor_user
other_mentor = mentor_space_setup.other_mentor

# Every test here uses the world: built once for the module (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_world")]


# --- Agenda ------------------------------------------------------------------------------------
def test_the_agenda_lists_the_mentors_bookings_at_every_site(as_mentor, world, unscoped):
    response = as_mentor.get(AGENDA)
    assert response.status_code == 200
    shown = [booking.pk for booking in response.context["page"]]
    # booking_b is at site B, where the mentor works for no one: it is theirs, so it shows.
    assert shown == [world["booking_a"], world["booking_b"]]
    page = response.content.decode()
    assert "Atlas Data" in page and "Souss Agri" in page
    assert response.context["upcoming_count"] == 2
    past = as_mentor.get(AGENDA + "?when=past")
    assert [booking.pk for booking in past.context["page"]] == [world["booking_a_past"]]
    assert "Written" in past.content.decode()


def test_another_mentor_sees_none_of_them(client, world, other_mentor, unscoped):
    _login(client, other_mentor.user)
    response = client.get(AGENDA)
    assert response.status_code == 200
    assert list(response.context["page"]) == []
    page = response.content.decode()
    assert "No session booked yet" in page
    assert "Souss Agri" not in page
    for booking in ("booking_a", "booking_b", "booking_a_past"):
        assert client.get(f"{AGENDA}{world[booking]}/").status_code == 404
    assert client.post(f"{AGENDA}{world['booking_b']}/cancel/", {"reason": "Mine now"}).status_code == 404
    assert client.post(f"{AGENDA}{world['booking_a_past']}/note/", {"note": "Mine"}).status_code == 404
    assert Booking.objects.get(pk=world["booking_b"]).status == "confirmed"
    assert Booking.objects.get(pk=world["booking_a_past"]).note == "Revoir la valorisation avant le tour de table."


def test_the_agenda_is_O1_in_queries(client, world, site_a, site_b, django_assert_max_num_queries, unscoped):
    profile = MentorProfileFactory()
    first = timezone.now().replace(minute=0, second=0, microsecond=0) + datetime.timedelta(days=2)
    BookingFactory(mentor=profile, startup_id=world["startup_a"], site=site_a, starts_at=first)
    BookingFactory(mentor=profile, startup_id=world["startup_a"], site=site_a, starts_at=first - 61 * HOUR)
    _login(client, profile.user)
    with django_assert_max_num_queries(20) as few:
        assert client.get(AGENDA).status_code == 200
    with django_assert_max_num_queries(20) as few_past:
        response = client.get(AGENDA + "?when=past")
    assert len(response.context["page"].object_list) == 1
    for hours in range(1, 31):
        startup, site = (world["startup_a"], site_a) if hours % 2 else (world["startup_b"], site_b)
        BookingFactory(mentor=profile, startup_id=startup, site=site, starts_at=first + hours * 2 * HOUR)
        BookingFactory(
            mentor=profile, startup_id=startup, site=site, starts_at=first - (hours * 2 + 60) * HOUR, note="Notes"
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(AGENDA)
    assert len(response.context["page"].object_list) == mentor_space.PAGE_SIZE
    with django_assert_max_num_queries(len(few_past.captured_queries)):
        response = client.get(AGENDA + "?when=past&page=2")
    assert len(response.context["page"].object_list) == 31 - mentor_space.PAGE_SIZE


def test_the_booking_page_shows_the_request_and_the_contact(as_mentor, world, unscoped):
    Booking.objects.filter(pk=world["booking_a"]).update(questions="How do we value a pre-revenue SaaS?")
    response = as_mentor.get(f"{AGENDA}{world['booking_a']}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Préparer la levée de fonds" in page
    assert "How do we value a pre-revenue SaaS?" in page
    assert "founder.a@example.ma" in page
    assert "https://meet.example.ma/mentor" in page
    assert "Morocco time" in page
    # Upcoming: no notes yet, but it can still be cancelled.
    assert response.context["can_record"] is False
    assert response.context["can_cancel"] is True
    assert f'action="/mentor/agenda/{world["booking_a"]}/cancel/"' in page
    assert f'action="/mentor/agenda/{world["booking_a"]}/note/"' not in page


# --- After the session: notes and attendance -----------------------------------------------------
@pytest.fixture
def started(world, site_a, founder_a, mentor):
    """A session of the world mentor with startup A that started half an hour ago."""
    starts = timezone.now().replace(second=0, microsecond=0) - datetime.timedelta(minutes=30)
    with scopes_disabled():
        return BookingFactory(
            mentor=mentor, startup_id=world["startup_a"], site=site_a, booked_by=founder_a, starts_at=starts
        )


def test_notes_are_refused_before_the_session_starts(as_mentor, world, unscoped):
    url = f"{AGENDA}{world['booking_a']}/note/"
    response = as_mentor.post(url, {"note": "Too early."})
    assert response.status_code == 302
    assert response.url == f"{AGENDA}{world['booking_a']}/"
    assert _messages(response) == ["You can write notes once the session has started."]
    booking = Booking.objects.get(pk=world["booking_a"])
    assert booking.note == ""
    assert booking.attendance == "unknown"


def test_notes_after_the_start_are_saved_and_the_session_counts_as_held(as_mentor, mentor_user, started, unscoped):
    page = as_mentor.get(f"{AGENDA}{started.pk}/").content.decode()
    assert f'action="/mentor/agenda/{started.pk}/note/"' in page
    assert f'action="/mentor/agenda/{started.pk}/attendance/"' in page
    assert 'id="cancel"' not in page  # started: too late to cancel
    response = as_mentor.post(f"{AGENDA}{started.pk}/note/", {"note": "  Work on the cap table.  "})
    assert response.status_code == 302
    assert _messages(response) == ["Your notes are saved. The startup and its site team can read them."]
    started.refresh_from_db()
    assert started.note == "Work on the cap table."
    assert started.attendance == Attendance.HELD
    assert started.attendance_marked_by == mentor_user
    assert started.note_updated_at is not None
    past = as_mentor.get(AGENDA)  # still running: listed with the upcoming ones
    assert started.pk in [booking.pk for booking in past.context["page"]]


def test_notes_too_long_re_render_the_page(as_mentor, started, unscoped):
    response = as_mentor.post(f"{AGENDA}{started.pk}/note/", {"note": "x" * 5001})
    assert response.status_code == 200
    assert "note" in response.context["note_form"].errors
    started.refresh_from_db()
    assert started.note == ""


def test_the_mentor_records_a_no_show_after_the_start_only(as_mentor, world, started, unscoped):
    response = as_mentor.post(f"{AGENDA}{world['booking_a']}/attendance/", {"attendance": "startup_no_show"})
    assert _messages(response) == ["Attendance can be recorded once the session has started."]
    assert Booking.objects.get(pk=world["booking_a"]).attendance == "unknown"
    response = as_mentor.post(f"{AGENDA}{started.pk}/attendance/", {"attendance": "startup_no_show"})
    assert _messages(response)[-1] == "Attendance recorded."
    started.refresh_from_db()
    assert started.attendance == Attendance.STARTUP_NO_SHOW
    # The mentor cannot say that they did not come themselves: not a choice.
    response = as_mentor.post(f"{AGENDA}{started.pk}/attendance/", {"attendance": "mentor_no_show"})
    assert response.status_code == 200
    assert "attendance" in response.context["attendance_form"].errors
    started.refresh_from_db()
    assert started.attendance == Attendance.STARTUP_NO_SHOW


# --- Cancelling ----------------------------------------------------------------------------------
def test_the_mentor_cancels_and_the_startup_is_emailed(as_mentor, world, django_capture_on_commit_callbacks, unscoped):
    url = f"{AGENDA}{world['booking_b']}/cancel/"
    response = as_mentor.post(url, {"reason": "   "})
    assert response.status_code == 200
    assert response.context["cancel_form"].errors == {"reason": ["Tell the startup why, in a few words."]}
    assert Booking.objects.get(pk=world["booking_b"]).status == "confirmed"

    url = f"{AGENDA}{world['booking_a']}/cancel/"
    with django_capture_on_commit_callbacks(execute=True):
        response = as_mentor.post(url, {"reason": "I am travelling that week."})
    assert response.status_code == 302
    assert _messages(response) == ["The session is cancelled. The startup has been told by email."]
    booking = Booking.objects.get(pk=world["booking_a"])
    assert booking.status == BookingStatus.CANCELLED
    assert booking.cancel_reason == "I am travelling that week."
    assert [message.to for message in mail.outbox] == [["founder.a@example.ma"]]
    assert "I am travelling that week." in mail.outbox[0].body
    page = as_mentor.get(f"{AGENDA}{booking.pk}/").content.decode()
    assert 'id="cancelled"' in page
    # Cancelling twice: refused with a message.
    response = as_mentor.post(url, {"reason": "Again"})
    assert _messages(response)[-1] == "This booking is already cancelled."
    assert len(mail.outbox) == 1


def test_cancelling_after_the_cut_off_is_refused(as_mentor, world, mentor, site_a, unscoped):
    soon = BookingFactory(
        mentor=mentor,
        startup_id=world["startup_a"],
        site=site_a,
        starts_at=timezone.now().replace(second=0, microsecond=0) + 2 * HOUR,
    )
    page = as_mentor.get(f"{AGENDA}{soon.pk}/")
    assert page.context["can_cancel"] is False
    response = as_mentor.post(f"{AGENDA}{soon.pk}/cancel/", {"reason": "Something came up."})
    assert _messages(response) == ["Bookings can be cancelled or moved until 12 hours before they start."]
    soon.refresh_from_db()
    assert soon.status == "confirmed"


# --- The mentor persona on every route ---------------------------------------------------------------
def test_the_mentor_reaches_every_page_of_their_space(as_mentor, world):
    for url in (PROFILE, AVAILABILITY, AGENDA, AGENDA + "?when=past"):
        assert as_mentor.get(url).status_code == 200, url
    for booking in ("booking_a", "booking_a_past", "booking_b"):
        assert as_mentor.get(f"{AGENDA}{world[booking]}/").status_code == 200, booking
    assert as_mentor.get(f"{AGENDA}999999/").status_code == 404
    assert as_mentor.get("/mentor/profile/photo/").status_code == 404  # no photo uploaded


def test_a_page_number_out_of_range_or_garbage_is_not_an_error(as_mentor):
    assert as_mentor.get(AGENDA + "?when=past&page=999").status_code == 200
    assert as_mentor.get(AGENDA + "?when=sideways&page=abc").status_code == 200
    assert as_mentor.post(AVAILABILITY, {"add": "nonsense"}).status_code == 200
