"""A person's data in the spaces app, for accounts.privacy (law 09-08): the room bookings they
made or asked for. Registered in SpacesConfig.ready()."""

from django.utils import timezone

from accounts.extensions import PersonalData

from .actions.bookings import room_booking_cancel
from .selectors.bookings import bookings_made_by, requests_pending_of


def _when(value):
    return value.isoformat() if value else None


def export(user) -> dict:
    return {
        "room_bookings": [
            {
                "site": booking.site.slug,
                "room": booking.room.name,
                "startup": str(booking.startup) if booking.startup_id else None,
                "organisation": booking.organisation,
                "purpose": booking.purpose,
                "starts_at": _when(booking.starts_at),
                "ends_at": _when(booking.ends_at),
                "status": booking.status,
                "price_mad": str(booking.price_mad),
                "booked_at": _when(booking.created_at),
            }
            for booking in bookings_made_by(user)
        ]
    }


def cancel_upcoming(user) -> None:
    """What they asked for as an outside organisation and has not started is cancelled (the
    room is free again). A startup's bookings stay: they are the startup's."""
    now = timezone.now()
    for booking in requests_pending_of(user, now=now):
        room_booking_cancel(actor=user, booking=booking, now=now)


PART = PersonalData(export=export, cancel_upcoming=cancel_upcoming)
