"""Mentoring back-office, a site's mentor bookings with the notes, rating and attendance
(/manage/<site>/mentoring/…): filters, attendance, cancelling, tenant isolation and query
counts."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone
from django_scopes import scopes_disabled

from mentors.models import Attendance, Booking, BookingStatus
from startups.models import Startup
from tests.factories import BookingFactory, MentorProfileFactory

from . import backoffice_setup
from .backoffice_setup import HOURS_A, _as, _audited, _messages

# The fixtures shared with the sibling modules: pytest finds a fixture by its name in the module.
head_office = backoffice_setup.head_office
manager = backoffice_setup.manager

# Every test here uses the world: built once for the module (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_world")]

BOOKINGS_A = "/manage/site-a/mentoring/"


def _booking(pk) -> Booking:
    with scopes_disabled():
        return Booking.objects.get(pk=pk)


# --- A site's bookings -------------------------------------------------------------------------
def _bookings(response) -> set[int]:
    return {booking.pk for booking in response.context["page"]}


def test_a_site_lists_its_startups_bookings_only(client, world, manager_a, staff):
    for user in (manager_a, staff):
        response = _as(client, user).get(BOOKINGS_A)
        assert response.status_code == 200
        assert _bookings(response) == {world["booking_a"], world["booking_a_past"]}
        assert world["booking_b"] not in _bookings(response)
    html = response.content.decode()
    assert "Souss Agri" not in html  # site B's startup
    assert "Atlas Data" in html


def test_the_site_list_filters(manager, world, unscoped):
    assert _bookings(manager.get(BOOKINGS_A, {"when": "upcoming"})) == {world["booking_a"]}
    assert _bookings(manager.get(BOOKINGS_A, {"when": "past"})) == {world["booking_a_past"]}
    assert _bookings(manager.get(BOOKINGS_A, {"status": "cancelled"})) == set()
    Booking.objects.filter(pk=world["booking_a"]).update(status=BookingStatus.CANCELLED)
    assert _bookings(manager.get(BOOKINGS_A, {"status": "cancelled"})) == {world["booking_a"]}
    assert _bookings(manager.get(BOOKINGS_A, {"mentor": world["mentor"]})) == {
        world["booking_a"],
        world["booking_a_past"],
    }
    other = MentorProfileFactory()
    # Not a mentor of this site's startups: not a choice (an error on the form, no filter).
    response = manager.get(BOOKINGS_A, {"mentor": other.pk})
    assert response.context["form"].errors["mentor"]
    assert other not in response.context["form"].fields["mentor"].queryset
    response = manager.get(BOOKINGS_A, {"mentor": "abc", "when": "never"})
    assert response.status_code == 200
    assert _bookings(response) == {world["booking_a"], world["booking_a_past"]}


def test_the_site_list_shows_notes_presence_and_rating(manager, world, unscoped):
    Booking.objects.filter(pk=world["booking_a_past"]).update(rating=4, rating_comment="Très utile.")
    response = manager.get(BOOKINGS_A)
    html = response.content.decode()
    assert "Written" in html
    assert "4/5" in html
    assert "Revoir la valorisation" not in html  # the notes themselves are on the booking's page


def test_the_site_list_has_an_empty_state(manager, world, unscoped):
    Booking.objects.filter(site__slug="site-a").delete()
    response = manager.get(BOOKINGS_A)
    assert "No startup of this site has booked a mentor yet." in response.content.decode()


def test_manager_b_gets_404_on_site_a_pages(client, world, manager_b):
    _as(client, manager_b)
    for url in (
        BOOKINGS_A,
        f"{BOOKINGS_A}{world['booking_a']}/",
        f"{BOOKINGS_A}{world['booking_a_past']}/",
        HOURS_A,
        f"{HOURS_A}?format=csv",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"{BOOKINGS_A}{world['booking_a']}/cancel/", {"reason": "No."}).status_code == 404
    assert _booking(world["booking_a"]).status == BookingStatus.CONFIRMED


def test_another_sites_booking_is_404_even_for_head_office(head_office, world):
    assert head_office.get(f"{BOOKINGS_A}{world['booking_b']}/").status_code == 404
    response = head_office.post(f"{BOOKINGS_A}{world['booking_b']}/cancel/", {"reason": "Wrong site."})
    assert response.status_code == 404
    assert _booking(world["booking_b"]).status == BookingStatus.CONFIRMED
    assert head_office.get(f"/manage/site-b/mentoring/{world['booking_b']}/").status_code == 200


def test_the_booking_page_shows_notes_rating_and_attendance(manager, world, unscoped):
    Booking.objects.filter(pk=world["booking_a_past"]).update(rating=5, rating_comment="Des conseils concrets.")
    response = manager.get(f"{BOOKINGS_A}{world['booking_a_past']}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Revoir la valorisation avant le tour de table." in html
    assert "5/5" in html
    assert "Des conseils concrets." in html
    assert "Held" in html
    assert response.context["can_mark"] is True
    assert response.context["can_cancel"] is False


def test_the_site_team_records_attendance(manager, world, manager_a):
    pk = world["booking_a_past"]
    response = manager.post(f"{BOOKINGS_A}{pk}/attendance/", {"attendance": "startup_no_show"})
    assert response.status_code == 302
    assert response["Location"] == f"{BOOKINGS_A}{pk}/"
    booking = _booking(pk)
    assert booking.attendance == Attendance.STARTUP_NO_SHOW
    assert booking.attendance_marked_by == manager_a
    assert _audited(booking, manager_a)
    # A bad value re-renders the page with the error.
    response = manager.post(f"{BOOKINGS_A}{pk}/attendance/", {"attendance": "partying"})
    assert response.status_code == 200
    assert response.context["attendance_form"].errors["attendance"]
    assert _booking(pk).attendance == Attendance.STARTUP_NO_SHOW


def test_attendance_before_the_session_is_refused_with_a_message(manager, world):
    pk = world["booking_a"]  # in three days
    response = manager.post(f"{BOOKINGS_A}{pk}/attendance/", {"attendance": "held"})
    assert response.status_code == 302
    assert _messages(response) == ["Attendance can be recorded once the session has started."]
    assert _booking(pk).attendance == Attendance.UNKNOWN


def test_the_site_team_cancels_a_booking(manager, world, manager_a, founder_a, django_capture_on_commit_callbacks):
    pk = world["booking_a"]
    response = manager.post(f"{BOOKINGS_A}{pk}/cancel/", {"reason": ""})
    assert response.status_code == 200
    assert response.context["cancel_form"].errors["reason"]
    assert _booking(pk).status == BookingStatus.CONFIRMED
    with django_capture_on_commit_callbacks(execute=True):
        response = manager.post(f"{BOOKINGS_A}{pk}/cancel/", {"reason": "The meeting room is closed."})
    assert response.status_code == 302
    booking = _booking(pk)
    assert booking.status == BookingStatus.CANCELLED
    assert booking.cancelled_by == manager_a
    assert booking.cancel_reason == "The meeting room is closed."
    assert sorted(message.to[0] for message in mail.outbox) == ["founder.a@example.ma", "mentor@example.ma"]
    assert all("The meeting room is closed." in message.body for message in mail.outbox)
    assert _audited(booking, manager_a)
    # Cancelled: a second attempt is refused with a message.
    response = manager.post(f"{BOOKINGS_A}{pk}/cancel/", {"reason": "Again."})
    assert _messages(response)[-1] == "This booking is already cancelled."


def test_a_past_booking_cannot_be_cancelled(manager, world):
    response = manager.post(f"{BOOKINGS_A}{world['booking_a_past']}/cancel/", {"reason": "Too late."})
    assert response.status_code == 302
    assert "until 12 hours before" in _messages(response)[0]
    assert _booking(world["booking_a_past"]).status == BookingStatus.CONFIRMED


def test_the_site_list_is_O1_in_queries(manager, world, site_a, unscoped, django_assert_max_num_queries):
    with django_assert_max_num_queries(20) as few:
        assert manager.get(BOOKINGS_A).status_code == 200
    startup = Startup.objects.get(pk=world["startup_a"])
    start = timezone.now().replace(minute=0, second=0, microsecond=0) + datetime.timedelta(days=40)
    for index in range(20):
        BookingFactory(
            mentor=MentorProfileFactory(),
            startup=startup,
            site=site_a,
            starts_at=start + datetime.timedelta(hours=index),
            mode="in_person" if index % 2 else "video",
            meeting_site=site_a if index % 2 else None,
            note="Notes." if index % 3 else "",
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = manager.get(BOOKINGS_A)
    assert len(response.context["page"]) == 22
