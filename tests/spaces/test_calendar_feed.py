"""The personal calendar feed (`/calendar/<token>.ics`) lists the confirmed room bookings of
the user's startups and what they asked for as an outside organisation, in their language
(spaces registers them through accounts.extensions.CALENDAR_SOURCES)."""

import pytest
from icalendar import Calendar

from spaces.models import RoomBooking

pytestmark = pytest.mark.django_db


def _events(client, user) -> dict[str, Calendar]:
    response = client.get(f"/calendar/{user.calendar_token}.ics")
    assert response.status_code == 200
    return {str(event.get("uid")): event for event in Calendar.from_ical(response.content).walk("VEVENT")}


def test_a_founders_feed_has_their_startups_room_bookings_only(client, world, founder_a, manager_b, unscoped):
    events = _events(client, founder_a)
    mine = f"room-booking-{world['room_booking_a']}@technopark.ma"
    assert mine in events and f"room-booking-{world['room_booking_b']}@technopark.ma" not in events
    assert "Salle Atlas" in str(events[mine].get("location"))
    # A cancelled booking leaves the feed.
    RoomBooking.objects.filter(pk=world["room_booking_a"]).update(status="cancelled")
    assert mine not in _events(client, founder_a)
    # Nobody else's feed has it.
    assert not [uid for uid in _events(client, manager_b) if uid.startswith("room-booking-")]
