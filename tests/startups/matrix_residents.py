"""Isolation matrix: the site back-office's residents, members and offices pages.

Every route is under /manage/site-a/: its manager and head office get in, everybody else
gets the 404 of a site that does not exist (anonymous visitors are sent to sign in). The
write routes are posted empty: the form re-renders with its errors (200), nothing changes
(cancelling allocation_a is refused on its page: it has run since 2022).
"""

from tests.matrix import SITE_A, Route

# A GET that sends site A's manager and head office on to another page of the site.
SITE_A_REDIRECT = (302, 404, 404, 302, 404, 302)

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
    # Their GETs: the confirmation pages, and the office page after a reload of a refused allocation.
    "startups:office_allocate [get]": Route("/manage/site-a/offices/{office_a}/allocate/", SITE_A_REDIRECT),
    # The allocation form's resident search (an htmx fragment): site A's residents only.
    "startups:office_residents": Route("/manage/site-a/offices/{office_a}/residents/?q=a", SITE_A),
    "startups:allocation_release [get]": Route("/manage/site-a/allocations/{allocation_a}/release/", SITE_A),
    "startups:allocation_cancel": Route("/manage/site-a/allocations/{allocation_a}/cancel/", SITE_A, "post"),
    "startups:allocation_cancel [get]": Route("/manage/site-a/allocations/{allocation_a}/cancel/", SITE_A),
}
