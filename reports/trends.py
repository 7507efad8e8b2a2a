"""Trends by year for the dashboards and board reports: the headline figures at each
year's end (read from year-end snapshots; live for a sector filter), and 5-year survival
by founding cohort.

Like the rest of the KPI engine, these reads span sites by design and run with the tenancy
scopes disabled (DESIGN.md allows it for the KPI engine alone); the caller decides which
scope a user may ask for.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connections, router
from django.db.models import Count, IntegerField, Sum
from django.db.models.expressions import RawSQL
from django.db.models.functions import ExtractYear
from django_scopes import scopes_disabled

from sites.models import Sector
from startups.models import Startup

from .kpis import (
    COVERAGE_COUNTS,
    SURVIVAL_YEARS,
    Headline,
    KpiScope,
    anniversary,
    date_sql,
    figure_coverage,
    headline,
    rate,
    scope_admissions,
    shown_figure,
)
from .models import KpiSectorSnapshot, KpiSnapshot

FIRST_YEAR = 2001


@dataclass(frozen=True)
class YearPoint:
    year: int
    as_of: datetime.date  # 31 December of `year`, or today for the current year
    startups_supported_total: int
    supported_now: int
    jobs_total: int
    annual_revenue_mad: Decimal
    export_share: Decimal
    survival_rate_5y: Decimal
    survival_cohort: int | None = field(default=None, compare=False)  # None: an older snapshot
    declared_total: int | None = field(default=None, compare=False)  # None: an older snapshot
    declared_now: int | None = field(default=None, compare=False)

    def shown(self, name: str):
        """Figure `name` as shown: a rate with nothing to divide is None (`kpis.shown_figure`)."""
        return shown_figure(self, name)

    def coverage(self, name: str) -> Decimal | None:
        """The share of the startups figure `name` counts that declared the year before
        (`kpis.figure_coverage`)."""
        return figure_coverage(self, name)


@dataclass(frozen=True)
class CohortSurvival:
    founding_year: int
    founded: int  # startups of the scope founded that year whose 5th anniversary is ≤ as_of
    survived: int  # not closed before their 5th anniversary
    rate: Decimal  # 0–1, 4 decimals


POINT_FIGURES = [
    "startups_supported_total",
    "supported_now",
    "jobs_total",
    "annual_revenue_mad",
    "export_share",
    "survival_rate_5y",
]


def year_dates(as_of: datetime.date, first_year: int = FIRST_YEAR) -> list[datetime.date]:
    """The date of each point: 31 December of every year from `first_year` to the year
    before `as_of`'s, then `as_of` itself."""
    if first_year > as_of.year:
        return []
    return [datetime.date(year, 12, 31) for year in range(first_year, as_of.year)] + [as_of]


def _point(day: datetime.date, figures: KpiSnapshot | KpiSectorSnapshot | Headline) -> YearPoint:
    return YearPoint(
        year=day.year,
        as_of=day,
        survival_cohort=figures.survival_cohort,
        declared_total=figures.declared_total,
        declared_now=figures.declared_now,
        **{name: getattr(figures, name) for name in POINT_FIGURES},
    )


def yearly(
    scope: KpiScope,
    *,
    as_of: datetime.date,
    sector: Sector | None = None,
    first_year: int = FIRST_YEAR,
    known: dict[datetime.date, Headline] | None = None,
) -> list[YearPoint]:
    """One point per year from `first_year` to the year of `as_of`: the headline figures of
    `scope` on 31 December of each year, and on `as_of` itself for its own year.

    Without a sector, the figures are the history kept in `KpiSnapshot` (the row of the
    scope's label at that date, read in one query); a point whose snapshot is missing — today
    before the nightly run, a year-end not backfilled yet — is computed live with
    `kpis.headline` and *not* written (snapshots are written by the nightly task only). The
    number of queries is one plus the engine's constant count per missing point, whatever
    the number of startups.

    With a sector, the same from the scope's `KpiSectorSnapshot` rows of that sector (one
    query), a missing point computed live with `kpis.headline(scope, day, sector)` (one
    grouped query per missing point). `known`: figures the caller already has, by date
    (the dashboard's headline at `as_of`), used for points without a snapshot.
    """
    days = year_dates(as_of, first_year)
    if not days:
        return []
    model, rows = (KpiSnapshot, {}) if sector is None else (KpiSectorSnapshot, {"sector": sector.pk})
    with scopes_disabled():  # the KPI engine: site, region and network rows alike
        stored = {
            row.as_of: row
            for row in model.objects.filter(scope=scope.label, as_of__in=days, **rows).only(
                "as_of", "survival_cohort", *COVERAGE_COUNTS, *POINT_FIGURES
            )
        }
    known = known or {}

    def figures(day):
        if day in stored:
            return stored[day]
        return known[day] if day in known else headline(scope, day, sector)

    return [_point(day, figures(day)) for day in days]


def survival_by_cohort(scope: KpiScope, *, as_of: datetime.date, sector: Sector | None = None) -> list[CohortSurvival]:
    """5-year survival by founding year, oldest cohort first.

    Among the scope's supported startups at `as_of` (an admission in the scope starting on
    or before `as_of`; of `sector` if given) with a founding date whose 5th anniversary
    (`kpis.anniversary`) is on or before `as_of`: per founding year, how many there are and
    how many did not close before their 5th anniversary (no closing date, or one on or after
    it). Founding years with no such startup are left out, so a cohort still too young at
    `as_of` does not appear; the youngest listed one may be partial (only its startups
    founded early enough). One grouped query: the anniversaries are compared in SQL as
    YYYYMMDD integers (`kpis.date_sql`), 29 February's on 28 February.
    """
    startups = Startup._meta.db_table
    vendor = connections[router.db_for_read(Startup)].vendor
    founded_key, founded_feb29 = date_sql(vendor, f'"{startups}"."founded_on"')
    closed_key, _closed_feb29 = date_sql(vendor, f'"{startups}"."closed_on"')
    fifth = f"({founded_key} + {SURVIVAL_YEARS * 10000} - CASE WHEN {founded_feb29} THEN 1 ELSE 0 END)"
    survived_sql = f'CASE WHEN "{startups}"."closed_on" IS NULL OR {closed_key} >= {fifth} THEN 1 ELSE 0 END'
    # founded_on ≤ D − 5 years, plus one day: an index-friendly bound before the exact test.
    founded_by = anniversary(as_of, -SURVIVAL_YEARS) + datetime.timedelta(days=1)
    with scopes_disabled():
        admissions = scope_admissions(scope, as_of, sector)
        rows = (
            Startup.objects.filter(pk__in=admissions.values("startup"), founded_on__lte=founded_by)
            .annotate(fifth=RawSQL(fifth, [], output_field=IntegerField()))  # noqa: S611 (no user input)
            .filter(fifth__lte=as_of.year * 10000 + as_of.month * 100 + as_of.day)
            .annotate(year=ExtractYear("founded_on"))
            .order_by()
            .values("year")
            .annotate(
                founded=Count("pk"),
                survived=Sum(RawSQL(survived_sql, [], output_field=IntegerField())),  # noqa: S611
            )
        )
        counts = {row["year"]: (row["founded"], int(row["survived"] or 0)) for row in rows}
    return [
        CohortSurvival(founding_year=year, founded=founded, survived=survived, rate=rate(survived, founded))
        for year, (founded, survived) in sorted(counts.items())
    ]
