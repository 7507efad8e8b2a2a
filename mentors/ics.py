"""A mentor booking as an iCalendar event: attached to confirmations and listed in the
personal calendar feed of both sides."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from core.ics import calendar, calendar_event

from .selectors.bookings import calendar_bookings

__all__ = ["booking_event", "calendar", "calendar_events"]


def booking_event(booking):
    """Call with the language of the person who receives it active."""
    if booking.meeting_site_id:
        site = booking.meeting_site
        location = ", ".join(part for part in (site.name, site.address, site.city) if part)
    else:
        location = booking.mentor.video_url or _("Video call (link sent by the mentor)")
    return calendar_event(
        uid=f"mentor-booking-{booking.pk}",
        title=_("Mentoring: %(mentor)s × %(startup)s") % {"mentor": booking.mentor, "startup": booking.startup},
        starts_at=booking.starts_at,
        ends_at=booking.ends_at,
        location=location,
        description=booking.topic + ("\n\n" + booking.questions if booking.questions else ""),
        url=settings.PORTAL_URL + reverse("mentors:my_booking", kwargs={"pk": booking.pk}),
    )


def calendar_events(user, since) -> list:
    """The personal calendar feed's mentor sessions: those `user` takes part in, as the mentor
    or in the startup's team (accounts.extensions.CalendarSource)."""
    return [(booking.starts_at, booking_event(booking)) for booking in calendar_bookings(user, since)]
