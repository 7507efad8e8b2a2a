"""iCalendar (RFC 5545) for sessions: the `.ics` attached to confirmations and the
personal calendar feed."""

from collections.abc import Iterable

from django.conf import settings
from icalendar import Calendar, Event

PRODID = "-//Technopark network//Portal//FR"


def calendar_event(
    *, uid: str, title: str, starts_at, ends_at, location: str = "", description: str = "", url: str = ""
):
    event = Event()
    event.add("uid", f"{uid}@technopark.ma")
    event.add("summary", title)
    event.add("dtstart", starts_at)
    event.add("dtend", ends_at)
    event.add("dtstamp", starts_at)
    if location:
        event.add("location", location)
    if description:
        event.add("description", description)
    if url:
        event.add("url", url)
    return event


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


def calendar(events: Iterable[Event], *, name: str = "Technopark") -> str:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    for event in events:
        cal.add_component(event)
    return cal.to_ical().decode()
