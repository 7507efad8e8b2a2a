"""The KPI engine: the impact figures of `MISSION.md` ("KPI definitions") for any date D,
for one site, a region or the whole network. Every figure is computed from admissions,
startups and yearly declarations exactly as defined there; the tests in tests/reports/
work the answers out by hand.

The engine reads across sites by design (a region or the network spans them; the caller
decides who may ask for which scope), so it runs with the tenancy scopes disabled, as
DESIGN.md allows for the KPI engine alone.
"""

import datetime
import decimal
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db import connections, router
from django.db.models import QuerySet
from django_scopes import scopes_disabled

from core.rates import rate
from sites.models import Region, Sector, Site
from startups.models import Admission, AdmissionKind, Declaration, Startup

SURVIVAL_YEARS = 5


@dataclass(frozen=True)
class KpiScope:
    """`network`, `region:<code>` or `site:<slug>`; `site_ids` None means every site."""

    kind: str
    key: str
    site_ids: tuple[int, ...] | None

    @property
    def label(self) -> str:
        return self.kind if self.kind == "network" else f"{self.kind}:{self.key}"


def parse_scope(text: str) -> KpiScope | None:
    """The scope named by `text`, or None when it names nothing that exists."""
    kind, _separator, key = (text or "").partition(":")
    if kind == "network" and not key:
        return KpiScope("network", "", None)
    if kind == "region" and key:
        region = Region.objects.filter(code=key).first()
        if region is None:
            return None
        return KpiScope("region", region.code, tuple(region.sites.order_by("pk").values_list("pk", flat=True)))
    if kind == "site" and key:
        site = Site.objects.filter(slug=key).first()
        return KpiScope("site", site.slug, (site.pk,)) if site else None
    return None


@dataclass(frozen=True)
class Headline:
    startups_supported_total: int
    residents_total: int
    supported_now: int
    residents_now: int
    survival_rate_5y: Decimal  # 0–1, 4 decimals
    jobs_total: int
    annual_revenue_mad: Decimal
    export_share: Decimal  # 0–1, 4 decimals
    export_africa_share: Decimal  # 0–1, 4 decimals
    # What the survival rate divides by: None when not known (a snapshot written before
    # snapshots kept it).
    survival_cohort: int | None = field(default=None, compare=False)
    # How many of the startups supported since 2001 / supported now have a declaration for
    # the last closed year (D's year − 1): the coverage of the figures read from
    # declarations (`figure_coverage`). None when not known (an older snapshot).
    declared_total: int | None = field(default=None, compare=False)
    declared_now: int | None = field(default=None, compare=False)

    def as_dict(self) -> dict:
        """The nine figures, not what they divide by or their coverage."""
        figures = asdict(self)
        for name in ("survival_cohort", *COVERAGE_COUNTS):
            del figures[name]
        return figures

    def columns(self) -> dict:
        """A snapshot row's columns (`snapshots.COLUMNS`): the figures, the cohort and the
        declaration counts."""
        return asdict(self)

    def shown(self, name: str):
        """Figure `name` as pages, board reports and the API show it (`shown_figure`)."""
        return shown_figure(self, name)

    def coverage(self, name: str) -> Decimal | None:
        """The coverage of figure `name` (`figure_coverage`)."""
        return figure_coverage(self, name)


HEADLINE_RATES = ("survival_rate_5y", "export_share", "export_africa_share")
COVERAGE_COUNTS = ("declared_total", "declared_now")
# The figures read from the yearly declarations: (how many startups have one for the last
# closed year, out of how many) for each. The others come from admissions and founding and
# closing dates, known for every startup.
DECLARED_FIGURES = {
    "jobs_total": ("declared_total", "startups_supported_total"),
    "annual_revenue_mad": ("declared_now", "supported_now"),
    "export_share": ("declared_now", "supported_now"),
    "export_africa_share": ("declared_now", "supported_now"),
}
# A scope without startups: every count, the cohort and the declared ones too, is known to be 0.
ZERO = Headline(
    0,
    0,
    0,
    0,
    Decimal("0.0000"),
    0,
    Decimal("0.00"),
    Decimal("0.0000"),
    Decimal("0.0000"),
    survival_cohort=0,
    declared_total=0,
    declared_now=0,
)
DECIMAL_CONTEXT = decimal.Context(prec=15)


def shown_rate(value: Decimal, whole: int | None) -> Decimal | None:
    """A rate as dashboards, board reports, exports and the API show it: None when it had
    nothing to divide (`whole` 0: no startup, no session, no registration…), shown "—" and
    never 0 %; `whole` None (not known) leaves the value."""
    return None if whole == 0 else value


def rate_whole(figures, name: str) -> int | None:
    """What headline rate `name` of `figures` (a `Headline`, a snapshot row, a
    `trends.YearPoint`) divides by: the startups supported now for the export shares, the
    5-year cohort for survival. A snapshot written before snapshots kept the cohort does
    not know it: it is known to be empty only when the scope has no startup at all."""
    if name != "survival_rate_5y":
        return figures.supported_now
    cohort = getattr(figures, "survival_cohort", None)
    if cohort is None:
        return 0 if not figures.startups_supported_total else None
    return cohort


def shown_figure(figures, name: str):
    """Headline figure `name` of `figures` as shown: a rate with nothing to divide is None."""
    value = getattr(figures, name)
    return shown_rate(value, rate_whole(figures, name)) if name in HEADLINE_RATES else value


def figure_coverage(figures, name: str) -> Decimal | None:
    """The share of the startups figure `name` of `figures` (a `Headline`, a snapshot row)
    is made of that declared the last closed year (D's year − 1), 0–1 to 4 decimals: how far
    the figure can be trusted. None for a figure that does not come from declarations, when
    there is no startup to count, or when the counts are not known (an older snapshot)."""
    if name not in DECLARED_FIGURES:
        return None
    declared_name, whole_name = DECLARED_FIGURES[name]
    declared, whole = getattr(figures, declared_name, None), getattr(figures, whole_name)
    if declared is None or not whole:
        return None
    return rate(declared, whole)


def anniversary(day: datetime.date, years: int) -> datetime.date:
    """`day` plus `years` years; 29 February becomes 28 February in a common year; beyond
    the calendar's ends (year 1, year 9999) the first or last day there is."""
    year = day.year + years
    if year < datetime.MINYEAR:
        return datetime.date.min
    if year > datetime.MAXYEAR:
        return datetime.date.max
    try:
        return day.replace(year=year)
    except ValueError:
        return day.replace(year=year, day=28)


def scope_admissions(scope: KpiScope, as_of: datetime.date, sector: Sector | None = None) -> QuerySet[Admission]:
    """Admissions in the scope started on or before D (of startups in `sector`, if given).
    Call with scopes disabled."""
    admissions = Admission.objects.filter(starts_on__lte=as_of)
    if scope.site_ids is not None:
        admissions = admissions.filter(site__in=scope.site_ids)
    if sector is not None:
        admissions = admissions.filter(startup__sectors=sector)
    return admissions


# --- The grouped computation ---------------------------------------------------------------
# One SQL statement computes the nine figures of many scopes at once. Each admission known at
# D is joined once to its startup's own figures (founding and closing dates, latest known
# declaration). A startup with one admission (nearly all) counts with that row in its site,
# its region and the network: those rows are summed per site, and the sites' sums per region
# and for the network. A startup with several admissions is grouped once per (scope,
# startup) first — so a startup admitted at two sites of a region counts once in the region
# and once in the network, however many admissions it has. Portable SQL (SQLite and PostgreSQL); on
# PostgreSQL the latest declaration is read with DISTINCT ON over the index
# (startup_id, fiscal_year DESC) INCLUDE (...), elsewhere with a MAX(fiscal_year) join.
SITE, REGION, ALL_SITES = 0, 1, 2
LEVEL_KEYS = {SITE: "site_id", REGION: "region_id", ALL_SITES: "0"}
LEVEL_GROUPS = {SITE: "site_id, startup_id", REGION: "region_id, startup_id", ALL_SITES: "startup_id"}
SINGLE_GROUPS = {SITE: "site_id, sec", REGION: "region_id, sec", ALL_SITES: "sec"}
# Per admission: (the startup's own figure, as SQL over st and l); per scope: the SUM of
# each startup's value, some counted only while the startup is supported at D (act).
STARTUP_FIGURES = ("cohort", "survived", "jobs", "revenue", "exporter", "africa", "declared_total", "declared_now")
WHILE_SUPPORTED = {"revenue", "exporter", "africa", "declared_now"}


def _tables() -> dict[str, str]:
    return {
        "admission": Admission._meta.db_table,
        "site": Site._meta.db_table,
        "startup": Startup._meta.db_table,
        "declaration": Declaration._meta.db_table,
        "startup_sectors": Startup.sectors.through._meta.db_table,
    }


def date_sql(vendor: str, column: str) -> tuple[str, str]:
    """(YYYYMMDD as an integer, "is 29 February") of a date column, in the vendor's SQL."""
    if vendor == "postgresql":
        parts = [f"CAST(EXTRACT({part} FROM {column}) AS INTEGER)" for part in ("YEAR", "MONTH", "DAY")]
        return f"({parts[0]} * 10000 + {parts[1]} * 100 + {parts[2]})", f"({parts[1]} = 2 AND {parts[2]} = 29)"
    # SQLite keeps dates as ISO text (YYYY-MM-DD).
    return f"CAST(REPLACE({column}, '-', '') AS INTEGER)", f"(SUBSTR({column}, 6, 5) = '02-29')"


def grouped_sql(
    *,
    as_of: datetime.date,
    levels: tuple[int, ...],
    site_ids: tuple[int, ...] | None = None,
    sector_id: int | None = None,
    by_sector: bool = False,
    distinct_on: bool | None = None,
) -> tuple[str, list]:
    """The SQL (and its parameters) of the figures at D per (level, key): rows of
        (level, key, supported, residents, now, residents_now, cohort, survived, jobs,
        revenue, exporters, africa, declared_total, declared_now) after (level, key, sector); the sector is 0 unless `by_sector`,
    which groups every scope's startups by each of their sectors too (a startup with two
    sectors counts in both). `distinct_on` None: DISTINCT ON on PostgreSQL only."""
    vendor = connections[router.db_for_read(Admission)].vendor
    if distinct_on is None:
        distinct_on = vendor == "postgresql"
    t = _tables()
    # The admissions' filter, also the latest declarations' when it narrows the startups.
    where, where_params = "", []
    if site_ids is not None:
        where += f" AND a.site_id IN ({', '.join(['%s'] * len(site_ids))})"
        where_params += list(site_ids)
    if sector_id is not None:
        where += f" AND a.startup_id IN (SELECT x.startup_id FROM {t['startup_sectors']} x WHERE x.sector_id = %s)"  # noqa: S608
        where_params.append(sector_id)
    sector_column, sector_join, sector_group, sector_key = "0", "", "", "0"
    if by_sector:
        sector_column, sector_group, sector_key = "x.sector_id", ", sector_id", "sector_id"
        sector_join = f" JOIN {t['startup_sectors']} x ON x.startup_id = a.startup_id"
    columns = "d.startup_id, d.fiscal_year, d.direct_jobs, d.indirect_jobs, d.revenue_mad, d.export_revenue_mad, d.exports_to_africa"
    params: list = []
    if distinct_on:
        # A subset of the startups (some sites, one sector): their declarations only. All of
        # them: the whole covering index in order, without the lookup (an index-only scan).
        subset = ""
        if where:
            subset = (
                f" AND d.startup_id IN (SELECT a.startup_id FROM {t['admission']} a WHERE a.starts_on <= %s{where})"  # noqa: S608
            )
        latest_cte = (
            f"latest AS (SELECT DISTINCT ON (d.startup_id) {columns} FROM {t['declaration']} d "  # noqa: S608
            f"WHERE d.fiscal_year < %s{subset} ORDER BY d.startup_id, d.fiscal_year DESC),\n"
        )
        params += [as_of.year, *([as_of, *where_params] if where else [])]
        latest_join, latest_params = "LEFT JOIN latest l ON l.startup_id = a.startup_id", []
    else:
        # Elsewhere (SQLite): each startup's latest known year through the unique index
        # (startup_id, fiscal_year), then that row.
        latest_cte = ""
        latest_join = (
            f"LEFT JOIN {t['declaration']} l ON l.startup_id = a.startup_id AND l.fiscal_year = "  # noqa: S608
            f"(SELECT MAX(d.fiscal_year) FROM {t['declaration']} d WHERE d.startup_id = a.startup_id "
            "AND d.fiscal_year < %s)"
        )
        latest_params = [as_of.year]
    founded_key, founded_feb29 = date_sql(vendor, "st.founded_on")
    closed_key, _closed_feb29 = date_sql(vendor, "st.closed_on")
    cohort_by = anniversary(as_of, -SURVIVAL_YEARS)
    figures_sql = {
        "cohort": "CASE WHEN st.founded_on <= %s THEN 1 ELSE 0 END",
        "survived": (
            f"CASE WHEN st.founded_on <= %s AND (st.closed_on IS NULL OR {closed_key} >= {founded_key} + "
            f"{SURVIVAL_YEARS * 10000} - CASE WHEN {founded_feb29} THEN 1 ELSE 0 END) THEN 1 ELSE 0 END"
        ),
        "jobs": "COALESCE(l.direct_jobs + l.indirect_jobs, 0)",
        "revenue": "CASE WHEN l.fiscal_year = %s THEN l.revenue_mad ELSE 0 END",
        "exporter": "CASE WHEN l.export_revenue_mad > 0 THEN 1 ELSE 0 END",
        "africa": "CASE WHEN l.exports_to_africa THEN 1 ELSE 0 END",
        # l is the latest declaration before D's year: it is the last closed year's, or none.
        "declared_total": "CASE WHEN l.fiscal_year = %s THEN 1 ELSE 0 END",
        "declared_now": "CASE WHEN l.fiscal_year = %s THEN 1 ELSE 0 END",
    }
    last_year = as_of.year - 1
    adm_params = [AdmissionKind.RESIDENT, as_of, cohort_by, cohort_by, last_year, last_year, last_year]
    adm_params += [*latest_params, as_of]
    params += [*adm_params, *where_params, as_of, *where_params]
    maxima = "MAX(res) AS res, MAX(act) AS act, MAX(res * act) AS resact, " + ", ".join(
        f"MAX({name}) AS {name}" for name in STARTUP_FIGURES
    )

    def counted(name: str) -> str:  # a startup's figure as its scope counts it
        return f"CASE WHEN act = 1 THEN {name} ELSE 0 END" if name in WHILE_SUPPORTED else name

    per_startup = ", ".join(f"{counted(name)} AS {name}" for name in STARTUP_FIGURES)
    per_site = ", ".join(f"SUM({counted(name)}) AS {name}" for name in STARTUP_FIGURES)
    sums = ", ".join(f"SUM({name}) AS {name}" for name in ("n", "res", "act", "resact", *STARTUP_FIGURES))
    # A startup with one admission (nearly all): its row counts as it is in its site, its
    # region and the network, so those rows are summed per site first (a few rows) and the
    # regions' and the network's sums are sums of the sites'. A startup with several
    # admissions: grouped per (scope, startup) first.
    single_levels = " UNION ALL ".join(
        f"SELECT {level} AS lvl, {LEVEL_KEYS[level]} AS k, sec, {sums} FROM single GROUP BY {SINGLE_GROUPS[level]}"  # noqa: S608
        for level in levels
    )
    several = " UNION ALL ".join(
        f"SELECT {level} AS lvl, {LEVEL_KEYS[level]} AS k, {sector_key} AS sec, {maxima} FROM adm "  # noqa: S608
        f"WHERE startup_id IN (SELECT startup_id FROM several_admissions) "
        f"GROUP BY {LEVEL_GROUPS[level]}{sector_group}"
        for level in levels
    )
    sql = f"""
WITH {latest_cte}adm AS (
  SELECT a.startup_id AS startup_id, a.site_id AS site_id, s.region_id AS region_id, {sector_column} AS sector_id,
         CASE WHEN a.kind = %s THEN 1 ELSE 0 END AS res,
         CASE WHEN a.ended_on IS NULL OR a.ended_on > %s THEN 1 ELSE 0 END AS act,
         {", ".join(f"{figures_sql[name]} AS {name}" for name in STARTUP_FIGURES)}
  FROM {t["admission"]} a JOIN {t["site"]} s ON s.id = a.site_id{sector_join}
       JOIN {t["startup"]} st ON st.id = a.startup_id {latest_join}
  WHERE a.starts_on <= %s{where}
),
several_admissions AS (
  SELECT a.startup_id FROM {t["admission"]} a WHERE a.starts_on <= %s{where}
  GROUP BY a.startup_id HAVING COUNT(*) > 1
),
single AS (
  SELECT site_id, region_id, sector_id AS sec, COUNT(*) AS n, SUM(res) AS res, SUM(act) AS act,
         SUM(res * act) AS resact, {per_site}
  FROM adm WHERE startup_id NOT IN (SELECT startup_id FROM several_admissions)
  GROUP BY site_id, region_id, sector_id
),
members AS (
  SELECT lvl, k, sec, 1 AS n, res, act, resact, {per_startup} FROM ({several}) grouped
)
SELECT lvl, k, sec, {sums} FROM (
  {single_levels}
  UNION ALL SELECT lvl, k, sec, {sums} FROM members GROUP BY lvl, k, sec
) scopes
GROUP BY lvl, k, sec"""  # noqa: S608 (table names from the models, values as parameters)
    return sql, params


def _money(value) -> Decimal:
    """A SUM of MAD amounts as the database returns it (SQLite: a float, like Django's own
    converter reads it) to 2 decimals."""
    if value is None:
        return Decimal("0.00")
    if isinstance(value, float):
        value = DECIMAL_CONTEXT.create_decimal_from_float(value)
    return Decimal(value).quantize(Decimal("0.01"))


def _headline(row) -> Headline:
    (
        supported,
        residents,
        now,
        residents_now,
        cohort,
        survived,
        jobs,
        revenue,
        exporters,
        africa,
        declared,
        declared_now,
    ) = row
    return Headline(
        startups_supported_total=int(supported),
        residents_total=int(residents or 0),
        supported_now=int(now or 0),
        residents_now=int(residents_now or 0),
        survival_rate_5y=rate(int(survived or 0), int(cohort or 0)),
        jobs_total=int(jobs or 0),
        annual_revenue_mad=_money(revenue),
        export_share=rate(int(exporters or 0), int(now or 0)),
        export_africa_share=rate(int(africa or 0), int(now or 0)),
        survival_cohort=int(cohort or 0),
        declared_total=int(declared or 0),
        declared_now=int(declared_now or 0),
    )


def grouped_figures(
    *,
    as_of: datetime.date,
    levels: tuple[int, ...],
    site_ids: tuple[int, ...] | None = None,
    sector: Sector | None = None,
    by_sector: bool = False,
    distinct_on: bool | None = None,
) -> dict[tuple[int, int, int], Headline]:
    """The headline of every (level, key, sector) with at least one startup at D, in one
    query: key = site id, region id, or 0 for all the sites given (`site_ids`, None for
    all); sector = a sector id with `by_sector`, else 0."""
    if site_ids == ():
        return {}
    sql, params = grouped_sql(
        as_of=as_of,
        levels=levels,
        site_ids=site_ids,
        sector_id=sector.pk if sector else None,
        by_sector=by_sector,
        distinct_on=distinct_on,
    )
    with connections[router.db_for_read(Admission)].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return {(int(row[0]), int(row[1]), int(row[2])): _headline(row[3:]) for row in rows}


def headline(scope: KpiScope, as_of: datetime.date, sector: Sector | None = None) -> Headline:
    """The nine headline figures of `scope` at D, for the startups of `sector` if given:
    one query (`grouped_figures` over the scope's sites taken together)."""
    with scopes_disabled():
        figures = grouped_figures(as_of=as_of, levels=(ALL_SITES,), site_ids=scope.site_ids, sector=sector)
    return figures.get((ALL_SITES, 0, 0), ZERO)


def headlines(*, as_of: datetime.date, sector: Sector | None = None) -> dict[str, Headline]:
    """The headline of the network, of every region and of every site at D (of `sector` if
    given), by scope label (`KpiScope.label`): three queries (sites, regions, one grouped
    query), whatever the number of sites, regions, sectors and startups. A scope without
    startups has zeros."""
    with scopes_disabled():
        places = _places()
        figures = grouped_figures(as_of=as_of, levels=(SITE, REGION, ALL_SITES), sector=sector)
    return _by_label(places, figures, 0)


def headlines_by_sector(*, as_of: datetime.date) -> dict[int, dict[str, Headline]]:
    """`headlines` of every sector at once, by sector id: four queries (sites, regions,
    sectors, one grouped query over scope and sector)."""
    with scopes_disabled():
        places = _places()
        sector_ids = list(Sector.objects.values_list("pk", flat=True))
        figures = grouped_figures(as_of=as_of, levels=(SITE, REGION, ALL_SITES), by_sector=True)
    return {sector_id: _by_label(places, figures, sector_id) for sector_id in sector_ids}


def _places() -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    return list(Site.objects.values_list("pk", "slug")), list(Region.objects.values_list("pk", "code"))


def _by_label(places, figures: dict, sector_id: int) -> dict[str, Headline]:
    sites, regions = places
    result = {"network": figures.get((ALL_SITES, 0, sector_id), ZERO)}
    for pk, code in regions:
        result[f"region:{code}"] = figures.get((REGION, pk, sector_id), ZERO)
    for pk, slug in sites:
        result[f"site:{slug}"] = figures.get((SITE, pk, sector_id), ZERO)
    return result


def cached_figures(kind: str, compute, *inputs):
    """`compute()`, kept in the cache for `settings.KPI_CACHE_SECONDS` under a key made of
    `kind` and every input the figures depend on (scope, sites, date, sector, period,
    language for labels): dashboards and the KPI API ask for the same figures again and
    again. Nothing about who asks is in them; who may see a scope is checked before."""
    if not settings.KPI_CACHE_SECONDS:
        return compute()
    key = "kpis:" + ":".join([kind, *(_key_part(value) for value in inputs)])
    return cache.get_or_set(key, compute, settings.KPI_CACHE_SECONDS)


def _key_part(value) -> str:
    if value is None:
        return ""
    if isinstance(value, KpiScope):
        sites = ",".join(map(str, value.site_ids)) if value.site_ids is not None else "all"
        return f"{value.label}/{sites}"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Sector):
        return str(value.pk)
    return str(value)
