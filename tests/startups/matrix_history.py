"""Isolation matrix: the history import (head office), the yearly declarations and check-in."""

from tests.matrix import HEAD_OFFICE, PUBLIC, SITE_A, Route

#                 anonymous outsider founder_a manager_a manager_b staff
HEAD_OFFICE_POST = (302, 403, 403, 403, 403, 302)  # staff without a preview token → back to the upload page
HEAD_OFFICE_MISSING = (302, 403, 403, 403, 403, 404)  # a head-office page of an object that does not exist
TEAM_OF_A = (302, 404, 200, 404, 404, 404)  # a startup's own team only
SITE_A_REDIRECT = (302, 404, 404, 302, 404, 302)  # a site A write that sends back to its page

MATRIX: dict[str, Route] = {
    "startups:history_import": Route("/network/import/", HEAD_OFFICE),
    "startups:history_import_confirm": Route("/network/import/confirm/", HEAD_OFFICE_POST, "post"),
    # The `world` fixture has no import job: staff get 404 for a job that does not exist.
    "startups:history_import_job": Route("/network/import/jobs/999999/", HEAD_OFFICE_MISSING),
    "startups:history_import_job_status": Route("/network/import/jobs/999999/status/", HEAD_OFFICE_MISSING),
    "startups:declarations": Route("/startups/{startup_a}/declarations/", TEAM_OF_A),
    "startups:manage_declarations": Route("/manage/site-a/declarations/", SITE_A),
    "startups:manage_declarations_remind": Route("/manage/site-a/declarations/remind/", SITE_A_REDIRECT, "post"),
    # The signed link is the key (founder_a's, to startup_a's check-in): anyone holding it,
    # signed in or not (tests/startups/test_check_ins.py for the links that are not valid).
    "startups:check_in": Route("/declarations/check-in/{check_in_token}/", PUBLIC),
}
