"""Isolation matrix: attestations (issue 22, passport/views and passport/api.py).

`credential_a` attests founder_a's residency at site A; `credential_b` another startup's at
site B. A startup's attestations page and their PDFs are its team's (everyone else: the 404
of a startup that does not exist); a site's list is its staff's, its revocation page its
managers' (the read-only roles get 403); the verification pages are public. The API lists a
startup's attestations to its team, head office and the staff of a site where it was
admitted."""

from tests.matrix import PUBLIC, SITE_A, Route

#          anonymous outsider founder_a manager_a manager_b staff
TEAM_ONLY = (302, 404, 200, 404, 404, 404)
# A's staff read its attestations, and so does head office; the others: a 404.
API_STARTUP_A = (401, 404, 200, 200, 404, 200)

MATRIX: dict[str, Route] = {
    "passport:attestations": Route("/startups/{startup_a}/attestations/", TEAM_ONLY),
    "passport:attestation_pdf": Route("/startups/{startup_a}/attestations/{credential_a}/pdf/", TEAM_ONLY),
    "passport:manage_list": Route("/manage/site-a/attestations/", SITE_A),
    "passport:manage_revoke": Route("/manage/site-a/attestations/{credential_a}/revoke/", SITE_A, action="manage"),
    "passport:verify_form": Route("/verify/", PUBLIC),
    "passport:verify": Route("/verify/{credential_a_code}/", PUBLIC),
    "api:startup_documents": Route("/api/v1/startups/{startup_a}/documents/", API_STARTUP_A),
}
