"""The figures and tables of a dashboard (reports.views.dashboards: the network
dashboard and the site dashboard): `Dashboard` computes them for one scope and one set of
valid filters, from the KPI engine (`reports.kpis`, `reports.trends`,
`reports.activity`) and the nightly snapshots; its charts are in `reports.charts`.
Every table is a `reports.exports.Table`, shown on the page and downloadable as CSV or
XLSX.

Queries are bounded whatever the number of startups, sites and sectors: the headline is
the engine's one grouped query; the comparison tables cost one query for the snapshots
plus, when rows are missing there, one grouped query for all of them
(`reports.kpis.headlines`); trends cost one query plus the engine's count per year without
a snapshot; activity a constant number (reports.activity). See `Dashboard.comparison` for when snapshots are
used.
"""

import datetime
from dataclasses import dataclass
from functools import cached_property

from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from sites.models import Region, Site, SiteStatus
from sites.scoping import network_scope

from . import activity as activity_engine
from . import satisfaction as satisfaction_engine
from . import trends
from .exports import Money, Month, Rate, Table, Year, display, rate_cell
from .kpis import (
    DECLARED_FIGURES,
    HEADLINE_RATES,
    Headline,
    KpiScope,
    cached_figures,
    figure_coverage,
    headline,
    headlines,
)
from .selectors import from_row, snapshot_rows
from .snapshots import FIGURES

# Figures too long for a quarter of a laptop's width or half a phone's ("780 886 676,00 درهم"):
# their cards take more room rather than break the amount.
WIDE_FIGURES = {"annual_revenue_mad"}
KPI_LABELS = {
    "startups_supported_total": gettext_lazy("Startups supported since 2001"),
    "residents_total": gettext_lazy("Residents (ever)"),
    "supported_now": gettext_lazy("Supported now"),
    "residents_now": gettext_lazy("Residents now"),
    "survival_rate_5y": gettext_lazy("5-year survival rate"),
    "jobs_total": gettext_lazy("Jobs (direct and indirect)"),
    "annual_revenue_mad": gettext_lazy("Cumulative annual revenue"),
    "export_share": gettext_lazy("Export share"),
    "export_africa_share": gettext_lazy("Africa export share"),
}
ZERO = Headline(0, 0, 0, 0, Rate("0.0000"), 0, Money("0.00"), Rate("0.0000"), Rate("0.0000"))

NETWORK_TABLES = [
    "headline",
    "sites",
    "regions",
    "coverage",
    "years",
    "cohorts",
    "dimensions",
    "mentoring",
    "occupancy",
    "rooms",
    "billing",
    "funnel",
    *satisfaction_engine.TABLES,
]
SITE_TABLES = ["headline", "years", "cohorts", "dimensions", "mentoring", "occupancy", "rooms", "billing", "funnel"]
SITE_TABLES += satisfaction_engine.TABLES


def typed(figures: Headline, name: str):
    """Headline figure `name` with its kind for display and export; a rate with nothing to
    divide is None (`Headline.shown`)."""
    value = figures.shown(name)
    if name in HEADLINE_RATES:
        return rate_cell(value)
    if name == "annual_revenue_mad":
        return Money(value)
    return value


def kpi_cells(figures: Headline) -> list:
    """The nine figures, then the share of the startups supported now that declared the
    last closed year (the coverage of the revenue and the export shares)."""
    return [*(typed(figures, name) for name in FIGURES), rate_cell(figure_coverage(figures, "annual_revenue_mad"))]


@dataclass(frozen=True)
class Source:
    """Where the comparison tables' figures come from."""

    snapshot_day: datetime.date | None  # the snapshot read, if any
    from_snapshot: int  # rows read from it
    live: int  # rows computed live


class Dashboard:
    """The figures of one scope for one set of valid filters; each part is computed the
    first time it is used (an export computes only its table)."""

    def __init__(self, *, scope: KpiScope, name: str, data: dict, today: datetime.date, network: bool):
        self.scope = scope
        self.name = name
        self.as_of: datetime.date = data["as_of"]
        self.sector = data.get("sector")
        self.date_from: datetime.date = data["date_from"]
        self.date_to: datetime.date = data["date_to"]
        self.today = today
        self.network = network
        self.table_keys = NETWORK_TABLES if network else SITE_TABLES

    # --- Figures ----------------------------------------------------------------------------
    @cached_property
    def live(self) -> dict[str, Headline]:
        """Every scope's figures at the chosen date (of the sector), computed live all at
        once: one grouped query (`kpis.headlines`), kept KPI_CACHE_SECONDS. Shared by the
        network dashboard's headline and its comparison rows without a snapshot."""
        return cached_figures("all", lambda: headlines(as_of=self.as_of, sector=self.sector), self.as_of, self.sector)

    @cached_property
    def headline(self) -> Headline:
        """The scope's figures at the chosen date: a past date's snapshot when there is one
        (a read), else live. Today's figures move during the day: always live."""
        if self.as_of < self.today:
            with network_scope():  # the KPI engine's rows; the view has checked the scope
                row = snapshot_rows(sector=self.sector, scope=self.scope.label, as_of=self.as_of).first()
            if row is not None:
                return from_row(row)
        if self.network and self.as_of < self.today:
            # A past date without snapshots: the comparison computes every scope live too.
            return self.live.get(self.scope.label, ZERO)
        return cached_figures(
            "headline", lambda: headline(self.scope, self.as_of, self.sector), self.scope, self.as_of, self.sector
        )

    @property
    def headline_cards(self) -> list[dict]:
        return [
            {
                "name": name,
                "label": KPI_LABELS[name],
                "value": display(typed(self.headline, name)),
                "wide": name in WIDE_FIGURES,
                "coverage": self._coverage(name),
            }
            for name in FIGURES
        ]

    def _coverage(self, name: str) -> dict | None:
        """What a card says of its figure's coverage: None for a figure that does not come
        from declarations or has no startup to count; `share` None when an older snapshot
        did not keep it."""
        if name not in DECLARED_FIGURES:
            return None
        declared_name, whole_name = DECLARED_FIGURES[name]
        whole = getattr(self.headline, whole_name)
        if not whole:
            return None
        share = self.headline.coverage(name)
        declared = getattr(self.headline, declared_name)
        return {"share": None if share is None else display(Rate(share)), "declared": declared, "whole": whole}

    @property
    def revenue_year(self) -> int:
        return self.as_of.year - 1

    # --- Comparison and coverage (network dashboard) -------------------------------------
    @cached_property
    def places(self) -> tuple[list[Site], list[Region]]:
        """Every site (with its region) and the 12 regions: two queries."""
        sites = sorted(Site.objects.select_related("region"), key=lambda site: (site.region.code, site.name, site.slug))
        return sites, list(Region.objects.order_by("code"))

    def _region_scope(self, region: Region) -> KpiScope:
        sites, _regions = self.places
        return KpiScope("region", region.code, tuple(sorted(site.pk for site in sites if site.region_id == region.pk)))

    @cached_property
    def comparison(self) -> tuple[list[tuple[Site, Headline]], list[tuple[Region, Headline]], Source]:
        """Per site (the sites in scope) and per region (all 12, for the coverage too): the
        nine figures at the chosen date.

        They are read from the nightly snapshots (whole scopes, or the sector's) when they
        exist: for a past date, the snapshot of that very date; for today, the latest nightly
        run (today's once it has run, else last night's: the page says which date it shows).
        Rows without a snapshot are computed live, all in one grouped query shared with the
        headline (`live`); a region without sites is zero. One query for the snapshots plus,
        when rows are missing there, that one query."""
        if not self.network:  # a site's staff never get other sites' or regions' rows
            raise PermissionError("the comparison belongs to the head-office dashboard")
        sites, regions = self.places
        in_scope = [site for site in sites if self.scope.site_ids is None or site.pk in self.scope.site_ids]
        scopes = [KpiScope("site", site.slug, (site.pk,)) for site in in_scope]
        scopes += [self._region_scope(region) for region in regions]
        stored, day = self._snapshots([scope.label for scope in scopes])
        computed = [scope for scope in scopes if scope.label not in stored and scope.site_ids != ()]
        # Every row without a snapshot at once: one grouped query (reports.kpis.headlines).
        figures = {scope.label: stored.get(scope.label, ZERO) for scope in scopes}
        figures.update({scope.label: self.live[scope.label] for scope in computed})
        live = len(computed)
        source = Source(snapshot_day=day, from_snapshot=len(stored), live=live)
        return (
            [(site, figures[f"site:{site.slug}"]) for site in in_scope],
            [(region, figures[f"region:{region.code}"]) for region in regions],
            source,
        )

    def _snapshots(self, labels: list[str]) -> tuple[dict[str, Headline], datetime.date | None]:
        days = [self.as_of]
        if self.as_of == self.today:
            days.append(self.today - datetime.timedelta(days=1))
        # Head-office page: region rows have no site and every site's row is compared, so
        # they are read network-wide (DESIGN.md: reviewed network views only).
        with network_scope():
            rows = list(snapshot_rows(sector=self.sector, scope__in=labels, as_of__in=days))
        if not rows:
            return {}, None
        day = max(row.as_of for row in rows)
        return {row.scope: from_row(row) for row in rows if row.as_of == day}, day

    @property
    def source(self) -> Source:
        return self.comparison[2]

    # --- Trends and activity -----------------------------------------------------------------
    # Each kept KPI_CACHE_SECONDS under all its inputs (labels: in the active language).
    @cached_property
    def years(self) -> list[trends.YearPoint]:
        def compute():  # the chosen date's own point is the headline
            return trends.yearly(self.scope, as_of=self.as_of, sector=self.sector, known={self.as_of: self.headline})

        return cached_figures("years", compute, self.scope, self.as_of, self.sector)

    @cached_property
    def cohorts(self) -> list[trends.CohortSurvival]:
        def compute():
            return trends.survival_by_cohort(self.scope, as_of=self.as_of, sector=self.sector)

        return cached_figures("cohorts", compute, self.scope, self.as_of, self.sector)

    @cached_property
    def activity(self) -> activity_engine.Activity:
        def compute():
            return activity_engine.activity(
                self.scope, date_from=self.date_from, date_to=self.date_to, sector=self.sector
            )

        inputs = (self.scope, self.date_from, self.date_to, self.sector, get_language())
        return cached_figures("activity", compute, *inputs)

    # --- Tables ------------------------------------------------------------------------------
    def table(self, key: str) -> Table:
        return getattr(self, f"_table_{key}")()

    def tables(self) -> dict[str, Table]:
        return {key: self.table(key) for key in self.table_keys}

    def _table_headline(self) -> Table:
        return Table(
            "headline",
            _("Headline figures"),
            [_("Figure"), _("Value"), self._coverage_title()],
            [
                [str(KPI_LABELS[name]), typed(self.headline, name), rate_cell(self.headline.coverage(name))]
                for name in FIGURES
            ],
        )

    def _coverage_title(self, *, supported_now: bool = False) -> str:
        if supported_now:
            return _("Declared %(year)s (supported now)") % {"year": self.revenue_year}
        return _("Declared %(year)s") % {"year": self.revenue_year}

    def _table_sites(self) -> Table:
        site_rows, _regions, _source = self.comparison
        return Table(
            "sites",
            _("Comparison by site"),
            [
                _("Site"),
                _("Region"),
                _("Status"),
                *map(str, KPI_LABELS.values()),
                self._coverage_title(supported_now=True),
            ],
            [
                [site.name, site.region.code, site.get_status_display(), *kpi_cells(figures)]
                for site, figures in site_rows
            ],
        )

    def _chosen_region_rows(self, regions: list) -> set[int]:
        codes = {self.scope.key} if self.scope.kind == "region" else set()
        if self.scope.kind == "site":
            sites, _regions = self.places
            codes = {site.region.code for site in sites if site.pk in self.scope.site_ids}
        return {index for index, (region, _figures) in enumerate(regions) if region.code in codes}

    def _table_regions(self) -> Table:
        _sites, region_rows, _source = self.comparison
        sites, _regions = self.places
        return Table(
            "regions",
            _("Comparison by region"),
            [
                _("Region"),
                _("Code"),
                _("Sites"),
                *map(str, KPI_LABELS.values()),
                self._coverage_title(supported_now=True),
            ],
            [
                [region.name, region.code, sum(site.region_id == region.pk for site in sites), *kpi_cells(figures)]
                for region, figures in region_rows
            ],
            highlight=self._chosen_region_rows(region_rows),
        )

    def _table_coverage(self) -> Table:
        _sites, region_rows, _source = self.comparison
        sites, _regions = self.places

        def count(region, status):
            return sum(site.region_id == region.pk and site.status == status for site in sites)

        return Table(
            "coverage",
            _("Coverage of the 12 regions"),
            [
                _("Region"),
                _("Code"),
                _("Operational sites"),
                _("Sites under construction"),
                _("Planned sites"),
                _("Startups supported now"),
            ],
            [
                [
                    region.name,
                    region.code,
                    count(region, SiteStatus.OPERATIONAL),
                    count(region, SiteStatus.UNDER_CONSTRUCTION),
                    count(region, SiteStatus.PLANNED),
                    figures.supported_now,
                ]
                for region, figures in region_rows
            ],
            highlight=self._chosen_region_rows(region_rows),
        )

    def _table_years(self) -> Table:
        return Table(
            "years",
            _("Trends by year"),
            [
                _("Year"),
                _("Figures as of"),
                str(KPI_LABELS["startups_supported_total"]),
                str(KPI_LABELS["supported_now"]),
                str(KPI_LABELS["jobs_total"]),
                str(KPI_LABELS["annual_revenue_mad"]),
                str(KPI_LABELS["export_share"]),
                str(KPI_LABELS["survival_rate_5y"]),
                _("Declared the year before (supported now)"),
            ],
            [
                [
                    Year(point.year),
                    point.as_of,
                    point.startups_supported_total,
                    point.supported_now,
                    point.jobs_total,
                    Money(point.annual_revenue_mad),
                    rate_cell(point.shown("export_share")),
                    rate_cell(point.shown("survival_rate_5y")),
                    rate_cell(point.coverage("annual_revenue_mad")),
                ]
                for point in self.years
            ],
        )

    def _table_cohorts(self) -> Table:
        return Table(
            "cohorts",
            _("5-year survival by founding year"),
            [_("Founding year"), _("Startups"), _("Still operating at 5 years"), _("Survival rate")],
            [[Year(row.founding_year), row.founded, row.survived, Rate(row.rate)] for row in self.cohorts],
        )

    def _table_dimensions(self) -> Table:
        return Table(
            "dimensions",
            _("Support sessions by dimension"),
            [_("Dimension"), _("Sessions held"), _("Participants"), _("Attended"), _("Attendance rate")],
            [
                [row.label, row.sessions_held, row.participants, row.attended, rate_cell(row.shown_attendance_rate)]
                for row in self.activity.dimensions
            ],
        )

    def _table_mentoring(self) -> Table:
        return Table(
            "mentoring",
            _("Mentoring"),
            [_("Figure"), _("Value")],
            [
                [_("Mentoring sessions delivered"), self.activity.mentor_sessions],
                [_("Mentor hours delivered"), self.activity.mentor_hours],
            ],
        )

    def _table_occupancy(self) -> Table:
        return Table(
            "occupancy",
            _("Office occupancy"),
            [_("Site"), _("Offices in service"), _("Occupied"), _("Occupancy rate")],
            [
                [row.site_name, row.offices, row.occupied, rate_cell(row.shown_occupancy_rate)]
                for row in self.activity.occupancy
            ],
        )

    def _table_rooms(self) -> Table:
        return Table(
            "rooms",
            _("Room occupancy"),
            [_("Site"), _("Hours open"), _("Hours booked"), _("Occupancy rate")],
            [[row.site_name, row.hours_open, row.hours_booked, rate_cell(row.rate)] for row in self.activity.rooms],
        )

    def _table_billing(self) -> Table:
        return Table(
            "billing",
            _("Invoicing"),
            [_("Site"), _("Month"), _("Billed incl. tax"), _("Collected"), _("Overdue at month end")],
            [
                [row.site_name, Month.of(row.month), Money(row.billed), Money(row.collected), Money(row.overdue)]
                for row in self.activity.billing
            ],
        )

    def _table_funnel(self) -> Table:
        funnel = self.activity.funnel
        return Table(
            "funnel",
            _("Applications"),
            [_("Figure"), _("Value")],
            [
                [_("Submitted"), funnel.submitted],
                [_("Admitted"), funnel.admitted],
                [_("Rejected"), funnel.rejected],
                [_("Pending"), funnel.pending],
                [_("Withdrawn"), funnel.withdrawn],
                [_("Admission rate"), rate_cell(funnel.shown_admission_rate)],
                [_("Median days to decision"), funnel.median_days_to_decision],
            ],
        )

    # --- Satisfaction (reports.satisfaction: the yearly survey's NPS, the sessions' ratings) ---
    @cached_property
    def satisfaction(self) -> satisfaction_engine.Satisfaction:
        return satisfaction_engine.dashboard_satisfaction(self)

    def _table_satisfaction(self) -> Table:
        return satisfaction_engine.nps_table(self.satisfaction, total_label=self.name)

    def _table_ratings(self) -> Table:
        return satisfaction_engine.ratings_table(self.satisfaction)

    def filename(self, key: str, extension: str) -> str:
        label = self.scope.label.replace(":", "-")
        return f"dashboard-{label}-{key}-{self.as_of.isoformat()}.{extension}"
