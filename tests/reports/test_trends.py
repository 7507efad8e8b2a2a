"""Trends by year and 5-year survival by founding cohort (reports/trends.py), on datasets
built by hand: every expected figure is worked out in the comments next to the data.

Sites: site A (region MA-06) and site B (region MA-04), from tests/conftest.py.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports.kpis import headline, parse_scope
from reports.models import KpiSnapshot
from reports.trends import CohortSurvival, YearPoint, survival_by_cohort, yearly
from sites.models import Sector
from startups.models import AdmissionKind

from ..factories import AdmissionFactory, DeclarationFactory, StartupFactory

D = datetime.date(2026, 6, 30)  # declarations known at D: fiscal years ≤ 2025
NETWORK = "network"


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def admit(startup, site, kind=AdmissionKind.RESIDENT, starts_on="2020-01-01", ended_on=None):
    return AdmissionFactory(
        startup=startup,
        site=site,
        kind=kind,
        starts_on=day(starts_on),
        ended_on=day(ended_on) if ended_on else None,
        exit_reason="graduated" if ended_on else "",
    )


def snapshot(label: str, as_of: str, *, supported: int, now: int, jobs: int, revenue: str, export: str, survival: str):
    """A stored snapshot whose figures the engine would never produce from the data below:
    reading it back proves the history comes from the snapshots, not from a recomputation."""
    return KpiSnapshot.objects.create(
        scope=label,
        as_of=day(as_of),
        startups_supported_total=supported,
        residents_total=0,
        supported_now=now,
        residents_now=0,
        survival_rate_5y=Decimal(survival),
        jobs_total=jobs,
        annual_revenue_mad=Decimal(revenue),
        export_share=Decimal(export),
        export_africa_share=Decimal("0"),
    )


@pytest.fixture
def agritech(db):
    return Sector.objects.order_by("pk").first()


@pytest.fixture
def two_startups(site_a, site_b, agritech, unscoped):
    """- Atlas: founded 2019-03-01, resident at A since 2020-01-01, in `agritech`; declared
      FY2025: 4 + 1 jobs, 500 MAD revenue, 100 MAD exported.
    - Souss: founded 2021-06-01, e-Technopark member at B from 2025-05-01 to 2026-01-31,
      closed on 2026-01-31 (before its 5th anniversary, 2026-06-01); no declaration.

    At D = 2026-06-30, network: supported since 2001 = 2; supported now = 1 (Atlas);
    jobs = 5 (Atlas's FY2025) + 0; revenue FY2025 of the startups supported now = 500;
    export share = 1/1 = 1.0000; 5-year cohort (founded ≤ 2021-06-30) = Atlas, Souss;
    survived = Atlas only → 0.5000."""
    atlas = StartupFactory(brand_name="Atlas", founded_on=day("2019-03-01"))
    atlas.sectors.set([agritech])
    admit(atlas, site_a)
    DeclarationFactory(
        startup=atlas,
        fiscal_year=2025,
        direct_jobs=4,
        indirect_jobs=1,
        revenue_mad=Decimal("500"),
        export_revenue_mad=Decimal("100"),
    )
    souss = StartupFactory(brand_name="Souss", founded_on=day("2021-06-01"), closed_on=day("2026-01-31"))
    admit(souss, site_b, kind=AdmissionKind.ETECHNOPARK, starts_on="2025-05-01", ended_on="2026-01-31")
    return atlas, souss


@pytest.fixture
def history(two_startups, unscoped):
    """Two year-ends of network history, and one of site A (other figures than the network)."""
    snapshot(NETWORK, "2024-12-31", supported=7, now=3, jobs=40, revenue="1000.00", export="0.2500", survival="0.9000")
    snapshot(NETWORK, "2025-12-31", supported=9, now=4, jobs=55, revenue="2000.00", export="0.5000", survival="0.8000")
    snapshot("site:site-a", "2025-12-31", supported=6, now=2, jobs=30, revenue="900.00", export="0", survival="1")


def test_the_history_comes_from_snapshots_and_the_missing_current_point_is_computed_live(history):
    points = yearly(parse_scope(NETWORK), as_of=D, first_year=2024)

    assert points == [
        YearPoint(2024, day("2024-12-31"), 7, 3, 40, Decimal("1000.00"), Decimal("0.2500"), Decimal("0.9000")),
        YearPoint(2025, day("2025-12-31"), 9, 4, 55, Decimal("2000.00"), Decimal("0.5000"), Decimal("0.8000")),
        # No snapshot yet for D (the nightly run has not happened): the engine's figures.
        YearPoint(2026, D, 2, 1, 5, Decimal("500.00"), Decimal("1.0000"), Decimal("0.5000")),
    ]
    # Computed, not written: snapshots are the nightly task's business.
    assert not KpiSnapshot.objects.filter(as_of=D).exists()


def test_a_point_per_year_from_the_first_year_and_a_site_reads_its_own_rows(history):
    points = yearly(parse_scope("site:site-a"), as_of=D, first_year=2023)
    assert [(point.year, point.as_of) for point in points] == [
        (2023, day("2023-12-31")),
        (2024, day("2024-12-31")),
        (2025, day("2025-12-31")),
        (2026, D),
    ]
    # 2023 and 2024: no site A row, live — Atlas was resident there since 2020 (no declaration
    # known yet, founded after 2018-12-31 / 2019-12-31: empty 5-year cohort).
    assert points[0] == YearPoint(2023, day("2023-12-31"), 1, 1, 0, Decimal("0.00"), Decimal("0"), Decimal("0"))
    assert points[1].startups_supported_total == 1 and points[1].jobs_total == 0
    # 2025: site A's own row, not the network's.
    assert (points[2].startups_supported_total, points[2].jobs_total) == (6, 30)
    # D: live, Atlas alone at site A: founded 2019-03-01 ≤ 2021-06-30, still open → 1.0000.
    assert points[3] == YearPoint(2026, D, 1, 1, 5, Decimal("500.00"), Decimal("1.0000"), Decimal("1.0000"))


def test_the_last_point_is_read_too_when_its_snapshot_exists(history):
    snapshot(
        NETWORK, D.isoformat(), supported=11, now=5, jobs=60, revenue="3000.00", export="0.6000", survival="0.7000"
    )
    points = yearly(parse_scope(NETWORK), as_of=D, first_year=2025)
    assert [point.startups_supported_total for point in points] == [9, 11]


def test_as_of_a_31_december_ends_on_that_day_and_a_first_year_after_it_gives_nothing(history):
    points = yearly(parse_scope(NETWORK), as_of=day("2025-12-31"), first_year=2024)
    assert [(point.year, point.as_of, point.jobs_total) for point in points] == [
        (2024, day("2024-12-31"), 40),
        (2025, day("2025-12-31"), 55),
    ]
    assert yearly(parse_scope(NETWORK), as_of=D, first_year=2027) == []


def test_a_sector_is_computed_live_whatever_the_snapshots_say(history, agritech):
    """Only Atlas is in `agritech`.
    - 2025-12-31: supported 1, now 1; declarations known: FY ≤ 2024 → none: 0 jobs, no FY2024
      revenue, export share 0; cohort founded ≤ 2020-12-31: Atlas, open → 1.0000.
    - D: supported 1, now 1, 5 jobs, 500 MAD, export 1/1, survival 1/1."""
    points = yearly(parse_scope(NETWORK), as_of=D, sector=agritech, first_year=2025)
    assert points == [
        YearPoint(2025, day("2025-12-31"), 1, 1, 0, Decimal("0.00"), Decimal("0.0000"), Decimal("1.0000")),
        YearPoint(2026, D, 1, 1, 5, Decimal("500.00"), Decimal("1.0000"), Decimal("1.0000")),
    ]
    assert not KpiSnapshot.objects.filter(as_of=D).exists()


def _count(function) -> int:
    with CaptureQueriesContext(connection) as queries:
        function()
    return len(queries)


def test_queries_grow_with_missing_snapshots_only(history, site_a, django_assert_num_queries):
    network = parse_scope(NETWORK)
    per_point = _count(lambda: headline(network, D))
    # All points stored: one query.
    with django_assert_num_queries(1):
        yearly(network, as_of=day("2025-12-31"), first_year=2024)
    # One missing (D): one query plus the engine's own for that point.
    with django_assert_num_queries(1 + per_point):
        yearly(network, as_of=D, first_year=2024)
    # Two missing (2023 and D).
    with django_assert_num_queries(1 + 2 * per_point):
        yearly(network, as_of=D, first_year=2023)
    # More startups change nothing.
    for startup in StartupFactory.create_batch(15, founded_on=day("2018-01-01")):
        admit(startup, site_a)
        DeclarationFactory(startup=startup, fiscal_year=2025)
    with django_assert_num_queries(1 + 2 * per_point):
        yearly(network, as_of=D, first_year=2023)


# --- Survival by founding cohort -----------------------------------------------------------
@pytest.fixture
def cohorts(site_a, site_b, agritech, unscoped):
    """At D = 2026-06-30 (5th anniversaries on or before D: founded on or before 2021-06-30):

    - 2012 cohort: Leap, founded 2012-02-29, closed 2017-02-28 — its 5th anniversary is
      28 February 2017 (kpis.anniversary): closed on it → survived. 1 / 1.
    - 2015 cohort: Early (2015-03-10) closed 2020-03-09, the day before its 5th anniversary
      → not survived; OnTheDay (2015-07-01, at site B) closed 2020-07-01, on it → survived;
      Open (2015-01-01) never closed → survived. 3 founded, 2 survived → 0.6667.
    - 2021 cohort: Fifth (2021-06-30, anniversary = D) counts, survived; Young (2021-07-01,
      anniversary 2026-07-01 > D) does not count. 1 / 1.
    - 2022: Recent (2022-01-01) — the whole cohort's anniversary is after D: no entry.
    - Not in the network's supported startups at D: Outside (2016, no admission) and Later
      (2016, admitted from 2026-07-01); nor NoDate (no founding date).
    Only Early is in `agritech`."""
    found = {}

    def startup(name, founded, closed=None, site=site_a, starts_on="2010-01-01"):
        found[name] = StartupFactory(
            brand_name=name, founded_on=day(founded) if founded else None, closed_on=day(closed) if closed else None
        )
        if site is not None:
            admit(found[name], site, starts_on=starts_on)
        return found[name]

    startup("Leap", "2012-02-29", "2017-02-28")
    startup("Early", "2015-03-10", "2020-03-09").sectors.set([agritech])
    startup("OnTheDay", "2015-07-01", "2020-07-01", site=site_b)
    startup("Open", "2015-01-01")
    startup("Fifth", "2021-06-30")
    startup("Young", "2021-07-01")
    startup("Recent", "2022-01-01")
    startup("Outside", "2016-01-01", site=None)
    startup("Later", "2016-01-01", starts_on="2026-07-01")
    startup("NoDate", None)
    return found


def test_survival_by_founding_cohort(cohorts):
    assert survival_by_cohort(parse_scope(NETWORK), as_of=D) == [
        CohortSurvival(2012, 1, 1, Decimal("1.0000")),
        CohortSurvival(2015, 3, 2, Decimal("0.6667")),
        CohortSurvival(2021, 1, 1, Decimal("1.0000")),
    ]


def test_the_cohorts_add_up_to_the_headline_survival_rate(cohorts):
    """Leap, Early, OnTheDay, Open, Fifth: 4 of 5 survived → 0.8000, as the engine says."""
    result = survival_by_cohort(parse_scope(NETWORK), as_of=D)
    assert sum(cohort.founded for cohort in result) == 5
    assert sum(cohort.survived for cohort in result) == 4
    assert headline(parse_scope(NETWORK), D).survival_rate_5y == Decimal("0.8000")


def test_a_cohort_whose_anniversary_is_after_as_of_is_left_out(cohorts):
    # One day earlier, Fifth is not five yet: the 2021 cohort disappears.
    result = survival_by_cohort(parse_scope(NETWORK), as_of=day("2026-06-29"))
    assert [cohort.founding_year for cohort in result] == [2012, 2015]
    # At the end of 2016 nobody is five yet (Leap turns five on 2017-02-28).
    assert survival_by_cohort(parse_scope(NETWORK), as_of=day("2016-12-31")) == []


def test_a_29_february_founding_is_five_on_28_february(cohorts):
    # Leap's 5th anniversary (kpis.anniversary) is 2017-02-28: it counts that day, and it
    # closed that very day, so it survived; the day before, it is not five yet.
    assert survival_by_cohort(parse_scope(NETWORK), as_of=day("2017-02-28")) == [
        CohortSurvival(2012, 1, 1, Decimal("1.0000"))
    ]
    assert survival_by_cohort(parse_scope(NETWORK), as_of=day("2017-02-27")) == []


def test_survival_by_cohort_of_a_site_and_of_a_sector(cohorts, agritech):
    assert survival_by_cohort(parse_scope("site:site-b"), as_of=D) == [CohortSurvival(2015, 1, 1, Decimal("1.0000"))]
    assert survival_by_cohort(parse_scope("region:MA-04"), as_of=D) == [CohortSurvival(2015, 1, 1, Decimal("1.0000"))]
    assert survival_by_cohort(parse_scope(NETWORK), as_of=D, sector=agritech) == [
        CohortSurvival(2015, 1, 0, Decimal("0.0000"))
    ]
    assert survival_by_cohort(parse_scope("region:MA-12"), as_of=D) == []


def test_survival_by_cohort_is_one_query_whatever_the_number_of_startups(cohorts, site_a, django_assert_num_queries):
    network = parse_scope(NETWORK)
    with django_assert_num_queries(1):
        survival_by_cohort(network, as_of=D)
    for startup in StartupFactory.create_batch(20, founded_on=day("2016-05-05")):
        admit(startup, site_a)
    with django_assert_num_queries(1):
        result = survival_by_cohort(network, as_of=D)
    assert CohortSurvival(2016, 20, 20, Decimal("1.0000")) in result
