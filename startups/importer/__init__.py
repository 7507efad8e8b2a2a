"""History import: startups, their admissions and their yearly declarations from CSV files.

Head office keeps years of records in spreadsheets; this package turns two CSV exports into
portal records, in four steps written once and used by both the `import_history`
management command and the upload page (`/network/import/`):

1. **parse**    `rows.iter_csv()` — bytes → (line number, {column: text}) rows, one at a
                time; UTF-8 with or without a BOM, header row required, the header is line 1.
2. **validate** `rows.validate_startup_row()` / `validate_declaration_row()` — pure functions
                over one row and the reference data (sites, sectors): typed rows or reasons.
3. **plan**     `plan.plan_import()` — over the valid rows and `ExistingData` (what the
                database holds for the startups concerned: loaded by `load_existing()` for
                startups.csv, then by chunks of declarations.csv as it is read):
                what would be created, updated or left unchanged, and the cross-row errors
                (conflicting duplicates, ambiguous names, open admissions, exports > revenue…).
4. **apply**    `apply.apply_plan()` — one transaction, set-based: batches of bulk inserts
                and updates, every created or updated record audited (see apply.py).

`import_history()` chains them and returns an `ImportReport` (JSON-safe through
`to_dict()`, so a Celery task can run it later and store the result). Nothing at all is
written when any row is bad; importing the same files twice changes nothing.

Memory: declarations.csv is validated and planned as it is read, and only the records to
write are kept (with `details`, the upload page's preview, every record's changes too).
`manage.py import_history` of 10,000 startups and 50,000 declarations peaks at about 190 MB,
117 MB of which Django and the project take before reading anything.

The package is scope-agnostic: admissions are site-owned (django-scopes), so callers open
the scope — the upload page's preview and the Celery task `jobs.run_history_import` inside
`sites.scoping.network_scope()` (head office), the management command unscoped.

Formats (comma-separated, dates YYYY-MM-DD, an empty cell means "unknown"):

- startups.csv: name,ice,legal_form,sector,founded_on,closed_on,site,kind,start_on,end_on,
  exit_reason — one row per admission. A startup may have several rows; a row with no
  site, kind and start declares the startup alone. Startups are matched by ICE, else by
  name and founding date; admissions by (startup, site, kind, start). Known values update
  existing records, unknown (empty) ones leave them as they are; sectors are only added.
- declarations.csv: ice,name,fiscal_year,direct_jobs,indirect_jobs,revenue_mad,
  export_revenue_mad,export_countries — export_countries is a `;`-separated list of ISO
  3166 alpha-2 codes. The startup is matched by ICE, else by exact name (legal or brand
  name); it may be one created by startups.csv in the same import.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterable, Iterator

from django.utils import timezone

from sites.models import Sector, Site

from .apply import ApplyError, apply_plan
from .existing import ExistingData, load_existing
from .plan import Plan, plan_import
from .report import (
    DECLARATION_COLUMNS,
    DECLARATIONS_FILE,
    MAX_FILE_BYTES,
    STARTUP_COLUMNS,
    STARTUPS_FILE,
    Change,
    ImportReport,
    Progress,
    RowError,
    Source,
)
from .rows import (
    DeclarationRow,
    StartupRow,
    _read_source,
    iter_csv,
    read_csv,
    validate_declaration_row,
    validate_startup_row,
)

__all__ = [
    "DECLARATIONS_FILE",
    "MAX_FILE_BYTES",
    "STARTUPS_FILE",
    "Change",
    "ExistingData",
    "ImportReport",
    "Plan",
    "RowError",
    "apply_plan",
    "import_history",
    "iter_csv",
    "load_existing",
    "plan_import",
    "read_csv",
    "validate_declaration_row",
    "validate_startup_row",
]


# --- All together ---------------------------------------------------------------------------
def _valid_rows(
    report: ImportReport, content: bytes | str, *, file: str, columns: tuple[str, ...], validate
) -> Iterator:
    """The file's valid rows, typed by `validate(line, raw)`, one at a time; its errors and,
    once it is read, its count of rows go to the report."""
    count = 0
    for line, raw in iter_csv(content, file=file, columns=columns, errors=report.errors):
        count += 1
        row, problems = validate(line, raw)
        report.errors += [RowError(file, line, code, message) for code, message in problems]
        if row is not None:
            yield row
    report.rows[file] = count


def import_history(
    startups_file: Source = None,
    declarations_file: Source = None,
    *,
    dry_run: bool = False,
    actor=None,
    today: datetime.date | None = None,
    progress: Progress | None = None,
    details: bool = True,
) -> ImportReport:
    """Parse, validate, plan and (unless `dry_run` or any row is bad) apply the two files.

    Each file is raw bytes, decoded text or a file object; either may be None. Run it in a
    scope that sees every site (see the module's docstring). `progress(done, total)`, if
    given, follows the apply step (see `apply_plan`); it is not called on a dry run or when
    any row is bad. Without `details`, the report has the counts but not one `Change` per
    record (which, for large files, take more memory than the import itself)."""
    today = today or timezone.localdate()
    report = ImportReport(dry_run=dry_run)
    startups_content, declarations_content = _read_source(startups_file), _read_source(declarations_file)

    startup_rows: list[StartupRow] = []
    if startups_content is not None:
        sites = {site.slug.lower(): site for site in Site.objects.all()}
        sectors = {sector.code.lower(): sector for sector in Sector.objects.all()}
        validate = functools.partial(validate_startup_row, sites=sites, sectors=sectors, today=today)
        startup_rows = list(
            _valid_rows(report, startups_content, file=STARTUPS_FILE, columns=STARTUP_COLUMNS, validate=validate)
        )
    # Read while they are planned, never all in memory (see plan_import).
    declaration_rows: Iterable[DeclarationRow] = ()
    if declarations_content is not None:
        validate = functools.partial(validate_declaration_row, today=today)
        declaration_rows = _valid_rows(
            report, declarations_content, file=DECLARATIONS_FILE, columns=DECLARATION_COLUMNS, validate=validate
        )

    existing = load_existing(
        ices={row.ice for row in startup_rows if row.ice}, names={row.name for row in startup_rows}
    )
    plan = plan_import(startup_rows, declaration_rows, existing=existing, details=details)
    del startup_rows  # the plan holds what the apply step needs
    report.errors += plan.errors
    report.errors.sort(key=lambda error: (error.file != STARTUPS_FILE, error.line))
    report.counts = plan.counts()
    if details:
        report.changes = plan.changes()
    if report.errors or dry_run:
        return report
    try:
        apply_plan(plan, actor=actor, existing_sectors=existing.sector_ids, progress=progress)
    except ApplyError as failure:
        report.errors.append(failure.error)
        return report
    report.applied = True
    return report
