"""List pages of a site's room back-office (issue 20): the bookings list and the occupancy
table (and its downloads) issue as many queries for 50 rows as for 1 (tests/querycount.py).

The rows of the bookings list alternate between the three holders it names (a startup, an
outside organisation's request, a session's service); the occupancy's rows are rooms, each
with opening hours and a booking this week."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from spaces.models import RoomBooking, RoomBookingStatus
from tests.factories import ServiceFactory, ServiceSessionFactory, StartupFactory
from tests.querycount import ListRoute, check_list_route, row_name
from tests.spaces.factories import RoomFactory

ALL_WEEK = [(day, datetime.time(7), datetime.time(22)) for day in range(7)]


def _start(index: int) -> datetime.datetime:
    day = timezone.localtime() + datetime.timedelta(days=1 + index)
    return day.replace(hour=10, minute=0, second=0, microsecond=0)


def bookings_setup(ctx) -> dict:
    return {"room": RoomFactory(site=ctx.site_a, name="Salle Atlas", opening_hours=ALL_WEEK, for_outsiders=True)}


def booking_row(ctx, index: int) -> RoomBooking:
    """A booking of site A's room named by its holder: a startup's, an outside organisation's
    request, a session's; every other one a day apart, ahead."""
    start = _start(index)
    kind = index % 3
    holder: dict
    status = RoomBookingStatus.CONFIRMED
    if kind == 0:
        holder = {"startup": StartupFactory(brand_name=row_name(index))}
    elif kind == 1:
        holder, status = {"organisation": row_name(index)}, RoomBookingStatus.REQUESTED
    else:
        service = ServiceFactory(site=ctx.site_a, title=row_name(index))
        holder = {"session": ServiceSessionFactory(service=service, starts_at=start)}
    return RoomBooking.objects.create(
        room=ctx.room,
        site=ctx.site_a,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        purpose="Réunion",
        status=status,
        allowance_hours=Decimal(1),
        charged_hours=Decimal(1),
        price_mad=Decimal("150"),
        **holder,
    )


def room_row(ctx, index: int):
    """A room of site A named by the row, open every day, booked today."""
    room = RoomFactory(site=ctx.site_a, name=row_name(index), opening_hours=ALL_WEEK)
    start = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0)
    RoomBooking.objects.create(
        room=room,
        site=ctx.site_a,
        startup=StartupFactory(),
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
        purpose="Réunion",
    )
    return room


OCCUPANCY = "/manage/site-a/rooms/occupancy/"

ROUTES = [
    ListRoute("spaces:manage_bookings", "/manage/site-a/rooms/bookings/", "manager_a", booking_row, bookings_setup, 25),
    ListRoute("spaces:occupancy", OCCUPANCY, "manager_a", room_row),
    ListRoute("spaces:occupancy", OCCUPANCY + "?format=csv&by=month", "manager_a", room_row, id="csv"),
    ListRoute("spaces:occupancy", OCCUPANCY + "?format=xlsx", "manager_a", room_row, id="xlsx"),
]


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.test_id)
def test_list_queries_do_not_grow_with_rows(route, client, personas, site_a, site_b):
    check_list_route(route, client=client, personas=personas, site_a=site_a, site_b=site_b)
