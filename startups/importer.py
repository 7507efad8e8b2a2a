"""History import: startups, their admissions and their yearly declarations from CSV files.

Head office keeps years of records in spreadsheets; this module turns two CSV exports into
portal records, in four steps written once and used by both the `import_history`
management command and the upload page (`/network/import/`):

1. **parse**    `read_csv()` — bytes → (line number, {column: text}) rows; UTF-8 with or
                without a BOM, header row required, the header is line 1.
2. **validate** `validate_startup_row()` / `validate_declaration_row()` — pure functions
                over one row and the reference data (sites, sectors): typed rows or reasons.
3. **plan**     `plan_import()` — pure over the valid rows and `ExistingData` (what the
                database holds for the startups concerned, loaded by `load_existing()`):
                what would be created, updated or left unchanged, and the cross-row errors
                (conflicting duplicates, ambiguous names, open admissions, exports > revenue…).
4. **apply**    `apply_plan()` — one transaction, every write audited.

`import_history()` chains them and returns an `ImportReport` (JSON-safe through
`to_dict()`, so a Celery task can run it later and store the result). Nothing at all is
written when any row is bad; importing the same files twice changes nothing.

The module is scope-agnostic: admissions are site-owned (django-scopes), so callers open
the scope — the upload page's preview and the Celery task `run_history_import` inside
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

import csv
import datetime
import decimal
import io
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import IO

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries

from sites.models import Sector, Site
from technopark.audit import audit_record, audited_save, instance_values
from technopark.models import AuditEntry

from .legal_forms import accepted_legal_forms, legal_form_code
from .models import Admission, AdmissionKind, Declaration, ExitReason, Startup

STARTUPS_FILE = "startups.csv"
DECLARATIONS_FILE = "declarations.csv"
STARTUP_COLUMNS = (
    "name",
    "ice",
    "legal_form",
    "sector",
    "founded_on",
    "closed_on",
    "site",
    "kind",
    "start_on",
    "end_on",
    "exit_reason",
)
DECLARATION_COLUMNS = (
    "ice",
    "name",
    "fiscal_year",
    "direct_jobs",
    "indirect_jobs",
    "revenue_mad",
    "export_revenue_mad",
    "export_countries",
)
# What the upload page accepts per file; the management command reads files of any size.
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_MAD = decimal.Decimal("999999999999.99")  # Declaration's DecimalField(max_digits=14, decimal_places=2)
ICE_PATTERN = re.compile(r"^[0-9]{15}$")
DATE_PATTERN = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
STARTUP, ADMISSION, DECLARATION = "startup", "admission", "declaration"

Source = bytes | str | IO | None  # raw bytes, already-decoded text, a file object, or nothing
Progress = Callable[[int, int], None]  # progress(done, total) while applying


# --- The report ----------------------------------------------------------------------------
@dataclass(frozen=True)
class RowError:
    file: str
    line: int  # the CSV line, header = line 1; 0 when the whole file is concerned
    code: str  # stable, for tests and tools: "bad_ice", "unknown_site"…
    message: str  # translated, for people

    def __str__(self):
        if self.line:
            return _("%(file)s, line %(line)s: %(message)s") % {
                "file": self.file,
                "line": self.line,
                "message": self.message,
            }
        return f"{self.file}: {self.message}"


@dataclass(frozen=True)
class Change:
    kind: str  # startup | admission | declaration
    action: str  # created | updated | unchanged
    file: str
    line: int
    label: str
    fields: dict = field(default_factory=dict)  # {field: [before, after]} as text


@dataclass
class ImportReport:
    dry_run: bool
    errors: list[RowError] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    rows: dict = field(default_factory=dict)  # {file: data rows read}
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def counts(self) -> dict[str, dict[str, int]]:
        counts = {kind: {CREATED: 0, UPDATED: 0, UNCHANGED: 0} for kind in (STARTUP, ADMISSION, DECLARATION)}
        for change in self.changes:
            counts[change.kind][change.action] += 1
        return counts

    @property
    def writes(self) -> list[Change]:
        """The changes that create or update something (what a preview shows)."""
        return [change for change in self.changes if change.action != UNCHANGED]

    def summary(self) -> str:
        labels = {STARTUP: _("Startups"), ADMISSION: _("Admissions"), DECLARATION: _("Declarations")}
        parts = [
            _("%(what)s: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.")
            % {"what": labels[kind], **numbers}
            for kind, numbers in self.counts.items()
        ]
        return " ".join(parts)

    def to_dict(self) -> dict:
        return {
            "dry_run": self.dry_run,
            "applied": self.applied,
            "rows": dict(self.rows),
            "counts": self.counts,
            "errors": [asdict(error) for error in self.errors],
            "changes": [asdict(change) for change in self.changes],
        }


# --- 1. Parse -------------------------------------------------------------------------------
def _read_source(source: Source) -> bytes | str | None:
    if source is None or isinstance(source, bytes | str):
        return source
    if hasattr(source, "seek"):
        source.seek(0)
    return source.read()


def read_csv(
    content: bytes | str, *, file: str, columns: tuple[str, ...]
) -> tuple[list[tuple[int, dict]], list[RowError]]:
    """The data rows as (line number, {column: stripped text}); the errors of the file's shape."""
    if isinstance(content, bytes):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = content[: error.start].count(b"\n") + 1
            return [], [RowError(file, line, "encoding", _("The file is not UTF-8 text (save it as CSV UTF-8)."))]
    else:
        text = content.removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        return [], [RowError(file, 1, "empty", _("The file is empty: a header row is expected."))]
    except csv.Error as error:
        return [], [RowError(file, 1, "csv", _("The header row cannot be read: %(error)s") % {"error": error})]
    header = [name.strip().lower() for name in header]
    missing = [column for column in columns if column not in header]
    if missing:
        return [], [
            RowError(
                file,
                1,
                "missing_columns",
                _("Missing columns: %(columns)s (expected: %(expected)s).")
                % {"columns": ", ".join(missing), "expected": ",".join(columns)},
            )
        ]
    rows, errors = [], []
    line = reader.line_num
    while True:
        start = line + 1
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            errors.append(RowError(file, start, "csv", _("This line cannot be read: %(error)s") % {"error": error}))
            break
        line = reader.line_num
        if not any(value.strip() for value in values):
            continue  # blank line
        while len(values) > len(header) and not values[-1].strip():
            values = values[:-1]  # trailing empty cells, as spreadsheets write them
        if len(values) != len(header):
            errors.append(
                RowError(
                    file,
                    start,
                    "column_count",
                    _("Expected %(expected)s values, found %(found)s.")
                    % {"expected": len(header), "found": len(values)},
                )
            )
            continue
        rows.append((start, {name: value.strip() for name, value in zip(header, values, strict=True)}))
    return rows, errors


# --- 2. Validate (pure) ---------------------------------------------------------------------
@dataclass(frozen=True)
class StartupRow:
    line: int
    name: str
    ice: str | None
    legal_form: str | None
    sector: Sector | None
    founded_on: datetime.date | None
    closed_on: datetime.date | None
    site: Site | None
    kind: str | None
    start_on: datetime.date | None
    end_on: datetime.date | None
    exit_reason: str | None


@dataclass(frozen=True)
class DeclarationRow:
    line: int
    ice: str | None
    name: str | None
    fiscal_year: int
    direct_jobs: int | None
    indirect_jobs: int | None
    revenue_mad: decimal.Decimal | None
    export_revenue_mad: decimal.Decimal | None
    export_countries: tuple[str, ...] | None


Problems = list[tuple[str, str]]  # (code, message)


def _date(value: str, column: str, problems: Problems) -> datetime.date | None:
    if not value:
        return None
    if DATE_PATTERN.match(value):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    problems.append(
        (
            "bad_date",
            _("%(column)s: “%(value)s” is not a date in the form YYYY-MM-DD.") % {"column": column, "value": value},
        )
    )
    return None


def _ice(value: str, problems: Problems) -> str | None:
    value = value.replace(" ", "")
    if not value:
        return None
    if not ICE_PATTERN.match(value):
        problems.append(("bad_ice", _("ice: “%(value)s” is not an ICE (exactly 15 digits).") % {"value": value}))
        return None
    return value


def _choice(value: str, column: str, choices, code: str, problems: Problems) -> str | None:
    value = value.lower()
    if not value:
        return None
    if value not in choices.values:
        problems.append(
            (
                code,
                _("%(column)s: “%(value)s” is not one of %(choices)s.")
                % {"column": column, "value": value, "choices": ", ".join(choices.values)},
            )
        )
        return None
    return value


def _legal_form(value: str, problems: Problems) -> str | None:
    """A code, or a label as people write it: "SARL AU", "s.a.r.l.", "Auto-entrepreneur"."""
    if not value:
        return None
    code = legal_form_code(value)
    if code is None:
        problems.append(
            (
                "unknown_legal_form",
                _(
                    "legal_form: “%(value)s” is not a legal form we know. Write one of: %(choices)s "
                    "(any case, with or without dots and spaces)."
                )
                % {"value": value, "choices": accepted_legal_forms()},
            )
        )
    return code


def validate_startup_row(
    line: int, raw: dict, *, sites: dict[str, Site], sectors: dict[str, Sector], today: datetime.date
) -> tuple[StartupRow | None, Problems]:
    """One row of startups.csv, typed, or the reasons it is refused."""
    problems: Problems = []
    name = raw["name"]
    if not name:
        problems.append(("missing_name", _("name is required.")))
    elif len(name) > 200:
        problems.append(("long_name", _("name is longer than 200 characters.")))
    ice = _ice(raw["ice"], problems)
    legal_form = _legal_form(raw["legal_form"], problems)
    sector = None
    if raw["sector"]:
        sector = sectors.get(raw["sector"].lower())
        if sector is None:
            problems.append(
                ("unknown_sector", _("sector: no sector has the code “%(value)s”.") % {"value": raw["sector"]})
            )
    founded_on = _date(raw["founded_on"], "founded_on", problems)
    closed_on = _date(raw["closed_on"], "closed_on", problems)
    if founded_on and founded_on > today:
        problems.append(("future_date", _("founded_on is in the future.")))
    if founded_on and closed_on and closed_on < founded_on:
        problems.append(("closed_before_founded", _("closed_on comes before founded_on.")))

    site = None
    if raw["site"]:
        site = sites.get(raw["site"].lower())
        if site is None:
            problems.append(("unknown_site", _("site: no site has the slug “%(value)s”.") % {"value": raw["site"]}))
    kind = _choice(raw["kind"], "kind", AdmissionKind, "unknown_kind", problems)
    start_on = _date(raw["start_on"], "start_on", problems)
    end_on = _date(raw["end_on"], "end_on", problems)
    exit_reason = _choice(raw["exit_reason"], "exit_reason", ExitReason, "unknown_exit_reason", problems)
    admission_columns = [raw["site"], raw["kind"], raw["start_on"], raw["end_on"], raw["exit_reason"]]
    if any(admission_columns):
        if not (raw["site"] and raw["kind"] and raw["start_on"]):
            problems.append(("incomplete_admission", _("An admission needs its site, kind and start_on.")))
        if start_on and end_on and end_on < start_on:
            problems.append(("end_before_start", _("end_on comes before start_on.")))
        if start_on and start_on > today:
            problems.append(("future_date", _("start_on is in the future.")))
        if raw["end_on"] and not raw["exit_reason"]:
            problems.append(("missing_exit_reason", _("exit_reason is required when end_on is set.")))
        if raw["exit_reason"] and not raw["end_on"]:
            problems.append(("exit_reason_without_end", _("exit_reason is set but end_on is empty.")))
    if problems:
        return None, problems
    return (
        StartupRow(
            line=line,
            name=name,
            ice=ice,
            legal_form=legal_form,
            sector=sector,
            founded_on=founded_on,
            closed_on=closed_on,
            site=site,
            kind=kind,
            start_on=start_on,
            end_on=end_on,
            exit_reason=exit_reason,
        ),
        [],
    )


def _count(value: str, column: str, problems: Problems) -> int | None:
    if not value:
        return None
    if not value.isdigit() or int(value) > 2_000_000_000:
        problems.append(
            ("bad_number", _("%(column)s: “%(value)s” is not a whole number ≥ 0.") % {"column": column, "value": value})
        )
        return None
    return int(value)


def _money(value: str, column: str, problems: Problems) -> decimal.Decimal | None:
    value = value.replace(" ", "").replace("\u00a0", "")
    if not value:
        return None
    try:
        amount = decimal.Decimal(value)
    except decimal.InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount < 0 or amount > MAX_MAD or amount != round(amount, 2):
        problems.append(
            (
                "bad_amount",
                _("%(column)s: “%(value)s” is not an amount in MAD (≥ 0, at most two decimals, a dot as separator).")
                % {"column": column, "value": value},
            )
        )
        return None
    return amount.quantize(decimal.Decimal("0.01"))


def validate_declaration_row(line: int, raw: dict, *, today: datetime.date) -> tuple[DeclarationRow | None, Problems]:
    """One row of declarations.csv, typed, or the reasons it is refused."""
    problems: Problems = []
    ice = _ice(raw["ice"], problems)
    name = raw["name"] or None
    if not raw["ice"] and not name:
        problems.append(("missing_name", _("Give the startup's ICE or its name.")))
    fiscal_year = None
    if not raw["fiscal_year"]:
        problems.append(("missing_fiscal_year", _("fiscal_year is required.")))
    elif not raw["fiscal_year"].isdigit() or not 1990 <= int(raw["fiscal_year"]) <= 2100:
        problems.append(
            ("bad_fiscal_year", _("fiscal_year: “%(value)s” is not a year.") % {"value": raw["fiscal_year"]})
        )
    elif int(raw["fiscal_year"]) >= today.year:
        problems.append(("fiscal_year_not_over", _("fiscal_year: a year can be declared once it is over.")))
    else:
        fiscal_year = int(raw["fiscal_year"])
    direct_jobs = _count(raw["direct_jobs"], "direct_jobs", problems)
    indirect_jobs = _count(raw["indirect_jobs"], "indirect_jobs", problems)
    revenue = _money(raw["revenue_mad"], "revenue_mad", problems)
    exports = _money(raw["export_revenue_mad"], "export_revenue_mad", problems)
    export_countries = None
    if raw["export_countries"]:
        codes = [code.strip().upper() for code in raw["export_countries"].split(";") if code.strip()]
        unknown = [code for code in codes if code not in countries]
        if unknown:
            problems.append(
                (
                    "unknown_country",
                    _(
                        "export_countries: unknown country codes %(codes)s (use ISO 3166 two-letter codes such as SN;FR)."
                    )
                    % {"codes": ", ".join(unknown)},
                )
            )
        else:
            export_countries = tuple(sorted(set(codes)))
    if problems:
        return None, problems
    return (
        DeclarationRow(
            line=line,
            ice=ice,
            name=name,
            fiscal_year=fiscal_year,
            direct_jobs=direct_jobs,
            indirect_jobs=indirect_jobs,
            revenue_mad=revenue,
            export_revenue_mad=exports,
            export_countries=export_countries,
        ),
        [],
    )


# --- 3. Plan (pure over rows + ExistingData) ------------------------------------------------
@dataclass
class ExistingData:
    """What the database holds about the startups the files name."""

    startups_by_ice: dict[str, Startup] = field(default_factory=dict)
    startups_by_name: dict[str, list[Startup]] = field(default_factory=dict)  # legal and brand names
    sector_ids: dict[int, set[int]] = field(default_factory=dict)  # startup pk → sector pks
    admissions: dict[int, list[Admission]] = field(default_factory=dict)  # startup pk → admissions
    declarations: dict[tuple[int, int], Declaration] = field(default_factory=dict)  # (startup pk, year)


def load_existing(*, ices: set[str], names: set[str]) -> ExistingData:
    """A fixed number of queries whatever the files' size. Admissions are site-owned: the
    caller's scope decides what is visible (the whole network for the import)."""
    data = ExistingData()
    if not ices and not names:
        return data
    startups = list(
        Startup.objects.filter(Q(ice__in=ices) | Q(legal_name__in=names) | Q(brand_name__in=names))
        .prefetch_related("sectors")
        .order_by("pk")
    )
    for startup in startups:
        if startup.ice:
            data.startups_by_ice[startup.ice] = startup
        for name in {startup.legal_name, startup.brand_name} - {""}:
            data.startups_by_name.setdefault(name, []).append(startup)
        data.sector_ids[startup.pk] = {sector.pk for sector in startup.sectors.all()}
    ids = [startup.pk for startup in startups]
    for admission in Admission.objects.filter(startup__in=ids).select_related("site").order_by("pk"):
        data.admissions.setdefault(admission.startup_id, []).append(admission)
    for declaration in Declaration.objects.filter(startup__in=ids):
        data.declarations[(declaration.startup_id, declaration.fiscal_year)] = declaration
    return data


STARTUP_FIELDS = ("legal_name", "ice", "legal_form", "founded_on", "closed_on")


@dataclass(eq=False)
class StartupPlan:
    line: int
    existing: Startup | None
    values: dict  # the known values of STARTUP_FIELDS from the file
    sector_ids: set[int] = field(default_factory=set)
    sector_names: dict[int, str] = field(default_factory=dict)
    lines: dict = field(default_factory=dict)  # field → line that gave its value
    action: str = UNCHANGED
    changes: dict = field(default_factory=dict)
    instance: Startup | None = None  # set by apply

    @property
    def label(self) -> str:
        return self.values.get("legal_name") or str(self.existing)


@dataclass(eq=False)
class AdmissionPlan:
    line: int
    startup: StartupPlan
    site: Site
    kind: str
    starts_on: datetime.date
    ended_on: datetime.date | None
    exit_reason: str | None
    existing: Admission | None = None
    action: str = UNCHANGED
    changes: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{self.startup.label} · {self.site.slug} · {self.kind} · {self.starts_on.isoformat()}"


@dataclass(eq=False)
class DeclarationPlan:
    line: int
    startup: Startup | StartupPlan
    fiscal_year: int
    values: dict  # the known values from the file
    existing: Declaration | None = None
    action: str = UNCHANGED
    changes: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        name = self.startup.label if isinstance(self.startup, StartupPlan) else str(self.startup)
        return f"{name} · {self.fiscal_year}"


@dataclass
class Plan:
    startups: list[StartupPlan] = field(default_factory=list)
    admissions: list[AdmissionPlan] = field(default_factory=list)
    declarations: list[DeclarationPlan] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    def changes(self) -> list[Change]:
        result = []
        for kind, file, plans in (
            (STARTUP, STARTUPS_FILE, self.startups),
            (ADMISSION, STARTUPS_FILE, self.admissions),
            (DECLARATION, DECLARATIONS_FILE, self.declarations),
        ):
            result += [Change(kind, plan.action, file, plan.line, plan.label, plan.changes) for plan in plans]
        return result


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple | set):
        return ";".join(sorted(str(item) for item in value))
    return str(value)


def _diff(before: dict, after: dict) -> dict:
    return {key: [_text(before.get(key)), _text(value)] for key, value in after.items() if before.get(key) != value}


class _Planner:
    def __init__(self, existing: ExistingData):
        self.existing = existing
        self.plan = Plan()
        self.by_ice: dict[str, StartupPlan] = {}
        self.by_name_founded: dict[tuple[str, datetime.date | None], StartupPlan] = {}
        self.by_existing_pk: dict[int, StartupPlan] = {}
        self.admissions_by_key: dict[tuple, AdmissionPlan] = {}

    def error(self, file: str, line: int, code: str, message: str) -> None:
        self.plan.errors.append(RowError(file, line, code, message))

    # Startups ------------------------------------------------------------------------
    def _existing_by_name(self, name: str, founded_on) -> list[Startup]:
        return [s for s in self.existing.startups_by_name.get(name, []) if s.founded_on == founded_on]

    def _find_planned(self, row: StartupRow) -> StartupPlan | None:
        if row.ice and row.ice in self.by_ice:
            return self.by_ice[row.ice]
        planned = self.by_name_founded.get((row.name, row.founded_on))
        if planned is not None and (not row.ice or planned.values.get("ice") in (None, row.ice)):
            return planned
        return None

    def startup_for(self, row: StartupRow) -> StartupPlan | None:
        planned = self._find_planned(row)
        existing = None
        if planned is None:
            existing = self.existing.startups_by_ice.get(row.ice) if row.ice else None
            if existing is None:
                candidates = self._existing_by_name(row.name, row.founded_on)
                if len(candidates) > 1:
                    self.error(
                        STARTUPS_FILE,
                        row.line,
                        "ambiguous_name",
                        _("Several startups are named “%(name)s” with this founding date: add the ICE.")
                        % {"name": row.name},
                    )
                    return None
                if candidates:
                    existing = candidates[0]
                    if row.ice and existing.ice and existing.ice != row.ice:
                        self.error(
                            STARTUPS_FILE,
                            row.line,
                            "ice_mismatch",
                            _("The startup “%(name)s” founded on this date already has another ICE (%(ice)s).")
                            % {"name": row.name, "ice": existing.ice},
                        )
                        return None
            if existing is not None:
                planned = self.by_existing_pk.get(existing.pk)
        if planned is None:
            planned = StartupPlan(line=row.line, existing=existing, values={})
            self.plan.startups.append(planned)
            if existing is not None:
                self.by_existing_pk[existing.pk] = planned
        if not self._merge(planned, row):
            return None
        if row.ice:
            self.by_ice.setdefault(row.ice, planned)
        self.by_name_founded.setdefault((row.name, planned.values.get("founded_on")), planned)
        return planned

    def _merge(self, planned: StartupPlan, row: StartupRow) -> bool:
        values = {
            "legal_name": row.name,
            "ice": row.ice,
            "legal_form": row.legal_form,
            "founded_on": row.founded_on,
            "closed_on": row.closed_on,
        }
        ok = True
        for key, value in values.items():
            if value is None:
                continue
            known = planned.values.get(key)
            if known is not None and known != value:
                self.error(
                    STARTUPS_FILE,
                    row.line,
                    "conflicting_startup",
                    _("%(column)s “%(value)s” contradicts line %(other)s for the same startup (“%(known)s”).")
                    % {"column": key, "value": _text(value), "other": planned.lines[key], "known": _text(known)},
                )
                ok = False
            elif known is None:
                planned.values[key] = value
                planned.lines[key] = row.line
        if ok and row.sector is not None:
            planned.sector_ids.add(row.sector.pk)
            planned.sector_names[row.sector.pk] = row.sector.code
        return ok

    def finish_startup(self, planned: StartupPlan) -> None:
        existing = planned.existing
        values = dict(planned.values)
        if existing is None:
            planned.action = CREATED
            planned.changes = _diff({}, {**values, "sectors": sorted(planned.sector_names.values())})
        else:
            if values.get("legal_name") in (existing.legal_name, existing.brand_name):
                planned.values.pop("legal_name")  # matched by one of its names: keep them
                values.pop("legal_name")
            current = {key: getattr(existing, key) for key in STARTUP_FIELDS}
            planned.changes = _diff(current, values)
            missing = planned.sector_ids - self.existing.sector_ids.get(existing.pk, set())
            if missing:
                planned.changes["sectors"] = ["", _text(planned.sector_names[pk] for pk in missing)]
            planned.action = UPDATED if planned.changes else UNCHANGED
        founded = values.get("founded_on", existing.founded_on if existing else None)
        closed = values.get("closed_on", existing.closed_on if existing else None)
        if founded and closed and closed < founded:
            self.error(
                STARTUPS_FILE,
                planned.line,
                "closed_before_founded",
                _("closed_on comes before the founding date (%(date)s).") % {"date": founded.isoformat()},
            )

    # Admissions ----------------------------------------------------------------------
    def add_admission(self, planned: StartupPlan, row: StartupRow) -> None:
        key = (id(planned), row.site.pk, row.kind, row.start_on)
        twin = self.admissions_by_key.get(key)
        if twin is not None:
            if (twin.ended_on, twin.exit_reason) != (row.end_on, row.exit_reason):
                self.error(
                    STARTUPS_FILE,
                    row.line,
                    "duplicate_admission",
                    _("This admission is already on line %(other)s with a different end or exit reason.")
                    % {"other": twin.line},
                )
            return  # an identical repeat changes nothing
        admission = AdmissionPlan(
            line=row.line,
            startup=planned,
            site=row.site,
            kind=row.kind,
            starts_on=row.start_on,
            ended_on=row.end_on,
            exit_reason=row.exit_reason,
        )
        self.admissions_by_key[key] = admission
        self.plan.admissions.append(admission)

    def finish_admissions(self) -> None:
        final: dict[tuple, list] = {}  # (startup plan, site, kind) → [(starts_on, ended_on, line)]
        matched: set[int] = set()
        for admission in self.plan.admissions:
            existing_startup = admission.startup.existing
            for candidate in self.existing.admissions.get(existing_startup.pk, []) if existing_startup else []:
                if (candidate.site_id, candidate.kind, candidate.starts_on) == (
                    admission.site.pk,
                    admission.kind,
                    admission.starts_on,
                ):
                    admission.existing = candidate
                    matched.add(candidate.pk)
                    break
            if admission.existing is None:
                admission.action = CREATED
                admission.changes = _diff(
                    {},
                    {
                        "site": admission.site.slug,
                        "kind": admission.kind,
                        "starts_on": admission.starts_on,
                        "ended_on": admission.ended_on,
                        "exit_reason": admission.exit_reason,
                    },
                )
                ended_on = admission.ended_on
            else:
                known = {"ended_on": admission.ended_on, "exit_reason": admission.exit_reason}
                known = {key: value for key, value in known.items() if value is not None}
                current = {
                    "ended_on": admission.existing.ended_on,
                    "exit_reason": admission.existing.exit_reason or None,
                }
                admission.changes = _diff(current, known)
                admission.action = UPDATED if admission.changes else UNCHANGED
                ended_on = known.get("ended_on", admission.existing.ended_on)
            slot = (id(admission.startup), admission.site.pk, admission.kind)
            final.setdefault(slot, []).append((admission.starts_on, ended_on, admission.line))
        # The existing admissions the files do not mention stay as they are.
        for planned in self.plan.startups:
            if planned.existing is None:
                continue
            for candidate in self.existing.admissions.get(planned.existing.pk, []):
                if candidate.pk not in matched:
                    slot = (id(planned), candidate.site_id, candidate.kind)
                    final.setdefault(slot, []).append((candidate.starts_on, candidate.ended_on, None))
        for periods in final.values():
            open_ones = sorted((p for p in periods if p[1] is None), key=lambda p: p[0])
            if len(open_ones) > 1:
                line = next((p[2] for p in reversed(open_ones) if p[2] is not None), None)
                self.error(
                    STARTUPS_FILE,
                    line or 0,
                    "two_open_admissions",
                    _(
                        "This startup would have two admissions of this kind at this site without an end "
                        "(starting %(first)s and %(second)s): give the earlier one its end_on and exit_reason."
                    )
                    % {"first": open_ones[0][0].isoformat(), "second": open_ones[-1][0].isoformat()},
                )

    # Declarations --------------------------------------------------------------------
    def startup_for_declaration(self, row: DeclarationRow) -> Startup | StartupPlan | None:
        if row.ice:
            found = self.by_ice.get(row.ice) or self.existing.startups_by_ice.get(row.ice)
            if found is None:
                self.error(
                    DECLARATIONS_FILE,
                    row.line,
                    "unknown_startup",
                    _("No startup has the ICE %(ice)s (in the portal or in startups.csv).") % {"ice": row.ice},
                )
            return self._as_target(found)
        candidates = {}
        for startup in self.existing.startups_by_name.get(row.name, []):
            candidates[("db", startup.pk)] = startup
        for planned in self.plan.startups:
            if planned.values.get("legal_name") == row.name:
                target = self._as_target(planned)
                candidates[("db", target.pk) if isinstance(target, Startup) else ("plan", id(target))] = target
        if not candidates:
            self.error(
                DECLARATIONS_FILE,
                row.line,
                "unknown_startup",
                _("No startup is named “%(name)s” (in the portal or in startups.csv).") % {"name": row.name},
            )
            return None
        if len(candidates) > 1:
            self.error(
                DECLARATIONS_FILE,
                row.line,
                "ambiguous_name",
                _("Several startups are named “%(name)s”: give the ICE.") % {"name": row.name},
            )
            return None
        return next(iter(candidates.values()))

    @staticmethod
    def _as_target(found):
        """A startup plan over an existing startup is that startup."""
        if isinstance(found, StartupPlan) and found.existing is not None:
            return found.existing
        return found

    def add_declaration(self, target: Startup | StartupPlan, row: DeclarationRow, seen: dict) -> None:
        key = (("db", target.pk) if isinstance(target, Startup) else ("plan", id(target)), row.fiscal_year)
        values = {
            "direct_jobs": row.direct_jobs,
            "indirect_jobs": row.indirect_jobs,
            "revenue_mad": row.revenue_mad,
            "export_revenue_mad": row.export_revenue_mad,
            "export_countries": list(row.export_countries) if row.export_countries is not None else None,
        }
        values = {key: value for key, value in values.items() if value is not None}
        if key in seen:
            twin = seen[key]
            if twin.values != values:
                self.error(
                    DECLARATIONS_FILE,
                    row.line,
                    "duplicate_declaration",
                    _("The %(year)s declaration of this startup is already on line %(other)s with other figures.")
                    % {"year": row.fiscal_year, "other": twin.line},
                )
            return
        existing = self.existing.declarations.get((target.pk, row.fiscal_year)) if isinstance(target, Startup) else None
        declaration = DeclarationPlan(
            line=row.line, startup=target, fiscal_year=row.fiscal_year, values=values, existing=existing
        )
        seen[key] = declaration
        if existing is None:
            current = {}
            final = {"revenue_mad": decimal.Decimal(0), "export_revenue_mad": decimal.Decimal(0), **values}
            declaration.action = CREATED
        else:
            current = {
                "direct_jobs": existing.direct_jobs,
                "indirect_jobs": existing.indirect_jobs,
                "revenue_mad": existing.revenue_mad,
                "export_revenue_mad": existing.export_revenue_mad,
                "export_countries": sorted(country.code for country in existing.export_countries),
            }
            final = {**current, **values}
        declaration.changes = _diff(current, values)
        if existing is not None:
            declaration.action = UPDATED if declaration.changes else UNCHANGED
        if final["export_revenue_mad"] > final["revenue_mad"]:
            self.error(
                DECLARATIONS_FILE,
                row.line,
                "exports_above_revenue",
                _("export_revenue_mad (%(exports)s) is greater than revenue_mad (%(revenue)s).")
                % {"exports": final["export_revenue_mad"], "revenue": final["revenue_mad"]},
            )
        self.plan.declarations.append(declaration)


def plan_import(
    startup_rows: list[StartupRow], declaration_rows: list[DeclarationRow], *, existing: ExistingData
) -> Plan:
    """What importing the valid rows would do, and the errors found across rows."""
    planner = _Planner(existing)
    # Rows with an ICE first, so that a row without one joins the same startup by name.
    for row in sorted(startup_rows, key=lambda row: (row.ice is None, row.line)):
        planned = planner.startup_for(row)
        if planned is not None and row.site is not None:
            planner.add_admission(planned, row)
    for planned in planner.plan.startups:
        planner.finish_startup(planned)
    planner.plan.startups.sort(key=lambda planned: planned.line)
    planner.plan.admissions.sort(key=lambda admission: admission.line)
    planner.finish_admissions()
    seen: dict = {}
    for row in declaration_rows:
        target = planner.startup_for_declaration(row)
        if target is not None:
            planner.add_declaration(target, row, seen)
    planner.plan.errors.sort(key=lambda error: (error.file != STARTUPS_FILE, error.line))
    return planner.plan


# --- 4. Apply -------------------------------------------------------------------------------
class _ApplyError(Exception):
    def __init__(self, error: RowError):
        super().__init__(str(error))
        self.error = error


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _message(error: Exception) -> str:
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        return " ".join(f"{key}: {' '.join(messages)}" for key, messages in error.message_dict.items())
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return _("The database refused this row (%(error)s).") % {"error": error}


class _Progress:
    """Calls `callback(done, total)` before each planned record and once at the end."""

    def __init__(self, callback: Progress | None, total: int):
        self.callback, self.total, self.done = callback, total, 0

    def step(self) -> None:
        if self.callback is not None:
            self.callback(self.done, self.total)
        self.done += 1

    def finish(self) -> None:
        if self.callback is not None:
            self.callback(self.total, self.total)


def apply_plan(plan: Plan, *, actor, progress: Progress | None = None) -> None:
    """Write the plan in one transaction; every created or updated record is audited.
    Raises `_ApplyError` (everything rolled back) if the database refuses a row.

    `progress`, if given, is called as `progress(done, total)` with the number of planned
    records (unchanged ones included) already handled, and once more at the end."""
    counter = _Progress(progress, len(plan.startups) + len(plan.admissions) + len(plan.declarations))
    with transaction.atomic():
        for planned in plan.startups:
            counter.step()
            try:
                with transaction.atomic():
                    if planned.action == UNCHANGED:
                        planned.instance = planned.existing
                        continue
                    startup = planned.existing or Startup()
                    sectors = set(planned.sector_ids)
                    if planned.existing is not None:
                        sectors |= {sector.pk for sector in planned.existing.sectors.all()}
                    for key, value in planned.values.items():
                        setattr(startup, key, value)
                    planned.instance = audited_save(actor=actor, instance=startup, m2m={"sectors": sorted(sectors)})
            except (ValidationError, IntegrityError) as error:
                raise _ApplyError(RowError(STARTUPS_FILE, planned.line, "refused", _message(error))) from error
        # Updates (ends) before creations, so a closed admission makes room for a new open one.
        for admission in sorted(plan.admissions, key=lambda admission: admission.action != UPDATED):
            counter.step()
            if admission.action == UNCHANGED:
                continue
            try:
                with transaction.atomic():
                    if admission.existing is not None:
                        record = admission.existing
                        if admission.ended_on is not None:
                            record.ended_on = admission.ended_on
                        if admission.exit_reason is not None:
                            record.exit_reason = admission.exit_reason
                    else:
                        planned_end = None
                        if admission.kind == AdmissionKind.RESIDENT:
                            planned_end = _add_years(admission.starts_on, admission.site.residency_max_years)
                        record = Admission(
                            startup=admission.startup.instance,
                            site=admission.site,
                            kind=admission.kind,
                            starts_on=admission.starts_on,
                            planned_end_on=planned_end,
                            ended_on=admission.ended_on,
                            exit_reason=admission.exit_reason or "",
                        )
                    audited_save(actor=actor, instance=record)
            except (ValidationError, IntegrityError) as error:
                raise _ApplyError(RowError(STARTUPS_FILE, admission.line, "refused", _message(error))) from error
        for declaration in plan.declarations:
            counter.step()
            if declaration.action == UNCHANGED:
                continue
            startup = (
                declaration.startup.instance if isinstance(declaration.startup, StartupPlan) else declaration.startup
            )
            record = declaration.existing or Declaration(startup=startup, fiscal_year=declaration.fiscal_year)
            for key, value in declaration.values.items():
                setattr(record, key, value)
            try:
                with transaction.atomic():
                    _declaration_save(actor=actor, declaration=record)
            except (ValidationError, IntegrityError) as error:
                raise _ApplyError(RowError(DECLARATIONS_FILE, declaration.line, "refused", _message(error))) from error
    counter.finish()


def _declaration_save(*, actor, declaration: Declaration) -> None:
    """`actions.declaration_save` without a person: the command runs with no actor, and
    `Declaration.declared_by` is not blank=True, so full_clean() would refuse None."""
    creating = declaration._state.adding
    before = {} if creating else instance_values(Declaration.objects.get(pk=declaration.pk))
    declaration.declared_by = actor if actor is not None and actor.is_authenticated else None
    declaration.full_clean(exclude=["declared_by"])
    declaration.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE if creating else AuditEntry.Action.UPDATE,
        instance=declaration,
        before=before,
    )


# --- All together ---------------------------------------------------------------------------
def import_history(
    startups_file: Source = None,
    declarations_file: Source = None,
    *,
    dry_run: bool = False,
    actor=None,
    today: datetime.date | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Parse, validate, plan and (unless `dry_run` or any row is bad) apply the two files.

    Each file is raw bytes, decoded text or a file object; either may be None. Run it in a
    scope that sees every site (see the module's docstring). `progress(done, total)`, if
    given, follows the apply step (see `apply_plan`); it is not called on a dry run or when
    any row is bad."""
    today = today or timezone.localdate()
    report = ImportReport(dry_run=dry_run)
    startups_content, declarations_content = _read_source(startups_file), _read_source(declarations_file)

    startup_rows: list[StartupRow] = []
    if startups_content is not None:
        raw_rows, errors = read_csv(startups_content, file=STARTUPS_FILE, columns=STARTUP_COLUMNS)
        report.errors += errors
        report.rows[STARTUPS_FILE] = len(raw_rows)
        sites = {site.slug.lower(): site for site in Site.objects.all()}
        sectors = {sector.code.lower(): sector for sector in Sector.objects.all()}
        for line, raw in raw_rows:
            row, problems = validate_startup_row(line, raw, sites=sites, sectors=sectors, today=today)
            report.errors += [RowError(STARTUPS_FILE, line, code, message) for code, message in problems]
            if row is not None:
                startup_rows.append(row)

    declaration_rows: list[DeclarationRow] = []
    if declarations_content is not None:
        raw_rows, errors = read_csv(declarations_content, file=DECLARATIONS_FILE, columns=DECLARATION_COLUMNS)
        report.errors += errors
        report.rows[DECLARATIONS_FILE] = len(raw_rows)
        for line, raw in raw_rows:
            row, problems = validate_declaration_row(line, raw, today=today)
            report.errors += [RowError(DECLARATIONS_FILE, line, code, message) for code, message in problems]
            if row is not None:
                declaration_rows.append(row)

    existing = load_existing(
        ices={row.ice for row in [*startup_rows, *declaration_rows] if row.ice},
        names={row.name for row in [*startup_rows, *declaration_rows] if row.name},
    )
    plan = plan_import(startup_rows, declaration_rows, existing=existing)
    report.errors += plan.errors
    report.errors.sort(key=lambda error: (error.file != STARTUPS_FILE, error.line))
    report.changes = plan.changes()
    if report.errors or dry_run:
        return report
    try:
        apply_plan(plan, actor=actor, progress=progress)
    except _ApplyError as failure:
        report.errors.append(failure.error)
        return report
    report.applied = True
    return report
