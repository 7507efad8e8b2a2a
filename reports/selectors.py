"""Reads of the reports app: the KPI figures, the public figures page, the dashboards' filter
choices and head office's audit trail.

The KPI figures, for the dashboards and the KPI API, come from the nightly snapshots
when they hold the figures asked for, else computed live by the grouped SQL of
`reports.kpis` (one query for every scope at once).

Snapshots hold every scope, whole (`KpiSnapshot`) and by sector (`KpiSectorSnapshot`), at
the dates the nightly job wrote: every night's date, every past month end and year end
(`reports.snapshots`). They are used for dates
before today only: today's figures move during the day, so they are always computed live
(one grouped query, ≤ 500 ms on the bench dataset).

Like the rest of the KPI engine these reads span sites (scopes disabled); the caller
decides which scope a user may ask for. The other reads run in the scope their view opened.
"""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django_scopes import scopes_disabled

from core.models import AuditEntry
from sites.models import Region, Sector, Site

from .kpis import Headline, KpiScope, headline, headlines
from .models import BoardReport, KpiSectorSnapshot, KpiSnapshot
from .snapshots import COLUMNS


def from_row(row: KpiSnapshot | KpiSectorSnapshot) -> Headline:
    return Headline(**{name: getattr(row, name) for name in COLUMNS})


def snapshot_rows(*, sector: Sector | None, **filters):
    """The snapshot rows matching `filters` (of `sector`: `KpiSectorSnapshot`); call with
    the scopes disabled."""
    if sector is None:
        return KpiSnapshot.objects.filter(**filters).only("scope", "as_of", *COLUMNS)
    return KpiSectorSnapshot.objects.filter(sector=sector.pk, **filters).only("scope", "as_of", *COLUMNS)


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


# --- The public figures page --------------------------------------------------------------
def latest_network_snapshot(*, today: datetime.date) -> KpiSnapshot | None:
    """The network's latest snapshot dated on or before `today` (None before the first nightly
    run). Only rows without a site: call inside `network_scope()`."""
    network = KpiSnapshot.objects.filter(scope="network", site__isnull=True, as_of__lte=today)
    return network.order_by("-as_of").first()


def supported_now_by_region(*, as_of: datetime.date) -> dict[int, int]:
    """The supported-now figure of each region's snapshot at `as_of`, by region id. Only rows
    without a site: call inside `network_scope()`."""
    regions = KpiSnapshot.objects.filter(
        scope__startswith="region:", site__isnull=True, region__isnull=False, as_of=as_of
    )
    return dict(regions.values_list("region_id", "supported_now"))


# --- The dashboards' filter choices -------------------------------------------------------
def region_choices() -> QuerySet[Region]:
    """Every region, by code."""
    return Region.objects.order_by("code")


def region_site_ids(region: Region) -> tuple[int, ...]:
    """The ids of the region's sites, in order: a region's `KpiScope`."""
    return tuple(region.sites.order_by("pk").values_list("pk", flat=True))


# --- Head office's audit trail ------------------------------------------------------------
AUDITED_APPS = [
    "accounts",
    "tp_sites",
    "startups",
    "services",
    "mentors",
    "spaces",
    "billing",
    "passport",
    "surveys",
    "reports",
    "core",
]


def audited_content_types() -> QuerySet[ContentType]:
    """The record types of the portal's apps: the audit trail's filter."""
    return ContentType.objects.filter(app_label__in=AUDITED_APPS)


def audit_sites() -> QuerySet[Site]:
    """Every site, in the model's order: the audit trail's filter."""
    return Site.objects.all()


def audit_entries(
    *, q: str = "", action: str = "", content_type=None, site=None, since=None, until=None
) -> QuerySet[AuditEntry]:
    """The audit trail, latest first, each filter optional: `q` in the person or the record,
    the action, the record type, the site, and the dates (inclusive) it was written."""
    entries = AuditEntry.objects.select_related("content_type", "site").order_by("-created_at", "-pk")
    if q:
        entries = entries.filter(Q(actor_email__icontains=q) | Q(object_repr__icontains=q))
    if action:
        entries = entries.filter(action=action)
    if content_type:
        entries = entries.filter(content_type=content_type)
    if site:
        entries = entries.filter(site=site)
    if since:
        entries = entries.filter(created_at__date__gte=since)
    if until:
        entries = entries.filter(created_at__date__lte=until)
    return entries


def board_reports_listed(*, scope: str = "", status: str = "") -> QuerySet[BoardReport]:
    """The board reports in scope (head office's network scope: every one), latest month
    first, with their site and requester; of one scope ("network", "site:<slug>") or status
    if given."""
    reports = BoardReport.objects.select_related("site", "requested_by")
    if scope:
        reports = reports.filter(scope=scope)
    if status:
        reports = reports.filter(status=status)
    return reports


def board_reports_of_site(*, site: Site) -> QuerySet[BoardReport]:
    """`site`'s own board reports (never the network's), latest month first."""
    return board_reports_listed().filter(site=site)
