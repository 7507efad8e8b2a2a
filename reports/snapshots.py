"""Writing KPI snapshots (see models.KpiSnapshot)."""

import datetime

from django_scopes import scopes_disabled

from sites.models import Region, Site

from .kpis import KpiScope, headline
from .models import KpiSnapshot
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
    """Compute and upsert one snapshot per scope for `as_of`; returns how many rows were
    written. One INSERT … ON CONFLICT (scope, as_of) DO UPDATE: a rerun, or a concurrent
    run, leaves exactly one row per scope and date."""
    rows = [
        KpiSnapshot(scope=scope.label, as_of=as_of, **keys, **headline(scope, as_of).as_dict())
        for scope, keys in all_scopes()
    ]
    # The KPI engine's writes span every site (DESIGN.md: the KPI engine may disable scopes).
    with scopes_disabled():
        KpiSnapshot.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["scope", "as_of"],
            update_fields=[*FIGURES, "site", "region", "computed_at"],
        )
    return len(rows)


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
        present = set(KpiSnapshot.objects.filter(scope="network", as_of__in=year_ends).values_list("as_of", flat=True))
    missing = [day for day in year_ends if day not in present]
    for day in missing:
        snapshots_compute(as_of=day)
    return len(missing)
