"""Property-based fuzzing of the API against its own OpenAPI schema (schemathesis 4.x).

The schema is loaded in-process from the WSGI application and every operation is fuzzed
three times: anonymously, with the token of a head-office user, and with the token of a
founder whose startup is admitted at a site (so that their bookings, applications,
admissions and declarations return data). Every built-in check runs (no 5xx, documented
status codes, content types, headers and bodies, negative data rejected, positive data
accepted, auth not ignored, ...) with the few documented, operation-scoped adjustments
of CONFIG below.

Run it on PostgreSQL too (NUL characters, sequences and locks behave differently there):
`DATABASE_URL=postgres://… .venv/bin/pytest tests/api/test_schema_fuzz.py`.
"""

import pytest
import schemathesis
from allauth.mfa.models import Authenticator
from django.core.management.color import no_style
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, connection
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from accounts.actions import api_token_create
from accounts.models import Role
from billing.actions import invoice_issue
from billing.models import Invoice, InvoiceLine
from tests.billing.world import RENT, site_issuer
from tests.factories import (
    AdmissionFactory,
    ApplicationFactory,
    BookingFactory,
    CallFactory,
    DeclarationFactory,
    MentorProfileFactory,
    SiteFactory,
    SiteMembershipFactory,
    StartupFactory,
    StartupMemberFactory,
    UserFactory,
    WeeklyRuleFactory,
)
from tests.spaces.factories import RoomFactory

TOKEN_PATH = "/api/v1/auth/token/"
# Lists whose `from` and `to` must be in order (and, for slots and a room's availability, at
# most 62 and 31 days apart).
DATE_RANGE_PATHS = ["/api/v1/sessions/", "/api/v1/mentors/{id}/slots/", "/api/v1/rooms/{id}/availability/"]
# Writes whose body names other rows by id, or whose validity depends on what the database
# holds, checked against it.
REFERENCING_WRITES = [
    "/api/v1/applications/",
    "/api/v1/mentor-bookings/",
    "/api/v1/room-bookings/",
    "/api/v1/invoices/{id}/payments/",
]

django_application = get_wsgi_application()


def application(environ, start_response):
    """Every WSGI server sets REMOTE_ADDR (allauth's rate limits key on it, and it refuses
    a request without one); schemathesis' in-process client does not."""
    environ.setdefault("REMOTE_ADDR", "127.0.0.1")
    return django_application(environ, start_response)


# An explicit configuration (no schemathesis.toml discovery): every check with its default
# expectations, except that `positive_data_acceptance` (a schema-valid request must not be
# a 400) also takes a 400 on nine operations, where validity depends on more than the
# request's own shape. Every such 400 is documented in the schema and names the field.
# - The token endpoint mints credentials: a well-formed request with credentials that do
#   not exist is rightly a 400 (DRF's obtain_auth_token, OAuth 2's invalid_grant).
#   Schemathesis applies that very rule to the operations it knows mint credentials (an
#   OAuth 2 `tokenUrl`); ours is an API-key scheme, so it is told here.
# - The sessions list, a mentor's free slots and a room's availability refuse `to` before
#   `from` (and slots or availability a range over 62 or 31 days): a constraint between two
#   query parameters, which OpenAPI cannot express.
# - Starting an application and booking a mentor refer to other rows: the schema says "a
#   positive integer" for `call` and `mentor` and "a string → string map" for `answers`; the
#   server answers 400 naming the field when no open call or published mentor has that id,
#   when an answer's key is not one of that call's questions (or a network-wide call comes
#   without `home_site`). Booking a room is refused outside its opening hours or once taken
#   (a 409), and a payment beyond what is left to pay on the invoice: what the database
#   holds, which no schema can state in advance.
# Everything else is expressed in the API and its schema (core/schema.py): NUL
# characters (a pattern on every request string, a 400), non-object bodies (JSON, forms,
# multipart: a 400), every error status the kernel gives, the back-office's 401 to
# anonymous callers (so `ignored_auth` runs everywhere, unadjusted).
DEFAULT_POSITIVE_STATUSES = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]
ACCEPTS_A_400 = {"positive_data_acceptance": {"expected-statuses": [*DEFAULT_POSITIVE_STATUSES, "400"]}}
CONFIG = SchemathesisConfig.from_dict(
    {
        "operations": [
            {"include-path": TOKEN_PATH, "checks": ACCEPTS_A_400},
            *({"include-path": path, "checks": ACCEPTS_A_400} for path in DATE_RANGE_PATHS),
            *({"include-path": path, "include-method": "POST", "checks": ACCEPTS_A_400} for path in REFERENCING_WRITES),
        ]
    }
)
schema = schemathesis.openapi.from_wsgi("/api/schema/", application, config=CONFIG)

FUZZ_SETTINGS = settings(
    max_examples=20,  # with the coverage phase: about 2 CPU minutes on SQLite
    deadline=None,
    derandomize=True,  # reproducible: the same examples on every run
    database=None,  # derandomized runs have nothing to replay
    # The fixtures run once per operation, not per example: that is what we want.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@pytest.fixture(autouse=True)
def _keep_test_connection():
    """Requests go through the WSGI handler inside the test's transaction: Django would
    close that connection at every request's start and end (the test client avoids it too)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _reset_sequences(*models) -> None:
    """Rows created with an explicit id leave PostgreSQL's sequences behind: the next row
    a fuzzed POST creates would take the same id (a 500 from the unique key)."""
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


@pytest.fixture
def network(db, unscoped):
    """Two sites with a team each, so that lists, details and the back-office have content.
    `casablanca` is the slug the schema gives as example: the examples phase hits it.
    The founder's startup is admitted at Casablanca, has a submitted application and a
    declaration; a mentor with free slots every day and a booking of that startup have
    the id 1 that generated path ids reach first, so that details, slots, withdraw and
    cancel are fuzzed on real rows, not only 404s. So do Casablanca's room 1 (availability,
    bookings) and the startup's issued invoice 1 (detail, PDF, payments)."""
    casablanca = SiteFactory(slug="casablanca", city="Casablanca")
    tanger = SiteFactory(slug="tanger", city="Tanger", region__code="MA-01", status="planned", opened_on=None)
    SiteMembershipFactory(site=casablanca, user__email="manager.casa@example.ma")
    SiteMembershipFactory(site=tanger, user__email="manager.tanger@example.ma")
    mentor = MentorProfileFactory(pk=1, sites=[casablanca])
    for weekday in range(7):
        WeeklyRuleFactory(mentor=mentor, weekday=weekday)
    founder = UserFactory(email="founder@example.ma", role=Role.FOUNDER)
    startup = StartupFactory(pk=1)
    StartupMemberFactory(startup=startup, user=founder)
    AdmissionFactory(pk=1, startup=startup, site=casablanca)
    application = ApplicationFactory(pk=1, startup=startup, call=CallFactory(pk=1, site=casablanca))
    DeclarationFactory(startup=startup)
    booking = BookingFactory(pk=1, mentor=mentor, startup=startup, site=casablanca)
    room = RoomFactory(pk=1, site=casablanca, for_outsiders=True)
    site_issuer(casablanca, "CAS")
    invoice = Invoice.objects.create(pk=1, site=casablanca, startup=startup)
    InvoiceLine.objects.create(invoice=invoice, site=casablanca, **RENT)
    invoice_issue(actor=None, invoice=invoice)
    _reset_sequences(
        type(mentor), type(startup), type(application), type(application.call), type(booking), type(room), Invoice
    )
    return {"sites": [casablanca, tanger], "founder": founder}


@pytest.fixture
def head_office_token(network):
    user = UserFactory(email="head.office@example.ma", role=Role.HEAD_OFFICE)
    # Head office must use TOTP when REQUIRE_STAFF_MFA is on: enrolled, it gets its token.
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "fuzz"})
    return api_token_create(user=user, name="fuzz")[1]


@pytest.fixture
def founder_token(network):
    return api_token_create(user=network["founder"], name="fuzz")[1]


@pytest.mark.django_db
@schema.parametrize()
@FUZZ_SETTINGS
def test_api_anonymous(case, network):
    case.call_and_validate()


@pytest.mark.django_db
@schema.parametrize()
@FUZZ_SETTINGS
def test_api_as_head_office(case, head_office_token):
    case.call_and_validate(headers={"Authorization": f"Token {head_office_token}"})


@pytest.mark.django_db
@schema.parametrize()
@FUZZ_SETTINGS
def test_api_as_founder(case, founder_token):
    case.call_and_validate(headers={"Authorization": f"Token {founder_token}"})
