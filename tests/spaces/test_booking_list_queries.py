"""List pages where rooms are booked (issue 20, spaces/views/booking.py): the rooms a team
may book, the team's bookings and a site's rooms for outsiders issue as many queries for 50
rows as for 1 (tests/querycount.py)."""

import datetime

import pytest

from spaces.models import RoomBooking, RoomBookingStatus
from tests.factories import AdmissionFactory
from tests.querycount import ListRoute, check_list_route, row_name, startup_row, when
from tests.spaces.factories import RoomFactory


def founder_setup(ctx) -> dict:
    """founder_a's startup: a resident of site A, an e-Technopark member at site B."""
    startup = startup_row(99, founder=ctx.founder_a, name="Booking Startup")
    AdmissionFactory(startup=startup, site=ctx.site_a)
    AdmissionFactory(startup=startup, site=ctx.site_b, kind="e-technopark")
    return {"startup": startup, "room": RoomFactory(site=ctx.site_a, name="Salle Atlas")}


def room_row(ctx, index: int):
    """A room named by the row at site A or B, with its opening hours."""
    return RoomFactory(site=[ctx.site_a, ctx.site_b][index % 2], name=row_name(index), floor=index % 3)


def my_booking_row(ctx, index: int):
    """Two bookings named by the row, one to come and one past: the startup's (confirmed,
    some cancelled late) or founder_a's request for an outside organisation."""
    holder, status = [
        ({"organisation": "Association Ourika"}, RoomBookingStatus.REQUESTED),
        ({"startup": ctx.startup}, RoomBookingStatus.CONFIRMED),
        ({"startup": ctx.startup}, RoomBookingStatus.CANCELLED),
    ][index % 3]
    for starts_at in (when(1 + index), when(-1 - index)):
        RoomBooking.objects.create(
            room=ctx.room,
            site=ctx.site_a,
            booked_by=ctx.founder_a,
            starts_at=starts_at,
            ends_at=starts_at + datetime.timedelta(hours=2),
            purpose=row_name(index),
            status=status,
            late_cancellation=status == RoomBookingStatus.CANCELLED,
            **holder,
        )


def outsider_room_row(ctx, index: int):
    return RoomFactory(site=ctx.site_a, name=row_name(index), for_outsiders=True, floor=index % 3)


ROUTES = [
    ListRoute("spaces:rooms", "/rooms/", "founder_a", room_row, founder_setup),
    ListRoute("spaces:my_bookings", "/me/rooms/", "founder_a", my_booking_row, founder_setup),
    ListRoute("spaces:site_rooms_public", "/sites/site-a/rooms/", "anonymous", outsider_room_row),
]


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.test_id)
def test_list_queries_do_not_grow_with_rows(route, client, personas, site_a, site_b):
    check_list_route(route, client=client, personas=personas, site_a=site_a, site_b=site_b)
