"""The KPI figures are read far more often than their data change: the headline is kept in
the cache for KPI_CACHE_SECONDS, keyed by all its inputs (scope, date, sector), and holds
nothing per user. The dashboard page itself is never cached (issue 16): it is rendered for
every request. With the cache off (0) every request sees the latest data."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import AdmissionFactory, StartupFactory

from .dashboards_setup import NETWORK, SITE_A, dataset  # noqa: F401 (the fixture)

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
def test_the_headline_is_computed_once_then_served_from_the_cache(client_for, dataset, site_a, persona, url):  # noqa: F811
    client = client_for(persona)
    first, _computed = _count(client, url + QUERY)
    _admit_one_more(site_a)
    again, _queries = _count(client, url + QUERY)
    assert _supported(again) == _supported(first)  # within the cache time, the same figures
    assert b"data-computed-at" in again.content
    other, _queries = _count(client, url + QUERY.replace("2026-06-30&", "2026-06-29&", 1))
    assert int(_supported(other)) == int(_supported(first)) + 1  # other inputs: their own figures


@pytest.mark.django_db
@pytest.mark.parametrize(("persona", "url"), [("staff", NETWORK), ("manager_a", SITE_A)])
def test_the_page_is_rendered_for_every_request(client_for, dataset, persona, url):  # noqa: F811
    """No cached fragment of the page: every request builds its form and its dashboard."""
    client = client_for(persona)
    for _ in range(2):
        response = client.get(url + QUERY)
        assert response.context["dashboard"] is not None and response.context["form"] is not None
        for marker in (b'data-export="all-xlsx"', b'id="dashboard-charts"', b"chart.umd"):
            assert response.content.count(marker) == 1


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
def test_the_kpi_api_keeps_its_figures_for_the_cache_time_and_reads_a_past_dates_snapshot(client_for, dataset, site_a):  # noqa: F811
    """Like the dashboards', the API's figures are kept KPI_CACHE_SECONDS under all their
    inputs (issue 16: the same figures again and again, computed once); once that time is
    over, a past date whose snapshot was written is a read of it."""
    from django.core.cache import cache

    from reports.models import KpiSnapshot
    from reports.snapshots import snapshots_compute

    client = client_for("staff")
    first, _computed = _count(client, KPIS)
    _admit_one_more(site_a)
    again, queries = _count(client, KPIS)
    assert again.json() == first.json()  # within the cache time
    assert queries < _computed
    snapshots_compute(as_of=datetime.date(2026, 6, 30))
    KpiSnapshot.objects.filter(scope="network", as_of=datetime.date(2026, 6, 30)).update(jobs_total=999)
    cache.clear()  # the cache time is over
    assert client.get(KPIS).json()["jobs_total"] == 999


@pytest.mark.django_db
def test_the_kpi_api_without_the_cache(client_for, dataset, site_a, settings):  # noqa: F811
    settings.KPI_CACHE_SECONDS = 0
    client = client_for("staff")
    first = client.get(KPIS).json()
    _admit_one_more(site_a)
    assert client.get(KPIS).json()["startups_supported_total"] == first["startups_supported_total"] + 1
