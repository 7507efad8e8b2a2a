"""The import's report and the names shared by its steps (files, columns, actions)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import IO

from django.utils.translation import gettext as _

from core.audit import ChangeLine, changes_display

from ..models import Admission, Declaration, Startup

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

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
STARTUP, ADMISSION, DECLARATION = "startup", "admission", "declaration"
KINDS = (STARTUP, ADMISSION, DECLARATION)
KIND_MODELS = {STARTUP: Startup, ADMISSION: Admission, DECLARATION: Declaration}

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

    def fields_display(self) -> list[ChangeLine]:
        """The changed fields as people read them, like the audit trail: (label, before, after)."""
        return changes_display(model=KIND_MODELS[self.kind], changes=self.fields)


def no_counts() -> dict[str, dict[str, int]]:
    return {kind: {CREATED: 0, UPDATED: 0, UNCHANGED: 0} for kind in KINDS}


@dataclass
class ImportReport:
    dry_run: bool
    errors: list[RowError] = field(default_factory=list)
    # One per planned record when the details are asked for (the upload page's preview);
    # the counts are always there.
    changes: list[Change] = field(default_factory=list)
    counts: dict[str, dict[str, int]] = field(default_factory=no_counts)  # {kind: {action: records}}
    rows: dict = field(default_factory=dict)  # {file: data rows read}
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

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
