"""Isolation matrix: the mentors API (`/api/v1/…`) — mentors issue, API area.

The directory and a published mentor's free slots are public. Bookings need an account:
a booking is found by the people who have a part in it (its startup's team, the mentor,
the staff of the startup's site, head office); everybody else gets the 404 of a booking
that does not exist. `booking_a` (upcoming) belongs to founder_a's startup at site A.

`api:mentor_bookings` is requested with GET and, posted empty, with POST (booking): 401
anonymous, 403 without an admitted startup, 400 for founder_a (booking itself is checked in
tests/mentors/test_api_*.py)."""

from tests.matrix import API_PUBLIC, API_SIGNED_IN, Route

#           anonymous outsider founder_a manager_a manager_b staff
BOOKING_A = (401, 404, 200, 200, 404, 200)

MATRIX: dict[str, Route] = {
    "api:mentors": Route("/api/v1/mentors/", API_PUBLIC),
    "api:mentor": Route("/api/v1/mentors/{mentor}/", API_PUBLIC),
    "api:mentor_slots": Route("/api/v1/mentors/{mentor}/slots/", API_PUBLIC),
    "api:mentor_bookings": Route("/api/v1/mentor-bookings/", API_SIGNED_IN),
    "api:mentor_bookings [post]": Route("/api/v1/mentor-bookings/", (401, 403, 400, 403, 403, 403), "post"),
    "api:mentor_booking": Route("/api/v1/mentor-bookings/{booking_a}/", BOOKING_A),
    "api:mentor_booking_cancel": Route("/api/v1/mentor-bookings/{booking_a}/cancel/", BOOKING_A, "post"),
}
