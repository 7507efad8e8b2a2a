"""iCalendar (RFC 5545): an event from its times, title, place and UID, and a calendar of
events. Generic: what an event is made of (a service's session, a mentor booking) is written
by the app that owns it (`services.ics`, `mentors.ics`); used for the `.ics` attached to
confirmations, for the personal calendar feed and for the "Add to my calendar" files."""

from collections.abc import Iterable

from django.http import HttpResponse
from icalendar import Calendar, Event

PRODID = "-//Technopark network//Portal//FR"
UID_DOMAIN = "technopark.ma"


def calendar_event(
    *, uid: str, title: str, starts_at, ends_at, location: str = "", description: str = "", url: str = ""
) -> Event:
    """One event; `uid` is unique within the portal (e.g. "session-12"), made global here."""
    event = Event()
    event.add("uid", f"{uid}@{UID_DOMAIN}")
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


def calendar(events: Iterable[Event], *, name: str = "Technopark") -> str:
    """The events as an iCalendar file's text."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    for event in events:
        cal.add_component(event)
    return cal.to_ical().decode()


def calendar_response(content: str, *, filename: str, inline: bool = False) -> HttpResponse:
    """An iCalendar text as a response: a file to save (`attachment`, an "Add to my calendar"
    link) or, `inline`, a feed that calendar apps read."""
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{filename}"'
    return response
