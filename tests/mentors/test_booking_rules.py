"""The booking rules and the other writes of `mentors.actions`, called as the pages and the
API call them (inside the actor's `user_scope`): minimum notice, buffer (read across every
site), the monthly quota per startup in Casablanca months, who may book and at which site,
taken slots, rescheduling, cancelling and who is told, notes, ratings, attendance,
profiles and their review, the audit trail, the hours ledger and the reminder task."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation
from django_scopes import scope, scopes_disabled

from accounts.models import Role
from core.errors import Conflict
from core.models import AuditEntry
from mentors import actions, selectors
from mentors.availability import MAX_RANGE_DAYS
from mentors.models import (
    Attendance,
    Booking,
    BookingStatus,
    ExtraWindow,
    MentorDimension,
    MentorProfile,
    ProfileStatus,
    Tag,
)
from mentors.selectors import free_slots
from mentors.tasks import send_booking_reminders
from sites.models import Language
from sites.scoping import user_scope
from tests.factories import (
    AdmissionFactory,
    BookingFactory,
    MentorProfileFactory,
    SiteMembershipFactory,
    StartupFactory,
    StartupMemberFactory,
    UserFactory,
    WeeklyRuleFactory,
)

pytestmark = pytest.mark.django_db

LOCAL = ZoneInfo("Africa/Casablanca")
UTC = datetime.UTC
# A Monday morning in Casablanca (UTC+1): the `now` of the rules that take one.
NOW = datetime.datetime(2027, 1, 4, 10, tzinfo=LOCAL)
TUESDAY = datetime.date(2027, 1, 5)


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=LOCAL)


def utc(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=UTC)


def window(mentor, day, start, end, **extra):
    return ExtraWindow.objects.create(mentor=mentor, date=day, starts_at=start, ends_at=end, **extra)


def hours_from_now(hours: float) -> datetime.datetime:
    return timezone.now().replace(second=0, microsecond=0) + datetime.timedelta(hours=hours)


def book(actor, startup, start, *, mentor, now=NOW, topic="Pricing our SaaS", questions=""):
    with user_scope(actor):
        return actions.booking_create(
            actor=actor, mentor=mentor, startup=startup, start=start, topic=topic, questions=questions, now=now
        )


def bookings(**filters) -> list[Booking]:
    with scopes_disabled():
        return list(Booking.objects.filter(**filters).order_by("starts_at", "pk"))


def audit_of(instance) -> list[tuple[str, str]]:
    """(action, actor email) of the audit entries about `instance`, oldest first."""
    with scopes_disabled():
        entries = AuditEntry.objects.filter(
            content_type__model=instance._meta.model_name, object_id=str(instance.pk)
        ).order_by("pk")
        return [(entry.action, entry.actor_email) for entry in entries]


def update_booking(pk, **fields) -> None:
    with scopes_disabled():
        Booking.objects.filter(pk=pk).update(**fields)


def recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


@pytest.fixture
def env(site_a, site_b, founder_a, manager_a, manager_b, staff):
    """Startup A (founder_a, a teammate) admitted at site A, startup B (founder_b) at site B,
    and a published mentor serving site A, by video every day 08:00–20:00, one-hour
    sessions, no notice, no buffer, ten bookings per startup and month."""
    with scopes_disabled():
        founder_a.language = "en"
        founder_a.save()
        startup_a = StartupFactory(brand_name="Atlas Data")
        StartupMemberFactory(startup=startup_a, user=founder_a)
        teammate = StartupMemberFactory(startup=startup_a, role="member", user__email="teammate@example.ma").user
        AdmissionFactory(startup=startup_a, site=site_a)
        startup_b = StartupFactory(brand_name="Souss Agri")
        founder_b = StartupMemberFactory(startup=startup_b, user__email="founder.b@example.ma").user
        AdmissionFactory(startup=startup_b, site=site_b)
        mentor = MentorProfileFactory(
            user__email="mentor@example.ma", user__full_name="Nadia Mentor", user__language="en", sites=[site_a]
        )
        for weekday in range(7):
            WeeklyRuleFactory(mentor=mentor, weekday=weekday, starts_at=datetime.time(8), ends_at=datetime.time(20))

    class Env:
        pass

    env = Env()
    env.__dict__.update(
        site_a=site_a,
        site_b=site_b,
        founder_a=founder_a,
        teammate=teammate,
        founder_b=founder_b,
        startup_a=startup_a,
        startup_b=startup_b,
        mentor=mentor,
        manager_a=manager_a,
        manager_b=manager_b,
        staff=staff,
    )
    return env


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


# --- Profiles -------------------------------------------------------------------------------
def french():
    return list(Language.objects.filter(code="fr"))


def new_profile(user, **fields) -> MentorProfile:
    values = {"headline": "Go-to-market", "bio": "Sold software in Africa.", "offers_video": True, **fields}
    return MentorProfile(user=user, **values)


def test_profile_save_validations(site_a):
    user = UserFactory(role=Role.MENTOR, email="new.mentor@example.ma")
    cases = [
        ({"dimensions": []}, "dimensions"),
        ({"languages": []}, "languages"),
        ({"profile": new_profile(user, offers_video=False), "sites": []}, "sites"),
        ({"profile": new_profile(user, session_minutes=10)}, "session_minutes"),
    ]
    for change, field in cases:
        arguments = {
            "profile": new_profile(user),
            "dimensions": ["market"],
            "languages": french(),
            "sectors": [],
            "sites": [],
            "tags": [],
            **change,
        }
        with pytest.raises(ValidationError) as error:
            actions.profile_save(actor=user, **arguments)
        assert field in error.value.message_dict
    assert not MentorProfile.objects.exists()

    Tag.objects.create(name="pricing")
    profile = actions.profile_save(
        actor=user,
        profile=new_profile(user, offers_video=False),
        dimensions=["market", "financing"],
        languages=french(),
        sectors=[],
        sites=[site_a],
        tags=["pricing", "export"],
    )
    assert profile.status == ProfileStatus.DRAFT
    assert sorted(profile.dimension_rows.values_list("dimension", flat=True)) == ["financing", "market"]
    assert sorted(profile.tags.values_list("name", flat=True)) == ["export", "pricing"]
    assert Tag.objects.count() == 2
    assert list(profile.sites.all()) == [site_a]
    profile.headline = "Go-to-market in West Africa"
    actions.profile_save(
        actor=user, profile=profile, dimensions=["skills"], languages=french(), sectors=[], sites=[site_a], tags=[]
    )
    assert list(MentorDimension.objects.filter(mentor=profile).values_list("dimension", flat=True)) == ["skills"]
    assert list(profile.tags.all()) == []
    assert audit_of(profile) == [("create", user.email), ("update", user.email)]


@pytest.fixture
def draft(site_a, manager_a, manager_b, staff):
    """A draft profile serving site A; manager A reads Arabic, head office English."""
    manager_a.language = "ar"
    manager_a.save()
    staff.language = "en"
    staff.save()
    UserFactory(role=Role.HEAD_OFFICE, email="gone@example.ma", is_active=False)
    return MentorProfileFactory(status="draft", sites=[site_a], user__email="draft@example.ma")


def test_profile_submit_needs_availability_and_tells_the_reviewers(
    draft, manager_a, staff, monkeypatch, django_capture_on_commit_callbacks
):
    rendered = []
    real_render = actions.email_render

    def spy(*, template, context, language=None):
        rendered.append((context["reviewer"].email, language))
        return real_render(template=template, context=context, language=language)

    monkeypatch.setattr(actions, "email_render", spy)
    mentor = draft.user
    with pytest.raises(Conflict):
        actions.profile_submit(actor=mentor, profile=draft)
    # A one-off window in the past is no availability.
    window(draft, timezone.localdate() - datetime.timedelta(days=1), datetime.time(10), datetime.time(11))
    with pytest.raises(Conflict):
        actions.profile_submit(actor=mentor, profile=draft)
    assert MentorProfile.objects.get(pk=draft.pk).status == "draft"
    window(draft, timezone.localdate() + datetime.timedelta(days=3), datetime.time(10), datetime.time(11))
    with django_capture_on_commit_callbacks(execute=True):
        actions.profile_submit(actor=mentor, profile=draft)
    draft.refresh_from_db()
    assert (draft.status, draft.submitted_at is not None) == ("pending", True)
    assert sorted(rendered) == sorted([(manager_a.email, "ar"), (staff.email, "en")])
    assert recipients() == sorted([manager_a.email, staff.email])
    assert audit_of(draft) == [("update", mentor.email)]
    with pytest.raises(Conflict):
        actions.profile_submit(actor=mentor, profile=draft)


def review(actor, profile, decision, note=""):
    """As the review page calls it: in the reviewer's own scope."""
    with user_scope(actor):
        return actions.profile_review(
            actor=actor, profile=MentorProfile.objects.get(pk=profile.pk), decision=decision, note=note
        )


def status_of(profile) -> str:
    return MentorProfile.objects.get(pk=profile.pk).status


def test_profile_review_transitions(draft, manager_a, manager_b, staff, django_capture_on_commit_callbacks):
    D = actions.Decision
    MentorProfile.objects.filter(pk=draft.pk).update(status="pending")
    # Not theirs to review: a manager of another site, the mentor themself (even when they
    # also manage a site the profile serves).
    with scopes_disabled():
        SiteMembershipFactory(site=draft.sites.get(), user=draft.user)
    for actor in (manager_b, draft.user):
        with pytest.raises(PermissionDenied):
            review(actor, draft, D.APPROVE)
    with pytest.raises(ValidationError):
        review(manager_a, draft, "publish")
    with pytest.raises(ValidationError) as error:
        review(manager_a, draft, D.REQUEST_CHANGES, note="  ")
    assert set(error.value.message_dict) == {"note"}
    with django_capture_on_commit_callbacks(execute=True):
        review(manager_a, draft, D.REQUEST_CHANGES, note="Add a photo.")
    assert (status_of(draft), MentorProfile.objects.get(pk=draft.pk).review_note) == ("rejected", "Add a photo.")
    assert recipients() == [draft.user.email]
    with pytest.raises(Conflict):  # sent back: nothing to approve until resubmitted
        review(manager_a, draft, D.APPROVE)
    MentorProfile.objects.filter(pk=draft.pk).update(status="pending")
    review(manager_a, draft, D.APPROVE)
    profile = MentorProfile.objects.get(pk=draft.pk)
    assert (profile.status, profile.reviewed_by, profile.review_note) == ("published", manager_a, "")
    # Suspending is head office's, with a reason; so is lifting a suspension.
    with pytest.raises(PermissionDenied):
        review(manager_a, draft, D.SUSPEND, note="Complaints")
    with pytest.raises(ValidationError):
        review(staff, draft, D.SUSPEND)
    review(staff, draft, D.SUSPEND, note="Complaints")
    assert status_of(draft) == "suspended"
    with pytest.raises(PermissionDenied):
        review(manager_a, draft, D.APPROVE)
    assert status_of(draft) == "suspended"
    review(staff, draft, D.APPROVE)
    assert status_of(draft) == "published"
    with pytest.raises(Conflict):  # already published
        review(staff, draft, D.APPROVE)
    assert audit_of(draft) == [
        ("update", manager_a.email),
        ("update", manager_a.email),
        ("update", staff.email),
        ("update", staff.email),
    ]


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
                for row in selectors.hours_ledger(Booking.objects.filter(mentor=mentor))
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
        assert [row["site__slug"] for row in selectors.hours_ledger(Booking.objects.filter(mentor=mentor))] == [
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
    assert selectors.month_bounds(datetime.date(2027, 4, 15)) == (utc(2027, 3, 31, 23), utc(2027, 4, 30, 23))
    assert selectors.month_bounds(datetime.date(2027, 2, 28)) == (utc(2027, 1, 31, 23), utc(2027, 3, 1, 0))
