"""The startup side of mentoring, the startup's own bookings ("my mentoring"): the list,
and one booking's details, notes, cancel, move, rate and attendance."""

import pytest
from django.core import mail
from django.utils import timezone

from mentors.models import Booking
from startups.models import Startup
from tests.factories import BookingFactory, MentorProfileFactory, StartupMemberFactory

from . import directory_setup
from .directory_setup import DAY, HOUR, as_user, booking, bookings, mentor_of, slot_on, texts

# The fixtures shared with the sibling modules: pytest finds a fixture by its name in the module.
en = directory_setup.en

# Every test here uses the world: built once for the module (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_world")]


# --- My mentoring: the list ---------------------------------------------------------------
def test_my_bookings_lists_my_startups_bookings_only(en, client_for, world):
    response = client_for("founder_a").get("/me/mentoring/")
    assert response.status_code == 200
    assert [b.pk for b in response.context["upcoming"]] == [world["booking_a"]]
    assert [b.pk for b in response.context["page"].object_list] == [world["booking_a_past"]]
    page = response.content.decode()
    assert f"/me/mentoring/{world['booking_b']}/" not in page
    assert "Nadia Mentor" in page and "notes from the mentor" in page


def test_my_bookings_empty_state_links_to_the_directory(client_for, world):
    client = client_for("outsider")
    client.cookies["django_language"] = "en"
    page = client.get("/me/mentoring/").content.decode()
    assert "No session coming up" in page and 'href="/mentors/"' in page
    assert "No past session yet." in page


def test_cancelled_bookings_go_to_the_history(client_for, world, unscoped):
    Booking.objects.filter(pk=world["booking_a"]).update(status="cancelled")
    response = client_for("founder_a").get("/me/mentoring/")
    assert response.context["upcoming"] == []
    assert [b.pk for b in response.context["page"].object_list] == [world["booking_a"], world["booking_a_past"]]


def test_my_bookings_is_paginated_and_O1(client_for, world, founder_a, site_a, django_assert_max_num_queries, unscoped):
    client = client_for("founder_a")
    with django_assert_max_num_queries(20) as few:
        assert client.get("/me/mentoring/").status_code == 200
    startup_a = Startup.objects.get(pk=world["startup_a"])
    start = timezone.now().replace(minute=0, second=0, microsecond=0)
    for number in range(30):
        mentor = MentorProfileFactory(sites=[site_a])
        BookingFactory(mentor=mentor, startup=startup_a, site=site_a, starts_at=start - (number + 20) * DAY)
        BookingFactory(
            mentor=mentor,
            startup=startup_a,
            site=site_a,
            starts_at=start + (number + 5) * DAY,
            mode="in_person",
            meeting_site=site_a,
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/me/mentoring/")
    assert len(response.context["upcoming"]) == 31
    assert len(response.context["page"].object_list) == 25
    assert len(client.get("/me/mentoring/?page=2").context["page"].object_list) == 6


# --- My mentoring: one booking ------------------------------------------------------------
def test_the_notes_of_a_past_booking_are_visible_to_its_team(client, world, founder_a, unscoped):
    for user in (founder_a, StartupMemberFactory._meta.model.objects.get(pk=world["member_a"]).user):
        page = as_user(client, user).get(f"/me/mentoring/{world['booking_a_past']}/").content.decode()
        assert "Revoir la valorisation avant le tour de table." in page


@pytest.fixture
def member_b(world, unscoped):
    """A team member of startup B (whose bookings are at site B)."""
    return StartupMemberFactory(
        startup=Startup.objects.get(pk=world["startup_b"]), user__email="member.b@example.ma"
    ).user


def test_another_startup_cannot_see_or_change_booking_a(client, world, member_b):
    client = as_user(client, member_b)
    for pk in (world["booking_a"], world["booking_a_past"]):
        assert client.get(f"/me/mentoring/{pk}/").status_code == 404
        assert client.get(f"/me/mentoring/{pk}/reschedule/").status_code == 404
        assert client.post(f"/me/mentoring/{pk}/cancel/", {"reason": "mine now"}).status_code == 404
        assert client.post(f"/me/mentoring/{pk}/rate/", {"rating": "1"}).status_code == 404
        assert client.post(f"/me/mentoring/{pk}/attendance/", {"attendance": "mentor_no_show"}).status_code == 404
    a, a_past = booking(world["booking_a"]), booking(world["booking_a_past"])
    assert a.status == "confirmed" and a_past.rating is None and a_past.attendance == "held"
    page = client.get("/me/mentoring/").content.decode()
    assert "Revoir la valorisation" not in page
    # …while its own booking (at site B) is theirs.
    assert client.get(f"/me/mentoring/{world['booking_b']}/").status_code == 200


def test_founder_a_cannot_see_booking_b(client_for, world):
    client = client_for("founder_a")
    assert client.get(f"/me/mentoring/{world['booking_b']}/").status_code == 404
    assert client.post(f"/me/mentoring/{world['booking_b']}/cancel/").status_code == 404
    assert booking(world["booking_b"]).status == "confirmed"


def test_the_mentor_themselves_does_not_use_these_pages(client, world, unscoped):
    mentor_user = mentor_of(world).user
    assert as_user(client, mentor_user).get(f"/me/mentoring/{world['booking_a']}/").status_code == 404


def test_the_booking_page_shows_details_video_link_and_forms(client, world, founder_a):
    client = as_user(client, founder_a)
    page = client.get(f"/me/mentoring/{world['booking_a']}/").content.decode()
    assert "https://meet.example.ma/mentor" in page and "Join the video call" in page
    assert "Préparer la levée de fonds" in page and "Morocco time" in page
    assert f"/me/mentoring/{world['booking_a']}/cancel/" in page
    assert f"/me/mentoring/{world['booking_a']}/reschedule/" in page
    assert "Rate the session" not in page and "Did the session take place?" not in page
    assert "The mentor writes notes after the session" in page
    past = client.get(f"/me/mentoring/{world['booking_a_past']}/").content.decode()
    assert "Join the video call" not in past and "/cancel/" not in past
    assert "Rate the session" in past and "Did the session take place?" in past


# Cancel
def test_cancel_before_the_cutoff(client, world, founder_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(client, founder_a).post(
            f"/me/mentoring/{world['booking_a']}/cancel/", {"reason": "Conflit d'agenda"}
        )
    assert response.status_code == 302 and response["Location"] == f"/me/mentoring/{world['booking_a']}/"
    cancelled = booking(world["booking_a"])
    assert cancelled.status == "cancelled" and cancelled.cancel_reason == "Conflit d'agenda"
    assert cancelled.cancelled_by == founder_a
    assert [message.to for message in mail.outbox] == [["mentor@example.ma"]]  # the other side is told
    assert any("cancelled" in text for text in texts(response))
    page = client.get(response["Location"]).content.decode()
    assert "Join the video call" not in page and "/cancel/" not in page
    # Cancelling twice is a message, not an error.
    again = client.post(f"/me/mentoring/{world['booking_a']}/cancel/")
    assert again.status_code == 302 and texts(again) == ["This booking is already cancelled."]


def test_cancel_after_the_cutoff_is_refused(client, world, founder_a, unscoped):
    soon = timezone.now() + 6 * HOUR
    Booking.objects.filter(pk=world["booking_a"]).update(starts_at=soon, ends_at=soon + HOUR)
    client = as_user(client, founder_a)
    page = client.get(f"/me/mentoring/{world['booking_a']}/").content.decode()
    assert "/cancel/" not in page and "It is too late to cancel or move" in page
    response = client.post(f"/me/mentoring/{world['booking_a']}/cancel/", {"reason": "late"})
    assert response.status_code == 302
    assert texts(response) == ["Bookings can be cancelled or moved until 12 hours before they start."]
    assert booking(world["booking_a"]).status == "confirmed"


def test_a_cancel_reason_longer_than_300_characters_is_a_form_error(client, world, founder_a):
    response = as_user(client, founder_a).post(f"/me/mentoring/{world['booking_a']}/cancel/", {"reason": "x" * 301})
    assert response.status_code == 200
    assert "reason" in response.context["cancel_form"].errors
    assert booking(world["booking_a"]).status == "confirmed"


# Rate
def test_rate_a_past_session(client, world, founder_a):
    client = as_user(client, founder_a)
    response = client.post(f"/me/mentoring/{world['booking_a_past']}/rate/", {"rating": "4", "comment": " Très utile "})
    assert response.status_code == 302 and texts(response) == ["Thank you for rating this session."]
    rated = booking(world["booking_a_past"])
    assert rated.rating == 4 and rated.rating_comment == "Très utile" and rated.rated_at is not None
    page = client.get(f"/me/mentoring/{world['booking_a_past']}/").content.decode()
    assert "Your rating: 4/5" in page
    client.post(f"/me/mentoring/{world['booking_a_past']}/rate/", {"rating": "5"})
    assert booking(world["booking_a_past"]).rating == 5  # may be revised


@pytest.mark.parametrize("rating", ["", "0", "6", "abc", "4.5"])
def test_a_bad_rating_is_a_form_error(client, world, founder_a, rating):
    response = as_user(client, founder_a).post(f"/me/mentoring/{world['booking_a_past']}/rate/", {"rating": rating})
    assert response.status_code == 200
    assert "rating" in response.context["rating_form"].errors
    assert booking(world["booking_a_past"]).rating is None


def test_an_upcoming_or_missed_session_cannot_be_rated(client, world, founder_a, unscoped):
    client = as_user(client, founder_a)
    response = client.post(f"/me/mentoring/{world['booking_a']}/rate/", {"rating": "5"})
    assert response.status_code == 302 and texts(response) == ["You can rate the session once it is over."]
    assert booking(world["booking_a"]).rating is None
    Booking.objects.filter(pk=world["booking_a_past"]).update(attendance="mentor_no_show")
    response = client.post(f"/me/mentoring/{world['booking_a_past']}/rate/", {"rating": "1"})
    assert texts(response) == ["This session did not take place: there is nothing to rate."]
    assert booking(world["booking_a_past"]).rating is None


# Attendance
def test_mark_the_mentor_did_not_come(client, world, founder_a):
    client = as_user(client, founder_a)
    response = client.post(f"/me/mentoring/{world['booking_a_past']}/attendance/", {"attendance": "mentor_no_show"})
    assert response.status_code == 302 and texts(response) == ["Thank you: attendance recorded."]
    marked = booking(world["booking_a_past"])
    assert marked.attendance == "mentor_no_show" and marked.attendance_marked_by == founder_a
    page = client.get(f"/me/mentoring/{world['booking_a_past']}/").content.decode()
    assert "Rate the session" not in page  # a missed session is not rated
    client.post(f"/me/mentoring/{world['booking_a_past']}/attendance/", {"attendance": "held"})
    assert booking(world["booking_a_past"]).attendance == "held"


@pytest.mark.parametrize("value", ["startup_no_show", "unknown", "", "nonsense"])
def test_the_startup_may_only_record_held_or_mentor_no_show(client, world, founder_a, value):
    response = as_user(client, founder_a).post(
        f"/me/mentoring/{world['booking_a_past']}/attendance/", {"attendance": value}
    )
    assert response.status_code == 302
    assert texts(response) == ["Choose whether the session took place or the mentor did not come."]
    assert booking(world["booking_a_past"]).attendance == "held"


def test_attendance_of_an_upcoming_session_is_refused(client, world, founder_a):
    response = as_user(client, founder_a).post(
        f"/me/mentoring/{world['booking_a']}/attendance/", {"attendance": "held"}
    )
    assert texts(response) == ["Attendance can be recorded once the session has started."]
    assert booking(world["booking_a"]).attendance == "unknown"


def test_the_post_routes_refuse_get(client, world, founder_a):
    client = as_user(client, founder_a)
    for action in ("cancel", "rate", "attendance"):
        assert client.get(f"/me/mentoring/{world['booking_a']}/{action}/").status_code == 405


# Reschedule
def test_reschedule_lists_two_weeks_of_free_slots(client, world, founder_a):
    client = as_user(client, founder_a)
    response = client.get(f"/me/mentoring/{world['booking_a']}/reschedule/")
    assert response.status_code == 200
    week = response.context["week"]
    today = timezone.localdate()
    assert week["start"] == today and week["end"] == today + 13 * DAY and week["next"] == today + 14 * DAY
    starts = {item["start"] for day in week["days"] for item in day["slots"]}
    assert booking(world["booking_a"]).starts_at.isoformat() not in starts
    later = client.get(f"/me/mentoring/{world['booking_a']}/reschedule/?week={(today + 14 * DAY).isoformat()}")
    assert later.context["week"]["start"] == today + 14 * DAY and later.context["week"]["previous"] == today


def test_reschedule_moves_the_booking(client, world, founder_a, django_capture_on_commit_callbacks, unscoped):
    mentor = mentor_of(world)
    slot = slot_on(mentor, 6, 4)
    old_pk = world["booking_a"]
    client = as_user(client, founder_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/me/mentoring/{old_pk}/reschedule/", {"start": slot.start.isoformat()})
    [new] = bookings(starts_at=slot.start)
    assert response.status_code == 302 and response["Location"] == f"/me/mentoring/{new.pk}/"
    assert any("moved" in text for text in texts(response))
    old = booking(old_pk)
    assert old.status == "cancelled" and new.status == "confirmed" and new.rescheduled_from_id == old_pk
    assert new.topic == old.topic and new.site_id == old.site_id and new.startup_id == old.startup_id
    assert sorted(message.to[0] for message in mail.outbox) == ["founder.a@example.ma", "mentor@example.ma"]
    assert all(message.attachments for message in mail.outbox)
    page = client.get(f"/me/mentoring/{old_pk}/").content.decode()
    assert f"/me/mentoring/{new.pk}/" in page and "This booking was moved" in page


def test_reschedule_to_a_taken_or_invalid_slot_changes_nothing(client, world, founder_a, unscoped):
    taken = booking(world["booking_b"]).starts_at
    client = as_user(client, founder_a)
    url = f"/me/mentoring/{world['booking_a']}/reschedule/"
    response = client.post(url, {"start": taken.isoformat()})
    assert response.status_code == 302 and response["Location"] == url
    assert texts(response) == ["This slot is no longer free: choose another one."]
    for bad in ["", "garbage", "2026-01-01T10:00:00", "2999-01-01T10:00:00+00:00"]:
        response = client.post(url, {"start": bad})
        assert response.status_code == 302 and texts(response) == ["Choose one of the free slots."]
    assert booking(world["booking_a"]).status == "confirmed"
    assert len(bookings(startup=world["startup_a"])) == 2


def test_reschedule_after_the_cutoff_or_of_a_cancelled_booking_is_refused(client, world, founder_a, unscoped):
    client = as_user(client, founder_a)
    slot = slot_on(mentor_of(world), 6)
    soon = timezone.now() + 2 * HOUR
    Booking.objects.filter(pk=world["booking_a"]).update(starts_at=soon, ends_at=soon + HOUR)
    url = f"/me/mentoring/{world['booking_a']}/reschedule/"
    for response in (client.get(url), client.post(url, {"start": slot.start.isoformat()})):
        assert response.status_code == 302 and response["Location"] == f"/me/mentoring/{world['booking_a']}/"
        assert texts(response) == ["Bookings can be cancelled or moved until 12 hours before they start."]
    Booking.objects.filter(pk=world["booking_a"]).update(status="cancelled")
    response = client.get(url)
    assert response.status_code == 302 and "cancelled" in texts(response)[0]
    assert bookings(starts_at=slot.start) == []
