"""Demo startups shaped like the network's public figures (MISSION.md): about 3,000
startups supported since 2001 of which about 1,400 residents, about 450 supported today
(900 MDH cumulative revenue, a quarter exporting, mostly to Africa), 89% alive after five
years, about 15,000 jobs. Deterministic (seeded) and idempotent: startups are keyed by ICE.
"""

import datetime
import random
from decimal import Decimal

from django.db import transaction

from accounts.models import User
from sites.models import Sector, Site, SiteStatus

from .countries import AFRICA, includes_africa
from .demo_applications import STAGES, seed_applications
from .demo_check_ins import seed_check_ins
from .models import (
    Admission,
    AdmissionKind,
    Declaration,
    ExitReason,
    LegalForm,
    Office,
    OfficeAllocation,
    Stage,
    Startup,
    StartupMember,
    TeamRole,
)

TODAY = datetime.date.today()
HISTORIC = 2650  # startups whose time at the Technopark is over
ACTIVE = {"casablanca": 220, "rabat": 105, "tanger": 75, "agadir": 50}  # supported today, per home site
ETECHNOPARK_SHARE = 0.25  # of the active ones, followed remotely
PIPELINE = len(STAGES)  # startups not admitted yet with an application, per operational site
AFRICAN = sorted(AFRICA - {"MA"})
ELSEWHERE = ["FR", "ES", "BE", "DE", "AE", "SA", "US", "CA", "GB", "QA"]
SYLLABLES = [
    "atlas",
    "argan",
    "souss",
    "rif",
    "oasis",
    "medina",
    "zellige",
    "sahara",
    "nour",
    "amal",
    "tafraout",
    "dune",
    "cedre",
    "assif",
    "tiznit",
    "ziz",
    "draa",
    "noria",
    "khettara",
    "bab",
    "riad",
    "kasbah",
]
SUFFIXES = ["Tech", "Labs", "Data", "Pay", "Agri", "Soft", "Cloud", "IoT", "Health", "Edu", "Green", "Logistics"]


def _name(rng: random.Random, n: int) -> str:
    return f"{rng.choice(SYLLABLES).capitalize()}{rng.choice(SUFFIXES)} {n}"


def _add_years(day: datetime.date, years: int) -> datetime.date:
    return day.replace(year=day.year + years, day=min(day.day, 28))


def _export_markets(rng: random.Random) -> list[str]:
    """An exporter's countries for a year: Africa only, elsewhere only, or both (about
    40/35/25 %), so that the export share and the share to Africa differ as they do."""
    draw = rng.random()
    africa = rng.sample(AFRICAN, rng.randint(1, 3)) if draw < 0.65 else []
    elsewhere = rng.sample(ELSEWHERE, rng.randint(1, 2)) if draw >= 0.4 else []
    return africa + elsewhere


def _exit_day(rng: random.Random, start: datetime.date) -> datetime.date:
    """When a past admission ended: one to five years after its start, or, for one that
    would still run, a day spread between a month after its start and a month ago (never
    every such admission on the same day)."""
    last = TODAY - datetime.timedelta(days=30)
    end = _add_years(start, rng.randint(1, 5))
    if end <= last:
        return end
    first = start + datetime.timedelta(days=30)
    return first + datetime.timedelta(days=rng.randint(0, max(0, (last - first).days)))


def _declarations(rng, startup, first_year: int, last_year: int, *, exporter: bool, scale: float):
    """One declaration per year the startup was followed (fiscal years already over)."""
    rows = []
    jobs = rng.randint(1, 3)
    for year in range(max(first_year, 2002), min(last_year, TODAY.year - 1) + 1):
        jobs = max(1, jobs + rng.randint(-1, 2))
        revenue = Decimal(int(rng.lognormvariate(14.3, 0.9) * scale))
        countries = []
        export = Decimal(0)
        if exporter:
            countries = _export_markets(rng)
            export = (revenue * Decimal(rng.randint(10, 60)) / 100).quantize(Decimal("1"))
        rows.append(
            Declaration(
                startup=startup,
                fiscal_year=year,
                direct_jobs=jobs,
                indirect_jobs=rng.randint(0, jobs // 2),
                revenue_mad=revenue,
                export_revenue_mad=export,
                export_countries=countries,
                exports_to_africa=includes_africa(countries),
                funds_raised_mad=Decimal(rng.choice([0, 0, 0, 250000, 500000, 1000000])),
            )
        )
    return rows


@transaction.atomic
def seed_startups(founders: list[User]) -> int:
    """Create the demo startups that do not exist yet; returns how many were created."""
    rng = random.Random(2027)
    sites = {site.slug: site for site in Site.objects.filter(status=SiteStatus.OPERATIONAL)}
    sectors = list(Sector.objects.all())
    existing = set(Startup.objects.filter(ice__startswith="9").values_list("ice", flat=True))
    plan = []  # (startup, [admissions], [declarations])
    number = 0

    def new_startup(founded: datetime.date, closed: datetime.date | None) -> Startup:
        nonlocal number
        number += 1
        return Startup(
            legal_name=f"{_name(rng, number)} SARL",
            brand_name=_name(rng, number),
            ice=f"9{number:014d}",
            rc_number=f"RC{100000 + number}",
            legal_form=rng.choice([LegalForm.SARL, LegalForm.SARL_AU, LegalForm.SA, LegalForm.SAS]),
            founded_on=founded,
            closed_on=closed,
            stage=rng.choice(Stage.values),
            description="",
        )

    # History since 2001: admissions that are over.
    opened = {slug: site.opened_on for slug, site in sites.items()}
    weights = {"casablanca": 10, "rabat": 4, "tanger": 3, "agadir": 1}
    for _ in range(HISTORIC):
        slug = rng.choices(list(weights), weights=list(weights.values()))[0]
        first_day = max(opened[slug], datetime.date(2001, 10, 1))
        latest_start = TODAY - datetime.timedelta(days=400)
        if latest_start <= first_day:
            slug, first_day = "casablanca", opened["casablanca"]
        start = first_day + datetime.timedelta(days=rng.randint(0, (latest_start - first_day).days))
        founded = start - datetime.timedelta(days=rng.randint(0, 900))
        kind = AdmissionKind.RESIDENT if rng.random() < 0.4 else AdmissionKind.ETECHNOPARK
        end = _exit_day(rng, start)
        closes_early = rng.random() < 0.11  # 89% survive their first five years
        if closes_early:
            closed = founded + datetime.timedelta(days=rng.randint(200, 5 * 365 - 10))
            end = max(min(end, closed), start + datetime.timedelta(days=30))
            closed = max(closed, end)
            reason = ExitReason.CLOSED
        else:
            closed = None
            reason = rng.choice([ExitReason.GRADUATED] * 6 + [ExitReason.RELOCATED, ExitReason.ACQUIRED])
        startup = new_startup(founded, closed)
        admission = Admission(
            startup=startup,
            site=sites[slug],
            kind=kind,
            starts_on=start,
            planned_end_on=_add_years(start, 5) if kind == AdmissionKind.RESIDENT else None,
            ended_on=end,
            exit_reason=reason,
        )
        exporter = rng.random() < 0.2
        plan.append(
            (startup, [admission], _declarations(rng, startup, start.year, end.year, exporter=exporter, scale=0.6))
        )

    # Supported today.
    active = []
    for slug, count in ACTIVE.items():
        for _ in range(count):
            start = TODAY - datetime.timedelta(days=rng.randint(30, 5 * 365 - 90))
            start = max(start, opened[slug])
            founded = start - datetime.timedelta(days=rng.randint(0, 1200))
            kind = AdmissionKind.ETECHNOPARK if rng.random() < ETECHNOPARK_SHARE else AdmissionKind.RESIDENT
            startup = new_startup(founded, None)
            admission = Admission(
                startup=startup,
                site=sites[slug],
                kind=kind,
                starts_on=start,
                planned_end_on=_add_years(start, 5) if kind == AdmissionKind.RESIDENT else None,
            )
            exporter = rng.random() < 0.32
            declarations = _declarations(rng, startup, start.year, TODAY.year - 1, exporter=exporter, scale=1.0)
            plan.append((startup, [admission], declarations))
            active.append((startup, admission))

    # Applications in the pipeline (startups not admitted yet).
    pipeline = []
    for slug in sites:
        for _ in range(PIPELINE):
            startup = new_startup(TODAY - datetime.timedelta(days=rng.randint(60, 900)), None)
            plan.append((startup, [], []))
            pipeline.append((startup, slug))

    missing = [entry for entry in plan if entry[0].ice not in existing]
    if not missing:
        seed_check_ins()
        return 0
    Startup.objects.bulk_create([startup for startup, _a, _d in missing], batch_size=500)
    by_ice = {startup.ice: startup.pk for startup in Startup.objects.filter(ice__startswith="9")}
    admissions, declarations = [], []
    for startup, startup_admissions, startup_declarations in missing:
        startup.pk = by_ice[startup.ice]
        for row in startup_admissions:
            row.startup_id = startup.pk
            admissions.append(row)
        for row in startup_declarations:
            row.startup_id = startup.pk
            declarations.append(row)
    Admission.objects.bulk_create(admissions, batch_size=500)
    Declaration.objects.bulk_create(declarations, batch_size=500)
    Startup.sectors.through.objects.bulk_create(
        [
            Startup.sectors.through(startup_id=startup.pk, sector_id=rng.choice(sectors).pk)
            for startup, _a, _d in missing
        ],
        batch_size=500,
    )

    # The demo founders each lead one of today's startups, spread over the sites and kinds.
    fresh_active = [(startup, admission) for startup, admission in active if startup.ice not in existing]
    stride = max(1, len(fresh_active) // max(1, len(founders)))
    for user, (startup, _admission) in zip(founders, fresh_active[::stride], strict=False):
        StartupMember.objects.get_or_create(startup_id=startup.pk, user=user, defaults={"role": TeamRole.FOUNDER})

    _seed_offices(rng, sites, [pair for pair in fresh_active if pair[1].kind == AdmissionKind.RESIDENT])
    seed_applications(
        random.Random(2028),
        sites,
        [pair for pair in pipeline if pair[0].ice not in existing],
        [pair for pair in fresh_active if pair[1].kind == AdmissionKind.RESIDENT],
    )
    seed_check_ins()  # some alumni's answers to last year's check-in
    return len(missing)


def _seed_offices(rng, sites, residents):
    """Offices of 12–19 m² at about 1,000 DH/month; nearly every resident has one."""
    by_site = {}
    for _startup, admission in residents:
        by_site.setdefault(admission.site.slug, []).append(admission)
    for slug, site_admissions in by_site.items():
        site = sites[slug]
        offices = []
        for index in range(len(site_admissions) + 8):
            area = Decimal(rng.randint(12, 19))
            offices.append(
                Office(
                    site=site,
                    number=f"{index // 40 + 1}{index % 40:02d}",
                    floor=index // 40,
                    area_m2=area,
                    seats=int(area // 4),
                    monthly_rent_mad=(area * Decimal("60")).quantize(Decimal("1")),
                )
            )
        Office.objects.bulk_create(offices, ignore_conflicts=True)
        offices = list(Office.objects.filter(site=site).order_by("floor", "number"))
        admissions = {
            admission.startup.ice: admission
            for admission in Admission.objects.filter(
                site=site, startup__ice__in=[a.startup.ice for a in site_admissions]
            ).select_related("startup")
        }
        allocations = [
            OfficeAllocation(
                office=office, admission=admissions[admission.startup.ice], site=site, starts_on=admission.starts_on
            )
            for office, admission in zip(offices, site_admissions, strict=False)
            if rng.random() < 0.96
        ]
        OfficeAllocation.objects.bulk_create(allocations)
