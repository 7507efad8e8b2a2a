"""A service's session as an iCalendar event: attached to confirmations and listed in the
personal calendar feed. The iCalendar writing itself is the kernel's (`core.ics`)."""

from django.conf import settings
from icalendar import Event

from core.ics import calendar, calendar_event

__all__ = ["calendar", "session_event"]


def session_event(session, *, with_link: bool) -> Event:
    """A session as an event; its join link only for confirmed participants."""
    service = session.service
    return calendar_event(
        uid=f"session-{session.pk}",
        title=service.title,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        location=session.location or (session.join_url if with_link else ""),
        description=service.summary,
        url=session.join_url if with_link else settings.PORTAL_URL + service.get_absolute_url(),
    )
