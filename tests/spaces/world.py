"""The rooms part of the isolation matrix's `world` (tests/conftest.py): a room at each
site, open Monday to Sunday 07:00–22:00 (site A's open to outside organisations, site B's
not), and a booking of each by its site's startup, three
days ahead at 10:00 local time. Plain model rows, so that the world needs no factory of the
spaces tests."""

import datetime
from decimal import Decimal

from django.utils import timezone

from spaces.models import OpeningHours, Room, RoomBooking


def _room(site, name: str, *, for_outsiders: bool) -> Room:
    room = Room.objects.create(
        site=site,
        name=name,
        kind="meeting",
        capacity=8,
        price_hour_mad=Decimal("150"),
        price_half_day_mad=Decimal("500"),
        price_day_mad=Decimal("900"),
        for_outsiders=for_outsiders,
    )
    for weekday in range(7):
        OpeningHours.objects.create(
            room=room, site=site, weekday=weekday, opens_at=datetime.time(7), closes_at=datetime.time(22)
        )
    return room


def room_world(*, site_a, site_b, startup_a, startup_b, founder_a) -> dict:
    """Call with scopes disabled."""
    room_a = _room(site_a, "Salle Atlas", for_outsiders=True)
    room_b = _room(site_b, "Salle Rif", for_outsiders=False)
    start = (timezone.localtime() + datetime.timedelta(days=3)).replace(hour=10, minute=0, second=0, microsecond=0)
    end = start + datetime.timedelta(hours=1)
    booking_a = RoomBooking.objects.create(
        room=room_a, site=site_a, startup=startup_a, booked_by=founder_a, starts_at=start, ends_at=end, purpose="Board"
    )
    booking_b = RoomBooking.objects.create(
        room=room_b, site=site_b, startup=startup_b, starts_at=start, ends_at=end, purpose="Board"
    )
    return {
        "room_a": room_a.pk,
        "room_b": room_b.pk,
        "room_booking_a": booking_a.pk,
        "room_booking_b": booking_b.pk,
    }
