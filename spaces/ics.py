"""A room booking as an iCalendar event: attached to confirmations and listed in the
personal calendar feed."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from core.ics import calendar, calendar_event

from .selectors.bookings import calendar_bookings

__all__ = ["booking_event", "calendar", "calendar_events"]


def booking_event(booking):
    """Call with the language of the person who receives it active."""
    room = booking.room
    site = room.site
    location = ", ".join(part for part in (room.name, site.name, site.address, site.city) if part)
    return calendar_event(
        uid=f"room-booking-{booking.pk}",
        title=_("Room booked: %(room)s") % {"room": room.name},
        starts_at=booking.starts_at,
        ends_at=booking.ends_at,
        location=location,
        description=booking.purpose,
        url=settings.PORTAL_URL + reverse("spaces:my_booking", kwargs={"pk": booking.pk}),
    )


def calendar_events(user, since) -> list:
    """The personal calendar feed's room bookings: the confirmed ones of `user`'s startups and
    those they asked for as an outside organisation (accounts.extensions.CalendarSource)."""
    return [(booking.starts_at, booking_event(booking)) for booking in calendar_bookings(user, since)]
