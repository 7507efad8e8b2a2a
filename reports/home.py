"""Head office's home (the landing page of `accounts.views.landing`): the panels the reports
app adds to it (`accounts.extensions.LandingPanel`, registered in `ReportsConfig.ready`).

- `figures_panel`: the network's headline figures, from last night's KPI snapshot (one
  query); without a recent one (the nightly job has not run yet, or failed), the dashboard's
  own live figures for today, kept in the KPI cache (`reports.kpis.cached_figures`, one
  grouped query when cold). Each figure links to the network dashboard at that date.
- `attention_panel`: the operational sites with something waiting, site × signal, in one
  query (a correlated count per signal): applications waiting for a decision for more than
  `WAITING_DAYS` days, residencies ending within `ENDING_SOON_DAYS` days, admitted
  startups that have not declared last fiscal year, and office occupancy below
  `LOW_OCCUPANCY`. Each count is the one the linked back-office page shows.
- `board_reports_panel`: the network's latest board reports (one query).
- `outbox_panel`: the outgoing messages that failed for good (two queries), linking to the
  outbox in the Django admin when the user may view it there.

Head office sees every site: each panel reads network-wide (`network_scope()`), and refuses
anyone else, although accounts only shows these panels to head office.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from core.models import OutboxMessage
from sites.models import Site, SiteStatus
from sites.scoping import network_scope
from startups.models import Application, ApplicationStatus, Office, OfficeAllocation
from startups.selectors.declarations import undeclared_admissions
from startups.selectors.residents import ENDING_SOON_DAYS, active_admissions

from .dashboards import KPI_LABELS, WIDE_FIGURES, typed
from .exports import display
from .kpis import Headline, KpiScope, cached_figures, headline, rate, shown_rate
from .selectors import board_reports_listed, from_row, latest_network_snapshot
from .snapshots import FIGURES

NETWORK = KpiScope("network", "", None)
# The figures of the home: the dashboard's headline, the revenue (the longest) last, alone on
# its row on a phone.
HOME_FIGURES = [*(name for name in FIGURES if name != "annual_revenue_mad"), "annual_revenue_mad"]
# A snapshot older than this is stale (the nightly job stopped): the figures are computed live.
SNAPSHOT_FRESH = datetime.timedelta(days=1)
WAITING_DAYS = 30  # an application submitted longer ago without a decision is late
LOW_OCCUPANCY = Decimal("0.5")  # below this share of its offices occupied, a site is flagged
BOARD_REPORTS_SHOWN = 3
FAILED_SHOWN = 5


def _head_office_only(user) -> None:
    if not user.is_head_office:
        raise PermissionDenied


# --- Headline figures ---------------------------------------------------------------------
def network_headline(*, today: datetime.date) -> tuple[Headline, datetime.date]:
    """The network's headline figures and the date they are as of: last night's snapshot
    (or today's, once written) when there is one, else today's, computed live and cached
    under the network dashboard's own key."""
    # Network rows have no site: read network-wide (head office only).
    with network_scope():
        row = latest_network_snapshot(today=today)
    if row is not None and row.as_of >= today - SNAPSHOT_FRESH:
        return from_row(row), row.as_of
    figures = cached_figures("headline", lambda: headline(NETWORK, today), NETWORK, today, None)
    return figures, today


def figures_panel(user) -> dict:
    _head_office_only(user)
    today = timezone.localdate()
    figures, as_of = network_headline(today=today)
    url = reverse("reports:network_dashboard")
    if as_of < today:  # the dashboard at that date reads the same snapshot
        url += f"?as_of={as_of.isoformat()}"
    cards = [
        {"name": name, "label": KPI_LABELS[name], "value": display(typed(figures, name)), "wide": name in WIDE_FIGURES}
        for name in HOME_FIGURES
    ]
    return {"cards": cards, "as_of": as_of, "revenue_year": as_of.year - 1, "dashboard_url": url}


# --- Sites needing attention --------------------------------------------------------------
@dataclass(frozen=True)
class SiteSignals:
    site: Site
    waiting: int  # applications submitted or under review for more than WAITING_DAYS days
    ending: int  # active residencies whose planned end is within ENDING_SOON_DAYS days
    undeclared: int  # active admissions whose startup has not declared last fiscal year
    offices: int  # offices in service
    occupied: int  # of which allocated today

    @property
    def occupancy(self) -> Decimal | None:
        """occupied / offices; None without an office in service (shown "—")."""
        return shown_rate(rate(self.occupied, self.offices), self.offices)

    @property
    def low_occupancy(self) -> bool:
        return self.offices > 0 and self.occupancy < LOW_OCCUPANCY

    @property
    def needs_attention(self) -> bool:
        return bool(self.waiting or self.ending or self.undeclared or self.low_occupancy)


def _count_per_site(rows: QuerySet) -> Coalesce:
    """The number of `rows` of the outer site (a correlated subquery; 0 when none)."""
    counted = rows.filter(site=OuterRef("pk")).order_by().values("site").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def site_signals(*, now: datetime.datetime, fiscal_year: int) -> list[SiteSignals]:
    """Every operational site with its signals, by name: one query. Call in `network_scope()`."""
    today = timezone.localdate(now)
    offices = Office.objects.filter(is_active=True)
    sites = Site.objects.filter(status=SiteStatus.OPERATIONAL).annotate(
        waiting_count=_count_per_site(
            Application.objects.filter(
                status__in=(ApplicationStatus.SUBMITTED, ApplicationStatus.UNDER_REVIEW),
                submitted_at__lt=now - datetime.timedelta(days=WAITING_DAYS),
            )
        ),
        ending_count=_count_per_site(active_admissions(today).ending_within(today, days=ENDING_SOON_DAYS)),
        undeclared_count=_count_per_site(undeclared_admissions(fiscal_year=fiscal_year, on=today)),
        office_count=_count_per_site(offices),
        occupied_count=_count_per_site(
            offices.filter(pk__in=OfficeAllocation.objects.running_on(today).values("office"))
        ),
    )
    signals = [
        SiteSignals(
            site=site,
            waiting=site.waiting_count,
            ending=site.ending_count,
            undeclared=site.undeclared_count,
            offices=site.office_count,
            occupied=site.occupied_count,
        )
        for site in sites
    ]
    return sorted(signals, key=lambda row: (row.site.name.casefold(), row.site.slug))


def attention_panel(user) -> dict:
    _head_office_only(user)
    now = timezone.now()
    fiscal_year = timezone.localdate(now).year - 1  # the year founders declare now
    # Head office's overview of every site (reviewed network-wide read).
    with network_scope():
        signals = site_signals(now=now, fiscal_year=fiscal_year)
    flagged = [row for row in signals if row.needs_attention]
    return {
        "sites": flagged,
        "in_order": len(signals) - len(flagged),
        "operational": len(signals),
        "fiscal_year": fiscal_year,
        "waiting_days": WAITING_DAYS,
        "ending_days": ENDING_SOON_DAYS,
        "low_occupancy": LOW_OCCUPANCY,
    }


# --- Board reports and the outbox ---------------------------------------------------------
def board_reports_panel(user) -> dict:
    _head_office_only(user)
    # Network reports have no site: read network-wide (head office only).
    with network_scope():
        reports = list(board_reports_listed(scope="network")[:BOARD_REPORTS_SHOWN])
    return {"reports": reports}


def failed_messages() -> QuerySet[OutboxMessage]:
    """The outgoing messages given up on (`core.emails`: after MAX_ATTEMPTS), latest first,
    without their bodies."""
    return (
        OutboxMessage.objects.filter(status=OutboxMessage.Status.FAILED)
        .only("to", "subject", "created_at", "attempts", "last_error", "status")
        .order_by("-created_at", "-pk")
    )


def outbox_panel(user) -> dict:
    _head_office_only(user)
    failed = failed_messages()
    count = failed.count()
    return {
        "count": count,
        "messages": list(failed[:FAILED_SHOWN]) if count else [],
        # Head office views the outbox in the admin through its group (accounts migration 0005).
        "admin_url": (
            reverse("admin:core_outboxmessage_changelist") + f"?status__exact={OutboxMessage.Status.FAILED}"
            if user.has_perm("core.view_outboxmessage")
            else None
        ),
    }
