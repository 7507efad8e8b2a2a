"""Year-end snapshots: `snapshots.year_ends_backfill` computes the 31 December snapshots of
the past years whose network row is missing, and the nightly task runs it after the day's
snapshots. Years are kept early (FIRST_YEAR is 2001) so that the history stays short."""

import datetime

import pytest

from reports import snapshots
from reports.kpis import headline, parse_scope
from reports.models import KpiSnapshot
from reports.snapshots import FIGURES, month_ends, month_ends_backfill, snapshots_compute, year_ends_backfill
from reports.tasks import compute_kpi_snapshots
from sites.models import Region, Site

from ..factories import AdmissionFactory, DeclarationFactory, StartupFactory


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


@pytest.fixture
def pioneer(site_a, site_b, unscoped):
    """Founded 2000-05-01, resident at site A from 2002-03-01; declared FY2002: 3 + 1 jobs.
    Network at 2001-12-31: nobody yet; at 2002-12-31: 1 supported, no declaration known;
    at 2003-12-31: 1 supported, 4 jobs (FY2002)."""
    startup = StartupFactory(founded_on=day("2000-05-01"))
    AdmissionFactory(startup=startup, site=site_a, starts_on=day("2002-03-01"), planned_end_on=day("2007-03-01"))
    DeclarationFactory(startup=startup, fiscal_year=2002, direct_jobs=3, indirect_jobs=1)
    return startup


def network_dates() -> list[datetime.date]:
    return sorted(KpiSnapshot.objects.filter(scope="network").values_list("as_of", flat=True))


def year_ends(first: int, last: int) -> list[datetime.date]:
    return [datetime.date(year, 12, 31) for year in range(first, last + 1)]


def test_the_backfill_computes_exactly_the_missing_year_ends(pioneer, unscoped):
    # 2003 and 2006 are already there; 2003's network figures are deliberately off, to
    # show that a year already present is left alone.
    snapshots_compute(as_of=day("2003-12-31"))
    snapshots_compute(as_of=day("2006-12-31"))
    KpiSnapshot.objects.filter(scope="network", as_of=day("2003-12-31")).update(jobs_total=999)

    # Past years at 2008-03-15: 2001 … 2007, of which 2003 and 2006 exist → 5 to compute.
    assert year_ends_backfill(today=day("2008-03-15")) == 5
    assert network_dates() == year_ends(2001, 2007)
    assert KpiSnapshot.objects.get(scope="network", as_of=day("2003-12-31")).jobs_total == 999
    # Nothing for the current year (its 31 December has not come).
    assert not KpiSnapshot.objects.filter(as_of__year=2008).exists()
    # Every scope of a computed year-end, with the engine's figures.
    scopes_per_date = 1 + Region.objects.count() + Site.objects.count()
    for as_of in year_ends(2001, 2007):
        assert KpiSnapshot.objects.filter(as_of=as_of).count() == scopes_per_date, as_of
    for as_of in [day("2001-12-31"), day("2002-12-31"), day("2004-12-31")]:
        for label in ["network", "region:MA-06", "site:site-a", "site:site-b"]:
            row = KpiSnapshot.objects.get(scope=label, as_of=as_of)
            assert {name: getattr(row, name) for name in FIGURES} == headline(parse_scope(label), as_of).as_dict()
    network = {
        row.as_of.year: (row.startups_supported_total, row.jobs_total)
        for row in KpiSnapshot.objects.filter(scope="network")
    }
    assert network[2001] == (0, 0) and network[2002] == (1, 0) and network[2004] == (1, 4)


def test_a_rerun_computes_nothing(pioneer, unscoped, django_assert_num_queries):
    assert year_ends_backfill(today=day("2005-01-01")) == 4  # 2001 … 2004
    before = {(row.scope, row.as_of): row.computed_at for row in KpiSnapshot.objects.all()}
    with django_assert_num_queries(1):  # which year-ends exist: and nothing else
        assert year_ends_backfill(today=day("2005-01-01")) == 0
    assert {(row.scope, row.as_of): row.computed_at for row in KpiSnapshot.objects.all()} == before
    # A year later, only the new 31 December is missing.
    assert year_ends_backfill(today=day("2006-02-01")) == 1
    assert network_dates() == year_ends(2001, 2005)


def test_no_past_year_no_backfill(db, unscoped):
    assert year_ends_backfill(today=day("2001-07-01")) == 0
    assert not KpiSnapshot.objects.exists()


def test_the_nightly_task_backfills_after_the_days_snapshots(pioneer, unscoped, monkeypatch):
    calls = []
    original = snapshots.year_ends_backfill

    def spy(*, today):
        # The day's snapshots are written first.
        calls.append((today, KpiSnapshot.objects.filter(scope="network", as_of=today).exists()))
        return original(today=today)

    monkeypatch.setattr(snapshots, "year_ends_backfill", spy)
    written = compute_kpi_snapshots.delay("2004-05-05").get()

    assert calls == [(day("2004-05-05"), True)]
    # Its return value: the rows written for the day, one per scope.
    assert written == 1 + Region.objects.count() + Site.objects.count()
    # Every past year end, then every past month end (January 2001 to April 2004).
    assert network_dates() == [*month_ends(today=day("2004-05-05")), day("2004-05-05")]
    assert set(year_ends(2001, 2003)) <= set(network_dates())
    # A rerun the same night: same rows, nothing more to backfill.
    assert compute_kpi_snapshots.delay("2004-05-05").get() == written
    assert network_dates() == [*month_ends(today=day("2004-05-05")), day("2004-05-05")]


def test_month_ends():
    assert month_ends(today=day("2001-03-01"), first_year=2001) == [day("2001-01-31"), day("2001-02-28")]
    assert month_ends(today=day("2004-03-31"), first_year=2004)[-1] == day("2004-02-29")
    assert month_ends(today=day("2002-01-01"), first_year=2001)[-1] == day("2001-12-31")
    assert len(month_ends(today=day("2002-01-01"), first_year=2001)) == 12


def test_month_end_backfill_is_idempotent_and_a_past_month_end_is_a_read(pioneer, unscoped):
    today = day("2003-02-10")
    assert month_ends_backfill(today=today, first_year=2002) == 13
    assert month_ends_backfill(today=today, first_year=2002) == 0
    row = KpiSnapshot.objects.get(scope="site:" + pioneer.admissions.get().site.slug, as_of=day("2002-12-31"))
    assert row.startups_supported_total == 1
    network = KpiSnapshot.objects.get(scope="network", as_of=day("2002-06-30"))
    assert {name: getattr(network, name) for name in FIGURES} == headline(
        parse_scope("network"), day("2002-06-30")
    ).as_dict()
