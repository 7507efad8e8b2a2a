"""The figures' coverage (issue 22): for each figure read from the yearly declarations, the
share of the startups it counts that declared the last closed year — computed by the KPI
engine's grouped query, kept in the snapshots, shown on the dashboards next to the figure
and in the KPI API. Worked out by hand on a small network."""

import datetime
import re
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from reports.kpis import ALL_SITES, SITE, grouped_figures, headline, parse_scope
from reports.models import KpiSnapshot
from reports.selectors import from_row
from reports.snapshots import month_ends_backfill, snapshots_compute
from startups.models import Declaration

from ..factories import AdmissionFactory, DeclarationFactory, StartupFactory

D = datetime.date(2026, 6, 30)  # the last closed year is 2025


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


@pytest.fixture
def network(site_a, site_b, unscoped):
    """At D, the startups counted and whether they declared 2025:

    a  resident at A since 2020 (open)                      2025 declared
    b  member at A since 2024 (open)                        only 2024 declared
    e  resident at A since 2021, and at B since 2025 (open)  2025 declared (one startup, two sites)
    c  alumnus: left A in 2024 (graduated)                  2025 declared
    d  closed: left B in 2022                               nothing declared

    Network: supported since 2001 a b e c d = 5, of which a e c declared 2025 → jobs 3/5;
    supported now a b e = 3, of which a e → revenue and exports 2/3.
    Site A: a b e c = 4, a e c declared → 3/4; now a b e → 2/3. Site B: e d = 2, e → 1/2;
    now e → 1/1."""
    a, b, c, d, e = (StartupFactory(brand_name=name, founded_on=day("2015-01-01")) for name in "abcde")
    d.closed_on = day("2022-05-01")
    d.save(update_fields=["closed_on"])
    AdmissionFactory(startup=a, site=site_a, starts_on=day("2020-01-01"))
    AdmissionFactory(startup=b, site=site_a, kind="e-technopark", starts_on=day("2024-01-01"))
    AdmissionFactory(startup=e, site=site_a, starts_on=day("2021-01-01"))
    AdmissionFactory(startup=e, site=site_b, starts_on=day("2025-01-01"))
    AdmissionFactory(
        startup=c, site=site_a, starts_on=day("2019-01-01"), ended_on=day("2024-03-01"), exit_reason="graduated"
    )
    AdmissionFactory(
        startup=d, site=site_b, starts_on=day("2018-01-01"), ended_on=day("2022-05-01"), exit_reason="closed"
    )
    for startup in (a, e, c):
        DeclarationFactory(startup=startup, fiscal_year=2025)
    DeclarationFactory(startup=b, fiscal_year=2024)
    # A declaration of the current year (not closed yet) does not count.
    Declaration.objects.bulk_create([DeclarationFactory.build(startup=b, fiscal_year=2026)])
    return site_a, site_b


def _coverages(figures) -> dict:
    return {
        name: figures.coverage(name)
        for name in ("jobs_total", "annual_revenue_mad", "export_share", "export_africa_share", "supported_now")
    }


def test_the_engine_counts_who_declared_the_last_closed_year(network):
    figures = headline(parse_scope("network"), D)
    assert (figures.startups_supported_total, figures.supported_now) == (5, 3)
    assert (figures.declared_total, figures.declared_now) == (3, 2)
    assert _coverages(figures) == {
        "jobs_total": Decimal("0.6000"),
        "annual_revenue_mad": Decimal("0.6667"),
        "export_share": Decimal("0.6667"),
        "export_africa_share": Decimal("0.6667"),
        "supported_now": None,  # from admissions: known for every startup
    }
    site_a = headline(parse_scope("site:site-a"), D)
    assert (site_a.declared_total, site_a.declared_now) == (3, 2)
    assert site_a.coverage("jobs_total") == Decimal("0.7500")
    # Sites and the network in one grouped query: e counts at both sites, once in the network.
    grouped = grouped_figures(as_of=D, levels=(SITE, ALL_SITES))
    by_site = {key: figures for (level, key, _sector), figures in grouped.items() if level == SITE}
    assert [(by_site[site.pk].declared_total, by_site[site.pk].declared_now) for site in network] == [(3, 2), (1, 1)]
    assert (grouped[(ALL_SITES, 0, 0)].declared_total, grouped[(ALL_SITES, 0, 0)].declared_now) == (3, 2)


def test_a_year_later_nobody_has_declared_yet(network):
    """On 30 June 2027 the last closed year is 2026: only the current-year row of b was
    there, and it is 2026's: b alone declared."""
    figures = headline(parse_scope("network"), day("2027-06-30"))
    assert (figures.declared_total, figures.declared_now) == (1, 1)
    assert figures.coverage("jobs_total") == Decimal("0.2000")


def test_a_scope_without_startups_has_no_coverage(site_a, unscoped):
    figures = headline(parse_scope("site:site-a"), D)
    assert all(value is None for value in _coverages(figures).values())


def test_snapshots_keep_the_counts_and_an_older_row_is_computed_again_once(network):
    snapshots_compute(as_of=day("2026-05-31"))
    row = KpiSnapshot.objects.get(scope="network", as_of=day("2026-05-31"))
    assert (row.declared_total, row.declared_now) == (3, 2)
    assert from_row(row).coverage("annual_revenue_mad") == Decimal("0.6667")
    # A row written before the counts were kept: its coverage is not known…
    KpiSnapshot.objects.filter(as_of=day("2026-05-31")).update(declared_total=None, declared_now=None)
    older = from_row(KpiSnapshot.objects.get(scope="network", as_of=day("2026-05-31")))
    assert older.coverage("jobs_total") is None
    # …until the backfill computes that date again, once.
    assert month_ends_backfill(today=day("2026-06-10"), first_year=2026) == 5  # January to May
    assert month_ends_backfill(today=day("2026-06-10"), first_year=2026) == 0
    assert KpiSnapshot.objects.get(scope="network", as_of=day("2026-05-31")).declared_now == 2


def test_the_dashboard_shows_each_figures_coverage(network, staff, client):
    client.force_login(staff)
    client.cookies["django_language"] = "en"
    response = client.get("/network/dashboard/", {"as_of": D.isoformat()})
    html = response.content.decode()
    coverage = dict(re.findall(r'data-coverage="(\w+)">\s*(.*?)\s*</p>', html, re.S))
    assert coverage == {
        "jobs_total": "Declared 2025: 60.0% (3 of 5)",
        "annual_revenue_mad": "Declared 2025: 66.7% (2 of 3)",
        "export_share": "Declared 2025: 66.7% (2 of 3)",
        "export_africa_share": "Declared 2025: 66.7% (2 of 3)",
    }
    headline_table = response.context["sections"]["tables"]["headline"]
    assert headline_table.header[-1] == "Declared 2025"
    assert [row[-1] for row in headline_table.rows] == [None] * 5 + [
        Decimal("0.6000"),
        *[Decimal("0.6667")] * 3,
    ]


def test_an_older_snapshot_says_the_coverage_is_not_known(network, staff, client):
    snapshots_compute(as_of=day("2026-05-31"))
    KpiSnapshot.objects.update(declared_total=None, declared_now=None)
    client.force_login(staff)
    client.cookies["django_language"] = "en"
    response = client.get("/network/dashboard/", {"as_of": "2026-05-31"})
    assert response.content.decode().count("Declared 2025: not known on this date") == 4


def test_the_kpi_api_gives_the_coverage(network, staff):
    client = APIClient()
    client.force_authenticate(user=staff)
    body = client.get("/api/v1/kpis/", {"scope": "site:site-b", "as_of": D.isoformat()}).json()
    assert body["coverage"] == {
        "declared_year": 2025,
        "jobs_total": 0.5,
        "annual_revenue_mad": 1.0,
        "export_share": 1.0,
        "export_africa_share": 1.0,
    }
