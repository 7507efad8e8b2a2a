"""Free slots of a mentor: weekly rules and one-off windows in Africa/Casablanca wall-clock
time, expanded day by day with `zoneinfo`, so that a Monday 10:00–12:00 rule starts at 10:00
local on both sides of the Ramadan clock changes (the UTC instant moves, the local time does
not). Slots tile each window: one session, then the mentor's buffer, then the next.

`expand` is pure (rules in, slots out); `selectors.slots.free_slots` reads the mentor's rows and
removes what is taken, blocked, too soon or within the buffer of a confirmed booking.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from core.local_time import LOCAL

from .models import BlockedPeriod

UTC = datetime.UTC
# The longest range one request may expand (API `from`/`to`, the booking page's weeks).
MAX_RANGE_DAYS = 62


@dataclass(frozen=True)
class Window:
    """A window of availability on one local date (from a weekly rule or a one-off)."""

    date: datetime.date
    starts_at: datetime.time
    ends_at: datetime.time
    mode: str
    site_id: int | None


@dataclass(frozen=True)
class Slot:
    start: datetime.datetime  # aware, UTC
    end: datetime.datetime
    mode: str
    site_id: int | None

    @property
    def local_start(self) -> datetime.datetime:
        return self.start.astimezone(LOCAL)

    @property
    def local_end(self) -> datetime.datetime:
        return self.end.astimezone(LOCAL)


def local_instant(day: datetime.date, at: datetime.time) -> datetime.datetime | None:
    """`day` at wall-clock `at` in Casablanca, as UTC; None for a time the clock skips
    (the hour that does not exist when clocks go forward). An hour that happens twice
    (clocks go back) is taken the first time."""
    local = datetime.datetime.combine(day, at, tzinfo=LOCAL)
    instant = local.astimezone(UTC)
    if instant.astimezone(LOCAL).replace(tzinfo=None) != local.replace(tzinfo=None):
        return None
    return instant


def clock_reaches(day: datetime.date, at: datetime.time) -> datetime.datetime:
    """The instant the Casablanca clock first shows `at` on `day`, as UTC; for a time the
    clock skips, the instant it jumps past it (the end of a window that ends in the
    skipped hour)."""
    instant = local_instant(day, at)
    if instant is not None:
        return instant
    wall = datetime.datetime.combine(day, at)
    # The two readings of a skipped time (with the offset before and after the change)
    # bracket the change; the local clock only moves forward in between: bisect it.
    low, high = sorted(wall.replace(tzinfo=LOCAL, fold=fold).astimezone(UTC) for fold in (0, 1))
    while high - low > datetime.timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(LOCAL).replace(tzinfo=None) >= wall:
            high = middle
        else:
            low = middle
    return high.replace(microsecond=0)


def windows(
    *,
    rules: Iterable,
    extras: Iterable,
    blocked: Iterable[BlockedPeriod],
    date_from: datetime.date,
    date_to: datetime.date,
) -> list[Window]:
    """The windows of every local date from `date_from` to `date_to` (inclusive), blocked
    dates left out. `rules` have `weekday`, `extras` a `date`; both `starts_at`, `ends_at`,
    `mode` and `meeting_site_id`."""
    by_weekday: dict[int, list] = {}
    for rule in rules:
        by_weekday.setdefault(rule.weekday, []).append(rule)
    extras_by_date: dict[datetime.date, list] = {}
    for extra in extras:
        extras_by_date.setdefault(extra.date, []).append(extra)
    blocked = list(blocked)
    result = []
    day = date_from
    while day <= date_to:
        if not any(period.starts_on <= day <= period.ends_on for period in blocked):
            for window in [*by_weekday.get(day.weekday(), []), *extras_by_date.get(day, [])]:
                result.append(Window(day, window.starts_at, window.ends_at, window.mode, window.meeting_site_id))
        day += datetime.timedelta(days=1)
    return result


def expand(
    windows_: Iterable[Window], *, length: datetime.timedelta, buffer: datetime.timedelta = datetime.timedelta()
) -> list[Slot]:
    """Cut each window into slots of `length`, `buffer` apart; sorted, without duplicates
    (a one-off window may repeat a weekly one).

    Slots are laid out on the wall clock (10:00, 11:15, 12:30…), so that they keep their
    local times whatever the offset. On the days the clock changes: a slot never starts at
    a time the clock skips, a repeated hour is used once (a window's times are read the
    first time the clock shows them), and a slot must end by the end of its window and
    leave the buffer after the previous slot in real time."""
    slots = set()
    for window in windows_:
        end = clock_reaches(window.date, window.ends_at)
        wall = datetime.datetime.combine(window.date, window.starts_at)
        wall_end = datetime.datetime.combine(window.date, window.ends_at)
        free_from = None  # the earliest instant the next slot may start
        while wall < wall_end:
            start = local_instant(wall.date(), wall.time())
            if start is not None and start + length <= end and (free_from is None or start >= free_from):
                slots.add(Slot(start, start + length, window.mode, window.site_id))
                free_from = start + length + buffer
            wall += length + buffer
    return sorted(slots, key=lambda slot: (slot.start, slot.mode, slot.site_id or 0))


def is_clear(
    slot: Slot, busy: Iterable[tuple[datetime.datetime, datetime.datetime]], buffer: datetime.timedelta
) -> bool:
    """No confirmed booking overlaps the slot, buffers included on both sides."""
    return all(slot.end + buffer <= start or end + buffer <= slot.start for start, end in busy)
