"""Isolation matrix: the startups API (`/api/v1/…`, flat routes scoped to the caller's sites).

Objects of site A: founder_a's startup and its application are visible to founder_a, the
manager of A and head office; the manager of B and an outsider get 404. Actions by someone
who sees the object but may not act are 403; anonymous callers get 401 (token first), except
on the public calls (open calls are public)."""

from tests.matrix import API_PUBLIC, API_SIGNED_IN, Route

#            anonymous outsider founder_a manager_a manager_b staff
SEEN_AT_A = (401, 404, 200, 200, 404, 200)

MATRIX: dict[str, Route] = {
    "api:startups": Route("/api/v1/startups/", API_SIGNED_IN),
    "api:startup": Route("/api/v1/startups/{startup_a}/", SEEN_AT_A),
    # Every call of the world fixture is open: public.
    "api:calls": Route("/api/v1/calls/", API_PUBLIC),
    "api:call": Route("/api/v1/calls/{call_a}/", API_PUBLIC),
    "api:applications": Route("/api/v1/applications/", API_SIGNED_IN),
    "api:application": Route("/api/v1/applications/{application_a}/", SEEN_AT_A),
    # application_a is submitted already: its founder gets 409.
    "api:application_submit": Route(
        "/api/v1/applications/{application_a}/submit/", (401, 404, 409, 403, 404, 403), "post"
    ),
    "api:application_withdraw": Route(
        "/api/v1/applications/{application_a}/withdraw/", (401, 404, 200, 403, 404, 403), "post"
    ),
    "api:application_decide": Route(
        "/api/v1/applications/{application_a}/decide/",
        (401, 404, 403, 200, 404, 200),
        "post",
        {"decision": "waitlist"},
    ),
    "api:admissions": Route("/api/v1/admissions/", API_SIGNED_IN),
    "api:admission": Route("/api/v1/admissions/{admission_a}/", SEEN_AT_A),
    "api:offices": Route("/api/v1/offices/", API_SIGNED_IN),
    "api:declarations": Route("/api/v1/declarations/", API_SIGNED_IN),
    # The lists' POST (create), posted empty: a 400 for a founder, 403 for everybody else.
    "api:applications [post]": Route("/api/v1/applications/", (401, 403, 400, 403, 403, 403), "post"),
    "api:declarations [post]": Route("/api/v1/declarations/", (401, 403, 400, 403, 403, 403), "post"),
}
