"""Availability expansion: weekly rules in Africa/Casablanca wall-clock time, expanded with
`zoneinfo` across the Ramadan clock changes (found in the installed tzdata, and pinned),
one-off windows, blocked dates, tiling with the session length and buffer, and windows
that are no longer offered (a site the mentor stopped serving, video turned off)."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from mentors.availability import Window, clock_reaches, expand, local_instant
from mentors.models import BlockedPeriod, ExtraWindow
from mentors.selectors.slots import free_slots
from tests.factories import MentorProfileFactory, WeeklyRuleFactory

pytestmark = pytest.mark.django_db

LOCAL = ZoneInfo("Africa/Casablanca")
UTC = datetime.UTC
HOUR = datetime.timedelta(hours=1)
LONG_AGO = datetime.datetime(2020, 1, 1, tzinfo=UTC)  # `now` for expansions: no notice cuts in

# The Ramadan clock changes of 2026 and 2027 in the installed tzdata: (date, local time of
# the change before it happens, offset before, offset after).
PINNED = [
    (datetime.date(2026, 2, 15), datetime.time(3), 1, 0),  # 03:00 (UTC+1) → 02:00 (UTC+0)
    (datetime.date(2026, 3, 22), datetime.time(2), 0, 1),  # 02:00 (UTC+0) → 03:00 (UTC+1)
    (datetime.date(2027, 2, 7), datetime.time(3), 1, 0),
    (datetime.date(2027, 3, 14), datetime.time(2), 0, 1),
]


def utc(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=UTC)


def casablanca_transitions(first_year: int, last_year: int) -> list[tuple[datetime.datetime, int, int]]:
    """(UTC instant, hours of offset before, hours after) of every change of Casablanca's
    UTC offset in those years, found by scanning the installed tzdata hour by hour and
    bisecting to the second."""
    found = []
    moment = utc(first_year, 1, 1)
    end = utc(last_year + 1, 1, 1)
    offset = moment.astimezone(LOCAL).utcoffset()
    while moment < end:
        following = moment + HOUR
        new_offset = following.astimezone(LOCAL).utcoffset()
        if new_offset != offset:
            low, high = moment, following
            while high - low > datetime.timedelta(seconds=1):
                middle = low + (high - low) / 2
                if middle.astimezone(LOCAL).utcoffset() == offset:
                    low = middle
                else:
                    high = middle
            found.append((high, offset // HOUR, new_offset // HOUR))
            offset = new_offset
        moment = following
    return found


def monday_mentor(**profile):
    """A mentor with a Monday 10:00–12:00 video rule, one-hour sessions, no buffer."""
    mentor = MentorProfileFactory(**profile)
    WeeklyRuleFactory(mentor=mentor, weekday=0, starts_at=datetime.time(10), ends_at=datetime.time(12))
    return mentor


def slots_between(mentor, date_from, date_to):
    return free_slots(mentor, date_from=date_from, date_to=date_to, now=LONG_AGO)


def local_isos(slots) -> list[str]:
    return [slot.local_start.isoformat() for slot in slots]


def utc_isos(slots) -> list[str]:
    return [slot.start.isoformat() for slot in slots]


def assert_sane(slots, length: datetime.timedelta):
    """Every slot starts at a wall-clock time that exists, lasts `length`, and no two share a
    local start or overlap."""
    for slot in slots:
        wall = slot.local_start
        assert local_instant(wall.date(), wall.time()) == slot.start
        assert slot.end - slot.start == length
    walls = [slot.local_start.replace(tzinfo=None) for slot in slots]
    assert len(walls) == len(set(walls))
    for earlier, later in zip(slots, slots[1:], strict=False):
        assert earlier.end <= later.start


# --- The installed tzdata ------------------------------------------------------------------
def test_pinned_clock_changes_are_those_of_the_installed_tzdata():
    for day, at, before, after in PINNED:
        change = datetime.datetime.combine(day, at) - datetime.timedelta(hours=before)  # as UTC
        change = change.replace(tzinfo=UTC)
        just_before = (change - datetime.timedelta(seconds=1)).astimezone(LOCAL)
        just_after = change.astimezone(LOCAL)
        assert just_before.utcoffset() == before * HOUR
        assert just_after.utcoffset() == after * HOUR
        assert just_before.replace(tzinfo=None) == datetime.datetime.combine(day, at) - datetime.timedelta(seconds=1)
        # The clock goes back (03:00 → 02:00) or forward (02:00 → 03:00).
        assert just_after.replace(tzinfo=None) == datetime.datetime.combine(day, at) + (after - before) * HOUR
    # The scan finds exactly these changes in 2026 and 2027.
    scanned = casablanca_transitions(2026, 2027)
    assert [(instant.astimezone(LOCAL).date(), before, after) for instant, before, after in scanned] == [
        (day, before, after) for day, _at, before, after in PINNED
    ]
    assert [instant for instant, _before, _after in scanned] == [
        utc(2026, 2, 15, 2),
        utc(2026, 3, 22, 2),
        utc(2027, 2, 7, 2),
        utc(2027, 3, 14, 2),
    ]


# --- Monday 10:00–12:00 on both sides of the clock changes ---------------------------------
@pytest.mark.parametrize(
    ("monday_before", "monday_after", "local_before", "utc_before", "local_after", "utc_after"),
    [
        # 2026-02-15: UTC+1 → UTC+0.
        (
            datetime.date(2026, 2, 9),
            datetime.date(2026, 2, 16),
            ["2026-02-09T10:00:00+01:00", "2026-02-09T11:00:00+01:00"],
            ["2026-02-09T09:00:00+00:00", "2026-02-09T10:00:00+00:00"],
            ["2026-02-16T10:00:00+00:00", "2026-02-16T11:00:00+00:00"],
            ["2026-02-16T10:00:00+00:00", "2026-02-16T11:00:00+00:00"],
        ),
        # 2026-03-22: UTC+0 → UTC+1.
        (
            datetime.date(2026, 3, 16),
            datetime.date(2026, 3, 23),
            ["2026-03-16T10:00:00+00:00", "2026-03-16T11:00:00+00:00"],
            ["2026-03-16T10:00:00+00:00", "2026-03-16T11:00:00+00:00"],
            ["2026-03-23T10:00:00+01:00", "2026-03-23T11:00:00+01:00"],
            ["2026-03-23T09:00:00+00:00", "2026-03-23T10:00:00+00:00"],
        ),
        # 2027-02-07: UTC+1 → UTC+0.
        (
            datetime.date(2027, 2, 1),
            datetime.date(2027, 2, 8),
            ["2027-02-01T10:00:00+01:00", "2027-02-01T11:00:00+01:00"],
            ["2027-02-01T09:00:00+00:00", "2027-02-01T10:00:00+00:00"],
            ["2027-02-08T10:00:00+00:00", "2027-02-08T11:00:00+00:00"],
            ["2027-02-08T10:00:00+00:00", "2027-02-08T11:00:00+00:00"],
        ),
        # 2027-03-14: UTC+0 → UTC+1.
        (
            datetime.date(2027, 3, 8),
            datetime.date(2027, 3, 15),
            ["2027-03-08T10:00:00+00:00", "2027-03-08T11:00:00+00:00"],
            ["2027-03-08T10:00:00+00:00", "2027-03-08T11:00:00+00:00"],
            ["2027-03-15T10:00:00+01:00", "2027-03-15T11:00:00+01:00"],
            ["2027-03-15T09:00:00+00:00", "2027-03-15T10:00:00+00:00"],
        ),
    ],
)
def test_monday_rule_keeps_10_local_across_pinned_changes(
    monday_before, monday_after, local_before, utc_before, local_after, utc_after
):
    mentor = monday_mentor()
    slots = slots_between(mentor, monday_before, monday_after)
    assert local_isos(slots) == local_before + local_after
    assert utc_isos(slots) == utc_before + utc_after
    assert [slot.end.isoformat() for slot in slots] == [
        (datetime.datetime.fromisoformat(iso) + HOUR).isoformat() for iso in utc_before + utc_after
    ]


def test_monday_rule_keeps_10_local_across_every_coming_change():
    """The clock changes of the coming years, whatever they are in the installed tzdata."""
    this_year = datetime.date.today().year
    changes = casablanca_transitions(this_year, this_year + 3)
    assert len(changes) >= 2  # Morocco changes its clock twice around every Ramadan
    mentor = monday_mentor()
    for instant, before, after in changes:
        day = instant.astimezone(LOCAL).date()
        monday_before = day - datetime.timedelta(days=day.weekday() or 7)
        monday_after = day + datetime.timedelta(days=7 - day.weekday())
        slots = slots_between(mentor, monday_before, monday_after)
        assert [(slot.local_start.date(), slot.local_start.time()) for slot in slots] == [
            (monday_before, datetime.time(10)),
            (monday_before, datetime.time(11)),
            (monday_after, datetime.time(10)),
            (monday_after, datetime.time(11)),
        ], day
        assert [slot.local_start.utcoffset() for slot in slots] == [before * HOUR] * 2 + [after * HOUR] * 2
        assert [slot.start.time() for slot in slots] == [
            datetime.time(10 - before),
            datetime.time(11 - before),
            datetime.time(10 - after),
            datetime.time(11 - after),
        ]


# --- A window over the changing hour -------------------------------------------------------
def sunday_mentor(start, end, minutes=60, buffer=0):
    mentor = MentorProfileFactory(session_minutes=minutes, buffer_minutes=buffer)
    WeeklyRuleFactory(mentor=mentor, weekday=6, starts_at=start, ends_at=end)
    return mentor


def test_window_over_the_repeated_hour_gives_each_local_time_once():
    # 2026-02-15: at 03:00 (UTC+1) the clock goes back to 02:00: 02:00–03:00 happens twice.
    mentor = sunday_mentor(datetime.time(2), datetime.time(4))
    slots = slots_between(mentor, datetime.date(2026, 2, 15), datetime.date(2026, 2, 15))
    assert local_isos(slots) == ["2026-02-15T02:00:00+01:00", "2026-02-15T03:00:00+00:00"]
    assert utc_isos(slots) == ["2026-02-15T01:00:00+00:00", "2026-02-15T03:00:00+00:00"]
    assert_sane(slots, HOUR)
    # The Sundays around it are ordinary.
    assert local_isos(slots_between(mentor, datetime.date(2026, 2, 8), datetime.date(2026, 2, 8))) == [
        "2026-02-08T02:00:00+01:00",
        "2026-02-08T03:00:00+01:00",
    ]
    assert local_isos(slots_between(mentor, datetime.date(2026, 2, 22), datetime.date(2026, 2, 22))) == [
        "2026-02-22T02:00:00+00:00",
        "2026-02-22T03:00:00+00:00",
    ]


def test_window_over_the_skipped_hour_offers_no_time_that_does_not_exist():
    # 2026-03-22: at 02:00 (UTC+0) the clock jumps to 03:00: 02:00–03:00 does not exist.
    mentor = sunday_mentor(datetime.time(2), datetime.time(4))
    slots = slots_between(mentor, datetime.date(2026, 3, 22), datetime.date(2026, 3, 22))
    assert local_isos(slots) == ["2026-03-22T03:00:00+01:00"]
    assert utc_isos(slots) == ["2026-03-22T02:00:00+00:00"]
    assert [slot.local_end.isoformat() for slot in slots] == ["2026-03-22T04:00:00+01:00"]
    assert local_isos(slots_between(mentor, datetime.date(2026, 3, 29), datetime.date(2026, 3, 29))) == [
        "2026-03-29T02:00:00+01:00",
        "2026-03-29T03:00:00+01:00",
    ]


def test_half_hour_sessions_around_both_changes_of_2027():
    mentor = sunday_mentor(datetime.time(1), datetime.time(4), minutes=30)
    back = slots_between(mentor, datetime.date(2027, 2, 7), datetime.date(2027, 2, 7))
    assert local_isos(back) == [
        "2027-02-07T01:00:00+01:00",
        "2027-02-07T01:30:00+01:00",
        "2027-02-07T02:00:00+01:00",
        "2027-02-07T02:30:00+01:00",
        "2027-02-07T03:00:00+00:00",
        "2027-02-07T03:30:00+00:00",
    ]
    assert_sane(back, datetime.timedelta(minutes=30))
    forward = slots_between(mentor, datetime.date(2027, 3, 14), datetime.date(2027, 3, 14))
    assert local_isos(forward) == [
        "2027-03-14T01:00:00+00:00",
        "2027-03-14T01:30:00+00:00",
        "2027-03-14T03:00:00+01:00",
        "2027-03-14T03:30:00+01:00",
    ]
    assert utc_isos(forward) == [
        "2027-03-14T01:00:00+00:00",
        "2027-03-14T01:30:00+00:00",
        "2027-03-14T02:00:00+00:00",
        "2027-03-14T02:30:00+00:00",
    ]
    assert_sane(forward, datetime.timedelta(minutes=30))


def test_slots_never_overlap_when_the_clock_jumps_between_them():
    # 60-minute sessions, 30-minute buffer, 01:30–04:30 on 2026-03-22: on the wall clock the
    # slots would be 01:30 and 03:00, but 01:30–02:30 really ends at 03:30 (the clock jumps at
    # 02:00), so 03:00 would overlap it; 04:30 is past the window.
    mentor = sunday_mentor(datetime.time(1, 30), datetime.time(4, 30), minutes=60, buffer=30)
    slots = slots_between(mentor, datetime.date(2026, 3, 22), datetime.date(2026, 3, 22))
    assert local_isos(slots) == ["2026-03-22T01:30:00+00:00"]
    assert [slot.local_end.isoformat() for slot in slots] == ["2026-03-22T03:30:00+01:00"]


def test_window_ending_in_the_skipped_hour_ends_when_the_clock_jumps():
    assert clock_reaches(datetime.date(2026, 3, 22), datetime.time(2, 30)) == utc(2026, 3, 22, 2)
    assert clock_reaches(datetime.date(2026, 3, 22), datetime.time(3)) == utc(2026, 3, 22, 2)
    assert clock_reaches(datetime.date(2026, 3, 22), datetime.time(1, 59)) == utc(2026, 3, 22, 1, 59)
    # A repeated time is read the first time the clock shows it.
    assert clock_reaches(datetime.date(2026, 2, 15), datetime.time(2, 30)) == utc(2026, 2, 15, 1, 30)
    assert local_instant(datetime.date(2026, 3, 22), datetime.time(2, 30)) is None
    # 01:00–02:30: one hour from 01:00 (UTC+0) fits before the jump; 30-minute slots too.
    window = Window(datetime.date(2026, 3, 22), datetime.time(1), datetime.time(2, 30), "video", None)
    assert utc_isos(expand([window], length=HOUR)) == ["2026-03-22T01:00:00+00:00"]
    assert local_isos(expand([window], length=datetime.timedelta(minutes=30))) == [
        "2026-03-22T01:00:00+00:00",
        "2026-03-22T01:30:00+00:00",
    ]
    # A window entirely inside the skipped hour has no slot.
    inside = Window(datetime.date(2026, 3, 22), datetime.time(2), datetime.time(2, 59), "video", None)
    assert expand([inside], length=datetime.timedelta(minutes=15)) == []


# --- One-off windows, blocked dates, tiling --------------------------------------------------
def test_extra_windows_add_slots_and_never_duplicate_a_weekly_one():
    mentor = monday_mentor()
    # A Wednesday afternoon, and the same hours as the weekly rule on a Monday.
    ExtraWindow.objects.create(
        mentor=mentor, date=datetime.date(2027, 1, 6), starts_at=datetime.time(14), ends_at=datetime.time(15)
    )
    ExtraWindow.objects.create(
        mentor=mentor, date=datetime.date(2027, 1, 11), starts_at=datetime.time(10), ends_at=datetime.time(12)
    )
    slots = slots_between(mentor, datetime.date(2027, 1, 4), datetime.date(2027, 1, 11))
    assert local_isos(slots) == [
        "2027-01-04T10:00:00+01:00",
        "2027-01-04T11:00:00+01:00",
        "2027-01-06T14:00:00+01:00",
        "2027-01-11T10:00:00+01:00",
        "2027-01-11T11:00:00+01:00",
    ]
    # An extra window outside the range is not read.
    assert local_isos(slots_between(mentor, datetime.date(2027, 1, 5), datetime.date(2027, 1, 5))) == []


def test_blocked_periods_remove_whole_days_bounds_included():
    mentor = MentorProfileFactory()
    for weekday in range(7):
        WeeklyRuleFactory(mentor=mentor, weekday=weekday, starts_at=datetime.time(9), ends_at=datetime.time(10))
    WeeklyRuleFactory(mentor=mentor, weekday=2, starts_at=datetime.time(17), ends_at=datetime.time(18))
    ExtraWindow.objects.create(
        mentor=mentor, date=datetime.date(2027, 1, 6), starts_at=datetime.time(20), ends_at=datetime.time(21)
    )
    BlockedPeriod.objects.create(mentor=mentor, starts_on=datetime.date(2027, 1, 5), ends_on=datetime.date(2027, 1, 7))
    slots = slots_between(mentor, datetime.date(2027, 1, 3), datetime.date(2027, 1, 9))
    assert local_isos(slots) == [
        "2027-01-03T09:00:00+01:00",
        "2027-01-04T09:00:00+01:00",
        "2027-01-08T09:00:00+01:00",
        "2027-01-09T09:00:00+01:00",
    ]
    # A one-day block.
    BlockedPeriod.objects.create(mentor=mentor, starts_on=datetime.date(2027, 1, 9), ends_on=datetime.date(2027, 1, 9))
    assert local_isos(slots_between(mentor, datetime.date(2027, 1, 8), datetime.date(2027, 1, 10))) == [
        "2027-01-08T09:00:00+01:00",
        "2027-01-10T09:00:00+01:00",
    ]


@pytest.mark.parametrize(
    ("ends_at", "expected"),
    [
        (datetime.time(12, 30), [("09:00", "10:00"), ("10:15", "11:15"), ("11:30", "12:30")]),
        (datetime.time(12, 29), [("09:00", "10:00"), ("10:15", "11:15")]),
        (datetime.time(10), [("09:00", "10:00")]),
        (datetime.time(9, 59), []),
    ],
)
def test_slots_tile_sessions_and_buffers(ends_at, expected):
    mentor = MentorProfileFactory(session_minutes=60, buffer_minutes=15)
    WeeklyRuleFactory(mentor=mentor, weekday=0, starts_at=datetime.time(9), ends_at=ends_at)
    slots = slots_between(mentor, datetime.date(2027, 1, 4), datetime.date(2027, 1, 4))
    assert [(f"{slot.local_start:%H:%M}", f"{slot.local_end:%H:%M}") for slot in slots] == expected


def test_windows_no_longer_offered_are_left_out(site_a, site_b):
    mentor = MentorProfileFactory(sites=[site_a])
    WeeklyRuleFactory(mentor=mentor, weekday=0, starts_at=datetime.time(9), ends_at=datetime.time(10))
    for site, hour in ((site_a, 11), (site_b, 14)):
        WeeklyRuleFactory(
            mentor=mentor,
            weekday=0,
            starts_at=datetime.time(hour),
            ends_at=datetime.time(hour + 1),
            mode="in_person",
            meeting_site=site,
        )
    monday = datetime.date(2027, 1, 4)

    def offered():
        return [
            (f"{slot.local_start:%H:%M}", slot.mode, slot.site_id) for slot in slots_between(mentor, monday, monday)
        ]

    # Site B is not (or no longer) served: its window is not offered.
    assert offered() == [("09:00", "video", None), ("11:00", "in_person", site_a.pk)]
    mentor.sites.add(site_b)
    assert offered() == [("09:00", "video", None), ("11:00", "in_person", site_a.pk), ("14:00", "in_person", site_b.pk)]
    mentor.sites.remove(site_a)
    mentor.offers_video = False
    mentor.save()
    assert offered() == [("14:00", "in_person", site_b.pk)]
