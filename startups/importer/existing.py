"""What the database holds about the startups an import names (loaded in bulk, by chunks).

Only what the plan compares is kept: admissions and declarations as a few values, not model
instances (a tenth of the memory); the apply step loads the records it updates, a batch at a
time. Declarations are loaded by chunks of declarations.csv, as it is read (`load_declarations`),
and the startups that only declarations.csv names as well (`ExistingData.add_startups`)."""

from __future__ import annotations

import datetime
import decimal
from dataclasses import dataclass, field

from django.db.models import Q

from ..models import Admission, Declaration, Startup


@dataclass(slots=True)
class KnownAdmission:
    pk: int
    site_id: int
    kind: str
    starts_on: datetime.date
    ended_on: datetime.date | None
    exit_reason: str


@dataclass(slots=True)
class KnownDeclaration:
    pk: int
    direct_jobs: int | None
    indirect_jobs: int | None
    revenue_mad: decimal.Decimal
    export_revenue_mad: decimal.Decimal
    export_countries: list[str]  # codes, sorted


@dataclass
class ExistingData:
    """What the database holds about the startups the files name."""

    startups_by_ice: dict[str, Startup] = field(default_factory=dict)
    startups_by_name: dict[str, list[Startup]] = field(default_factory=dict)  # legal and brand names
    sector_ids: dict[int, set[int]] = field(default_factory=dict)  # startup pk → sector pks
    admissions: dict[int, list[KnownAdmission]] = field(default_factory=dict)  # startup pk → admissions
    # What has been looked up: a key is queried once, the startups it finds are indexed once.
    looked_up_ices: set[str] = field(default_factory=set)
    looked_up_names: set[str] = field(default_factory=set)
    startups_by_pk: dict[int, Startup] = field(default_factory=dict)

    def add_startups(self, *, ices: set[str], names: set[str]) -> list[Startup]:
        """Look up the ICEs and names not looked up yet (two queries per LOAD_CHUNK keys):
        the startups found for the first time, by pk."""
        ices, names = ices - self.looked_up_ices, names - self.looked_up_names
        self.looked_up_ices |= ices
        self.looked_up_names |= names
        found: dict[int, Startup] = {}
        for chunk in _chunks(ices, LOAD_CHUNK):
            found.update((startup.pk, startup) for startup in Startup.objects.filter(ice__in=chunk))
        for chunk in _chunks(names, LOAD_CHUNK):
            startups = Startup.objects.filter(Q(legal_name__in=chunk) | Q(brand_name__in=chunk))
            found.update((startup.pk, startup) for startup in startups)
        new = [found[pk] for pk in sorted(found) if pk not in self.startups_by_pk]
        for startup in new:
            self.startups_by_pk[startup.pk] = startup
            if startup.ice:
                self.startups_by_ice[startup.ice] = startup
            for name in {startup.legal_name, startup.brand_name} - {""}:
                self.startups_by_name.setdefault(name, []).append(startup)
        return new


def _chunks(values, size: int):
    values = sorted(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


# Keys per query when loading what exists: well under SQLite's 32,766 parameters, and a
# plan PostgreSQL handles well. The number of queries is proportional to the chunks.
LOAD_CHUNK = 2000
ADMISSION_VALUES = ("pk", "startup_id", "site_id", "kind", "starts_on", "ended_on", "exit_reason")
DECLARATION_VALUES = (
    "pk",
    "startup_id",
    "fiscal_year",
    "direct_jobs",
    "indirect_jobs",
    "revenue_mad",
    "export_revenue_mad",
    "export_countries",
)


def load_existing(*, ices: set[str], names: set[str]) -> ExistingData:
    """The startups startups.csv names, their sectors and admissions: four queries per
    LOAD_CHUNK keys, whatever the file's size below it. Admissions are site-owned: the
    caller's scope decides what is visible (the whole network for the import)."""
    data = ExistingData()
    ids = [startup.pk for startup in data.add_startups(ices=ices, names=names)]
    for pk in ids:
        data.sector_ids[pk] = set()
    for chunk in _chunks(ids, LOAD_CHUNK):
        links = Startup.sectors.through.objects.filter(startup_id__in=chunk).values_list("startup_id", "sector_id")
        for startup_id, sector_id in links:
            data.sector_ids[startup_id].add(sector_id)
        admissions = Admission.objects.filter(startup__in=chunk).order_by("pk").values_list(*ADMISSION_VALUES)
        for pk, startup_id, site_id, kind, starts_on, ended_on, exit_reason in admissions:
            known = KnownAdmission(pk, site_id, kind, starts_on, ended_on, exit_reason)
            data.admissions.setdefault(startup_id, []).append(known)
    return data


def load_declarations(keys: set[tuple[int, int]]) -> dict[tuple[int, int], KnownDeclaration]:
    """The declarations of these (startup pk, fiscal year): one query per LOAD_CHUNK startups."""
    found = {}
    years = {year for _pk, year in keys}
    for chunk in _chunks({pk for pk, _year in keys}, LOAD_CHUNK):
        declarations = Declaration.objects.filter(startup__in=chunk, fiscal_year__in=years)
        for pk, startup_id, year, direct, indirect, revenue, exports, countries in declarations.values_list(
            *DECLARATION_VALUES
        ):
            if (startup_id, year) in keys:
                codes = sorted(code for code in (countries or "").split(",") if code)  # as the column stores them
                found[(startup_id, year)] = KnownDeclaration(pk, direct, indirect, revenue, exports, codes)
    return found
