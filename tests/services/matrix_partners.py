"""Isolation matrix: partners, programmes and partner incubators.

- Public pages (partners, incubators) are open to all; a partner's logo is served only when
  it has one (the world's partner has none: 404 for everybody).
- A programme's page is for its cohort's team (founder_a), its site's staff (manager_a) and
  head office; everybody else gets 404.
- /network/… is head office's; /manage/site-a/… is site A's (its manager and head office).
- /incubators/<slug>/manage/… is the incubator's back-office: none of the matrix's personas
  manages an incubator, so only head office gets in and everybody else gets the 404 of an
  incubator that does not exist (the managers' own access is proven in test_incubators.py).
Write routes are posted empty (forms re-render with their errors: 200) or, for removals,
with the world's rows (302 once done).
"""

from tests.matrix import HEAD_OFFICE, PUBLIC, SIGNED_IN, SITE_A, Route

#                    anonymous outsider founder_a manager_a manager_b staff
PROGRAMME_PAGE = (302, 404, 200, 200, 404, 200)
HEAD_OFFICE_WRITE = (302, 403, 403, 403, 403, 302)
SITE_A_WRITE = (302, 404, 404, 302, 404, 302)
INCUBATOR_A = (302, 404, 404, 404, 404, 200)
INCUBATOR_A_WRITE = (302, 404, 404, 404, 404, 302)
NOBODY = (404,) * 6

MATRIX: dict[str, Route] = {
    # Public
    "services:partners": Route("/partners/", PUBLIC),
    "services:partner_logo": Route("/partners/{partner}/logo/", NOBODY),
    "services:incubators": Route("/incubators/", PUBLIC),
    # Participants
    "services:programmes": Route("/programmes/", SIGNED_IN),
    "services:programme_detail": Route("/programmes/{programme_a}/", PROGRAMME_PAGE),
    # Head office: partners
    "services:network_partners": Route("/network/partners/", HEAD_OFFICE),
    "services:network_partner_new": Route("/network/partners/new/", HEAD_OFFICE, "post"),
    "services:network_partner_edit": Route("/network/partners/{partner}/edit/", HEAD_OFFICE),
    # Head office: programmes (every site's, and the network's)
    "services:network_programmes": Route("/network/programmes/", HEAD_OFFICE),
    "services:network_programme_new": Route("/network/programmes/new/", HEAD_OFFICE, "post"),
    "services:network_programme_detail": Route("/network/programmes/{programme_a}/", HEAD_OFFICE, "post"),
    "services:network_programme_edit": Route("/network/programmes/{programme_a}/edit/", HEAD_OFFICE),
    "services:network_programme_participant_remove": Route(
        "/network/programmes/{programme_a}/participants/{startup_a}/remove/", HEAD_OFFICE_WRITE, "post"
    ),
    # Head office: incubators and their managers
    "services:network_incubators": Route("/network/incubators/", HEAD_OFFICE),
    "services:network_incubator_new": Route("/network/incubators/new/", HEAD_OFFICE, "post"),
    "services:network_incubator_edit": Route("/network/incubators/{incubator_a}/edit/", HEAD_OFFICE),
    "services:network_incubator_managers": Route("/network/incubators/{incubator_a}/managers/", HEAD_OFFICE, "post"),
    "services:network_incubator_manager_remove": Route(
        "/network/incubators/{incubator_a}/managers/999999/remove/", (302, 403, 403, 403, 403, 404), "post"
    ),
    # Site back-office: programmes and (read-only) incubators
    "services:manage_programmes": Route("/manage/site-a/programmes/", SITE_A),
    "services:manage_programme_new": Route("/manage/site-a/programmes/new/", SITE_A, "post"),
    "services:manage_programme_detail": Route("/manage/site-a/programmes/{programme_a}/", SITE_A, "post"),
    "services:manage_programme_edit": Route("/manage/site-a/programmes/{programme_a}/edit/", SITE_A),
    "services:manage_programme_participant_remove": Route(
        "/manage/site-a/programmes/{programme_a}/participants/{startup_a}/remove/", SITE_A_WRITE, "post"
    ),
    "services:manage_incubators": Route("/manage/site-a/incubators/", SITE_A),
    # Incubator back-office
    "services:incubator_home": Route("/incubators/incubator-a/manage/", INCUBATOR_A),
    "services:incubator_startup_end": Route(
        "/incubators/incubator-a/manage/startups/{startup_a}/end/", INCUBATOR_A_WRITE, "post"
    ),
    "services:incubator_programmes": Route("/incubators/incubator-a/manage/programmes/", INCUBATOR_A),
}
