"""List pages of the rooms back-office and the admin's lists of rooms, rooms policies and
room bookings: as many queries for 50 rows as for 1 (tests/querycount.py)."""

import datetime
import json

import pytest

from spaces.models import RoomBooking, RoomBookingStatus
from tests.factories import ServiceSessionFactory, SiteFactory
from tests.querycount import ListRoute, api_results, check_list_route, row_name, startup_row, when
from tests.spaces.factories import RoomFactory, SpacePolicyFactory

T = datetime.time


def room_row(ctx, index: int):
    """A room of site A named by the row: open on weekdays, on one day only or never; in
    service or not."""
    week = [None, False, [(index % 7, T(9), T(12 + index % 5))]][index % 3]
    return RoomFactory(
        site=ctx.site_a, name=row_name(index), floor=index % 4, is_active=bool(index % 5), opening_hours=week
    )


def policy_row(ctx, index: int):
    """The rooms policy of a site named by the row."""
    name = row_name(index)
    site = SiteFactory(slug=f"qrow-{index:02d}", name_fr=name, name_ar=name, name_en=name)
    return SpacePolicyFactory(site=site, monthly_free_hours=index)


def booking_setup(ctx) -> dict:
    return {"room": RoomFactory(site=ctx.site_a, name="Salle Atlas")}


def booking_row(ctx, index: int):
    """A booking of the room by a startup, an outside organisation or a service session,
    each named by the row; confirmed, requested or cancelled."""
    starts_at = when(1 + index)
    holder = [
        {"startup": startup_row(index)},
        {"organisation": row_name(index)},
        {"session": ServiceSessionFactory(service__site=ctx.site_a, service__title=row_name(index))},
    ][index % 3]
    status = [RoomBookingStatus.CONFIRMED, RoomBookingStatus.REQUESTED, RoomBookingStatus.CANCELLED][index % 3]
    return RoomBooking.objects.create(
        room=ctx.room,
        site=ctx.site_a,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=2),
        purpose="Réunion",
        status=status,
        **holder,
    )


def api_room_row(ctx, index: int):
    """A room in service of site A, named by the row."""
    return RoomFactory(site=ctx.site_a, name=row_name(index), floor=index % 4)


def busy_row(ctx, index: int):
    """A confirmed booking of the room, hour after hour from tomorrow."""
    starts_at = when(1) + datetime.timedelta(hours=index)
    return RoomBooking.objects.create(
        room=ctx.room,
        site=ctx.site_a,
        startup=startup_row(index),
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=1),
        purpose="Réunion",
    )


def busy_seen(text: str) -> set[int]:
    return set(range(len(json.loads(text)["busy"])))


ROUTES = [
    ListRoute("spaces:manage_room_list", "/manage/site-a/rooms/", "manager_a", room_row),
    ListRoute("admin:spaces_room_changelist", "/admin/spaces/room/", "staff", room_row),
    ListRoute("admin:spaces_spacepolicy_changelist", "/admin/spaces/spacepolicy/", "staff", policy_row),
    ListRoute("admin:spaces_roombooking_changelist", "/admin/spaces/roombooking/", "staff", booking_row, booking_setup),
    ListRoute("api:rooms", "/api/v1/rooms/", "manager_a", api_room_row),
    ListRoute("api:room_bookings", "/api/v1/room-bookings/", "manager_a", booking_row, booking_setup, seen=api_results),
    ListRoute(
        "api:room_availability",
        "/api/v1/rooms/{room}/availability/?to=" + (datetime.date.today() + datetime.timedelta(days=20)).isoformat(),
        "manager_a",
        busy_row,
        booking_setup,
        seen=busy_seen,
    ),
]


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.test_id)
def test_list_queries_do_not_grow_with_rows(route, client, personas, site_a, site_b):
    check_list_route(route, client=client, personas=personas, site_a=site_a, site_b=site_b)
