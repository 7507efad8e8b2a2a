"""The booking rules of `mentors.actions`, called as the pages and the API call them (inside
the actor's `user_scope`): minimum notice, buffer (read across every site), the monthly
quota per startup in Casablanca months, the booking horizon, who may book and at which
site, taken slots and the confirmation to both sides."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation
from django_scopes import scope, scopes_disabled

from core.errors import Conflict
from mentors import actions
from mentors.availability import MAX_RANGE_DAYS
from mentors.models import Booking, BookingStatus
from mentors.selectors.slots import free_slots
from sites.scoping import user_scope
from tests.factories import AdmissionFactory, BookingFactory, MentorProfileFactory, StartupMemberFactory

from . import booking_setup
from .booking_setup import NOW, at, audit_of, book, bookings, recipients, utc, window

# The fixtures shared with the sibling modules: pytest finds a fixture by its name in the module.
env = booking_setup.env

pytestmark = pytest.mark.django_db

TUESDAY = datetime.date(2027, 1, 5)


# --- Minimum notice -------------------------------------------------------------------------
def test_minimum_notice(env):
    mentor = env.mentor
    mentor.min_notice_hours = 24
    mentor.save()
    starts = [slot.local_start for slot in free_slots(mentor, date_from=TUESDAY, date_to=TUESDAY, now=NOW)]
    # NOW is Monday 10:00: Tuesday 10:00 is exactly 24 hours ahead, the first free slot.
    assert starts == [at(TUESDAY, hour) for hour in range(10, 20)]
    with pytest.raises(Conflict):
        book(env.founder_a, env.startup_a, at(TUESDAY, 9), mentor=mentor)
    assert bookings() == []
    booking = book(env.founder_a, env.startup_a, at(TUESDAY, 10), mentor=mentor)
    assert booking.starts_at == utc(2027, 1, 5, 9)
    assert booking.ends_at == utc(2027, 1, 5, 10)
    assert [b.pk for b in bookings()] == [booking.pk]


# --- Buffer, read across every site ---------------------------------------------------------
def test_buffer_around_a_booking_of_another_site(env):
    with scopes_disabled():
        mentor = MentorProfileFactory(buffer_minutes=30, sites=[env.site_a])
        for start, end in [((8, 15), (9, 15)), ((8, 45), (9, 45)), ((10, 0), (11, 0)), ((11, 15), (12, 15))]:
            window(mentor, TUESDAY, datetime.time(*start), datetime.time(*end))
        window(mentor, TUESDAY, datetime.time(11, 30), datetime.time(12, 30))
        # Startup B (site B) has 10:00–11:00.
        BookingFactory(mentor=mentor, startup=env.startup_b, site=env.site_b, starts_at=at(TUESDAY, 10))

    def free():
        return [f"{slot.local_start:%H:%M}" for slot in free_slots(mentor, date_from=TUESDAY, date_to=TUESDAY, now=NOW)]

    # 08:45–09:45 ends 15 minutes before it (buffer 30), 11:15 starts 15 minutes after it.
    assert free() == ["08:15", "11:30"]
    with user_scope(env.founder_a):
        # Founder A's scope does not even see site B's booking; the busy times are read
        # network-wide all the same.
        assert not Booking.objects.filter(mentor=mentor).exists()
    for hour, minute in ((11, 15), (8, 45), (10, 0)):
        with pytest.raises(Conflict):
            book(env.founder_a, env.startup_a, at(TUESDAY, hour, minute), mentor=mentor)
    booking = book(env.founder_a, env.startup_a, at(TUESDAY, 11, 30), mentor=mentor)
    assert (booking.starts_at, booking.site) == (at(TUESDAY, 11, 30), env.site_a)
    assert free() == ["08:15"]
    assert len(bookings(mentor=mentor)) == 2


# --- Monthly quota per startup, in Casablanca months ------------------------------------------
def test_quota_counts_casablanca_months(env):
    mentor = env.mentor
    mentor.max_bookings_per_startup_month = 1
    mentor.save()
    february_first = datetime.date(2027, 2, 1)
    window(mentor, february_first, datetime.time(0), datetime.time(1))
    # 00:00 on 1 February in Casablanca (UTC+1) is still 31 January in UTC.
    midnight = book(env.founder_a, env.startup_a, at(february_first, 0), mentor=mentor)
    assert midnight.starts_at == utc(2027, 1, 31, 23)
    # January (local) has no booking yet: 30 January is fine…
    january = book(env.founder_a, env.startup_a, at(datetime.date(2027, 1, 30), 10), mentor=mentor)
    assert january.starts_at == utc(2027, 1, 30, 9)
    # …February (local) has one: the quota is reached.
    with pytest.raises(Conflict):
        book(env.founder_a, env.startup_a, at(datetime.date(2027, 2, 15), 10), mentor=mentor)
    with pytest.raises(Conflict):
        book(env.founder_a, env.startup_a, at(datetime.date(2027, 1, 12), 10), mentor=mentor)
    # The quota is per startup.
    other = book(env.founder_b, env.startup_b, at(datetime.date(2027, 2, 15), 10), mentor=mentor)
    assert other.site == env.site_b
    # A cancelled booking does not count.
    with user_scope(env.founder_a):
        actions.booking_cancel(actor=env.founder_a, booking=midnight, reason="Plans changed")
    assert book(env.founder_a, env.startup_a, at(datetime.date(2027, 2, 16), 10), mentor=mentor)
    assert len(bookings(startup=env.startup_a, status=BookingStatus.CONFIRMED)) == 2


def test_slots_beyond_the_booking_horizon_are_refused(env):
    """The pages and the API show 62 days ahead: the action refuses farther, whatever asks."""
    last = (NOW + datetime.timedelta(days=MAX_RANGE_DAYS)).date()
    with translation.override("en"), pytest.raises(Conflict, match="62 days ahead"):
        book(env.founder_a, env.startup_a, at(last + datetime.timedelta(days=1), 10), mentor=env.mentor)
    assert book(env.founder_a, env.startup_a, at(last, 9), mentor=env.mentor)
    assert len(bookings(startup=env.startup_a)) == 1


def test_quota_counts_the_bookings_made_from_the_startups_former_site(env):
    """Startup A moved from site A to site B: its February booking kept site A. Site B's
    team, working in site B's scope, cannot move another booking into February past the
    quota."""
    mentor = env.mentor
    mentor.max_bookings_per_startup_month = 1
    mentor.save()
    with scopes_disabled():
        BookingFactory(
            mentor=mentor, startup=env.startup_a, site=env.site_a, starts_at=at(datetime.date(2027, 2, 2), 10)
        )
        march = BookingFactory(
            mentor=mentor, startup=env.startup_a, site=env.site_b, starts_at=at(datetime.date(2027, 3, 2), 10)
        )
    with scope(site=env.site_b.pk), translation.override("en"), pytest.raises(Conflict, match="most allowed"):
        actions.booking_reschedule(
            actor=env.manager_b, booking=march, start=at(datetime.date(2027, 2, 16), 10), now=NOW
        )
    assert bookings(pk=march.pk)[0].status == BookingStatus.CONFIRMED
    assert len(bookings()) == 2


def test_a_mentor_whose_account_is_closed_takes_no_booking(env):
    env.mentor.user.is_active = False
    env.mentor.user.save()
    with pytest.raises(Conflict):
        book(env.founder_a, env.startup_a, at(TUESDAY, 10), mentor=env.mentor)
    assert bookings() == []


def test_only_the_startups_team_books_for_it(env, outsider):
    for actor, startup in ((outsider, env.startup_a), (env.founder_a, env.startup_b), (env.founder_b, env.startup_a)):
        with pytest.raises(PermissionDenied):
            book(actor, startup, at(TUESDAY, 10), mentor=env.mentor)
    assert bookings() == []
    # Any member of the team may book, not only founders.
    assert book(env.teammate, env.startup_a, at(TUESDAY, 10), mentor=env.mentor).booked_by == env.teammate


def test_only_admitted_startups_book(env, site_a):
    with scopes_disabled():
        never = StartupMemberFactory(user__email="never@example.ma").startup
        left = StartupMemberFactory(user__email="left@example.ma").startup
        AdmissionFactory(
            startup=left, site=site_a, ended_on=timezone.localdate(), exit_reason="graduated", exit_note="Done."
        )
        leaving = StartupMemberFactory(user__email="leaving@example.ma").startup
        AdmissionFactory(
            startup=leaving,
            site=site_a,
            ended_on=timezone.localdate() + datetime.timedelta(days=1),
            exit_reason="graduated",
        )
        users = {s.pk: s.members.get().user for s in (never, left, leaving)}
    for startup in (never, left):
        with pytest.raises(PermissionDenied):
            book(users[startup.pk], startup, at(TUESDAY, 10), mentor=env.mentor)
    assert bookings() == []
    # Still admitted until the end date.
    assert book(users[leaving.pk], leaving, at(TUESDAY, 10), mentor=env.mentor).site == site_a


def test_the_booking_belongs_to_the_most_recent_active_admission(env):
    with scopes_disabled():
        e_membership = AdmissionFactory(
            startup=env.startup_a, site=env.site_b, kind="e-technopark", starts_on=datetime.date(2024, 3, 1)
        )
    first = book(env.founder_a, env.startup_a, at(TUESDAY, 10), mentor=env.mentor)
    assert first.site == env.site_b
    with scopes_disabled():
        e_membership.ended_on = timezone.localdate()
        e_membership.exit_reason = "moved_site"
        e_membership.save()
    second = book(env.founder_a, env.startup_a, at(TUESDAY, 12), mentor=env.mentor)
    assert second.site == env.site_a


def test_a_topic_is_required(env):
    with pytest.raises(ValidationError) as error:
        book(env.founder_a, env.startup_a, at(TUESDAY, 10), mentor=env.mentor, topic="   ")
    assert set(error.value.message_dict) == {"topic"}
    assert bookings() == []
    booking = book(
        env.founder_a, env.startup_a, at(TUESDAY, 10), mentor=env.mentor, topic="  Pricing  ", questions=" Q? "
    )
    assert (booking.topic, booking.questions, booking.mode, booking.meeting_site) == ("Pricing", "Q?", "video", None)


def test_a_taken_slot_is_a_conflict_and_writes_nothing(env, django_capture_on_commit_callbacks):
    taken = book(env.founder_b, env.startup_b, at(TUESDAY, 10), mentor=env.mentor)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Conflict):
        book(env.founder_a, env.startup_a, at(TUESDAY, 10), mentor=env.mentor)
    # A time that is not a slot start (10:30) is not free either.
    with pytest.raises(Conflict):
        book(env.founder_a, env.startup_a, at(TUESDAY, 10, 30), mentor=env.mentor)
    assert [b.pk for b in bookings()] == [taken.pk]
    assert mail.outbox == []


def test_booking_confirms_to_both_sides_with_a_calendar_file(env, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        booking = book(env.founder_a, env.startup_a, at(TUESDAY, 10), mentor=env.mentor)
    assert recipients() == sorted([env.founder_a.email, env.mentor.user.email])
    for message in mail.outbox:
        assert [name for name, _content, _type in message.attachments] == ["mentoring.ics"]
    assert audit_of(booking) == [("create", env.founder_a.email)]
