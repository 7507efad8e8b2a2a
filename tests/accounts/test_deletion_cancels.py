"""Deleting an account cancels what the person would have attended, through the apps' own
actions: their seats and waitlist places (the waitlist moves up), the mentor sessions they
booked for a startup of theirs alone (the mentor is told, the slot is free again) and, for a
mentor, the sessions they were to give (the startups are told). Past records, sessions past
the cut-off and the sessions of a startup that keeps other members stay."""

import datetime

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone, translation

from accounts.actions import account_anonymise
from accounts.models import User
from core.errors import Conflict
from mentors.availability import LOCAL
from mentors.models import Attendance, Booking, BookingStatus, MentorProfile
from mentors.selectors.slots import find_slot
from services.models import Registration, RegistrationStatus
from tests.factories import (
    AdmissionFactory,
    BookingFactory,
    RegistrationFactory,
    ServiceSessionFactory,
    StartupMemberFactory,
)

# Every test here uses the world: built once for the module (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("shared_world")

DELETE = "/profile/privacy/delete/"


def _delete(user: User, capture) -> None:
    with translation.override("en"), capture(execute=True):
        account_anonymise(actor=user, user=user)


def _to(address: str) -> list:
    return [message for message in mail.outbox if message.to == [address]]


@pytest.fixture
def solo(world, site_a, unscoped):
    """A founder alone in their startup (admitted at A), with a mentor session four days
    ahead at 10:00, one inside the cut-off, one held eight days ago, and seats: confirmed in a
    full session with somebody waiting, waitlisted in another, one attended last month."""
    mentor = MentorProfile.objects.get(pk=world["mentor"])
    mentor.user.language = "en"
    mentor.user.save()
    member = StartupMemberFactory(user__email="solo@example.ma")
    user, startup = member.user, member.startup
    AdmissionFactory(startup=startup, site=site_a)
    day = timezone.localdate() + datetime.timedelta(days=4)
    start = datetime.datetime.combine(day, datetime.time(10), tzinfo=LOCAL)
    now = timezone.now()

    def booking(starts_at, **kwargs):
        return BookingFactory(
            mentor=mentor, startup=startup, site=site_a, booked_by=user, starts_at=starts_at, **kwargs
        )

    full = ServiceSessionFactory(service__site=site_a, seats=1)
    other = ServiceSessionFactory(service__site=site_a, seats=1)
    past = ServiceSessionFactory(service__site=site_a, starts_at=now - datetime.timedelta(days=30))

    def seat(session, **kwargs):
        return RegistrationFactory(session=session, user=user, email=user.email, **kwargs)

    return {
        "user": user,
        "mentor": mentor,
        "start": start,
        "upcoming": booking(start),
        "too_late": booking(now + datetime.timedelta(hours=6)),
        # Eight days ago: the world fixture's own past session with this mentor is 7 days ago.
        "held": booking(now - datetime.timedelta(days=8), attendance=Attendance.HELD),
        "seat": seat(full),
        "waiting": RegistrationFactory(session=full, status=RegistrationStatus.WAITLISTED, email="next@example.ma"),
        "waitlisted": seat(other, status=RegistrationStatus.WAITLISTED),
        "attended": seat(past, attendance="present"),
    }


def test_their_seats_are_freed_and_the_waitlist_moves_up(solo, django_capture_on_commit_callbacks):
    _delete(solo["user"], django_capture_on_commit_callbacks)

    for name in ("seat", "waitlisted"):
        assert Registration.objects.get(pk=solo[name].pk).status == RegistrationStatus.CANCELLED
    assert Registration.objects.get(pk=solo["waiting"].pk).status == RegistrationStatus.CONFIRMED
    assert len(_to("next@example.ma")) == 1  # told that the seat is theirs
    attended = Registration.objects.get(pk=solo["attended"].pk)
    assert (attended.status, attended.attendance) == (RegistrationStatus.CONFIRMED, "present")


def test_their_mentor_session_is_cancelled_the_mentor_told_and_the_slot_free(solo, django_capture_on_commit_callbacks):
    mentor, start = solo["mentor"], solo["start"]
    assert find_slot(mentor, start) is None  # taken
    _delete(solo["user"], django_capture_on_commit_callbacks)

    upcoming = Booking.objects.get(pk=solo["upcoming"].pk)
    assert upcoming.status == BookingStatus.CANCELLED
    assert upcoming.cancel_reason == "The person who booked it has deleted their account."
    assert find_slot(mentor, start) is not None
    [message] = _to(mentor.user.email)
    assert "cancelled" in message.subject
    assert "deleted their account" in message.body
    # Past the cut-off it stays, as it would if they cancelled it themselves; history stays.
    assert Booking.objects.get(pk=solo["too_late"].pk).status == BookingStatus.CONFIRMED
    held = Booking.objects.get(pk=solo["held"].pk)
    assert (held.status, held.attendance) == (BookingStatus.CONFIRMED, Attendance.HELD)
    # The person gets the deletion confirmation and nothing else.
    assert [message.subject for message in _to("solo@example.ma")] == ["Votre compte Technopark a été supprimé"]


def test_a_startup_that_keeps_members_keeps_its_sessions(
    world, founder_a, unscoped, django_capture_on_commit_callbacks
):
    _delete(founder_a, django_capture_on_commit_callbacks)

    assert Booking.objects.get(pk=world["booking_a"]).status == BookingStatus.CONFIRMED  # the teammate's too
    assert Registration.objects.get(pk=world["registration_a"]).status == RegistrationStatus.CANCELLED
    assert not _to("mentor@example.ma")


def test_a_mentor_leaving_cancels_their_sessions_and_the_startups_are_told(
    world, founder_a, unscoped, django_capture_on_commit_callbacks
):
    founder_a.language = "en"
    founder_a.save()
    mentor = User.objects.get(pk=world["mentor_user"])
    _delete(mentor, django_capture_on_commit_callbacks)

    for pk in (world["booking_a"], world["booking_b"]):
        booking = Booking.objects.get(pk=pk)
        assert booking.status == BookingStatus.CANCELLED
        assert booking.cancel_reason == "The mentor has deleted their account."
    [message] = _to(founder_a.email)
    assert "cancelled" in message.subject and "The mentor has deleted their account." in message.body
    past = Booking.objects.get(pk=world["booking_a_past"])
    assert (past.status, past.attendance) == (BookingStatus.CONFIRMED, Attendance.HELD)
    assert [message.to for message in mail.outbox if message.to == ["mentor@example.ma"]] == [
        ["mentor@example.ma"]
    ]  # the deletion confirmation only


def test_a_conflict_undoes_the_deletion(client, solo, monkeypatch, django_capture_on_commit_callbacks):
    def busy(**kwargs):
        raise Conflict("Many people are registering right now: please try again in a moment.")

    monkeypatch.setattr("services.privacy.registration_cancel", busy)
    user = solo["user"]
    client.force_login(user)
    client.cookies["django_language"] = "en"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(DELETE, {"password": settings.DEMO_PASSWORD, "confirm": "on"})
    assert response.status_code == 200
    assert "please try again in a moment" in response.content.decode()
    user.refresh_from_db()
    assert user.is_active and user.email == "solo@example.ma"
    assert Booking.objects.get(pk=solo["upcoming"].pk).status == BookingStatus.CONFIRMED
    assert not mail.outbox
    assert client.get("/profile/").status_code == 200  # still signed in
