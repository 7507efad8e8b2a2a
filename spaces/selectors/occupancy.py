"""Room occupancy (issue 20): per room and per site, the hours booked over the hours open, by
ISO week or by calendar month.

The period is [start, end], both days included, in local dates (Africa/Casablanca), as in the
KPI engine (reports/activity.py). Each row covers one week (Monday to Sunday, keyed by its
Monday) or one month (keyed by its first day) cut to the period: a period starting on a
Wednesday gives a first week of five days.

- Hours open: for each day of the row, the room's opening hours of that weekday
  (`OpeningHours`, Casablanca wall-clock times), measured as elapsed time (Casablanca moves
  its clock at 02:00 or 03:00, never while a room is open, so both agree in practice).
- Hours booked: the confirmed bookings of the room, a service session's included (a session
  holds its room through a booking), cut to the row's days (local midnight to local
  midnight). Requested, refused and cancelled bookings do not count, late cancellations
  neither (the room was free).
- Rate: booked / open, 4 decimals; None when nothing was open (shown "—"). It can pass 1
  when bookings were made outside today's opening hours (hours changed since).
- Rooms in service (`is_active`) only: a room out of service is neither open nor counted.

Three queries whatever the period: the rooms (with their site), their opening hours, the
confirmed bookings overlapping the period (fetched once, summed in Python: bounded by the
period). The caller opens the tenancy scope (a site's back-office: its scope; the KPI
engine: scopes disabled); `site_ids` None means every site in that scope.
"""

import bisect
import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from core.local_time import LOCAL, local_midnight
from sites.models import Site

from ..models import OpeningHours, Room, RoomBooking

RATE_PLACES = Decimal("0.0001")
HOUR_PLACES = Decimal("0.01")
By = Literal["week", "month"]


@dataclass(frozen=True)
class Bucket:
    """One row's days: a week or a month, cut to the period."""

    by: str  # "week" or "month"
    key: datetime.date  # the week's Monday or the month's first day (may precede `first`)
    first: datetime.date
    last: datetime.date

    @property
    def week(self) -> int:
        """The ISO week number (of a week's bucket)."""
        return self.key.isocalendar()[1]

    @property
    def label(self) -> str:
        """`2026-W49` for a week, `2026-12` for a month (the files' machine-readable key)."""
        if self.by == "month":
            return f"{self.key:%Y-%m}"
        year, week, _day = self.key.isocalendar()
        return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class OccupancyRow:
    site_id: int
    site_name: str
    room_id: int | None  # None on a site's row
    room_name: str  # "" on a site's row
    bucket: Bucket
    hours_booked: Decimal
    hours_open: Decimal

    @property
    def rate(self) -> Decimal | None:
        if not self.hours_open:
            return None
        return (self.hours_booked / self.hours_open).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


# --- Periods ---------------------------------------------------------------------------------
def _next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


def buckets(*, start: datetime.date, end: datetime.date, by: By) -> list[Bucket]:
    """The weeks or months of [start, end], each cut to it."""
    if by not in ("week", "month"):
        raise ValueError(f"by must be 'week' or 'month', not {by!r}")
    result = []
    key = start - datetime.timedelta(days=start.weekday()) if by == "week" else start.replace(day=1)
    while key <= end:
        following = key + datetime.timedelta(days=7) if by == "week" else _next_month(key)
        result.append(
            Bucket(by=by, key=key, first=max(key, start), last=min(following - datetime.timedelta(days=1), end))
        )
        key = following
    return result


def _elapsed_hours(seconds: float) -> Decimal:
    return Decimal(int(seconds)) / 3600


def _open_seconds(day: datetime.date, opens: datetime.time, closes: datetime.time) -> float:
    """Elapsed seconds between two wall-clock times of a Casablanca day (through UTC: Python
    subtracts two datetimes of one tzinfo by their wall clocks)."""
    opening = datetime.datetime.combine(day, opens, tzinfo=LOCAL).astimezone(datetime.UTC)
    closing = datetime.datetime.combine(day, closes, tzinfo=LOCAL).astimezone(datetime.UTC)
    return (closing - opening).total_seconds()


# --- The three queries -----------------------------------------------------------------------
def _rooms(site_ids: list[int] | None) -> list[Room]:
    rooms = Room.objects.filter(is_active=True).select_related("site")
    if site_ids is not None:
        rooms = rooms.filter(site_id__in=site_ids)
    return sorted(rooms, key=lambda room: (str(room.site), room.site_id, room.floor, str(room.name), room.pk))


def _opening_seconds(rooms: list[Room], days: list[datetime.date]) -> dict[tuple[int, datetime.date], float]:
    """(room id, day) → seconds open that day."""
    hours = OpeningHours.objects.filter(room_id__in=[room.pk for room in rooms]).values_list(
        "room_id", "weekday", "opens_at", "closes_at"
    )
    by_weekday: dict[int, list[tuple[int, datetime.time, datetime.time]]] = defaultdict(list)
    for room_id, weekday, opens, closes in hours:
        by_weekday[weekday].append((room_id, opens, closes))
    seconds: dict[tuple[int, datetime.date], float] = {}
    for day in days:
        for room_id, opens, closes in by_weekday.get(day.weekday(), ()):
            seconds[room_id, day] = _open_seconds(day, opens, closes)
    return seconds


def _booked_seconds(rooms: list[Room], periods: list[Bucket]) -> dict[tuple[int, datetime.date], float]:
    """(room id, bucket key) → seconds of confirmed bookings inside the bucket's days."""
    edges = [local_midnight(bucket.first) for bucket in periods] + [
        local_midnight(periods[-1].last + datetime.timedelta(days=1))
    ]
    bookings = (
        RoomBooking.objects.confirmed()
        .overlapping(edges[0], edges[-1])
        .filter(room_id__in=[room.pk for room in rooms])
        .order_by()
        .values_list("room_id", "starts_at", "ends_at")
    )
    seconds: dict[tuple[int, datetime.date], float] = defaultdict(float)
    for room_id, starts_at, ends_at in bookings:
        index = max(bisect.bisect_right(edges, starts_at) - 1, 0)
        while index < len(periods) and edges[index] < ends_at:
            overlap = min(ends_at, edges[index + 1]) - max(starts_at, edges[index])
            if overlap.total_seconds() > 0:
                seconds[room_id, periods[index].key] += overlap.total_seconds()
            index += 1
    return seconds


# --- Figures ---------------------------------------------------------------------------------
def _room_rows(*, site_ids: list[int] | None, start: datetime.date, end: datetime.date, by: By):
    periods = buckets(start=start, end=end, by=by)
    rooms = _rooms(site_ids)
    if not periods or not rooms:
        return periods, rooms, []
    days = [start + datetime.timedelta(days=offset) for offset in range((end - start).days + 1)]
    open_seconds = _opening_seconds(rooms, days)
    booked = _booked_seconds(rooms, periods)
    rows = []
    for room in rooms:
        for bucket in periods:
            opened = sum(
                open_seconds.get((room.pk, bucket.first + datetime.timedelta(days=offset)), 0.0)
                for offset in range((bucket.last - bucket.first).days + 1)
            )
            rows.append(
                OccupancyRow(
                    site_id=room.site_id,
                    site_name=str(room.site),
                    room_id=room.pk,
                    room_name=str(room.name),
                    bucket=bucket,
                    hours_booked=_elapsed_hours(booked.get((room.pk, bucket.key), 0.0)),
                    hours_open=_elapsed_hours(opened),
                )
            )
    return periods, rooms, rows


def room_occupancy(
    *, site_ids: list[int] | None, start: datetime.date, end: datetime.date, by: By
) -> list[OccupancyRow]:
    """One row per room in service (by site, floor, name) and per week or month of
    [start, end]."""
    return _room_rows(site_ids=site_ids, start=start, end=end, by=by)[2]


def sites_of(rows: list[OccupancyRow], periods: list[Bucket], sites: list[tuple[int, str]]) -> list[OccupancyRow]:
    """The site rows: the sums of their rooms' rows, per bucket (0 / 0 for a site without rooms)."""
    totals: dict[tuple[int, datetime.date], list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for row in rows:
        total = totals[row.site_id, row.bucket.key]
        total[0] += row.hours_booked
        total[1] += row.hours_open
    return [
        OccupancyRow(
            site_id=site_id,
            site_name=site_name,
            room_id=None,
            room_name="",
            bucket=bucket,
            hours_booked=totals[site_id, bucket.key][0],
            hours_open=totals[site_id, bucket.key][1],
        )
        for site_id, site_name in sites
        for bucket in periods
    ]


def site_occupancy(
    *, site_ids: list[int] | None, start: datetime.date, end: datetime.date, by: By
) -> list[OccupancyRow]:
    """One row per site and per week or month of [start, end]: its rooms' hours summed (the
    rate of the site is booked / open over all its rooms, not a mean of their rates). Every
    site of `site_ids` has its rows (a site without rooms: "—"); with None, every site that
    has a room in service."""
    periods, rooms, rows = _room_rows(site_ids=site_ids, start=start, end=end, by=by)
    return sites_of(rows, periods, _site_list(site_ids, rooms))


def _site_list(site_ids: list[int] | None, rooms: list[Room]) -> list[tuple[int, str]]:
    if site_ids is None:
        named = {room.site_id: str(room.site) for room in rooms}
    else:
        named = {site.pk: str(site) for site in Site.objects.filter(pk__in=site_ids)}
    return sorted(named.items(), key=lambda item: (item[1], item[0]))


def occupancy(
    *, site_ids: list[int] | None, start: datetime.date, end: datetime.date, by: By
) -> tuple[list[OccupancyRow], list[OccupancyRow]]:
    """(site rows, room rows) of one computation: what a page that shows both asks."""
    periods, rooms, rows = _room_rows(site_ids=site_ids, start=start, end=end, by=by)
    return sites_of(rows, periods, _site_list(site_ids, rooms)), rows
