"""Step 3 of the import: what the valid rows would create, update or leave unchanged, and
the errors found across rows (over the rows and `ExistingData`; the declarations that
exist are read by chunks of declarations.csv, as it is planned)."""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.utils import formats
from django.utils.translation import gettext as _

from sites.models import Site

from ..models import AdmissionKind, Startup
from .existing import ExistingData, KnownAdmission, KnownDeclaration, load_declarations
from .report import (
    ADMISSION,
    CREATED,
    DECLARATION,
    DECLARATIONS_FILE,
    STARTUP,
    STARTUPS_FILE,
    UNCHANGED,
    UPDATED,
    Change,
    RowError,
    no_counts,
)
from .rows import DeclarationRow, StartupRow

# --- 3. Plan (over rows + ExistingData) -----------------------------------------------------
STARTUP_FIELDS = ("legal_name", "ice", "legal_form", "founded_on", "closed_on")
DECLARATION_CHUNK = 1000  # declaration rows planned together: one query for their existing declarations
DECLARATION_FIGURES = ("direct_jobs", "indirect_jobs", "revenue_mad", "export_revenue_mad", "export_countries")


@dataclass(eq=False, slots=True)
class StartupPlan:
    line: int
    existing: Startup | None
    values: dict  # the known values of STARTUP_FIELDS from the file
    sector_ids: set[int] = field(default_factory=set)
    sector_names: dict[int, str] = field(default_factory=dict)
    lines: dict = field(default_factory=dict)  # field → line that gave its value
    action: str = UNCHANGED
    changes: dict | None = None  # {field: [before, after]} as text, with the details only
    instance: Startup | None = None  # set by apply

    @property
    def label(self) -> str:
        return self.values.get("legal_name") or str(self.existing)


@dataclass(eq=False, slots=True)
class AdmissionPlan:
    line: int
    startup: StartupPlan
    site: Site
    kind: str
    starts_on: datetime.date
    ended_on: datetime.date | None
    exit_reason: str | None
    existing: KnownAdmission | None = None
    action: str = UNCHANGED
    changes: dict | None = None  # {field: [before, after]} as text, with the details only

    @property
    def label(self) -> str:
        kind, start = AdmissionKind(self.kind).label, formats.date_format(self.starts_on, "SHORT_DATE_FORMAT")
        return f"{self.startup.label} · {self.site.slug} · {kind} · {start}"


@dataclass(eq=False, slots=True)
class DeclarationPlan:
    line: int
    startup: Startup | StartupPlan
    fiscal_year: int
    figures: tuple  # the file's values of DECLARATION_FIGURES, None where unknown
    existing: KnownDeclaration | None = None
    action: str = UNCHANGED
    changes: dict | None = None  # {field: [before, after]} as text, with the details only

    @property
    def values(self) -> dict:
        """The known values from the file (built when asked: a dict per row took 15 MB)."""
        values = {key: value for key, value in zip(DECLARATION_FIGURES, self.figures, strict=True) if value is not None}
        if "export_countries" in values:
            values["export_countries"] = list(values["export_countries"])
        return values

    @property
    def label(self) -> str:
        name = self.startup.label if isinstance(self.startup, StartupPlan) else str(self.startup)
        return f"{name} · {self.fiscal_year}"


@dataclass
class Plan:
    startups: list[StartupPlan] = field(default_factory=list)
    admissions: list[AdmissionPlan] = field(default_factory=list)
    declarations: list[DeclarationPlan] = field(default_factory=list)
    unchanged_declarations: int = 0  # left out of `declarations` when the details are not wanted
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

    def counts(self) -> dict[str, dict[str, int]]:
        counts = no_counts()
        for kind, plans in ((STARTUP, self.startups), (ADMISSION, self.admissions), (DECLARATION, self.declarations)):
            for plan in plans:
                counts[kind][plan.action] += 1
        counts[DECLARATION][UNCHANGED] += self.unchanged_declarations
        return counts


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple | set):
        return ";".join(sorted(str(item) for item in value))
    return str(value)


def _diff(before: dict, after: dict) -> dict:
    return {key: [_text(before.get(key)), _text(value)] for key, value in after.items() if before.get(key) != value}


class _Planner:
    def __init__(self, existing: ExistingData, *, details: bool):
        self.existing, self.details = existing, details
        self.plan = Plan()
        self.by_ice: dict[str, StartupPlan] = {}
        self.by_name_founded: dict[tuple[str, datetime.date | None], StartupPlan] = {}
        self.by_existing_pk: dict[int, StartupPlan] = {}
        self.admissions_by_key: dict[tuple, AdmissionPlan] = {}
        self._plans_by_name: dict[str | None, list[StartupPlan]] | None = None

    def settle(self, planned, changes: dict, *, created: bool = False) -> None:
        """The plan's action from its changes, which are kept only when the details are wanted
        (as text, they took more memory than the rest of the plan)."""
        planned.action = CREATED if created else UPDATED if changes else UNCHANGED
        planned.changes = changes if self.details else None

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
            self.settle(planned, _diff({}, {**values, "sectors": sorted(planned.sector_names.values())}), created=True)
        else:
            if values.get("legal_name") in (existing.legal_name, existing.brand_name):
                planned.values.pop("legal_name")  # matched by one of its names: keep them
                values.pop("legal_name")
            current = {key: getattr(existing, key) for key in STARTUP_FIELDS}
            changes = _diff(current, values)
            missing = planned.sector_ids - self.existing.sector_ids.get(existing.pk, set())
            if missing:
                changes["sectors"] = ["", _text(planned.sector_names[pk] for pk in missing)]
            self.settle(planned, changes)
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
                changes = _diff(
                    {},
                    {
                        "site": admission.site.slug,
                        "kind": admission.kind,
                        "starts_on": admission.starts_on,
                        "ended_on": admission.ended_on,
                        "exit_reason": admission.exit_reason,
                    },
                )
                self.settle(admission, changes, created=True)
                ended_on = admission.ended_on
            else:
                known = {"ended_on": admission.ended_on, "exit_reason": admission.exit_reason}
                known = {key: value for key, value in known.items() if value is not None}
                current = {
                    "ended_on": admission.existing.ended_on,
                    "exit_reason": admission.existing.exit_reason or None,
                }
                self.settle(admission, _diff(current, known))
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
    def _plans_named(self, name: str) -> list[StartupPlan]:
        """The startup plans by legal name, indexed once the startups are planned (a scan of
        every plan per declaration was quadratic: 3 minutes for 10,000 startups)."""
        if self._plans_by_name is None:
            self._plans_by_name = {}
            for planned in self.plan.startups:
                self._plans_by_name.setdefault(planned.values.get("legal_name"), []).append(planned)
        return self._plans_by_name.get(name, [])

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
        for planned in self._plans_named(row.name):
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

    def add_declaration(self, target: Startup | StartupPlan, row: DeclarationRow, seen: dict, known: dict) -> None:
        """Plan one row; `seen` holds the (line, figures) of the rows already planned, by
        (target, year), and `known` the existing declarations of the chunk's rows."""
        key = (target, row.fiscal_year)  # a Startup is hashed by pk, a StartupPlan by identity
        figures = (row.direct_jobs, row.indirect_jobs, row.revenue_mad, row.export_revenue_mad, row.export_countries)
        if key in seen:
            line, twin = seen[key]
            if twin != figures:
                self.error(
                    DECLARATIONS_FILE,
                    row.line,
                    "duplicate_declaration",
                    _("The %(year)s declaration of this startup is already on line %(other)s with other figures.")
                    % {"year": row.fiscal_year, "other": line},
                )
            return
        seen[key] = (row.line, figures)
        existing = known.get((target.pk, row.fiscal_year)) if isinstance(target, Startup) else None
        declaration = DeclarationPlan(
            line=row.line, startup=target, fiscal_year=row.fiscal_year, figures=figures, existing=existing
        )
        values = declaration.values
        if existing is None:
            current = {}
            final = {"revenue_mad": decimal.Decimal(0), "export_revenue_mad": decimal.Decimal(0), **values}
        else:
            current = {
                "direct_jobs": existing.direct_jobs,
                "indirect_jobs": existing.indirect_jobs,
                "revenue_mad": existing.revenue_mad,
                "export_revenue_mad": existing.export_revenue_mad,
                "export_countries": existing.export_countries,
            }
            final = {**current, **values}
        self.settle(declaration, _diff(current, values), created=existing is None)
        if final["export_revenue_mad"] > final["revenue_mad"]:
            self.error(
                DECLARATIONS_FILE,
                row.line,
                "exports_above_revenue",
                _("export_revenue_mad (%(exports)s) is greater than revenue_mad (%(revenue)s).")
                % {"exports": final["export_revenue_mad"], "revenue": final["revenue_mad"]},
            )
        if declaration.action != UNCHANGED or self.details:
            self.plan.declarations.append(declaration)
        else:  # nothing to write or show: counted only
            self.plan.unchanged_declarations += 1


def _chunks(rows: Iterable, size: int) -> Iterator[list]:
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def plan_import(
    startup_rows: list[StartupRow],
    declaration_rows: Iterable[DeclarationRow],
    *,
    existing: ExistingData,
    details: bool = True,
) -> Plan:
    """What importing the valid rows would do, and the errors found across rows; with
    `details`, each record's changes as text (for `Plan.changes()`) and the unchanged
    declarations. The declaration rows are read once, by chunks, each with the startups it
    names and their declarations (`existing` grows): none of them need be in memory at once."""
    planner = _Planner(existing, details=details)
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
    for chunk in _chunks(declaration_rows, DECLARATION_CHUNK):
        existing.add_startups(
            ices={row.ice for row in chunk if row.ice}, names={row.name for row in chunk if not row.ice}
        )
        targets = [(row, planner.startup_for_declaration(row)) for row in chunk]
        known = load_declarations({(t.pk, row.fiscal_year) for row, t in targets if isinstance(t, Startup)})
        for row, target in targets:
            if target is not None:
                planner.add_declaration(target, row, seen, known)
    planner.plan.errors.sort(key=lambda error: (error.file != STARTUPS_FILE, error.line))
    return planner.plan
