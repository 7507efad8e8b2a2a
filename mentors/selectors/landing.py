"""The mentor's landing page (`accounts.views.landing`, registered in `MentorsConfig.ready`):
their profile, their next sessions, and what is left to do after the sessions held.

Bookings are confirmed when made (there is no request to accept): what waits for the
mentor is after a session, recording whether it was held (`attendance_to_mark`) and, for
a session held, writing the notes the startup and its site team read (`notes_to_write`).
Both lists are of ended confirmed bookings, latest first; with this month's delivered
sessions and hours (as the hours ledger counts them: ended, not a no-show) they come from
one grouped count. Read in the request's scope (`user_scope`: the home sites of the startups
that booked the mentor), narrowed to the mentor's own bookings.

Queries: one without a profile; with one, three (profile, next sessions, counts) plus one
per list that is not empty.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.utils import timezone

from ..availability import LOCAL
from ..models import Attendance, BookingStatus
from .bookings import AGENDA_RELATED, bookings_of_mentor, mentor_agenda
from .directory import mentor_profile_of

NEXT_SHOWN = 5  # next sessions on the page
TODO_SHOWN = 5  # sessions of each to-do list on the page
HOURS_PLACES = Decimal("0.1")
NO_SHOWS = (Attendance.STARTUP_NO_SHOW, Attendance.MENTOR_NO_SHOW)


def month_bounds(now: datetime.datetime) -> tuple[datetime.datetime, datetime.datetime]:
    """The local (Casablanca) month of `now`: its first instant and the next month's."""
    local = now.astimezone(LOCAL)
    start = datetime.datetime(local.year, local.month, 1, tzinfo=LOCAL)
    year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
    return start, datetime.datetime(year, month, 1, tzinfo=LOCAL)


def _hours(duration: datetime.timedelta | None) -> Decimal:
    if not duration:
        return Decimal("0.0")
    microseconds = Decimal(duration // datetime.timedelta(microseconds=1))
    return (microseconds / Decimal(3600 * 10**6)).quantize(HOURS_PLACES, rounding=ROUND_HALF_UP)


def mentor_todo_counts(user, *, now: datetime.datetime) -> dict:
    """One query: the mentor's ended sessions without attendance (`to_mark`), held ones
    without notes (`to_write`), and this month's delivered sessions and their duration."""
    ended = Q(status=BookingStatus.CONFIRMED, ends_at__lte=now)
    month_start, month_end = month_bounds(now)
    delivered = ended & Q(starts_at__gte=month_start, starts_at__lt=month_end) & ~Q(attendance__in=NO_SHOWS)
    duration = ExpressionWrapper(F("ends_at") - F("starts_at"), output_field=DurationField())
    return bookings_of_mentor(user).aggregate(
        to_mark=Count("pk", filter=ended & Q(attendance=Attendance.UNKNOWN)),
        to_write=Count("pk", filter=ended & Q(attendance=Attendance.HELD, note="")),
        month_sessions=Count("pk", filter=delivered),
        month_duration=Sum(duration, filter=delivered),
    )


def attendance_to_mark(user, *, now: datetime.datetime):
    """The mentor's confirmed sessions ended without attendance recorded, latest first."""
    return (
        bookings_of_mentor(user)
        .ended(now)
        .filter(status=BookingStatus.CONFIRMED, attendance=Attendance.UNKNOWN)
        .select_related(*AGENDA_RELATED)
        .order_by("-starts_at", "-pk")
    )


def notes_to_write(user, *, now: datetime.datetime):
    """The mentor's sessions held (attendance recorded as held) without notes, latest first."""
    return (
        bookings_of_mentor(user)
        .ended(now)
        .filter(status=BookingStatus.CONFIRMED, attendance=Attendance.HELD, note="")
        .select_related(*AGENDA_RELATED)
        .order_by("-starts_at", "-pk")
    )


def landing_context(user, *, now: datetime.datetime | None = None) -> dict:
    """What the mentor's landing page shows: the profile (None without one), the next
    confirmed sessions, the sessions whose attendance or notes are due (the first few and
    how many) and this month's delivered sessions and hours. Call in the request's scope."""
    profile = mentor_profile_of(user)
    if profile is None:
        return {"mentor_profile": None, "mentor_next_bookings": []}
    now = now or timezone.now()
    counts = mentor_todo_counts(user, now=now)
    return {
        "mentor_profile": profile,
        "mentor_next_bookings": list(mentor_agenda(user, now=now).confirmed()[:NEXT_SHOWN]),
        "mentor_to_mark": list(attendance_to_mark(user, now=now)[:TODO_SHOWN]) if counts["to_mark"] else [],
        "mentor_to_mark_count": counts["to_mark"],
        "mentor_to_write": list(notes_to_write(user, now=now)[:TODO_SHOWN]) if counts["to_write"] else [],
        "mentor_to_write_count": counts["to_write"],
        "mentor_month_sessions": counts["month_sessions"],
        "mentor_month_hours": _hours(counts["month_duration"]),
    }
