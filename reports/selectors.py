"""Reads of the KPI figures for the dashboards and the KPI API: from the nightly snapshots
when they hold the figures asked for, else computed live by the grouped SQL of
`reports.kpis` (one query for every scope at once).

Snapshots hold every scope, whole (`KpiSnapshot`) and by sector (`KpiSectorSnapshot`), at
the dates the nightly job wrote: every night's date, every past month end and year end
(`reports.snapshots`). They are used for dates
before today only: today's figures move during the day, so they are always computed live
(one grouped query, ≤ 500 ms on the bench dataset).

Like the rest of the KPI engine these reads span sites (scopes disabled); the caller
decides which scope a user may ask for.
"""

import datetime

from django_scopes import scopes_disabled

from sites.models import Region, Sector, Site

from .kpis import Headline, KpiScope, headline, headlines
from .models import KpiSectorSnapshot, KpiSnapshot
from .snapshots import FIGURES


def from_row(row: KpiSnapshot | KpiSectorSnapshot) -> Headline:
    return Headline(**{name: getattr(row, name) for name in FIGURES})


def snapshot_rows(*, sector: Sector | None, **filters):
    """The snapshot rows matching `filters` (of `sector`: `KpiSectorSnapshot`); call with
    the scopes disabled."""
    if sector is None:
        return KpiSnapshot.objects.filter(**filters).only("scope", "as_of", *FIGURES)
    return KpiSectorSnapshot.objects.filter(sector=sector.pk, **filters).only("scope", "as_of", *FIGURES)


def scope_figures(
    *, scope: KpiScope, as_of: datetime.date, today: datetime.date, sector: Sector | None = None
) -> Headline:
    """The headline of `scope` at `as_of` (of `sector` if given): the snapshot of that date
    when there is one (a date before today: one query), else live (`kpis.headline`: one
    grouped query). The same figures either way."""
    if as_of < today:
        with scopes_disabled():
            row = snapshot_rows(as_of=as_of, sector=sector, scope=scope.label).first()
        if row is not None:
            return from_row(row)
    return headline(scope, as_of, sector)


def all_scope_figures(
    *, as_of: datetime.date, today: datetime.date, sector: Sector | None = None
) -> tuple[dict[str, Headline], datetime.date | None]:
    """The headline of the network, every region and every site at `as_of` (of `sector` if
    given), by scope label (`KpiScope.label`), and the date of the snapshot read (None when
    computed live).

    A date before today whose snapshots were written (every night's date, every month end
    and year end) is a read: three queries (the date's rows, the scopes' labels). Anything
    else — today, a date without snapshots — is computed live by `kpis.headlines`: three
    queries (sites, regions, one grouped query). Either way the count does not depend on
    the number of sites, regions, sectors or startups."""
    if as_of < today:
        with scopes_disabled():
            stored = {row.scope: from_row(row) for row in snapshot_rows(as_of=as_of, sector=sector)}
        if "network" in stored:
            # A date's rows are written in one transaction: the network row stands for all.
            # A site or region created since has no row: its figures are computed live.
            missing = [label for label in scope_labels() if label not in stored]
            if missing:
                live = headlines(as_of=as_of, sector=sector)
                stored.update({label: live[label] for label in missing})
            return stored, as_of
    return headlines(as_of=as_of, sector=sector), None


def scope_labels() -> list[str]:
    """The labels of every scope: the network, every region, every site (two queries)."""
    with scopes_disabled():
        regions = [f"region:{code}" for code in Region.objects.order_by("code").values_list("code", flat=True)]
        sites = [f"site:{slug}" for slug in Site.objects.order_by("slug").values_list("slug", flat=True)]
    return ["network", *regions, *sites]
