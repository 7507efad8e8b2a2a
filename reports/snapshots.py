"""Writing KPI snapshots (see models.KpiSnapshot)."""

import datetime

from django.db import transaction
from django_scopes import scopes_disabled

from sites.models import Region, Site

from .kpis import COVERAGE_COUNTS, KpiScope, headlines, headlines_by_sector
from .models import KpiSectorSnapshot, KpiSnapshot
from .trends import FIRST_YEAR

FIGURES = [
    "startups_supported_total",
    "residents_total",
    "supported_now",
    "residents_now",
    "survival_rate_5y",
    "jobs_total",
    "annual_revenue_mad",
    "export_share",
    "export_africa_share",
]
# A snapshot row's columns: the figures, what the survival rate divided by and how many
# startups declared the last closed year (`kpis.figure_coverage`).
COLUMNS = [*FIGURES, "survival_cohort", *COVERAGE_COUNTS]


def all_scopes() -> list[tuple[KpiScope, dict]]:
    """The network, the 12 regions and every site, with the keys of their snapshot row."""
    scopes = [(KpiScope("network", "", None), {})]
    for region in Region.objects.prefetch_related("sites").order_by("code"):
        site_ids = tuple(sorted(site.pk for site in region.sites.all()))
        scopes.append((KpiScope("region", region.code, site_ids), {"region": region}))
    for site in Site.objects.order_by("slug"):
        scopes.append((KpiScope("site", site.slug, (site.pk,)), {"site": site}))
    return scopes


def snapshots_compute(*, as_of: datetime.date) -> int:
    """Compute and upsert one snapshot per scope (the network, every region, every site) for
    `as_of`, and one per scope and sector (`KpiSectorSnapshot`); returns how many
    whole-scope rows were written. The figures come from two grouped queries
    (`kpis.headlines`, `kpis.headlines_by_sector`), whatever the number of sites and
    sectors; the writes are INSERT … ON CONFLICT DO UPDATE in one transaction: a date has
    all its rows or none, and a rerun, or a concurrent run, leaves exactly one row per
    scope (and sector) and date."""
    figures = headlines(as_of=as_of)
    by_sector = headlines_by_sector(as_of=as_of)
    scopes = all_scopes()
    rows = [
        KpiSnapshot(scope=scope.label, as_of=as_of, **keys, **figures[scope.label].columns()) for scope, keys in scopes
    ]
    sector_rows = [
        KpiSectorSnapshot(
            scope=scope.label, sector_id=sector_id, as_of=as_of, **keys, **sector_figures[scope.label].columns()
        )
        for sector_id, sector_figures in by_sector.items()
        for scope, keys in scopes
    ]
    # The KPI engine's writes span every site (DESIGN.md: the KPI engine may disable scopes).
    with scopes_disabled(), transaction.atomic():
        KpiSnapshot.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["scope", "as_of"],
            update_fields=[*COLUMNS, "site", "region", "computed_at"],
        )
        KpiSectorSnapshot.objects.bulk_create(
            sector_rows,
            update_conflicts=True,
            unique_fields=["scope", "sector", "as_of"],
            update_fields=[*COLUMNS, "site", "region", "computed_at"],
            batch_size=1000,
        )
    return len(rows)


def _complete(days: list[datetime.date]) -> set[datetime.date]:
    """The dates among `days` whose snapshots are written and hold every column: a date
    written before the declaration counts were kept is computed again, once. Call with the
    scopes disabled (network rows have no site)."""
    rows = KpiSnapshot.objects.filter(scope="network", as_of__in=days, declared_now__isnull=False)
    return set(rows.values_list("as_of", flat=True))


def month_ends(*, today: datetime.date, first_year: int = FIRST_YEAR) -> list[datetime.date]:
    """The last day of every month from January of `first_year` to the month before
    `today`'s (31 December included: a year end is a month end)."""
    days = []
    for year in range(first_year, today.year + 1):
        for month in range(1, 13):
            first_of_next = datetime.date(year + month // 12, month % 12 + 1, 1)
            if first_of_next > today:
                return days
            days.append(first_of_next - datetime.timedelta(days=1))
    return days


def month_ends_backfill(*, today: datetime.date, first_year: int = FIRST_YEAR) -> int:
    """Compute (with `snapshots_compute`) the month-end snapshots of every past month from
    `first_year` whose network row is missing; returns how many dates were computed (0 once
    the history is complete). Kept forever, so that a dashboard or KPI API request for a
    past month end is a read. Idempotent and resumable like `year_ends_backfill`."""
    days = month_ends(today=today, first_year=first_year)
    with scopes_disabled():
        present = _complete(days)
    missing = [day for day in days if day not in present]
    for day in missing:
        snapshots_compute(as_of=day)
    return len(missing)


def year_ends_backfill(*, today: datetime.date) -> int:
    """Compute (with `snapshots_compute`) the year-end snapshots — 31 December — of every
    past year from `trends.FIRST_YEAR` to the year before `today` whose network snapshot is
    missing; returns the number of years computed (0 once the history is complete).

    The network row stands for the whole date: `snapshots_compute` writes every scope's row
    of a date in one atomic bulk upsert, so a date either has them all or none. Idempotent:
    a rerun finds nothing missing; a run stopped halfway (worker killed) resumes where it was.
    """
    year_ends = [datetime.date(year, 12, 31) for year in range(FIRST_YEAR, today.year)]
    with scopes_disabled():  # network rows have no site: the KPI engine reads them unscoped
        present = _complete(year_ends)
    missing = [day for day in year_ends if day not in present]
    for day in missing:
        snapshots_compute(as_of=day)
    return len(missing)
