"""The KPI engine: the impact figures of `MISSION.md` ("KPI definitions") for any date D,
for one site, a region or the whole network. Every figure is computed from admissions,
startups and yearly declarations exactly as defined there; the tests in tests/reports/
work the answers out by hand.

The engine reads across sites by design (a region or the network spans them; the caller
decides who may ask for which scope), so it runs with the tenancy scopes disabled, as
DESIGN.md allows for the KPI engine alone.
"""

import datetime
from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.cache import cache
from django.db.models import OuterRef, Q, QuerySet, Subquery, Sum
from django_scopes import scopes_disabled

from sites.models import Region, Sector, Site
from startups.models import Admission, AdmissionKind, Declaration, Startup

RATE_PLACES = Decimal("0.0001")
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

    def as_dict(self) -> dict:
        return asdict(self)


def rate(part: int, whole: int) -> Decimal:
    """part / whole to 4 decimals; 0 when there is nothing to divide by."""
    if not whole:
        return Decimal("0.0000")
    return (Decimal(part) / Decimal(whole)).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


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


def _latest_known(field: str, as_of: datetime.date) -> Subquery:
    """`field` of the startup's latest declaration known at D (fiscal year < year of D)."""
    return Subquery(
        Declaration.objects.filter(startup=OuterRef("pk"), fiscal_year__lt=as_of.year)
        .order_by("-fiscal_year")
        .values(field)[:1]
    )


def headline(scope: KpiScope, as_of: datetime.date, sector: Sector | None = None) -> Headline:
    """The nine headline figures of `scope` at D, for the startups of `sector` if given."""
    with scopes_disabled():
        admissions = scope_admissions(scope, as_of, sector)
        active = admissions.filter(Q(ended_on__isnull=True) | Q(ended_on__gt=as_of))
        supported = Startup.objects.filter(pk__in=admissions.values("startup"))
        now = Startup.objects.filter(pk__in=active.values("startup"))

        cohort_founded_by = anniversary(as_of, -SURVIVAL_YEARS)
        cohort = list(supported.filter(founded_on__lte=cohort_founded_by).values_list("founded_on", "closed_on"))
        survived = sum(
            1 for founded, closed in cohort if closed is None or closed >= anniversary(founded, SURVIVAL_YEARS)
        )

        jobs = (
            supported.annotate(
                jobs=_latest_known("direct_jobs", as_of) + _latest_known("indirect_jobs", as_of)
            ).aggregate(total=Sum("jobs"))["total"]
            or 0
        )
        revenue = Declaration.objects.filter(startup__in=now, fiscal_year=as_of.year - 1).aggregate(
            total=Sum("revenue_mad")
        )["total"] or Decimal("0")

        latest = now.annotate(
            exports=_latest_known("export_revenue_mad", as_of), to_africa=_latest_known("exports_to_africa", as_of)
        )
        now_count = now.count()
        return Headline(
            startups_supported_total=supported.count(),
            residents_total=supported.filter(
                pk__in=admissions.filter(kind=AdmissionKind.RESIDENT).values("startup")
            ).count(),
            supported_now=now_count,
            residents_now=now.filter(pk__in=active.filter(kind=AdmissionKind.RESIDENT).values("startup")).count(),
            survival_rate_5y=rate(survived, len(cohort)),
            jobs_total=int(jobs),
            annual_revenue_mad=Decimal(revenue).quantize(Decimal("0.01")),
            export_share=rate(latest.filter(exports__gt=0).count(), now_count),
            export_africa_share=rate(latest.filter(to_africa=True).count(), now_count),
        )


def headline_cached(scope: KpiScope, as_of: datetime.date, sector: Sector | None = None) -> Headline:
    """`headline`, kept in the cache for `settings.KPI_CACHE_SECONDS`: dashboards and the
    KPI API ask for the same figures again and again, and computing them reads every
    startup of the scope."""
    if not settings.KPI_CACHE_SECONDS:
        return headline(scope, as_of, sector)
    sites = ",".join(map(str, scope.site_ids)) if scope.site_ids is not None else "all"
    key = f"kpis:headline:{scope.label}:{sites}:{as_of.isoformat()}:{sector.pk if sector else ''}"
    return cache.get_or_set(key, lambda: headline(scope, as_of, sector), settings.KPI_CACHE_SECONDS)
