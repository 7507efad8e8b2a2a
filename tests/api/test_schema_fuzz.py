"""Property-based fuzzing of the API against its own OpenAPI schema (schemathesis 4.x).

The schema is loaded in-process from the WSGI application and every operation is fuzzed
twice: anonymously and with the token of a head-office user. Every built-in check runs:
no 5xx, status codes, content types, headers and bodies as documented, negative data
rejected, positive data accepted, auth not ignored, ...
"""

import collections, atexit
import pytest
STATS = {}
atexit.register(lambda: [print(k, dict(v)) for k, v in sorted(STATS.items())])
import schemathesis
from schemathesis.config import SchemathesisConfig
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token

from accounts.models import Role
from tests.factories import SiteFactory, SiteMembershipFactory, UserFactory

django_application = get_wsgi_application()


def application(environ, start_response):
    """Every WSGI server sets REMOTE_ADDR (allauth's rate limits key on it and refuse a
    request without one); schemathesis' in-process client does not."""
    environ.setdefault("REMOTE_ADDR", "127.0.0.1")
    return django_application(environ, start_response)


# An explicit configuration (no schemathesis.toml discovery): every check, with their
# default expectations, but one. The token endpoint mints credentials: a well-formed
# request with credentials that do not exist is rightly a 400 (like DRF's obtain_auth_token
# and OAuth 2's invalid_grant). Schemathesis applies exactly this rule itself to the
# operations it knows mint credentials (an OAuth 2 `tokenUrl`); ours is an API-key scheme,
# so it is told here, for that one operation.
CONFIG = SchemathesisConfig.from_dict(
    {
        "operations": [
            {
                "include-path": "/api/v1/auth/token/",
                "checks": {
                    "positive_data_acceptance": {
                        "expected-statuses": ["2xx", "3xx", "400", "401", "403", "404", "409", "429", "5xx"]
                    }
                },
            }
        ]
    }
)
schema = schemathesis.openapi.from_wsgi("/api/schema/", application, config=CONFIG)

FUZZ_SETTINGS = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,  # reproducible: the same examples on every run
    database=None,  # derandomized runs have nothing to replay
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@pytest.fixture(autouse=True)
def _keep_test_connection():
    """Requests go through the WSGI handler inside the test's transaction: Django would
    close the connection at every request start and end (as the test client avoids too)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def network(db, unscoped):
    """Two sites with a team, so that lists, details and the back-office have content."""
    casablanca = SiteFactory(slug="casablanca", city="Casablanca")
    tanger = SiteFactory(slug="tanger", city="Tanger", region__code="MA-01", status="planned", opened_on=None)
    SiteMembershipFactory(site=casablanca, user__email="manager.casa@example.ma")
    SiteMembershipFactory(site=tanger, user__email="manager.tanger@example.ma")
    return [casablanca, tanger]


@pytest.fixture
def head_office_token(network):
    user = UserFactory(email="head.office@example.ma", role=Role.HEAD_OFFICE)
    return Token.objects.create(user=user).key


@pytest.mark.django_db
@schema.parametrize()
@FUZZ_SETTINGS
def test_api_anonymous(case, network):
    r = case.call_and_validate()
    STATS.setdefault(("anon", case.operation.label), collections.Counter())[(case.method, r.status_code)] += 1


@pytest.mark.django_db
@schema.parametrize()
@FUZZ_SETTINGS
def test_api_as_head_office(case, head_office_token):
    r = case.call_and_validate(headers={"Authorization": f"Token {head_office_token}"})
    STATS.setdefault(("staff", case.operation.label), collections.Counter())[(case.method, r.status_code)] += 1
