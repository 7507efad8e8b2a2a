"""Property-based fuzzing of the API against its own OpenAPI schema (schemathesis 4.x).

The schema is loaded in-process from the WSGI application and every operation is fuzzed
twice: anonymously and with the token of a head-office user. Every built-in check runs
(no 5xx, documented status codes, content types, headers and bodies, negative data
rejected, positive data accepted, auth not ignored, ...) with three documented,
operation-scoped adjustments in CONFIG below.
"""

from urllib.parse import urlsplit

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.config import SchemathesisConfig
from werkzeug.test import Client as WerkzeugClient

from accounts.models import Role
from tests.factories import (
    AdmissionFactory,
    BookingFactory,
    MentorProfileFactory,
    SiteFactory,
    SiteMembershipFactory,
    StartupFactory,
    UserFactory,
    WeeklyRuleFactory,
)

TOKEN_PATH = "/api/v1/auth/token/"
BACK_OFFICE_PATH = "/api/v1/manage/{site_slug}/members/"
# Lists whose `from` and `to` must be in order (and, for slots, at most 62 days apart).
DATE_RANGE_PATHS = ["/api/v1/sessions/", "/api/v1/mentors/{id}/slots/"]

django_application = get_wsgi_application()


def application(environ, start_response):
    """Every WSGI server sets REMOTE_ADDR (allauth's rate limits key on it, and it refuses
    a request without one); schemathesis' in-process client does not."""
    environ.setdefault("REMOTE_ADDR", "127.0.0.1")
    return django_application(environ, start_response)


# An explicit configuration (no schemathesis.toml discovery): every check with its default
# expectations, except for three operations:
# - The token endpoint mints credentials: a well-formed request with credentials that do
#   not exist is rightly a 400 (DRF's obtain_auth_token, OAuth 2's invalid_grant). Schemathesis
#   applies that very rule to the operations it knows mint credentials (an OAuth 2
#   `tokenUrl`); ours is an API-key scheme, so it is told here, for that one operation.
# - The back-office API answers *everyone* who does not work at the site (anonymous, invalid
#   token, another site's manager) with the same JSON 404 as a missing site, by design
#   (tests/technopark/test_isolation_matrix.py). `ignored_auth` expects 401/403 there, so on
#   that operation it is replaced by `strangers_get_the_back_office_404` below, which checks
#   the same thing (credentials are enforced) against the 404 the design promises.
# - The sessions list and a mentor's free slots refuse `from` after `to` (and slots a range
#   over 62 days) with a 400: constraints between two query parameters that OpenAPI cannot
#   express, so schema-valid examples may break them.
DEFAULT_POSITIVE_STATUSES = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]
CONFIG = SchemathesisConfig.from_dict(
    {
        "operations": [
            {
                "include-path": TOKEN_PATH,
                "checks": {"positive_data_acceptance": {"expected-statuses": [*DEFAULT_POSITIVE_STATUSES, "400"]}},
            },
            {"include-path": BACK_OFFICE_PATH, "checks": {"ignored_auth": {"enabled": False}}},
            *(
                {
                    "include-path": path,
                    "checks": {"positive_data_acceptance": {"expected-statuses": [*DEFAULT_POSITIVE_STATUSES, "400"]}},
                }
                for path in DATE_RANGE_PATHS
            ),
        ]
    }
)
schema = schemathesis.openapi.from_wsgi("/api/schema/", application, config=CONFIG)

FUZZ_SETTINGS = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,  # reproducible: the same examples on every run
    database=None,  # derandomized runs have nothing to replay
    # The fixtures run once per operation, not per example: that is what we want.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def strangers_get_the_back_office_404(ctx, response, case):
    """Whenever a signed-in call to the back-office API succeeds, the same call without
    credentials, and with an invalid token, gets the JSON 404 of a missing site."""
    if case.operation.path != BACK_OFFICE_PATH or not 200 <= response.status_code < 300:
        return None
    url = urlsplit(response.request.url)
    # Through the same WSGI application (not Django's test client, which would reconnect
    # `close_old_connections`).
    client = WerkzeugClient(application)
    for label, headers in (("no credentials", {}), ("an invalid token", {"Authorization": "Token not-a-token"})):
        probe = client.get(url.path, query_string=url.query, headers=headers)
        assert probe.status_code == 404, f"GET {url.path}?{url.query} with {label}: {probe.status_code}, expected 404"
        assert probe.mimetype == "application/json", f"with {label}: {probe.content_type}"
        assert set(probe.get_json()) == {"detail"}, f"with {label}: {probe.get_data(as_text=True)}"
    return None


@pytest.fixture(autouse=True)
def _keep_test_connection():
    """Requests go through the WSGI handler inside the test's transaction: Django would
    close that connection at every request's start and end (the test client avoids it too)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def network(db, unscoped):
    """Two sites with a team each, so that lists, details and the back-office have content.
    `casablanca` is the slug the schema gives as example: the examples phase hits it."""
    casablanca = SiteFactory(slug="casablanca", city="Casablanca")
    tanger = SiteFactory(slug="tanger", city="Tanger", region__code="MA-01", status="planned", opened_on=None)
    SiteMembershipFactory(site=casablanca, user__email="manager.casa@example.ma")
    SiteMembershipFactory(site=tanger, user__email="manager.tanger@example.ma")
    # A mentor with free slots and a booking, both with the id 1 that generated path ids
    # reach first, so that details, slots and cancel are fuzzed on real rows, not only 404s.
    mentor = MentorProfileFactory(pk=1, sites=[casablanca])
    for weekday in range(7):
        WeeklyRuleFactory(mentor=mentor, weekday=weekday)
    startup = StartupFactory()
    AdmissionFactory(startup=startup, site=casablanca)
    BookingFactory(pk=1, mentor=mentor, startup=startup, site=casablanca)
    return [casablanca, tanger]


@pytest.fixture
def head_office_token(network):
    user = UserFactory(email="head.office@example.ma", role=Role.HEAD_OFFICE)
    return Token.objects.create(user=user).key


@pytest.mark.django_db
@schema.parametrize()
@FUZZ_SETTINGS
def test_api_anonymous(case, network):
    case.call_and_validate(additional_checks=[strangers_get_the_back_office_404])


@pytest.mark.django_db
@schema.parametrize()
@FUZZ_SETTINGS
def test_api_as_head_office(case, head_office_token):
    case.call_and_validate(
        headers={"Authorization": f"Token {head_office_token}"},
        additional_checks=[strangers_get_the_back_office_404],
    )
