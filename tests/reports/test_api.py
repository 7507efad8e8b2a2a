"""The KPI API: the keys and formats the issue names, who may ask for which scope, and
clear 4xx errors for bad input. The figures themselves are proven in test_kpis_*.py; here a
small dataset checks that the API returns the engine's answer."""

import datetime
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from reports.kpis import headline, parse_scope
from tests.factories import AdmissionFactory, DeclarationFactory, SiteMembershipFactory, StartupFactory

KEYS = {
    "scope",
    "as_of",
    "startups_supported_total",
    "residents_total",
    "supported_now",
    "residents_now",
    "survival_rate_5y",
    "jobs_total",
    "annual_revenue_mad",
    "export_share",
    "export_africa_share",
    "coverage",
}


@pytest.fixture
def network(site_a, site_b, unscoped):
    """Site A (MA-06): a resident founded in 2015 that declared 2025 (5 + 2 jobs, 1.2 M MAD,
    exports to Senegal); an e-Technopark member with no declaration. Site B (MA-04): one
    resident that closed in 2021, four years after its founding."""
    resident = StartupFactory(founded_on=datetime.date(2015, 3, 1))
    AdmissionFactory(startup=resident, site=site_a, kind="resident", starts_on=datetime.date(2020, 1, 1))
    DeclarationFactory(
        startup=resident,
        fiscal_year=2025,
        direct_jobs=5,
        indirect_jobs=2,
        revenue_mad=Decimal("1200000.00"),
        export_revenue_mad=Decimal("300000.00"),
        export_countries=["SN"],
    )
    member = StartupFactory(founded_on=datetime.date(2024, 5, 1))
    AdmissionFactory(startup=member, site=site_a, kind="e-technopark", starts_on=datetime.date(2025, 1, 1))
    closed = StartupFactory(founded_on=datetime.date(2017, 1, 10), closed_on=datetime.date(2021, 1, 9))
    AdmissionFactory(
        startup=closed,
        site=site_b,
        kind="resident",
        starts_on=datetime.date(2018, 1, 1),
        ended_on=datetime.date(2021, 1, 9),
        exit_reason="closed",
    )


def _client(user=None):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user=user)
    return client


def test_head_office_gets_every_key_with_numbers(network, staff):
    response = _client(staff).get("/api/v1/kpis/", {"scope": "site:site-a", "as_of": "2026-06-30"})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == KEYS
    assert body["scope"] == "site:site-a" and body["as_of"] == "2026-06-30"
    # Two startups supported (one resident), both still admitted.
    assert body["startups_supported_total"] == 2 and body["supported_now"] == 2
    assert body["residents_total"] == 1 and body["residents_now"] == 1
    # Cohort founded by 2021-06-30: only the 2015 resident, alive: 1/1.
    assert body["survival_rate_5y"] == 1.0
    assert body["jobs_total"] == 7
    assert body["annual_revenue_mad"] == 1200000.0
    # Of the two supported now, one exports, to Africa: 1/2.
    assert body["export_share"] == 0.5 and body["export_africa_share"] == 0.5
    assert all(isinstance(body[key], (int, float)) for key in KEYS - {"scope", "as_of", "coverage"})
    # Of the two, the resident declared 2025; the member did not.
    assert body["coverage"] == {
        "declared_year": 2025,
        "jobs_total": 0.5,
        "annual_revenue_mad": 0.5,
        "export_share": 0.5,
        "export_africa_share": 0.5,
    }


def test_the_api_returns_what_the_engine_computes(network, staff):
    for scope in ("network", "region:MA-06", "region:MA-04", "site:site-b"):
        response = _client(staff).get("/api/v1/kpis/", {"scope": scope, "as_of": "2026-06-30"})
        assert response.status_code == 200, scope
        figures = headline(parse_scope(scope), datetime.date(2026, 6, 30))
        body = response.json()
        for key in figures.as_dict():
            value = figures.shown(key)  # a rate with nothing to divide is null, not 0
            assert (body[key] is None) if value is None else Decimal(str(body[key])) == Decimal(value), (scope, key)
    network_figures = _client(staff).get("/api/v1/kpis/", {"scope": "network", "as_of": "2026-06-30"}).json()
    assert network_figures["startups_supported_total"] == 3
    # The 2017 startup closed before its fifth anniversary: 1 survivor of 2.
    assert network_figures["survival_rate_5y"] == 0.5


@pytest.mark.parametrize("as_of", ["0001-01-01", "9999-12-31"])
def test_the_calendar_ends_are_answered(network, staff, as_of):
    body = _client(staff).get("/api/v1/kpis/", {"scope": "network", "as_of": as_of}).json()
    assert body["as_of"] == as_of
    assert body["startups_supported_total"] == (0 if as_of.startswith("0001") else 3)


def test_as_of_defaults_to_today(network, staff):
    from django.utils import timezone

    body = _client(staff).get("/api/v1/kpis/", {"scope": "network"}).json()
    assert body["as_of"] == timezone.localdate().isoformat()


@pytest.mark.parametrize(
    ("scope", "expected"),
    [("site:site-a", 200), ("site:site-b", 404), ("region:MA-06", 404), ("network", 404), ("site:nowhere", 404)],
)
def test_a_site_manager_sees_only_their_sites(network, manager_a, scope, expected):
    response = _client(manager_a).get("/api/v1/kpis/", {"scope": scope})
    assert response.status_code == expected
    if expected == 404:
        assert set(response.json()) == {"detail"}


def test_a_manager_of_two_sites_sees_both(network, site_a, site_b, unscoped):
    manager = SiteMembershipFactory(site=site_a, user__email="two.sites@example.ma").user
    SiteMembershipFactory(site=site_b, user=manager)
    for scope in ("site:site-a", "site:site-b"):
        assert _client(manager).get("/api/v1/kpis/", {"scope": scope}).status_code == 200


def test_founders_and_anonymous_get_nothing(network, founder_a):
    assert _client(founder_a).get("/api/v1/kpis/", {"scope": "site:site-a"}).status_code == 404
    assert _client().get("/api/v1/kpis/", {"scope": "network"}).status_code == 401


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "scope"),
        ({"scope": ""}, "scope"),
        ({"scope": "network", "as_of": "2026-02-30"}, "as_of"),
        ({"scope": "network", "as_of": "yesterday"}, "as_of"),
        ({"scope": "x" * 61}, "scope"),
    ],
)
def test_bad_input_is_a_clear_400(network, staff, params, field):
    response = _client(staff).get("/api/v1/kpis/", params)
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize("scope", ["region:MA-99", "site:", "network:x", "everything", "site:site-a:extra"])
def test_unknown_scopes_are_404(network, staff, scope):
    assert _client(staff).get("/api/v1/kpis/", {"scope": scope}).status_code == 404


def test_query_count_does_not_grow_with_the_data(network, staff, site_a, unscoped, django_assert_max_num_queries):
    for _ in range(20):
        AdmissionFactory(startup=StartupFactory(), site=site_a, starts_on=datetime.date(2024, 1, 1))
    with django_assert_max_num_queries(14):
        assert _client(staff).get("/api/v1/kpis/", {"scope": "region:MA-06"}).status_code == 200
