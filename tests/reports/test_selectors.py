"""The grouped KPI computation (`kpis.headlines`, `kpis.grouped_figures`) and the reads of
`reports.selectors`: every scope's figures in a constant number of queries, exactly equal
to the per-scope engine (itself pinned by test_kpis_*.py against hand-computed figures)."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection

from reports.kpis import (
    ALL_SITES,
    REGION,
    SITE,
    grouped_figures,
    headline,
    headlines,
    headlines_by_sector,
    parse_scope,
)
from reports.selectors import all_scope_figures, scope_figures
from reports.snapshots import snapshots_compute
from reports.trends import yearly
from sites.models import Sector

from ..factories import AdmissionFactory, DeclarationFactory, SiteFactory, StartupFactory

D = datetime.date(2026, 6, 30)
TODAY = datetime.date(2026, 12, 6)


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


@pytest.fixture
def network(site_a, site_b, unscoped):
    """Site A and C in MA-06, B in MA-04. `twice` is admitted at A and C (one region) and B;
    `leap` founded on 29 February; `gone` closed before its 5th anniversary; declarations
    before, at and after D's year."""
    site_c = SiteFactory(slug="site-c", region=site_a.region)
    ict, greentech = Sector.objects.get(code="ict"), Sector.objects.get(code="greentech")
    twice = StartupFactory(founded_on=day("2015-03-01"))
    twice.sectors.add(ict, greentech)
    leap = StartupFactory(founded_on=day("2016-02-29"), closed_on=day("2021-02-28"))
    leap.sectors.add(ict)
    gone = StartupFactory(founded_on=day("2017-01-10"), closed_on=day("2021-01-09"))
    gone.sectors.add(greentech)
    young = StartupFactory(founded_on=day("2024-05-01"))
    for site, kind, start, end in [
        (site_a, "resident", "2020-01-01", None),
        (site_c, "e-technopark", "2019-01-01", "2022-01-01"),
        (site_b, "resident", "2023-01-01", None),
    ]:
        AdmissionFactory(
            startup=twice,
            site=site,
            kind=kind,
            starts_on=day(start),
            ended_on=day(end) if end else None,
            exit_reason="other" if end else "",
        )
    AdmissionFactory(startup=leap, site=site_c, starts_on=day("2018-01-01"))
    AdmissionFactory(
        startup=gone, site=site_b, starts_on=day("2018-01-01"), ended_on=day("2021-01-09"), exit_reason="closed"
    )
    AdmissionFactory(startup=young, site=site_a, kind="e-technopark", starts_on=day("2025-01-01"))
    AdmissionFactory(startup=StartupFactory(), site=site_a, starts_on=day("2026-07-01"))  # after D
    DeclarationFactory(
        startup=twice,
        fiscal_year=2024,
        direct_jobs=2,
        indirect_jobs=1,
        revenue_mad=Decimal("10.10"),
        export_revenue_mad=Decimal("1"),
        export_countries=["FR"],
    )
    DeclarationFactory(
        startup=twice,
        fiscal_year=2025,
        direct_jobs=5,
        indirect_jobs=2,
        revenue_mad=Decimal("1200000.35"),
        export_revenue_mad=Decimal("3"),
        export_countries=["SN"],
    )
    DeclarationFactory(
        startup=leap,
        fiscal_year=2023,
        direct_jobs=4,
        indirect_jobs=0,
        revenue_mad=Decimal("5.55"),
        export_revenue_mad=Decimal("0"),
        export_countries=[],
    )
    DeclarationFactory(
        startup=gone,
        fiscal_year=2019,
        direct_jobs=3,
        indirect_jobs=0,
        revenue_mad=Decimal("100000"),
        export_revenue_mad=Decimal("0"),
        export_countries=[],
    )
    return {"ict": ict, "greentech": greentech}


DATES = [day("2019-12-31"), day("2021-02-28"), day("2021-03-01"), D, day("2026-07-01")]


@pytest.mark.parametrize("as_of", DATES)
@pytest.mark.parametrize("sector_code", [None, "ict", "greentech"])
def test_every_scope_equals_the_per_scope_engine(network, as_of, sector_code):
    sector = network[sector_code] if sector_code else None
    grouped = headlines(as_of=as_of, sector=sector)
    for label, figures in grouped.items():
        assert figures == headline(parse_scope(label), as_of, sector), label


def test_a_startup_at_two_sites_counts_once_in_region_and_network(network, site_a):
    figures = headlines(as_of=D)
    assert figures["site:site-a"].startups_supported_total == 2  # twice, young
    assert figures["site:site-c"].startups_supported_total == 2  # twice, leap
    assert figures["region:MA-06"].startups_supported_total == 3  # twice once
    assert figures["network"].startups_supported_total == 4
    assert figures["network"].jobs_total == 7 + 4 + 3
    assert figures["region:MA-06"].jobs_total == 7 + 4


@pytest.mark.skipif(connection.vendor != "postgresql", reason="DISTINCT ON is PostgreSQL's")
@pytest.mark.parametrize("as_of", DATES)
def test_distinct_on_and_the_portable_join_agree(network, as_of):
    levels = (SITE, REGION, ALL_SITES)
    portable = grouped_figures(as_of=as_of, levels=levels, distinct_on=False)
    assert grouped_figures(as_of=as_of, levels=levels, distinct_on=True) == portable


def test_every_scope_in_constant_queries(network, django_assert_num_queries, site_b):
    with django_assert_num_queries(3):  # sites, regions, one grouped query
        headlines(as_of=D, sector=network["ict"])
    for number in range(4):
        site = SiteFactory(region=site_b.region)
        AdmissionFactory(startup=StartupFactory(), site=site, starts_on=day("2024-01-01"))
        Sector.objects.create(code=f"extra-{number}", name_fr="x", name_ar="x", name_en="x")
    with django_assert_num_queries(3):
        headlines(as_of=D, sector=network["ict"])


def test_a_past_date_with_snapshots_is_a_read(network, django_assert_max_num_queries):
    snapshots_compute(as_of=D)
    live = headlines(as_of=D)
    with django_assert_max_num_queries(3):  # the date's rows, the scope labels
        stored, snapshot_day = all_scope_figures(as_of=D, today=TODAY)
    assert snapshot_day == D
    assert stored == live
    # No snapshot at that date: live, same figures.
    assert all_scope_figures(as_of=day("2026-06-29"), today=TODAY) == (headlines(as_of=day("2026-06-29")), None)
    # A sector: its snapshot rows, the same figures as live.
    with django_assert_max_num_queries(3):
        by_sector = all_scope_figures(as_of=D, today=TODAY, sector=network["ict"])
    assert by_sector == (headlines(as_of=D, sector=network["ict"]), D)
    assert by_sector[0]["network"].startups_supported_total == 2  # twice, leap
    # One scope: the snapshot when there is one (one query), else live.
    scope = parse_scope("region:MA-06")
    with django_assert_max_num_queries(1):
        assert scope_figures(scope=scope, as_of=D, today=TODAY) == live["region:MA-06"]
    assert scope_figures(scope=scope, as_of=D, today=D) == live["region:MA-06"]  # today: live


@pytest.mark.parametrize("as_of", DATES)
def test_every_sector_at_once_equals_each_sector(network, as_of, django_assert_num_queries):
    with django_assert_num_queries(4):  # sites, regions, sectors, one grouped query
        by_sector = headlines_by_sector(as_of=as_of)
    assert set(by_sector) == set(Sector.objects.values_list("pk", flat=True))
    for sector in Sector.objects.all():
        assert by_sector[sector.pk] == headlines(as_of=as_of, sector=sector), sector.code


def test_sector_trends_read_the_sector_snapshots(network, django_assert_num_queries):
    ict = network["ict"]
    scope = parse_scope("region:MA-06")
    live = yearly(scope, as_of=D, sector=ict, first_year=2024)
    for as_of in (day("2024-12-31"), day("2025-12-31"), D):
        snapshots_compute(as_of=as_of)
    with django_assert_num_queries(1):
        assert yearly(scope, as_of=D, sector=ict, first_year=2024) == live
    # A missing point is computed live: one grouped query more.
    with django_assert_num_queries(2):
        assert yearly(scope, as_of=day("2026-06-29"), sector=ict, first_year=2024)[-1].jobs_total == live[-1].jobs_total
