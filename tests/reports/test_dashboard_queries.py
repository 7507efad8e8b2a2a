"""The network dashboard's query count (issue 16: 80 by default, 304 with a sector filter,
80 at a past date without snapshots on this dataset before the grouped KPI engine): now a
few dozen, whatever the filter and date, and it does not grow with the number of sectors
or startups. Each KPI figure set is one grouped query (reports.kpis), snapshots are read
for past month ends, sector included."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports.snapshots import snapshots_compute
from sites.models import Sector
from tests.factories import AdmissionFactory, SiteFactory, StartupFactory

from .dashboards_setup import NETWORK, dataset  # noqa: F401 (the fixture)

CASES = {
    "default": {},
    "sector": {"sector": "ict"},
    "past month end": {"as_of": "2026-05-31"},
    "past date without snapshot": {"as_of": "2026-05-30"},
    "past month end, sector": {"as_of": "2026-05-31", "sector": "greentech"},
}


def _count(client, params) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(NETWORK, params)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_network_dashboard_queries_are_bounded(client_for, dataset, site_b, settings):  # noqa: F811
    settings.KPI_CACHE_SECONDS = 0
    for year in range(2001, 2026):
        snapshots_compute(as_of=datetime.date(year, 12, 31))
    snapshots_compute(as_of=datetime.date(2026, 5, 31))
    client = client_for("staff")
    before = {name: _count(client, params) for name, params in CASES.items()}
    assert max(before.values()) <= 30, before
    # More sectors and more startups: not one query more.
    for number in range(5):
        Sector.objects.create(code=f"extra-{number}", name_fr="x", name_ar="x", name_en="x")
        AdmissionFactory(startup=StartupFactory(), site=site_b)
    assert {name: _count(client, params) for name, params in CASES.items()} == before
    # New sites have no snapshot yet: their rows are computed live, all together (three
    # queries: reports.kpis.headlines), then more sites cost nothing more.
    AdmissionFactory(startup=StartupFactory(), site=SiteFactory(region=site_b.region))
    after = {name: _count(client, params) for name, params in CASES.items()}
    assert all(after[name] <= before[name] + 3 for name in CASES), (before, after)
    for _number in range(3):
        AdmissionFactory(startup=StartupFactory(), site=SiteFactory(region=site_b.region))
    assert {name: _count(client, params) for name, params in CASES.items()} == after
