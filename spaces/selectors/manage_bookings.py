"""Reads of a site's back-office over its room bookings (issue 20): the list its managers
filter, approve and cancel from. The scope (the site's, opened by the middleware) decides
which site's rows these are."""

import datetime

from django.db.models import Case, F, IntegerField, QuerySet, Value, When

from core.multilingual import translated_order

from ..models import Room, RoomBooking, RoomBookingStatus
from .occupancy import local_midnight

# The list's groups: the requests to decide, then what is ahead (soonest first), then the past
# (latest first).
REQUESTS, AHEAD, PAST = 0, 1, 2


def booking_rooms() -> QuerySet[Room]:
    """The scope's rooms, for the list's room filter (those out of service too: their past
    bookings stay listed)."""
    return Room.objects.order_by("-is_active", "floor", translated_order("name"), "pk")


def site_bookings(
    *,
    now: datetime.datetime,
    room: Room | None = None,
    status: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[RoomBooking]:
    """The scope's room bookings: the outside organisations' requests still ahead first (soonest first),
    then the bookings ahead (soonest first), then past ones (latest first). `date_from` and
    `date_to` (local days, both included) keep the bookings that overlap them."""
    bookings = RoomBooking.objects.select_related("room", "startup", "session__service", "booked_by")
    if room is not None:
        bookings = bookings.filter(room=room)
    if status:
        bookings = bookings.filter(status=status)
    if date_from is not None:
        bookings = bookings.filter(ends_at__gt=local_midnight(date_from))
    if date_to is not None:
        bookings = bookings.filter(starts_at__lt=local_midnight(date_to + datetime.timedelta(days=1)))
    group = Case(
        When(status=RoomBookingStatus.REQUESTED, ends_at__gt=now, then=Value(REQUESTS)),
        When(ends_at__gt=now, then=Value(AHEAD)),
        default=Value(PAST),
        output_field=IntegerField(),
    )
    ahead_first = Case(When(ends_at__gt=now, then=F("starts_at")))
    return bookings.annotate(group=group).order_by(
        "group", ahead_first.asc(nulls_last=True), F("starts_at").desc(), "pk"
    )


def site_booking_details() -> QuerySet[RoomBooking]:
    """The scope's bookings with what the decide and cancel messages name (room, holder)."""
    return RoomBooking.objects.select_related("room", "startup", "session__service")


def requests_waiting(*, now: datetime.datetime) -> int:
    """How many outside organisations' requests not yet over wait for a decision."""
    return RoomBooking.objects.filter(status=RoomBookingStatus.REQUESTED, ends_at__gt=now).count()
