"""Reads of a mentor's free slots and of the booking rules checked before a booking: busy
times, overlaps, the monthly quota, what else the startup has at that time, who may book and
the startup's home site. Each network-wide read opens its own reviewed `network_scope()`."""

import datetime
from typing import NamedTuple

from django.db.models import BooleanField, Exists, ExpressionWrapper, F, Func, OuterRef, QuerySet, Subquery
from django.utils import timezone

from services.models import ServiceSession
from services.selectors.catalogue import startup_sessions_between
from sites.models import Site
from sites.scoping import network_scope
from startups.models import Admission, Startup

from ..availability import LOCAL, Slot, clock_reaches, expand, is_clear, windows
from ..models import Booking, BookingStatus, MeetingMode, MentorProfile
from .directory import PUBLISHED


def mentor_busy_ranges(
    mentor: MentorProfile, *, start: datetime.datetime, end: datetime.datetime
) -> list[tuple[datetime.datetime, datetime.datetime]]:
    """(start, end) of the mentor's confirmed bookings overlapping [start, end), whatever
    the startup's site: only the times leave this function."""
    # Reviewed network-wide read: a mentor's busy times span every site they serve.
    with network_scope():
        bookings = Booking.objects.filter(
            mentor=mentor, status=BookingStatus.CONFIRMED, starts_at__lt=end, ends_at__gt=start
        )
        return list(bookings.values_list("starts_at", "ends_at"))


# The longest a booking lasts (`MentorProfile.session_minutes` is at most 240): the lower
# bound that lets the overlap test below read a few index entries, not a mentor's history.
# A longer booking would only be missed by the early refusal, never by the locked check.
LONGEST_SESSION = datetime.timedelta(minutes=240)


def overlapping_bookings(
    mentor_id, *, start: datetime.datetime, end: datetime.datetime, buffer: datetime.timedelta
) -> QuerySet[Booking]:
    """The mentor's confirmed bookings that leave no room for [start, end) with `buffer` on
    both sides (`availability.is_clear` is false). Read inside `network_scope()`; `mentor_id`
    may be an `OuterRef`."""
    return Booking.objects.filter(
        mentor=mentor_id,
        status=BookingStatus.CONFIRMED,
        starts_at__lt=end + buffer,
        starts_at__gt=start - buffer - LONGEST_SESSION,
        ends_at__gt=start - buffer,
    )


def month_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The calendar month of `day` in Casablanca, as a UTC range [start, end)."""
    # `clock_reaches`, not `local_instant`: never None, even if a clock change ever skipped
    # midnight (Casablanca's happen at 02:00–03:00 today).
    first = day.replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return clock_reaches(first, datetime.time(0)), clock_reaches(following, datetime.time(0))


def startup_month_bookings(mentor_id, *, startup: Startup, start: datetime.datetime) -> QuerySet[Booking]:
    """The startup's confirmed bookings with the mentor in the Casablanca month of `start`
    (what the monthly quota counts). Read inside `network_scope()`."""
    month_start, month_end = month_bounds(start.astimezone(LOCAL).date())
    return Booking.objects.filter(
        mentor=mentor_id,
        startup=startup,
        status=BookingStatus.CONFIRMED,
        starts_at__gte=month_start,
        starts_at__lt=month_end,
    )


def startup_bookings_between(
    startup: Startup, *, start: datetime.datetime, end: datetime.datetime
) -> QuerySet[Booking]:
    """The startup's confirmed bookings with any mentor overlapping [start, end), with the
    mentor, the soonest first. Read inside `network_scope()` (a startup that moved booked
    from its former site too)."""
    return (
        Booking.objects.filter(startup=startup, status=BookingStatus.CONFIRMED, starts_at__lt=end, ends_at__gt=start)
        .select_related("mentor__user")
        .order_by("starts_at", "pk")
    )


class BookingOutlook(NamedTuple):
    """What one query says of a booking attempt before any lock (`booking_outlook`), and
    what else the startup has at that time when asked (`clashes=True`)."""

    open: bool  # the mentor is published and their account active
    quota: int  # the mentor's monthly limit per startup
    used: int  # the startup's confirmed bookings with the mentor that month
    taken: bool  # a confirmed booking of the mentor overlaps the slot or its buffer
    clashing_bookings: tuple[Booking, ...] = ()  # the startup's confirmed ones, with any mentor
    clashing_sessions: tuple[ServiceSession, ...] = ()  # where the startup has a confirmed seat


def booking_outlook(
    *, mentor: MentorProfile, startup: Startup, start: datetime.datetime, clashes: bool = False
) -> BookingOutlook | None:
    """One query, by primary key and two index range scans (the partial unique index on
    confirmed (mentor, start) and (startup, start)): whether a booking of `mentor`'s slot
    at `start` for `startup` can still succeed. None when the mentor is gone. The slot's
    length and buffer are those of `mentor` as given. With `clashes`, two more queries: the
    startup's confirmed bookings and sessions that overlap the slot (the booking page warns
    about them; they never refuse a booking)."""
    # Reviewed network-wide read: a mentor's busy times and a startup's monthly count span
    # every site (as `mentor_busy_ranges` and the quota of `actions`); only flags and a
    # count leave this function, and, when asked, the startup's own sessions at that time
    # (its bookings from any site it booked from, and e-Technopark's sessions, without a site).
    with network_scope():
        overlap = overlapping_bookings(
            OuterRef("pk"), start=start, end=start + mentor.session_length, buffer=mentor.buffer
        )
        month = (
            startup_month_bookings(OuterRef("pk"), startup=startup, start=start)
            .order_by()
            .annotate(count=Func(F("pk"), function="COUNT"))
            .values("count")
        )
        row = (
            MentorProfile.objects.filter(pk=mentor.pk)
            .annotate(
                is_open=ExpressionWrapper(PUBLISHED, output_field=BooleanField()),
                taken=Exists(overlap),
                used=Subquery(month),
            )
            .values_list("is_open", "max_bookings_per_startup_month", "used", "taken")
            .order_by("pk")
            .first()
        )
        if row is None:
            return None
        if not clashes:
            return BookingOutlook(*row)
        end = start + mentor.session_length
        return BookingOutlook(
            *row,
            clashing_bookings=tuple(startup_bookings_between(startup, start=start, end=end)),
            clashing_sessions=tuple(startup_sessions_between(startup=startup, start=start, end=end)),
        )


def bookable_startups(user) -> QuerySet[Startup]:
    """The user's startups that may book a mentor: admitted today at some site, resident or
    e-Technopark member."""
    if not user.is_authenticated:
        return Startup.objects.none()
    today = timezone.localdate()
    # Reviewed network-wide read: the admissions of the user's own startups, at any site.
    with network_scope():
        admitted = list(
            Admission.objects.filter(startup__members__user=user).active_on(today).values_list("startup", flat=True)
        )
    return Startup.objects.filter(pk__in=admitted).order_by("brand_name", "legal_name")


def startup_home_site(startup: Startup) -> Site | None:
    """The site whose team follows the startup's mentoring: its most recent admission
    active today (None when it is not admitted anywhere)."""
    today = timezone.localdate()
    # Reviewed network-wide read: one startup's admissions.
    with network_scope():
        admission = (
            Admission.objects.filter(startup=startup)
            .active_on(today)
            .select_related("site")
            .order_by("-starts_on", "-pk")
            .first()
        )
    return admission.site if admission else None


# --- Free slots: the mentor's windows less their bookings ---------------------------------
def free_slots(
    mentor: MentorProfile,
    *,
    date_from: datetime.date,
    date_to: datetime.date,
    now: datetime.datetime | None = None,
) -> list[Slot]:
    """The slots a startup may book now between two local dates (inclusive): in the
    mentor's windows, not blocked, at least the minimum notice ahead, clear of confirmed
    bookings and their buffer. In-person windows at a site the mentor no longer serves,
    and video windows when the mentor stopped offering video, are left out."""
    now = now or timezone.now()
    served = set(mentor.sites.values_list("pk", flat=True))
    all_windows = windows(
        rules=mentor.weekly_rules.all(),
        extras=mentor.extra_windows.filter(date__gte=date_from, date__lte=date_to),
        blocked=mentor.blocked_periods.filter(ends_on__gte=date_from, starts_on__lte=date_to),
        date_from=date_from,
        date_to=date_to,
    )
    offered = [w for w in all_windows if (w.site_id in served if w.site_id else mentor.offers_video)]
    earliest = now + datetime.timedelta(hours=mentor.min_notice_hours)
    candidates = [
        slot for slot in expand(offered, length=mentor.session_length, buffer=mentor.buffer) if slot.start >= earliest
    ]
    if not candidates:
        return []
    busy = mentor_busy_ranges(
        mentor,
        start=candidates[0].start - mentor.buffer,
        end=candidates[-1].end + mentor.buffer,
    )
    return [slot for slot in candidates if is_clear(slot, busy, mentor.buffer)]


def find_slot(mentor: MentorProfile, start: datetime.datetime, *, mode: str | None = None, **kwargs) -> Slot | None:
    """The free slot starting exactly at `start` (any time zone), in `mode` when given, or
    None. A video window and an in-person one may offer the same start: without a mode,
    the video slot is taken (it suits a startup wherever it is)."""
    day = start.astimezone(LOCAL).date()
    matches = [
        slot
        for slot in free_slots(mentor, date_from=day, date_to=day, **kwargs)
        if slot.start == start and mode in (None, slot.mode)
    ]
    return min(matches, key=lambda slot: slot.mode != MeetingMode.VIDEO, default=None)
