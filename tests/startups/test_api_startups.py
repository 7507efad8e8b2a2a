"""The startups API, the startups and their records: who sees what among startups,
admissions, offices and declarations, the declarations' upsert and validation, filters
(4xx JSON, never a 500) and constant query counts. Calls and applications:
test_api_applications.py."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scopes_disabled

from sites.models import Sector
from startups.models import Admission, Declaration, OfficeAllocation, Startup
from tests.api_client import ids, post
from tests.factories import (
    AdmissionFactory,
    ApplicationFactory,
    CallFactory,
    DeclarationFactory,
    OfficeFactory,
    StartupFactory,
)

TODAY = timezone.localdate()

pytestmark = pytest.mark.django_db

LAST_YEAR = TODAY.year - 1


# --- Startups -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("outsider", set()),
        ("founder_a", {"startup_a"}),
        ("manager_a", {"startup_a"}),
        ("manager_b", {"startup_b"}),
        ("staff", {"startup_a", "startup_b"}),
    ],
)
def test_startups_per_persona(api, world, persona, expected):
    client = api(persona)
    assert ids(client.get("/api/v1/startups/")) == {world[name] for name in expected}
    for name in ("startup_a", "startup_b"):
        status = client.get(f"/api/v1/startups/{world[name]}/").status_code
        assert status == (200 if name in expected else 404)


def test_startup_fields_and_filters(api, world, unscoped):
    startup = Startup.objects.get(pk=world["startup_a"])
    sector = Sector.objects.order_by("code").first()
    startup.sectors.set([sector])
    sector = sector.code
    client = api("staff")
    row = client.get(f"/api/v1/startups/{world['startup_a']}/").json()
    assert row["legal_name"] == "Atlas Data SARL"
    assert row["sectors"] == [sector]
    assert set(row) >= {"ice", "rc_number", "legal_form", "founded_on", "stage", "website", "contact_email"}
    assert ids(client.get("/api/v1/startups/?q=atlas")) == {world["startup_a"]}
    assert ids(client.get(f"/api/v1/startups/?q={startup.ice}")) == {world["startup_a"]}
    assert ids(client.get("/api/v1/startups/?q=")) == {world["startup_a"], world["startup_b"]}
    assert ids(client.get(f"/api/v1/startups/?sector={sector}")) == {world["startup_a"]}
    assert ids(client.get("/api/v1/startups/?sector=no-such-sector")) == set()


@pytest.mark.parametrize(
    "query",
    ["sector=not a slug", "stage=nonsense", "q=" + "x" * 101, "q=a%00b", "page=0", "page_size=x", "sector="],
)
def test_junk_filters_are_a_400(api, query):
    response = api("staff").get(f"/api/v1/startups/?{query}")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"


def test_anonymous_gets_401(client, world):
    for url in (
        "/api/v1/startups/",
        "/api/v1/applications/",
        "/api/v1/admissions/",
        "/api/v1/offices/",
        "/api/v1/declarations/",
    ):
        response = client.get(url)
        assert response.status_code == 401, url
        assert response["WWW-Authenticate"] == "Token"
    assert post(client, "/api/v1/applications/").status_code == 401
    assert post(client, "/api/v1/declarations/").status_code == 401


# --- Admissions ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("outsider", set()),
        ("founder_a", {"admission_a"}),
        ("manager_a", {"admission_a"}),
        ("manager_b", {"admission_b"}),
        ("staff", {"admission_a", "admission_b"}),
    ],
)
def test_admissions_per_persona(api, world, persona, expected):
    client = api(persona)
    assert ids(client.get("/api/v1/admissions/")) == {world[name] for name in expected}
    for name in ("admission_a", "admission_b"):
        status = client.get(f"/api/v1/admissions/{world[name]}/").status_code
        assert status == (200 if name in expected else 404), name


def test_admission_filters(api, world, unscoped):
    Admission.objects.filter(pk=world["admission_b"]).update(
        ended_on=datetime.date(2023, 1, 1), exit_reason="graduated"
    )
    client = api("staff")
    assert ids(client.get("/api/v1/admissions/?active=true")) == {world["admission_a"]}
    assert ids(client.get("/api/v1/admissions/?active=false")) == {world["admission_b"]}
    assert ids(client.get("/api/v1/admissions/?site=site-b")) == {world["admission_b"]}
    assert ids(client.get("/api/v1/admissions/?kind=e-technopark")) == set()
    row = client.get(f"/api/v1/admissions/{world['admission_a']}/").json()
    assert row["site"] == "site-a" and row["is_active"] is True and row["startup_name"] == "Atlas Data"
    for junk in ("active=maybe", "kind=x", "startup=-3"):
        assert client.get(f"/api/v1/admissions/?{junk}").status_code == 400, junk


# --- Offices ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("outsider", set()),
        ("founder_a", set()),
        ("manager_a", {"office_a"}),
        ("manager_b", {"office_b"}),
        ("staff", {"office_a", "office_b"}),
    ],
)
def test_offices_per_persona(api, world, persona, expected):
    assert ids(api(persona).get("/api/v1/offices/")) == {world[name] for name in expected}


def test_offices_occupied_today(api, world, unscoped):
    client = api("staff")
    rows = {row["id"]: row for row in client.get("/api/v1/offices/").json()["results"]}
    assert rows[world["office_a"]]["occupied"] is True
    assert rows[world["office_b"]]["occupied"] is False
    assert ids(client.get("/api/v1/offices/?occupied=false")) == {world["office_b"]}
    OfficeAllocation.objects.filter(pk=world["allocation_a"]).update(ends_on=TODAY)  # ends today, excluded
    assert ids(client.get("/api/v1/offices/?occupied=true")) == set()
    assert ids(client.get("/api/v1/offices/?site=site-a")) == {world["office_a"]}
    assert client.get("/api/v1/offices/?occupied=1").status_code == 400


# --- Declarations -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("outsider", set()),
        ("founder_a", {"declaration_a"}),
        ("manager_a", {"declaration_a"}),
        ("manager_b", {"declaration_b"}),
        ("staff", {"declaration_a", "declaration_b"}),
    ],
)
def test_declarations_per_persona(api, world, persona, expected):
    assert ids(api(persona).get("/api/v1/declarations/")) == {world[name] for name in expected}


def test_declaration_filters(api, world):
    client = api("staff")
    assert ids(client.get(f"/api/v1/declarations/?startup={world['startup_b']}")) == {world["declaration_b"]}
    assert ids(client.get("/api/v1/declarations/?fiscal_year=2023")) == set()
    row = client.get("/api/v1/declarations/?fiscal_year=2024").json()["results"][0]
    assert row["export_countries"] in (["FR", "SN"], ["SN", "FR"]) and row["exports_to_africa"] is True
    for junk in ("fiscal_year=1800", "fiscal_year=abc", "startup=x"):
        assert client.get(f"/api/v1/declarations/?{junk}").status_code == 400, junk


def test_declaration_upsert(api, world, unscoped):
    client = api("founder_a")
    body = {
        "startup": world["startup_a"],
        "fiscal_year": LAST_YEAR,
        "direct_jobs": 7,
        "revenue_mad": "500000",
        "export_revenue_mad": "100000.50",
        "export_countries": ["FR"],
    }
    response = post(client, "/api/v1/declarations/", body)
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["revenue_mad"] == "500000.00" and created["exports_to_africa"] is False
    response = post(client, "/api/v1/declarations/", {**body, "direct_jobs": 9, "export_countries": ["SN"]})
    assert response.status_code == 200, response.content
    assert response.json()["id"] == created["id"]
    declaration = Declaration.objects.get(pk=created["id"])
    assert declaration.direct_jobs == 9 and declaration.exports_to_africa is True
    assert Declaration.objects.filter(startup=world["startup_a"], fiscal_year=LAST_YEAR).count() == 1
    # The existing 2024 declaration is corrected in place too.
    response = post(client, "/api/v1/declarations/", {**body, "fiscal_year": 2024})
    assert response.status_code == 200 and response.json()["id"] == world["declaration_a"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"fiscal_year": TODAY.year}, "fiscal_year"),  # not over yet
        ({"export_revenue_mad": "600000"}, "export_revenue_mad"),  # above revenue
        ({"export_countries": ["ZZ"]}, "export_countries"),
        ({"export_countries": "FR"}, "export_countries"),
        ({"revenue_mad": "-1"}, "revenue_mad"),
        ({"revenue_mad": "1.234"}, "revenue_mad"),
        ({"revenue_mad": "1" * 13}, "revenue_mad"),
        ({"direct_jobs": -1}, "direct_jobs"),
        ({"fiscal_year": 1800}, "fiscal_year"),
    ],
)
def test_declaration_validation(api, world, change, field):
    body = {"startup": world["startup_a"], "fiscal_year": LAST_YEAR, "revenue_mad": "500000"}
    response = post(api("founder_a"), "/api/v1/declarations/", {**body, **change})
    assert response.status_code == 400, response.content
    errors = response.json()
    assert field in errors
    assert all(isinstance(message, str) for message in errors[field])


def test_declaration_permissions(api, world):
    body = {"startup": world["startup_b"], "fiscal_year": LAST_YEAR}
    assert post(api("founder_a"), "/api/v1/declarations/", body).status_code == 403  # not theirs
    for persona in ("outsider", "manager_b", "staff"):
        assert post(api(persona), "/api/v1/declarations/", body).status_code == 403, persona


# --- Query counts -------------------------------------------------------------------------
def _populate(kind: str, count: int, site):
    """`count` more rows of a list's kind at `site` (each with its related rows)."""
    sectors = list(Sector.objects.all()[:2])
    for _ in range(count):
        startup = StartupFactory()
        startup.sectors.set(sectors)
        if kind in ("startups", "declarations"):  # visible to the site's staff once admitted there
            AdmissionFactory(site=site, startup=startup)
        if kind == "calls":
            CallFactory(site=site).target_sectors.set(sectors)
        elif kind == "applications":
            ApplicationFactory(call__site=site, startup=startup)
        elif kind == "admissions":
            AdmissionFactory(site=site, startup=startup)
        elif kind == "offices":
            office = OfficeFactory(site=site)
            admission = AdmissionFactory(site=site, startup=startup)
            OfficeAllocation.objects.create(
                office=office, admission=admission, site=site, starts_on=admission.starts_on
            )
        elif kind == "declarations":
            DeclarationFactory(startup=startup)


@pytest.mark.parametrize("kind", ["startups", "calls", "applications", "admissions", "offices", "declarations"])
@pytest.mark.parametrize("persona", ["staff", "manager_a"])
def test_lists_are_constant_in_queries(client_for, personas, site_a, kind, persona, django_assert_max_num_queries):
    client = client_for(persona)
    url = f"/api/v1/{kind}/"
    with scopes_disabled():
        _populate(kind, 1, site_a)
    with CaptureQueriesContext(connection) as one_row:
        response = client.get(url)
    assert response.json()["count"] == 1
    with scopes_disabled():
        _populate(kind, 29, site_a)
    with django_assert_max_num_queries(len(one_row)):
        response = client.get(url)
    assert response.json()["count"] == 30
