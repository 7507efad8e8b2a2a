"""Isolation matrix: a site's room bookings and occupancy in its back-office (issue 20).

Under /manage/site-a/rooms/: site A's manager and head office get in, everybody else gets
the 404 of a site that does not exist (anonymous visitors are sent to sign in). The bookings
list shows prices and decides requests: managers only even to read (`action="manage"`: site
A's committee and team get 403); the occupancy is read by everyone at the site. The decide
and cancel forms are POSTs that go back to the list: `decide` posted empty decides nothing
(an error message), `cancel` cancels `room_booking_a` (founder_a's booking, three days ahead)."""

from tests.matrix import SITE_A, Route

#                  anonymous outsider founder_a manager_a manager_b staff
SITE_A_REDIRECT = (302, 404, 404, 302, 404, 302)

MATRIX: dict[str, Route] = {
    "spaces:manage_bookings": Route("/manage/site-a/rooms/bookings/", SITE_A, action="manage"),
    "spaces:manage_booking_decide": Route(
        "/manage/site-a/rooms/bookings/{room_booking_a}/decide/", SITE_A_REDIRECT, "post"
    ),
    "spaces:manage_booking_cancel": Route(
        "/manage/site-a/rooms/bookings/{room_booking_a}/cancel/", SITE_A_REDIRECT, "post"
    ),
    "spaces:occupancy": Route("/manage/site-a/rooms/occupancy/", SITE_A),
}
