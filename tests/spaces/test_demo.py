"""Demo rooms and bookings (spaces/demo.py) on a small network: rooms and a policy at each
operational site, no two confirmed bookings of a room overlapping, every booking within its
room's opening hours, a resident's free hours never over the policy's in a month, the
service sessions held on site in a room that seats them, outside organisations' requests,
and a second run that creates nothing."""

import datetime
from collections import defaultdict
from decimal import Decimal

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from core.local_time import LOCAL
from services.models import Format, SessionStatus
from sites.models import SiteStatus
from spaces.demo import seed_spaces
from spaces.models import OpeningHours, Room, RoomBooking, RoomBookingStatus, RoomKind, SpacePolicy
from startups.models import AdmissionKind, ExitReason
from tests.factories import (
    AdmissionFactory,
    ServiceFactory,
    ServiceSessionFactory,
    SiteFactory,
    StartupFactory,
    StartupMemberFactory,
)

pytestmark = pytest.mark.django_db


def _weekday_in(days: int) -> datetime.date:
    day = timezone.localdate() + datetime.timedelta(days=days)
    while day.weekday() > 4:
        day += datetime.timedelta(days=1)
    return day


def _session(site, day: datetime.date, hour: int, *, seats: int, title: str, **fields):
    starts = datetime.datetime.combine(day, datetime.time(hour), tzinfo=LOCAL)
    service = ServiceFactory(site=site, title=title, format=fields.pop("format", Format.ON_SITE))
    return ServiceSessionFactory(
        service=service, starts_at=starts, ends_at=starts + datetime.timedelta(hours=2), seats=seats, **fields
    )


@pytest.fixture
def network():
    """Site A: six residents (one with a founder), two e-Technopark members, one resident who
    left, and sessions; site B: three residents; a planned site without rooms."""
    with scopes_disabled():
        site_a, site_b = SiteFactory(), SiteFactory()
        planned = SiteFactory(status=SiteStatus.PLANNED, opened_on=None)
        for _ in range(6):
            AdmissionFactory(site=site_a)
        StartupMemberFactory(startup=AdmissionFactory(site=site_a).startup)
        for _ in range(2):
            AdmissionFactory(site=site_a, kind=AdmissionKind.ETECHNOPARK, planned_end_on=None)
        gone = timezone.localdate() - datetime.timedelta(days=100)
        AdmissionFactory(site=site_a, startup=StartupFactory(), ended_on=gone, exit_reason=ExitReason.GRADUATED)
        for _ in range(3):
            AdmissionFactory(site=site_b)
        day = _weekday_in(3)
        sunday = day + datetime.timedelta(days=6 - day.weekday())
        sessions = {
            "training": _session(site_a, day, 10, seats=20, title="Formation pitch"),
            "same time": _session(site_a, day, 10, seats=18, title="Atelier export"),
            "no room left": _session(site_a, day, 11, seats=12, title="Clinique marchés publics"),
            "public": _session(site_a, _weekday_in(-5), 14, seats=120, title="Conférence IA"),
            "remote": _session(site_a, day, 15, seats=20, title="Clinique en ligne", format=Format.REMOTE),
            "sunday": _session(site_a, sunday, 10, seats=20, title="Journée immersion"),
            "cancelled": _session(site_a, day, 15, seats=20, title="Annulée", status=SessionStatus.CANCELLED),
            "far": _session(site_a, _weekday_in(40), 10, seats=20, title="Plus tard"),
        }
        created = seed_spaces()
        yield {"sites": (site_a, site_b), "planned": planned, "sessions": sessions, "created": created}


def test_rooms_and_policy_at_each_operational_site(network):
    site_a, site_b = network["sites"]
    with scopes_disabled():
        for site in (site_a, site_b):
            rooms = list(Room.objects.filter(site=site))
            assert 3 <= len(rooms) <= 6
            assert all(room.name_fr and room.name_ar and room.name_en and room.equipment_ar for room in rooms)
            assert {RoomKind.MEETING, RoomKind.TRAINING, RoomKind.AUDITORIUM} <= {room.kind for room in rooms}
            assert all(room.for_outsiders == (room.kind in ("training", "auditorium")) for room in rooms)
            policy = SpacePolicy.objects.get(site=site)
            assert (policy.monthly_free_hours, policy.free_cancellation_hours) == (8, 24)
            assert OpeningHours.objects.filter(site=site).count() == len(rooms) * 6
        assert not Room.objects.filter(site=network["planned"]).exists()
        assert network["created"] == (8, RoomBooking.objects.count())


def test_bookings_never_overlap_and_stay_within_opening_hours(network):
    with scopes_disabled():
        hours = {(row.room_id, row.weekday): (row.opens_at, row.closes_at) for row in OpeningHours.objects.all()}
        bookings = list(RoomBooking.objects.all())
        assert len(bookings) > 50
        by_room = defaultdict(list)
        for booking in bookings:
            start, end = timezone.localtime(booking.starts_at, LOCAL), timezone.localtime(booking.ends_at, LOCAL)
            opens, closes = hours[booking.room_id, start.weekday()]
            assert start.date() == end.date() and opens <= start.time() and end.time() <= closes, booking
            assert start.minute in (0, 30) and datetime.timedelta(hours=1) <= end - start <= datetime.timedelta(hours=4)
            if booking.status == RoomBookingStatus.CONFIRMED:
                by_room[booking.room_id].append((booking.starts_at, booking.ends_at))
        for ranges in by_room.values():
            ranges.sort()
            assert all(previous[1] <= following[0] for previous, following in zip(ranges, ranges[1:], strict=False))
        statuses = {booking.status for booking in bookings}
        assert {RoomBookingStatus.CONFIRMED, RoomBookingStatus.CANCELLED, RoomBookingStatus.REQUESTED} <= statuses


def test_free_hours_and_prices(network):
    """A resident's free hours per month never exceed the policy's; members get none; every
    startup booking is priced."""
    with scopes_disabled():
        residents = set(
            RoomBooking.objects.filter(startup__admissions__kind=AdmissionKind.RESIDENT).values_list(
                "startup", flat=True
            )
        )
        used = defaultdict(Decimal)
        for booking in RoomBooking.objects.filter(startup__isnull=False).select_related("room"):
            counted = booking.status == RoomBookingStatus.CONFIRMED or booking.late_cancellation
            if counted:
                month = timezone.localtime(booking.starts_at, LOCAL).strftime("%Y-%m")
                used[booking.startup_id, booking.site_id, month] += booking.allowance_hours
                assert booking.allowance_hours + booking.charged_hours == booking.hours
                assert (booking.price_mad > 0) == (booking.charged_hours > 0)
            if booking.startup_id not in residents:
                assert booking.allowance_hours == 0
            if booking.status == RoomBookingStatus.CANCELLED:
                assert booking.cancelled_at < booking.starts_at and booking.cancelled_at <= timezone.now()
                assert booking.late_cancellation == (
                    booking.starts_at - booking.cancelled_at < datetime.timedelta(hours=24)
                )
            assert booking.created_at < booking.starts_at
        assert used and max(used.values()) <= 8
        assert any(value == 8 for value in used.values())  # the regulars use them all


def test_sessions_held_on_site_take_a_room_that_seats_them(network):
    sessions = network["sessions"]
    with scopes_disabled():
        booked = {booking.session_id: booking for booking in RoomBooking.objects.filter(session__isnull=False)}
        assert booked[sessions["training"].pk].room.kind == RoomKind.TRAINING
        assert booked[sessions["same time"].pk].room.kind == RoomKind.AUDITORIUM
        assert booked[sessions["public"].pk].room.kind == RoomKind.AUDITORIUM
        for name in ("no room left", "remote", "sunday", "cancelled", "far"):
            assert sessions[name].pk not in booked, name
        for booking in booked.values():
            assert booking.startup_id is None and booking.organisation == "" and booking.price_mad == 0
            assert booking.status == RoomBookingStatus.CONFIRMED
            assert booking.purpose == booking.session.service.title_fr
            assert (booking.starts_at, booking.ends_at) == (booking.session.starts_at, booking.session.ends_at)


def test_outside_organisations_ask_for_the_rooms_open_to_them(network):
    with scopes_disabled():
        for site in network["sites"]:
            requests = RoomBooking.objects.filter(site=site, status=RoomBookingStatus.REQUESTED).select_related("room")
            assert 2 <= len(requests) <= 3
            assert all(r.organisation and r.startup_id is None and r.room.for_outsiders for r in requests)
            assert all(r.starts_at > timezone.now() and r.price_mad > 0 for r in requests)


def test_seeding_again_creates_nothing(network):
    with scopes_disabled():
        counts = (Room.objects.count(), RoomBooking.objects.count(), OpeningHours.objects.count())
        assert seed_spaces() == (0, 0)
        assert (Room.objects.count(), RoomBooking.objects.count(), OpeningHours.objects.count()) == counts
        assert SpacePolicy.objects.count() == 2
