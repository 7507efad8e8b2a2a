"""Isolation matrix: a mentor booking's calendar file (mentors issue 18).

Every party of `booking_a` (startup A's, at site A) gets it, as on the API
(`booking_roles`): the startup's team (founder_a), site A's staff (its manager, and its
committee and team members, derived) and head office; the mentor's own access is proven in
tests/mentors/test_booking_ics.py. Anybody else gets the 404 of a missing booking."""

from tests.matrix import Route

MATRIX: dict[str, Route] = {
    "mentors:booking_ics": Route("/mentors/bookings/{booking_a}/booking.ics", (302, 404, 200, 200, 404, 200)),
}
