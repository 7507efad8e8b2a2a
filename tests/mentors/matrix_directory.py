"""Isolation matrix: the mentor directory, a mentor's page and photo, booking, and the
startup's own bookings ("my mentoring") — mentors issue, directory area.

`booking_a` (upcoming) and `booking_a_past` belong to founder_a's startup at site A;
`booking_b` to another startup at site B. A booking is found only by the team of its
startup: everybody else, head office included, gets the 404 of a booking that does not
exist (the site team follows bookings in the back-office instead)."""

from tests.matrix import PUBLIC, SIGNED_IN, Route

MEMBER_ONLY = (302, 404, 200, 404, 404, 404)
MEMBER_ONLY_WRITE = (302, 404, 302, 404, 404, 404)

MATRIX: dict[str, Route] = {
    "mentors:directory": Route("/mentors/", PUBLIC),
    "mentors:detail": Route("/mentors/{mentor}/", PUBLIC),
    # The world's mentor has no photo: the same 404 for all (a pending mentor's too).
    "mentors:photo": Route("/mentors/{mentor}/photo/", (404,) * 6),
    # Signed-in users without an admitted startup get the 403 page with the reason;
    # founder_a may book, but without `?start=` is sent back to the mentor's page.
    "mentors:book": Route("/mentors/{mentor}/book/", (302, 403, 302, 403, 403, 403)),
    "mentors:my_bookings": Route("/me/mentoring/", SIGNED_IN),
    "mentors:my_booking": Route("/me/mentoring/{booking_a}/", MEMBER_ONLY),
    "mentors:my_booking_reschedule": Route("/me/mentoring/{booking_a}/reschedule/", MEMBER_ONLY),
    "mentors:my_booking_cancel": Route(
        "/me/mentoring/{booking_a}/cancel/", MEMBER_ONLY_WRITE, "post", {"reason": "Conflit d'agenda"}
    ),
    "mentors:my_booking_rate": Route(
        "/me/mentoring/{booking_a_past}/rate/", MEMBER_ONLY_WRITE, "post", {"rating": "5", "comment": "Utile"}
    ),
    "mentors:my_booking_attendance": Route(
        "/me/mentoring/{booking_a_past}/attendance/", MEMBER_ONLY_WRITE, "post", {"attendance": "held"}
    ),
}
