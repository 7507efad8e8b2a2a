"""Isolation matrix: the site managers' application pipeline (calls, applications, reviews,
decisions) and head office's network calls.

In the `world` fixture `application_a` is submitted at site A (with a pitch deck) and
`review_a` assigns it to manager_a."""

from tests.matrix import HEAD_OFFICE, SITE_A, Route

#                      anonymous outsider founder_a manager_a manager_b staff
ONLY_REVIEWER_A = (302, 404, 404, 200, 404, 404)
# An empty POST re-renders the page with the form's errors. The reviewer assignment refuses
# GET (405); the decision's GET (with the form's values) is its confirmation page, which
# only managers see (`action="manage"`: the read-only roles get 403).
SITE_A_MANAGER_POST = (302, 404, 404, 200, 404, 200)

MATRIX: dict[str, Route] = {
    "startups:manage_calls": Route("/manage/site-a/calls/", SITE_A),
    "startups:manage_call_new": Route("/manage/site-a/calls/new/", SITE_A, action="manage"),
    "startups:manage_call_edit": Route("/manage/site-a/calls/{call_a}/edit/", SITE_A, action="manage"),
    "startups:manage_applications": Route("/manage/site-a/applications/", SITE_A),
    "startups:manage_application": Route("/manage/site-a/applications/{application_a}/", SITE_A),
    "startups:manage_application_pitch_deck": Route("/manage/site-a/applications/{application_a}/pitch-deck/", SITE_A),
    "startups:manage_application_assign": Route(
        "/manage/site-a/applications/{application_a}/reviewers/", SITE_A_MANAGER_POST, "post"
    ),
    "startups:manage_application_decide": Route(
        "/manage/site-a/applications/{application_a}/decision/", SITE_A_MANAGER_POST, "post"
    ),
    "startups:manage_reviews": Route("/manage/site-a/reviews/", SITE_A),
    # The scoring form needs `review` (committee members and managers); review_a is
    # manager_a's: the committee member gets its 404, the team member the 403 of its role.
    "startups:manage_review": Route(
        "/manage/site-a/reviews/{review_a}/", ONLY_REVIEWER_A, action="review", roles=(404, 403)
    ),
    "startups:network_calls": Route("/network/calls/", HEAD_OFFICE),
    "startups:network_call_new": Route("/network/calls/new/", HEAD_OFFICE),
    "startups:network_call_edit": Route("/network/calls/{call_network}/edit/", HEAD_OFFICE),
}
