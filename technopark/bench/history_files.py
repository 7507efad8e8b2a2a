"""The history import's benchmark files: startups.csv and declarations.csv in the importer's
formats (startups/importer/__init__.py), deterministic for a given size and date, valid on
the database they are written from (its sites and sectors).

Startups are named `HIST-BENCH-000001`… and carry the ICEs `7` + 14 digits (the demo's
start with 9), each with one admission at a site opened by then; declarations are spread
over the fiscal years before today's (5 per startup at the default size), most matched by
ICE and one in ten by name, as head office's spreadsheets mix both."""

from __future__ import annotations

import csv
import datetime
import math
from pathlib import Path

from django.utils import timezone

from sites.models import Sector, Site
from startups.importer.report import DECLARATION_COLUMNS, DECLARATIONS_FILE, STARTUP_COLUMNS, STARTUPS_FILE

HISTORY_MARK = "HIST-BENCH-"
FIRST_FOUNDING = datetime.date(2000, 1, 1)
# As spreadsheets spell them: the importer's parser reads every one.
LEGAL_FORMS = ["SARL", "sarl_au", "S.A.", "SAS", "auto-entrepreneur", "SARL AU"]
EXPORT_COUNTRIES = ["SN", "FR", "CI;SN", "ES", "US;CA", "NG;SN;FR"]


def history_name(number: int) -> str:
    return f"{HISTORY_MARK}{number:06d}"


def history_ice(number: int) -> str:
    return f"7{number:014d}"


def _startup_rows(count: int, today: datetime.date):
    sites = list(
        Site.objects.filter(opened_on__lte=today).order_by("opened_on", "slug").values_list("slug", "opened_on")
    )
    sectors = list(Sector.objects.order_by("code").values_list("code", flat=True))
    if not sites or not sectors:
        raise ValueError("The history files need sites opened by today and sectors: run seed_demo first.")
    span = (today - FIRST_FOUNDING).days - 2 * 365  # founded two years ago at the latest
    for number in range(1, count + 1):
        slug, opened_on = sites[number % len(sites)]
        founded = FIRST_FOUNDING + datetime.timedelta(days=number * 7919 % span)
        starts = max(founded, opened_on) + datetime.timedelta(days=number % 365)
        starts = min(starts, today)
        ends, reason, closed = None, "", None
        if number % 2 == 0 and starts + datetime.timedelta(days=1095) <= today:
            ends, reason = starts + datetime.timedelta(days=1095), "graduated"
            if number % 10 == 0:
                closed, reason = ends, "closed"
        yield {
            "name": history_name(number),
            "ice": history_ice(number),
            "legal_form": LEGAL_FORMS[number % len(LEGAL_FORMS)],
            "sector": sectors[number % len(sectors)],
            "founded_on": founded.isoformat(),
            "closed_on": closed.isoformat() if closed else "",
            "site": slug,
            "kind": "resident" if number % 3 == 0 else "e-technopark",
            "start_on": starts.isoformat(),
            "end_on": ends.isoformat() if ends else "",
            "exit_reason": reason,
        }


def _declaration_rows(count: int, startups: int, today: datetime.date):
    for index in range(count):
        number, year = index % startups + 1, today.year - 1 - index // startups
        revenue = 10_000 * (1 + (number * 13 + year) % 500)
        exports = revenue * (number % 4) // 10
        yield {
            "ice": "" if index % 10 == 9 else history_ice(number),
            "name": history_name(number) if index % 10 == 9 else "",
            "fiscal_year": year,
            "direct_jobs": 1 + (number * 7 + year) % 40,
            "indirect_jobs": "" if number % 7 == 0 else (number + year) % 10,  # unknown
            "revenue_mad": f"{revenue}.50",
            "export_revenue_mad": exports,
            "export_countries": EXPORT_COUNTRIES[number % len(EXPORT_COUNTRIES)] if exports else "",
        }


def _write(path: Path, columns: tuple[str, ...], rows) -> None:
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)


def write_history_files(directory: Path, *, startups: int = 10_000, declarations: int = 50_000) -> tuple[Path, Path]:
    """Write startups.csv and declarations.csv into `directory`: the paths (startups first).
    Reads the sites and sectors, so call it with the scopes disabled and the demo seeded."""
    today = timezone.localdate()
    years = math.ceil(declarations / startups) if startups else 0
    if declarations and (not startups or today.year - years < 1990):
        raise ValueError("Too many declarations for the startups: one per startup and past fiscal year.")
    directory.mkdir(parents=True, exist_ok=True)
    startups_path, declarations_path = directory / STARTUPS_FILE, directory / DECLARATIONS_FILE
    _write(startups_path, STARTUP_COLUMNS, _startup_rows(startups, today))
    _write(declarations_path, DECLARATION_COLUMNS, _declaration_rows(declarations, startups, today))
    return startups_path, declarations_path
