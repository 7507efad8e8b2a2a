"""Isolation matrix: the site back-office's residents, members and offices pages.

Every route is under /manage/site-a/: its manager and head office get in, everybody else
gets the 404 of a site that does not exist (anonymous visitors are sent to sign in). The
write routes are posted empty: the form re-renders with its errors (200), nothing changes.
"""

from tests.matrix import SITE_A, Route

MATRIX: dict[str, Route] = {
    # Residents and e-Technopark members
    "startups:resident_list": Route("/manage/site-a/residents/", SITE_A),
    "startups:residents_ending": Route("/manage/site-a/residents/ending/", SITE_A),
    "startups:resident_detail": Route("/manage/site-a/residents/{admission_a}/", SITE_A),
    "startups:resident_renew": Route("/manage/site-a/residents/{admission_a}/renew/", SITE_A, "post"),
    "startups:resident_exit": Route("/manage/site-a/residents/{admission_a}/exit/", SITE_A, "post"),
    # Offices and allocations
    "startups:office_list": Route("/manage/site-a/offices/", SITE_A),
    "startups:office_create": Route("/manage/site-a/offices/new/", SITE_A),
    "startups:office_detail": Route("/manage/site-a/offices/{office_a}/", SITE_A),
    "startups:office_edit": Route("/manage/site-a/offices/{office_a}/edit/", SITE_A),
    "startups:office_allocate": Route("/manage/site-a/offices/{office_a}/allocate/", SITE_A, "post"),
    "startups:allocation_release": Route("/manage/site-a/allocations/{allocation_a}/release/", SITE_A, "post"),
}
