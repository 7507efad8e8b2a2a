"""Isolation matrix: the rooms API (`/api/v1/rooms/…`, `/api/v1/room-bookings/…`) — issue 20.

Rooms are read by the people of their site (its staff, its startups' teams) and head office,
and by anyone signed in when open to outside organisations (`room_a`); another room elsewhere
is the 404 of a missing one (`room_b`, site B's, not open to them). A booking is found by its startup's team, the
staff of its site and head office. `room_booking_a` is founder_a's booking of `room_a` (site A).
Posted empty, `api:room_bookings` is a 400 for every signed-in user (the body is checked
first; booking itself is tested in tests/spaces/test_api.py)."""

from tests.matrix import API_SIGNED_IN, Route

#          anonymous outsider founder_a manager_a manager_b staff
ROOM_B = (401, 404, 404, 404, 200, 200)
BOOKING_A = (401, 404, 200, 200, 404, 200)

MATRIX: dict[str, Route] = {
    "api:rooms": Route("/api/v1/rooms/", API_SIGNED_IN),
    "api:room_availability": Route("/api/v1/rooms/{room_b}/availability/", ROOM_B),
    "api:room_bookings": Route("/api/v1/room-bookings/", API_SIGNED_IN),
    "api:room_bookings [post]": Route("/api/v1/room-bookings/", (401, 400, 400, 400, 400, 400), "post"),
    "api:room_booking": Route("/api/v1/room-bookings/{room_booking_a}/", BOOKING_A),
    # The founder cancels their own booking; site A's manager and head office may too.
    "api:room_booking_cancel": Route("/api/v1/room-bookings/{room_booking_a}/cancel/", BOOKING_A, "post"),
}
