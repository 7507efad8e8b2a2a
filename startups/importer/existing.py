"""What the database holds about the startups an import names (loaded in bulk, by chunks)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from ..models import Admission, Declaration, Startup


@dataclass
class ExistingData:
    """What the database holds about the startups the files name."""

    startups_by_ice: dict[str, Startup] = field(default_factory=dict)
    startups_by_name: dict[str, list[Startup]] = field(default_factory=dict)  # legal and brand names
    sector_ids: dict[int, set[int]] = field(default_factory=dict)  # startup pk → sector pks
    admissions: dict[int, list[Admission]] = field(default_factory=dict)  # startup pk → admissions
    declarations: dict[tuple[int, int], Declaration] = field(default_factory=dict)  # (startup pk, year)


def _chunks(values, size: int):
    values = sorted(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


# Keys per query when loading what exists: well under SQLite's 32,766 parameters, and a
# plan PostgreSQL handles well. The number of queries is proportional to the chunks.
LOAD_CHUNK = 2000


def load_existing(*, ices: set[str], names: set[str]) -> ExistingData:
    """Three queries per LOAD_CHUNK keys, whatever the files' size below it. Admissions are
    site-owned: the caller's scope decides what is visible (the whole network for the import)."""
    data = ExistingData()
    if not ices and not names:
        return data
    found: dict[int, Startup] = {}
    for chunk in _chunks(ices, LOAD_CHUNK):
        found.update((startup.pk, startup) for startup in Startup.objects.filter(ice__in=chunk))
    for chunk in _chunks(names, LOAD_CHUNK):
        startups = Startup.objects.filter(Q(legal_name__in=chunk) | Q(brand_name__in=chunk))
        found.update((startup.pk, startup) for startup in startups)
    startups = [found[pk] for pk in sorted(found)]
    ids = [startup.pk for startup in startups]
    for startup in startups:
        if startup.ice:
            data.startups_by_ice[startup.ice] = startup
        for name in {startup.legal_name, startup.brand_name} - {""}:
            data.startups_by_name.setdefault(name, []).append(startup)
        data.sector_ids[startup.pk] = set()
    for chunk in _chunks(ids, LOAD_CHUNK):
        links = Startup.sectors.through.objects.filter(startup_id__in=chunk).values_list("startup_id", "sector_id")
        for startup_id, sector_id in links:
            data.sector_ids[startup_id].add(sector_id)
        for admission in Admission.objects.filter(startup__in=chunk).select_related("site").order_by("pk"):
            data.admissions.setdefault(admission.startup_id, []).append(admission)
        for declaration in Declaration.objects.filter(startup__in=chunk):
            data.declarations[(declaration.startup_id, declaration.fiscal_year)] = declaration
    return data
