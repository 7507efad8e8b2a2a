"""Isolation matrix: the mentoring back-office.

- /mentors/review/…: head office and the managers of a site a profile serves. The list is
  each reviewer's own (manager_b's is empty of site A's profiles, but the page opens);
  founders and outsiders get 403. mentor_pending_a serves site A only: manager_b gets the
  404 of a profile that does not exist. Its photo is empty: 404 for the reviewers too.
- /manage/site-a/mentoring/…: site A's team and head office; everybody else the 404 of a
  site that does not exist. The POST routes are posted empty: the booking page re-renders
  with the form's error (200). Committee and team members read, and get 403 on the POSTs.
- /network/mentoring/hours/: head office only.
"""

from tests.matrix import HEAD_OFFICE, SITE_A, Route

#                anonymous outsider founder_a manager_a manager_b staff
REVIEWERS = (302, 403, 403, 200, 200, 200)
REVIEWER_OF_A = (302, 403, 403, 200, 404, 200)
NO_PHOTO = (302, 403, 403, 404, 404, 404)

MATRIX: dict[str, Route] = {
    # Reviewing mentors is managers' work (`manage`): committee and team members get 403.
    "mentors:review_list": Route("/mentors/review/", REVIEWERS, action="manage"),
    "mentors:review": Route("/mentors/review/{mentor_pending_a}/", REVIEWER_OF_A, action="manage"),
    "mentors:review_photo": Route("/mentors/review/{mentor_pending_a}/photo/", NO_PHOTO, action="manage"),
    "mentors:site_bookings": Route("/manage/site-a/mentoring/", SITE_A),
    "mentors:site_booking": Route("/manage/site-a/mentoring/{booking_a_past}/", SITE_A),
    "mentors:site_booking_attendance": Route("/manage/site-a/mentoring/{booking_a_past}/attendance/", SITE_A, "post"),
    "mentors:site_booking_cancel": Route("/manage/site-a/mentoring/{booking_a}/cancel/", SITE_A, "post"),
    "mentors:site_hours": Route("/manage/site-a/mentoring/hours/", SITE_A),
    "mentors:network_hours": Route("/network/mentoring/hours/", HEAD_OFFICE),
}
