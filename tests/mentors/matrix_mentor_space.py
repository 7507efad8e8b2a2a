"""Isolation matrix: the mentor's own space (/mentor/…).

None of the six personas is a mentor (the world's mentor is `world["mentor_user"]`, whose
own access is proven in test_mentor_space_*.py):
- the profile page is for anyone signed in (they may become a mentor); anonymous visitors
  are sent to sign in;
- the list pages (availability, agenda) and submitting send a user without a profile to
  create one (302 to the profile page);
- a booking (booking_a, booking_a_past: the world mentor's, at site A) or an availability
  row is found only among the signed-in mentor's own: for everybody else it is the 404 of
  a missing one, head office included (it sees bookings in the back-office). The delete
  route is requested with an arbitrary id: nobody here owns an availability row.
"""

from tests.matrix import SIGNED_IN, Route

#              anonymous outsider founder_a manager_a manager_b staff
TO_PROFILE = (302, 302, 302, 302, 302, 302)
MENTOR_ONLY_OBJECT = (302, 404, 404, 404, 404, 404)

MATRIX: dict[str, Route] = {
    "mentors:my_profile": Route("/mentor/profile/", SIGNED_IN),
    "mentors:profile_submit": Route("/mentor/profile/submit/", TO_PROFILE, "post"),
    "mentors:my_photo": Route("/mentor/profile/photo/", MENTOR_ONLY_OBJECT),
    "mentors:availability": Route("/mentor/availability/", TO_PROFILE),
    "mentors:availability_delete": Route("/mentor/availability/weekly/{mentor}/delete/", MENTOR_ONLY_OBJECT, "post"),
    "mentors:agenda": Route("/mentor/agenda/", TO_PROFILE),
    "mentors:agenda_detail": Route("/mentor/agenda/{booking_a}/", MENTOR_ONLY_OBJECT),
    "mentors:agenda_note": Route(
        "/mentor/agenda/{booking_a_past}/note/", MENTOR_ONLY_OBJECT, "post", {"note": "Not yours."}
    ),
    "mentors:agenda_attendance": Route(
        "/mentor/agenda/{booking_a_past}/attendance/", MENTOR_ONLY_OBJECT, "post", {"attendance": "startup_no_show"}
    ),
    "mentors:agenda_cancel": Route(
        "/mentor/agenda/{booking_a}/cancel/", MENTOR_ONLY_OBJECT, "post", {"reason": "Not yours."}
    ),
}
