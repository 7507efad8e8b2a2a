"""The writes of `mentors.actions` on a booking once made, called as the pages and the API
call them (inside the actor's `user_scope`): rescheduling, cancelling and who is told,
notes, ratings, attendance, then the hours ledger, Casablanca months and the reminder
task."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation
from django_scopes import scope, scopes_disabled

from core.errors import Conflict
from mentors import actions
from mentors.models import Attendance, Booking
from mentors.selectors.bookings import hours_ledger
from mentors.selectors.slots import free_slots, month_bounds
from mentors.tasks import send_booking_reminders
from sites.scoping import user_scope
from tests.factories import BookingFactory, MentorProfileFactory

from . import booking_setup
from .booking_setup import LOCAL, at, audit_of, book, bookings, recipients, utc, window

# The fixtures shared with the sibling modules: pytest finds a fixture by its name in the module.
env = booking_setup.env

pytestmark = pytest.mark.django_db


def hours_from_now(hours: float) -> datetime.datetime:
    return timezone.now().replace(second=0, microsecond=0) + datetime.timedelta(hours=hours)


def update_booking(pk, **fields) -> None:
    with scopes_disabled():
        Booking.objects.filter(pk=pk).update(**fields)


# --- Rescheduling ---------------------------------------------------------------------------
@pytest.fixture
def buffered(env):
    """A mentor with a 30-minute buffer and overlapping windows next week: 10:00–11:00,
    10:30–11:30 (not free once 10:00 is taken) and 15:00–16:00; startup A has 10:00."""
    day = timezone.localdate() + datetime.timedelta(days=7)
    with scopes_disabled():
        mentor = MentorProfileFactory(buffer_minutes=30, user__email="buffered@example.ma", sites=[env.site_a])
        for start, end in ((10, 0), (11, 0)), ((10, 30), (11, 30)), ((15, 0), (16, 0)):
            window(mentor, day, datetime.time(*start), datetime.time(*end))
    booking = book(env.founder_a, env.startup_a, at(day, 10), mentor=mentor, now=None, questions="How to price?")
    return mentor, day, booking


def test_reschedule_into_the_freed_neighbourhood(env, buffered, django_capture_on_commit_callbacks):
    mentor, day, old = buffered
    assert at(day, 10, 30) not in [slot.start for slot in free_slots(mentor, date_from=day, date_to=day)]
    with translation.override("en"), user_scope(env.founder_a), django_capture_on_commit_callbacks(execute=True):
        new = actions.booking_reschedule(actor=env.founder_a, booking=old, start=at(day, 10, 30))
    old = bookings(pk=old.pk)[0]
    assert (old.status, old.cancel_reason, old.cancelled_by) == ("cancelled", "Moved to another time.", env.founder_a)
    new = bookings(pk=new.pk)[0]
    assert (new.status, new.rescheduled_from, new.starts_at, new.ends_at) == (
        "confirmed",
        old,
        at(day, 10, 30),
        at(day, 11, 30),
    )
    assert (new.site, new.startup, new.booked_by, new.topic, new.questions) == (
        env.site_a,
        env.startup_a,
        env.founder_a,
        old.topic,
        "How to price?",
    )
    assert recipients() == sorted([env.founder_a.email, mentor.user.email])
    assert all(message.attachments for message in mail.outbox)
    assert audit_of(old) == [("create", env.founder_a.email), ("update", env.founder_a.email)]
    assert audit_of(new) == [("create", env.founder_a.email)]


@pytest.mark.parametrize("target", [(12, 0), (10, 30), (15, 0)])
def test_a_failed_reschedule_changes_nothing(env, buffered, target, django_capture_on_commit_callbacks):
    mentor, day, old = buffered
    # Startup B has 11:30 and 15:00. 12:00 is no slot; 15:00 is taken; 10:30–11:30 would
    # be free once 10:00 is cancelled, but for the buffer before B's 11:30.
    with scopes_disabled():
        for hour, minute in ((11, 30), (15, 0)):
            BookingFactory(mentor=mentor, startup=env.startup_b, site=env.site_b, starts_at=at(day, hour, minute))
    before_rows = [(b.pk, b.status, b.starts_at) for b in bookings()]
    before_audit = audit_of(old)
    with user_scope(env.founder_a), django_capture_on_commit_callbacks(execute=True), pytest.raises(Conflict):
        actions.booking_reschedule(actor=env.founder_a, booking=old, start=at(day, *target))
    assert [(b.pk, b.status, b.starts_at) for b in bookings()] == before_rows
    assert bookings(pk=old.pk)[0].cancel_reason == ""
    assert audit_of(old) == before_audit
    assert mail.outbox == []


# --- Cancelling -----------------------------------------------------------------------------
def test_cancel_up_to_the_cut_off(env):
    with scopes_disabled():
        late = BookingFactory(mentor=env.mentor, startup=env.startup_a, site=env.site_a, starts_at=hours_from_now(11))
        early = BookingFactory(
            mentor=env.mentor,
            startup=env.startup_a,
            site=env.site_a,
            starts_at=hours_from_now(13),
            booked_by=env.founder_a,
        )
    with user_scope(env.founder_a):
        with pytest.raises(Conflict):
            actions.booking_cancel(actor=env.founder_a, booking=late)
        with pytest.raises(Conflict):
            actions.booking_reschedule(actor=env.founder_a, booking=late, start=hours_from_now(24 * 7))
        actions.booking_cancel(actor=env.founder_a, booking=early, reason="Sick")
        with pytest.raises(Conflict):  # already cancelled
            actions.booking_cancel(actor=env.founder_a, booking=early)
    assert [(b.pk, b.status) for b in bookings()] == [(late.pk, "confirmed"), (early.pk, "cancelled")]
    assert bookings(pk=early.pk)[0].cancel_reason == "Sick"
    assert audit_of(early) == [("update", env.founder_a.email)]


@pytest.mark.parametrize(
    ("who", "told"),
    [
        ("mentor", ["founder"]),
        ("founder", ["mentor"]),
        ("teammate", ["founder", "mentor"]),
        ("manager", ["founder", "mentor"]),
    ],
)
def test_who_is_told_of_a_cancellation(env, who, told, django_capture_on_commit_callbacks):
    with scopes_disabled():
        booking = BookingFactory(
            mentor=env.mentor,
            startup=env.startup_a,
            site=env.site_a,
            booked_by=env.founder_a,
            starts_at=hours_from_now(72),
        )
    actors = {"mentor": env.mentor.user, "founder": env.founder_a, "teammate": env.teammate, "manager": env.manager_a}
    actor = actors[who]
    with user_scope(actor), django_capture_on_commit_callbacks(execute=True):
        actions.booking_cancel(actor=actor, booking=booking, reason="Conflict of agenda")
    assert recipients() == sorted(actors[side].email for side in told)
    assert all("Conflict of agenda" in message.body for message in mail.outbox)
    assert bookings(pk=booking.pk)[0].cancelled_by == actor


def test_strangers_cannot_cancel(env, outsider):
    with scopes_disabled():
        booking = BookingFactory(
            mentor=env.mentor, startup=env.startup_a, site=env.site_a, starts_at=hours_from_now(72)
        )
    for actor in (outsider, env.founder_b, env.manager_b):
        with scope(site=[env.site_a.pk, env.site_b.pk]), pytest.raises(PermissionDenied):
            actions.booking_cancel(actor=actor, booking=booking)
    assert bookings(pk=booking.pk)[0].status == "confirmed"


# --- After the session: notes, ratings, attendance ------------------------------------------
@pytest.fixture
def sessions(env):
    """Startup A's sessions with the mentor: one tomorrow, one under way, one over."""
    with scopes_disabled():
        make = {"mentor": env.mentor, "startup": env.startup_a, "site": env.site_a, "booked_by": env.founder_a}
        return {
            "future": BookingFactory(**make, starts_at=hours_from_now(24)),
            "current": BookingFactory(**make, starts_at=hours_from_now(-0.5)),
            "over": BookingFactory(**make, starts_at=hours_from_now(-3)),
        }


def test_notes_once_the_session_started(env, sessions):
    mentor = env.mentor.user
    with user_scope(mentor):
        with pytest.raises(Conflict):
            actions.booking_note(actor=mentor, booking=sessions["future"], note="Too early")
        with pytest.raises(PermissionDenied):
            actions.booking_note(actor=env.founder_a, booking=sessions["current"], note="Not the mentor")
        actions.booking_note(actor=mentor, booking=sessions["current"], note="  Work on the unit economics.  ")
    future, current = bookings(pk=sessions["future"].pk)[0], bookings(pk=sessions["current"].pk)[0]
    assert (future.note, future.attendance) == ("", "unknown")
    assert (current.note, current.attendance, current.attendance_marked_by) == (
        "Work on the unit economics.",
        "held",
        mentor,
    )
    assert current.note_updated_at is not None
    assert audit_of(current) == [("update", mentor.email)]
    # A note does not overrule a no-show already recorded.
    update_booking(sessions["over"].pk, attendance=Attendance.STARTUP_NO_SHOW)
    with user_scope(mentor):
        actions.booking_note(actor=mentor, booking=bookings(pk=sessions["over"].pk)[0], note="Nobody came.")
    assert bookings(pk=sessions["over"].pk)[0].attendance == "startup_no_show"


def test_ratings_once_the_session_is_over(env, sessions):
    founder = env.founder_a
    with user_scope(founder):
        for name in ("future", "current"):
            with pytest.raises(Conflict):
                actions.booking_rate(actor=founder, booking=sessions[name], rating=5)
        for rating in (0, 6, "x", None):
            with pytest.raises(ValidationError):
                actions.booking_rate(actor=founder, booking=sessions["over"], rating=rating)
    with user_scope(env.mentor.user), pytest.raises(PermissionDenied):
        actions.booking_rate(actor=env.mentor.user, booking=sessions["over"], rating=5)
    with user_scope(founder):
        actions.booking_rate(actor=founder, booking=sessions["over"], rating="4", comment=" Useful ")
    over = bookings(pk=sessions["over"].pk)[0]
    assert (over.rating, over.rating_comment) == (4, "Useful")
    assert [b.rating for b in bookings(pk__in=[sessions["future"].pk, sessions["current"].pk])] == [None, None]
    assert audit_of(over) == [("update", founder.email)]
    for no_show in (Attendance.STARTUP_NO_SHOW, Attendance.MENTOR_NO_SHOW):
        update_booking(over.pk, attendance=no_show)
        with user_scope(founder), pytest.raises(Conflict):
            actions.booking_rate(actor=founder, booking=bookings(pk=over.pk)[0], rating=1)
    assert bookings(pk=over.pk)[0].rating == 4


@pytest.mark.parametrize(
    ("who", "allowed", "refused"),
    [
        ("mentor", {"held", "startup_no_show"}, {"mentor_no_show", "unknown", "bogus"}),
        ("founder", {"held", "mentor_no_show"}, {"startup_no_show", "unknown", "bogus"}),
        ("manager", {"held", "startup_no_show", "mentor_no_show", "unknown"}, {"bogus"}),
    ],
)
def test_attendance_by_role(env, sessions, who, allowed, refused):
    actor = {"mentor": env.mentor.user, "founder": env.founder_a, "manager": env.manager_a}[who]
    booking = sessions["over"]
    with user_scope(actor):
        for value in sorted(refused):
            with pytest.raises(ValidationError):
                actions.booking_mark_attendance(actor=actor, booking=booking, attendance=value)
        assert bookings(pk=booking.pk)[0].attendance == "unknown"
        for value in sorted(allowed):
            actions.booking_mark_attendance(actor=actor, booking=booking, attendance=value)
            marked = bookings(pk=booking.pk)[0]
            assert (marked.attendance, marked.attendance_marked_by) == (value, actor)
        with pytest.raises(Conflict):  # not started yet
            actions.booking_mark_attendance(actor=actor, booking=sessions["future"], attendance="held")
    assert bookings(pk=sessions["future"].pk)[0].attendance == "unknown"
    assert audit_of(booking) == [("update", actor.email)] * len(allowed)


def test_strangers_cannot_mark_attendance(env, sessions, outsider):
    for actor in (outsider, env.manager_b, env.founder_b):
        with scope(site=[env.site_a.pk, env.site_b.pk]), pytest.raises(PermissionDenied):
            actions.booking_mark_attendance(actor=actor, booking=sessions["over"], attendance="held")
    assert bookings(pk=sessions["over"].pk)[0].attendance == "unknown"


# --- Hours ledger -----------------------------------------------------------------------------
def test_hours_ledger(env):
    mentor = env.mentor
    common = {"mentor": mentor, "startup": env.startup_a}
    with scopes_disabled():
        # 00:00 on 1 November in Casablanca is 31 October 23:00 UTC: a November hour.
        BookingFactory(**common, site=env.site_a, starts_at=at(datetime.date(2026, 11, 1), 0), attendance="held")
        BookingFactory(
            **common,
            site=env.site_a,
            starts_at=at(datetime.date(2026, 10, 15), 10),
            ends_at=at(datetime.date(2026, 10, 15), 11, 30),
        )
        BookingFactory(**common, site=env.site_a, starts_at=at(datetime.date(2026, 10, 31), 22), attendance="held")
        BookingFactory(**common, site=env.site_b, starts_at=at(datetime.date(2026, 10, 16), 10))
        # Not delivered: no-shows, cancelled, not over yet.
        BookingFactory(
            **common, site=env.site_a, starts_at=at(datetime.date(2026, 10, 20), 10), attendance="startup_no_show"
        )
        BookingFactory(
            **common, site=env.site_a, starts_at=at(datetime.date(2026, 10, 21), 10), attendance="mentor_no_show"
        )
        BookingFactory(**common, site=env.site_a, starts_at=at(datetime.date(2026, 10, 22), 10), status="cancelled")
        BookingFactory(**common, site=env.site_a, starts_at=hours_from_now(-0.5))
        BookingFactory(**common, site=env.site_a, starts_at=hours_from_now(48))

    def ledger():
        with scope(site=[env.site_a.pk, env.site_b.pk]):
            return [
                (row["month"].astimezone(LOCAL).date(), row["site__slug"], row["sessions"], row["duration"])
                for row in hours_ledger(Booking.objects.filter(mentor=mentor))
            ]

    expected = [
        (datetime.date(2026, 11, 1), "site-a", 1, datetime.timedelta(hours=1)),
        (datetime.date(2026, 10, 1), "site-a", 2, datetime.timedelta(hours=2, minutes=30)),
        (datetime.date(2026, 10, 1), "site-b", 1, datetime.timedelta(hours=1)),
    ]
    assert ledger() == expected
    # Months stay Casablanca months whatever time zone is active.
    with timezone.override("UTC"):
        assert ledger() == expected
    with scope(site=env.site_a.pk):
        assert [row["site__slug"] for row in hours_ledger(Booking.objects.filter(mentor=mentor))] == [
            "site-a",
            "site-a",
        ]


# --- Reminders --------------------------------------------------------------------------------
def test_reminders_go_once_to_both_sides(env, django_capture_on_commit_callbacks):
    make = {"mentor": env.mentor, "startup": env.startup_a, "site": env.site_a, "booked_by": env.founder_a}
    with scopes_disabled():
        due = BookingFactory(**make, starts_at=hours_from_now(10))
        cancelled = BookingFactory(**make, starts_at=hours_from_now(11), status="cancelled")
        past = BookingFactory(**make, starts_at=hours_from_now(-2))
        late = BookingFactory(**make, starts_at=hours_from_now(12))  # made 12 hours ahead: just confirmed
        later = BookingFactory(**make, starts_at=hours_from_now(30))  # not due yet
        two_days_ago = timezone.now() - datetime.timedelta(days=2)
        Booking.objects.exclude(pk=late.pk).update(created_at=two_days_ago)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_booking_reminders() == 1
    assert recipients() == sorted([env.founder_a.email, env.mentor.user.email])
    with django_capture_on_commit_callbacks(execute=True):
        assert send_booking_reminders.delay().get() == 0
    assert len(mail.outbox) == 2
    reminded = {b.pk: b.reminded_at is not None for b in bookings()}
    assert reminded == {due.pk: True, cancelled.pk: False, past.pk: False, late.pk: False, later.pk: False}


def test_month_bounds_are_casablanca_months():
    # April 2027 (UTC+1 all month); February 2027 starts at UTC+1 and ends at UTC+0 (Ramadan).
    assert month_bounds(datetime.date(2027, 4, 15)) == (utc(2027, 3, 31, 23), utc(2027, 4, 30, 23))
    assert month_bounds(datetime.date(2027, 2, 28)) == (utc(2027, 1, 31, 23), utc(2027, 3, 1, 0))
