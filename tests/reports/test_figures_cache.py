"""The KPI figures and the dashboards are read far more often than their data change: the
headline is kept in the cache and the dashboards' filters and figures are a cached
fragment, for KPI_CACHE_SECONDS (docs/benchmarks.md). A new request within that time
computes nothing; with the cache off (0) every request sees the latest data."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports.views import dashboards
from tests.factories import AdmissionFactory, StartupFactory

from .test_dashboards import NETWORK, SITE_A, dataset  # noqa: F401 (the fixture)

QUERY = "?as_of=2026-06-30&date_from=2025-07-01&date_to=2026-06-30"
KPIS = "/api/v1/kpis/?scope=network&as_of=2026-06-30"


def _admit_one_more(site):
    AdmissionFactory(startup=StartupFactory(), site=site, kind="resident", starts_on=datetime.date(2026, 1, 5))


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response, len(queries)


def _supported(response) -> str:
    html = response.content.decode()
    marker = 'data-kpi="startups_supported_total">'
    return html[html.index(marker) + len(marker) :].split("<", 1)[0]


@pytest.mark.django_db
@pytest.mark.parametrize(("persona", "url"), [("staff", NETWORK), ("manager_a", SITE_A)])
def test_a_dashboard_is_computed_once_then_served_from_the_cache(client_for, dataset, site_a, persona, url):  # noqa: F811
    client = client_for(persona)
    first, computed = _count(client, url + QUERY)
    _admit_one_more(site_a)
    again, cached = _count(client, url + QUERY)
    assert cached < computed and cached <= 8  # the session, the user, the site: no KPI query
    assert _supported(again) == _supported(first)  # within the cache time, the same figures
    assert b"data-computed-at" in again.content
    other, _queries = _count(client, url + QUERY.replace("2026-06-30&", "2026-06-29&", 1))
    assert int(_supported(other)) == int(_supported(first)) + 1  # other filters: their own fragment


@pytest.mark.django_db
@pytest.mark.parametrize(("persona", "url"), [("staff", NETWORK), ("manager_a", SITE_A)])
def test_a_cached_dashboard_builds_neither_its_form_nor_its_figures(client_for, dataset, persona, url, monkeypatch):  # noqa: F811
    client = client_for(persona)
    first = client.get(url + QUERY)
    assert first.context["dashboard"] is not None

    def not_again(*args, **kwargs):
        raise AssertionError("built although the page is cached")

    monkeypatch.setattr(dashboards, "NetworkDashboardForm", not_again)
    monkeypatch.setattr(dashboards, "SiteDashboardForm", not_again)
    again = client.get(url + QUERY)
    assert again.status_code == 200
    assert _supported(again) == _supported(first)
    for marker in (b'data-export="all-xlsx"', b'id="dashboard-charts"', b"chart.umd"):
        assert again.content.count(marker) == first.content.count(marker) == 1


@pytest.mark.django_db
def test_the_cache_key_holds_the_language(client_for, dataset):  # noqa: F811
    client = client_for("staff")
    french = client.get(NETWORK + QUERY)
    client.cookies["django_language"] = "en"
    english = client.get(NETWORK + QUERY)
    assert b"Headline figures" not in french.content
    assert b"Headline figures" in english.content


@pytest.mark.django_db
def test_without_the_cache_every_request_sees_the_latest_data(client_for, dataset, site_a, settings):  # noqa: F811
    settings.KPI_CACHE_SECONDS = 0
    client = client_for("staff")
    first = client.get(NETWORK + QUERY)
    _admit_one_more(site_a)
    again = client.get(NETWORK + QUERY)
    assert int(_supported(again)) == int(_supported(first)) + 1
    assert b"data-computed-at" not in again.content


@pytest.mark.django_db
def test_the_kpi_api_computes_a_scope_and_date_once(client_for, dataset, site_a):  # noqa: F811
    client = client_for("staff")
    first, computed = _count(client, KPIS)
    _admit_one_more(site_a)
    again, cached = _count(client, KPIS)
    assert cached < computed
    assert again.json() == first.json()
    other_day = client.get(KPIS.replace("2026-06-30", "2026-06-29"))
    assert other_day.json()["startups_supported_total"] == first.json()["startups_supported_total"] + 1


@pytest.mark.django_db
def test_the_kpi_api_without_the_cache(client_for, dataset, site_a, settings):  # noqa: F811
    settings.KPI_CACHE_SECONDS = 0
    client = client_for("staff")
    first = client.get(KPIS).json()
    _admit_one_more(site_a)
    assert client.get(KPIS).json()["startups_supported_total"] == first["startups_supported_total"] + 1
