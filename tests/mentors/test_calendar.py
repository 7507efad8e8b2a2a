"""The personal calendar feed (`/calendar/<token>.ics`) lists mentor sessions too: the
confirmed bookings of the user's startups and, for a mentor, all of their own confirmed
bookings whatever the startup's site; parsed back with `icalendar`."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from icalendar import Calendar

from accounts.models import User
from mentors.models import Booking, MentorProfile
from startups.models import Startup, StartupMember
from tests.factories import BookingFactory, MentorProfileFactory

# Every test here uses the world: built once for the module (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_world")]


def _uids(client, user) -> set[str]:
    response = client.get(f"/calendar/{user.calendar_token}.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return {str(event.get("uid")) for event in Calendar.from_ical(response.content).walk("VEVENT")}


def _uid(pk: int) -> str:
    return f"mentor-booking-{pk}@technopark.ma"


def _sessions(uids: set[str]) -> set[str]:
    return {uid for uid in uids if uid.startswith("session-")}


def _mentoring(uids: set[str]) -> set[str]:
    """The mentor sessions of a feed (it also holds service sessions and room bookings)."""
    return {uid for uid in uids if uid.startswith("mentor-booking-")}


def test_a_founders_feed_has_their_startups_bookings_only(client, world, founder_a):
    uids = _uids(client, founder_a)
    assert _mentoring(uids) == {_uid(world["booking_a"]), _uid(world["booking_a_past"])}
    assert _uid(world["booking_b"]) not in uids
    # The service session of the world is still there, next to the mentor sessions.
    assert _sessions(uids) == {f"session-{world['session_a']}@technopark.ma"}


def test_a_teammates_feed_has_the_startups_bookings(client, world, unscoped):
    teammate = StartupMember.objects.get(pk=world["member_a"]).user
    assert _mentoring(_uids(client, teammate)) == {_uid(world["booking_a"]), _uid(world["booking_a_past"])}


def test_a_mentors_feed_has_all_their_confirmed_bookings_on_every_site(client, world):
    mentor_user = User.objects.get(pk=world["mentor_user"])
    assert _uids(client, mentor_user) == {
        _uid(world["booking_a"]),
        _uid(world["booking_a_past"]),
        _uid(world["booking_b"]),
    }


def test_the_booking_event_has_the_times_title_and_place(client, world, founder_a, unscoped):
    client.cookies["django_language"] = "en"  # the feed follows the user's language, not the cookie
    founder_a.language = "en"
    founder_a.save(update_fields=["language"])
    booking = Booking.objects.get(pk=world["booking_a"])
    response = client.get(f"/calendar/{founder_a.calendar_token}.ics")
    [event] = [
        event
        for event in Calendar.from_ical(response.content).walk("VEVENT")
        if str(event.get("uid")) == _uid(booking.pk)
    ]
    assert event.decoded("dtstart") == booking.starts_at
    assert event.decoded("dtend") == booking.ends_at
    assert str(event.get("summary")) == "Mentoring: Nadia Mentor × Atlas Data"
    assert str(event.get("location")) == "https://meet.example.ma/mentor"  # a video session: the mentor's room
    assert str(event.get("description")).startswith(booking.topic)


def test_cancelled_and_old_bookings_are_left_out(client, world, founder_a, site_a, unscoped):
    mentor = MentorProfile.objects.get(pk=world["mentor"])
    startup_a = Startup.objects.get(pk=world["startup_a"])
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    cancelled = BookingFactory(
        mentor=mentor,
        startup=startup_a,
        site=site_a,
        booked_by=founder_a,
        starts_at=now + datetime.timedelta(days=5),
        status="cancelled",
        cancelled_at=now,
    )
    too_old = BookingFactory(
        mentor=mentor, startup=startup_a, site=site_a, booked_by=founder_a, starts_at=now - datetime.timedelta(days=95)
    )
    within = BookingFactory(
        mentor=mentor, startup=startup_a, site=site_a, booked_by=founder_a, starts_at=now - datetime.timedelta(days=85)
    )
    for user in (founder_a, mentor.user):
        uids = _uids(client, user)
        assert _uid(cancelled.pk) not in uids
        assert _uid(too_old.pk) not in uids
        assert _uid(within.pk) in uids
        assert _uid(world["booking_a"]) in uids


def test_someone_elses_feed_has_no_booking(client, world, manager_a, outsider):
    for user in (manager_a, outsider):
        assert not any(uid.startswith("mentor-booking-") for uid in _uids(client, user))


def test_the_feed_costs_the_same_queries_with_1_and_20_bookings(client, world, founder_a, site_a, unscoped):
    """A fresh mentor's feed, and founder_a's (whose startup also books them): bookings by
    video and in person at site A."""
    startup_a = Startup.objects.get(pk=world["startup_a"])
    mentor = MentorProfileFactory(user__full_name="Karim Query", sites=[site_a])
    start = timezone.now().replace(minute=0, second=0, microsecond=0) + datetime.timedelta(days=30)

    def book(index: int) -> Booking:
        in_person = index % 2 == 1
        return BookingFactory(
            mentor=mentor,
            startup=startup_a,
            site=site_a,
            booked_by=founder_a,
            starts_at=start + datetime.timedelta(hours=2 * index),
            mode="in_person" if in_person else "video",
            meeting_site=site_a if in_person else None,
        )

    def queries(user) -> int:
        with CaptureQueriesContext(connection) as context:
            _uids(client, user)
        return len(context.captured_queries)

    book(0)
    with_one = {user.pk: queries(user) for user in (mentor.user, founder_a)}
    assert len(_uids(client, mentor.user)) == 1
    for index in range(1, 20):
        book(index)
    with_twenty = {user.pk: queries(user) for user in (mentor.user, founder_a)}
    assert len(_uids(client, mentor.user)) == 20
    assert with_twenty == with_one
