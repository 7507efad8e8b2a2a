"""Isolation matrix: the pages where startups book rooms and outside organisations ask for
one (issue 20, spaces/views/booking.py).

`room_a` is site A's room (open to outsiders); `room_booking_a` is founder_a's startup's
booking of it. A room's page is for the teams of startups admitted at its site and for the
site's staff (head office included), who see who holds each time but book in the
back-office (their POST is the 404 of the others); the price preview is the teams' alone.
A booking is found only by its startup's team (or whoever asked for it as an outside
organisation): everybody else gets the 404 of a booking that does not exist. A site's rooms
for outsiders are public; asking for one needs an account."""

from tests.matrix import PUBLIC, SIGNED_IN, Route

#             anonymous outsider founder_a manager_a manager_b staff
ROOM_READERS = (302, 404, 200, 200, 404, 200)
TEAM_ONLY = (302, 404, 200, 404, 404, 404)
TEAM_ONLY_WRITE = (302, 404, 302, 404, 404, 404)

MATRIX: dict[str, Route] = {
    "spaces:rooms": Route("/rooms/", SIGNED_IN),
    # Public; room_a has no photo: the 404 of a missing one (tests/spaces/test_room_photo.py).
    "spaces:room_photo": Route("/rooms/{room_a}/photo/", (404,) * 6),
    "spaces:room": Route("/rooms/{room_a}/", ROOM_READERS),
    # Posted empty: founder_a's form comes back with its errors.
    "spaces:room [post]": Route("/rooms/{room_a}/", (302, 404, 200, 404, 404, 404), "post"),
    "spaces:room_quote": Route("/rooms/{room_a}/quote/", TEAM_ONLY),
    "spaces:my_bookings": Route("/me/rooms/", SIGNED_IN),
    "spaces:my_booking": Route("/me/rooms/{room_booking_a}/", TEAM_ONLY),
    "spaces:my_booking_cancel": Route("/me/rooms/{room_booking_a}/cancel/", TEAM_ONLY_WRITE, "post", {"confirm": "on"}),
    "spaces:my_booking_ics": Route("/me/rooms/{room_booking_a}/booking.ics", TEAM_ONLY),
    "spaces:site_rooms_public": Route("/sites/site-a/rooms/", PUBLIC),
    "spaces:room_request": Route("/sites/site-a/rooms/{room_a}/request/", SIGNED_IN),
    # Posted empty: the form comes back with its errors, whoever asks.
    "spaces:room_request [post]": Route("/sites/site-a/rooms/{room_a}/request/", SIGNED_IN, "post"),
}
