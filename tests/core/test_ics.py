"""The kernel's iCalendar writer (`core.ics`): an event from its times, title, place and UID,
and a calendar of events, parsed back with `icalendar`. The sessions' and bookings' own
events are proven with their pages (tests/services/test_calendar.py, tests/mentors)."""

import datetime
import zoneinfo

from icalendar import Calendar

from core.ics import PRODID, calendar, calendar_event

CASABLANCA = zoneinfo.ZoneInfo("Africa/Casablanca")
STARTS = datetime.datetime(2025, 3, 10, 10, 0, tzinfo=CASABLANCA)
ENDS = STARTS + datetime.timedelta(hours=2)


def _parse(text: str):
    parsed = Calendar.from_ical(text)
    return parsed, list(parsed.walk("VEVENT"))


def test_an_event_with_everything():
    event = calendar_event(
        uid="session-12",
        title="Atelier levée de fonds",
        starts_at=STARTS,
        ends_at=ENDS,
        location="Technopark Casablanca, salle 3",
        description="Préparer son pitch.\nApporter son ordinateur.",
        url="https://portal.example/s/12/",
    )
    parsed, [read] = _parse(calendar([event], name="Technopark — mes sessions"))
    assert str(parsed["prodid"]) == PRODID
    assert str(parsed["version"]) == "2.0" and str(parsed["calscale"]) == "GREGORIAN"
    assert str(parsed["x-wr-calname"]) == "Technopark — mes sessions"
    assert str(read["uid"]) == "session-12@technopark.ma"
    assert str(read["summary"]) == "Atelier levée de fonds"
    assert read.decoded("dtstart") == STARTS and read.decoded("dtend") == ENDS
    assert read.decoded("dtstamp") == STARTS
    assert str(read["location"]) == "Technopark Casablanca, salle 3"
    assert str(read["description"]) == "Préparer son pitch.\nApporter son ordinateur."
    assert str(read["url"]) == "https://portal.example/s/12/"


def test_empty_optional_fields_are_left_out():
    event = calendar_event(uid="mentor-booking-3", title="Mentorat", starts_at=STARTS, ends_at=ENDS)
    _parsed, [read] = _parse(calendar([event]))
    assert "location" not in read and "description" not in read and "url" not in read


def test_a_calendar_of_several_events_and_of_none():
    events = [
        calendar_event(uid=f"session-{number}", title=f"S{number}", starts_at=STARTS, ends_at=ENDS)
        for number in range(3)
    ]
    parsed, read = _parse(calendar(events))
    assert [str(event["uid"]) for event in read] == [f"session-{number}@technopark.ma" for number in range(3)]
    assert str(parsed["x-wr-calname"]) == "Technopark"
    text = calendar([])
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert _parse(text)[1] == []
