"""Step 4 of the import: write a plan, set-based, in one transaction.

Records go in batches of BATCH: each batch is checked in Python with the models' own field
validators and `clean()` (no per-row query: `full_clean()`'s uniqueness and check-constraint
queries are replaced by one uniqueness query per batch, the plan having matched every record
already), then written with one `bulk_create` and one `bulk_update`, and its audit entries
with one more `bulk_create`. The queries are proportional to the batches, not to the rows.

Audit: still one entry per created or updated record (startup, admission, declaration), as
`audited_save` wrote, but inserted in bulk. Not one per batch or per startup, because an
entry is found by its record (content type and id: a record's history) and carries the site
of a site-owned record, so that each site's managers see their admissions' entries; an entry
for a whole batch or startup would lose both. The cost is one INSERT per batch.

Bulk writes send no `post_save`/`m2m_changed`: no receiver listens to these models since the
cache layer (and its data-changed stamps) went; one that is added must be told here."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator

from django.core.exceptions import ValidationError
from django.db import DatabaseError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_entry, instance_values
from core.models import AuditEntry

from ..countries import includes_africa
from ..models import Admission, AdmissionKind, Declaration, Startup
from .plan import STARTUP_FIELDS, AdmissionPlan, DeclarationPlan, Plan, StartupPlan
from .report import DECLARATIONS_FILE, STARTUPS_FILE, UNCHANGED, UPDATED, Progress, RowError

BATCH = 1000
DECLARATION_FIELDS = (
    "direct_jobs",
    "indirect_jobs",
    "revenue_mad",
    "export_revenue_mad",
    "export_countries",
    "exports_to_africa",
    "declared_by",
    "declared_at",
)
# Not checked again per record: the relations, set from objects the plan holds (no
# existence query per row, as ForeignKey.validate makes), and the export countries, checked by
# the parser against the same list (CountryField's own check walks its 250 choices per code:
# half the import's time).
SKIP_CHECK = ["startup", "site", "application", "declared_by", "export_countries"]


class ApplyError(Exception):
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


def _batches(items: list, size: int = BATCH) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _check(instance: models.Model, *, file: str, line: int) -> None:
    """The model's field validators and `clean()`, in Python: what `full_clean()` checks
    without its queries (uniqueness is checked once per batch, the constraints by the plan)."""
    try:
        instance.clean_fields(exclude=SKIP_CHECK)
        instance.clean()
    except ValidationError as error:
        raise ApplyError(RowError(file, line, "refused", _message(error))) from error


def _refused(*, file: str, lines: list[int], error: DatabaseError) -> ApplyError:
    """The database refused a batch (the data changed under the import): the batch's lines."""
    return ApplyError(
        RowError(
            file,
            lines[0],
            "refused",
            _("The database refused a row among lines %(first)s to %(last)s (%(error)s).")
            % {"first": min(lines), "last": max(lines), "error": error},
        )
    )


def _loaded(records: dict, pk: int, *, file: str, line: int) -> models.Model:
    """A record the plan found, loaded again to be updated: gone meanwhile, the row is refused."""
    if pk not in records:
        message = _("This record was deleted while the files were being imported: import them again.")
        raise ApplyError(RowError(file, line, "refused", message))
    return records[pk]


class _Progress:
    """Calls `callback(done, total)` with every count of records handled, from 0 (at the
    start) to `total` (at the end), each count once, a batch's as soon as it is written."""

    def __init__(self, callback: Progress | None, total: int):
        self.callback, self.total, self.done = callback, total, 0

    def start(self) -> None:
        if self.callback is not None:
            self.callback(0, self.total)

    def advance(self, count: int) -> None:
        if self.callback is not None:
            for done in range(self.done + 1, min(self.done + count, self.total - 1) + 1):
                self.callback(done, self.total)
        self.done += count

    def finish(self) -> None:
        if self.callback is not None:
            self.callback(self.total, self.total)


class _Writer:
    def __init__(self, *, actor, counter: _Progress):
        self.actor, self.counter = actor, counter
        self.now = timezone.now()
        self.declared_by = actor if actor is not None and actor.is_authenticated else None

    def _audit(self, entries: Iterable[AuditEntry | None]) -> None:
        AuditEntry.objects.bulk_create([entry for entry in entries if entry is not None], batch_size=BATCH)

    def _entry(self, instance: models.Model, *, before: dict | None, after: dict) -> AuditEntry | None:
        action = AuditEntry.Action.CREATE if before is None else AuditEntry.Action.UPDATE
        return audit_entry(actor=self.actor, action=action, instance=instance, before=before, after=after)

    # Startups ------------------------------------------------------------------------
    def startups(self, plans: list[StartupPlan], existing_sectors: dict[int, set[int]]) -> None:
        through = Startup.sectors.through
        for batch in _batches(plans):
            created, updated, befores, sectors = [], [], {}, {}
            for planned in batch:
                if planned.action == UNCHANGED:
                    planned.instance = planned.existing
                    continue
                startup = planned.existing or Startup()
                known = existing_sectors.get(startup.pk, set()) if startup.pk else set()
                if startup.pk:
                    befores[startup.pk] = instance_values(startup, m2m={"sectors": known})
                for key, value in planned.values.items():
                    setattr(startup, key, value)
                _check(startup, file=STARTUPS_FILE, line=planned.line)
                sectors[id(planned)] = (known, planned.sector_ids - known)
                planned.instance = startup
                (updated if startup.pk else created).append(planned)
            self._check_ices(created + updated)
            lines = [planned.line for planned in created + updated]
            try:
                Startup.objects.bulk_create([planned.instance for planned in created])
                Startup.objects.bulk_update([planned.instance for planned in updated], STARTUP_FIELDS)
                through.objects.bulk_create(
                    through(startup_id=planned.instance.pk, sector_id=sector_id)
                    for planned in created + updated
                    for sector_id in sorted(sectors[id(planned)][1])
                )
            except DatabaseError as error:
                raise _refused(file=STARTUPS_FILE, lines=lines, error=error) from error
            entries = []
            for planned in created + updated:
                startup = planned.instance
                known, added = sectors[id(planned)]
                after = instance_values(startup, m2m={"sectors": known | added})
                entries.append(self._entry(startup, before=befores.get(startup.pk), after=after))
            self._audit(entries)
            self.counter.advance(len(batch))

    def _check_ices(self, plans: list[StartupPlan]) -> None:
        """Startup.ice is unique: one query for the batch, the model's own message."""
        wanted = {planned.instance.ice: planned for planned in plans if planned.instance.ice}
        if not wanted:
            return
        for ice, pk in Startup.objects.filter(ice__in=list(wanted)).values_list("ice", "pk"):
            planned = wanted[ice]
            if pk != planned.instance.pk:
                error = ValidationError({"ice": [planned.instance.unique_error_message(Startup, ("ice",))]})
                raise ApplyError(RowError(STARTUPS_FILE, planned.line, "refused", _message(error)))

    # Admissions ----------------------------------------------------------------------
    def admissions(self, plans: list[AdmissionPlan]) -> None:
        # Updates (ends) before creations, so a closed admission makes room for a new open one.
        updates = [admission for admission in plans if admission.action == UPDATED]
        creations = [admission for admission in plans if admission.existing is None]
        self.counter.advance(len(plans) - len(updates) - len(creations))  # unchanged ones
        for batch in _batches(updates):
            records, entries = [], []
            loaded = Admission.objects.in_bulk([admission.existing.pk for admission in batch])
            for admission in batch:
                record = _loaded(loaded, admission.existing.pk, file=STARTUPS_FILE, line=admission.line)
                # Loaded already: str(record) needs no query.
                record.startup, record.site = admission.startup.existing, admission.site
                before = instance_values(record)
                if admission.ended_on is not None:
                    record.ended_on = admission.ended_on
                if admission.exit_reason is not None:
                    record.exit_reason = admission.exit_reason
                _check(record, file=STARTUPS_FILE, line=admission.line)
                records.append(record)
                entries.append(self._entry(record, before=before, after=instance_values(record)))
            try:
                Admission.objects.bulk_update(records, ["ended_on", "exit_reason"])
            except DatabaseError as error:
                raise _refused(file=STARTUPS_FILE, lines=[a.line for a in batch], error=error) from error
            self._audit(entries)
            self.counter.advance(len(batch))
        for batch in _batches(creations):
            records = []
            for admission in batch:
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
                _check(record, file=STARTUPS_FILE, line=admission.line)
                records.append(record)
            try:
                Admission.objects.bulk_create(records)
            except DatabaseError as error:
                raise _refused(file=STARTUPS_FILE, lines=[a.line for a in batch], error=error) from error
            self._audit(self._entry(record, before=None, after=instance_values(record)) for record in records)
            self.counter.advance(len(batch))

    # Declarations --------------------------------------------------------------------
    def declarations(self, plans: list[DeclarationPlan]) -> None:
        for batch in _batches(plans):
            created, updated, befores, lines = [], [], {}, {}
            loaded = Declaration.objects.in_bulk(
                [declaration.existing.pk for declaration in batch if declaration.action == UPDATED]
            )
            for declaration in batch:
                if declaration.action == UNCHANGED:
                    continue
                startup = declaration.startup
                if isinstance(startup, StartupPlan):
                    startup = startup.instance
                if declaration.existing is not None:
                    record = _loaded(loaded, declaration.existing.pk, file=DECLARATIONS_FILE, line=declaration.line)
                else:
                    record = Declaration(fiscal_year=declaration.fiscal_year)
                record.startup = startup  # loaded or just written: str(record) needs no query
                if record.pk:
                    befores[record.pk] = instance_values(record)
                values = declaration.values
                for key, value in values.items():
                    setattr(record, key, value)
                # What Declaration.save() and its auto_now field do, as bulk writes skip them.
                codes = values.get("export_countries")  # the file's, without a descriptor's work
                record.exports_to_africa = includes_africa(record.export_countries if codes is None else codes)
                record.declared_by = self.declared_by
                record.declared_at = self.now
                _check(record, file=DECLARATIONS_FILE, line=declaration.line)
                lines[id(record)] = declaration.line
                (updated if record.pk else created).append(record)
            self._check_new_years(created, lines)
            try:
                self._write_declarations(created=created, updated=updated)
            except DatabaseError as error:
                raise _refused(file=DECLARATIONS_FILE, lines=list(lines.values()), error=error) from error
            self._audit(
                self._entry(record, before=befores.get(record.pk), after=instance_values(record))
                for record in created + updated
            )
            self.counter.advance(len(batch))

    @staticmethod
    def _write_declarations(*, created: list[Declaration], updated: list[Declaration]) -> None:
        Declaration.objects.bulk_create(created)
        Declaration.objects.bulk_update(updated, DECLARATION_FIELDS)

    @staticmethod
    def _check_new_years(created: list[Declaration], lines: dict[int, int]) -> None:
        """One declaration per startup and year: one query for the batch, the model's message."""
        wanted = {(record.startup.pk, record.fiscal_year): record for record in created if record.startup.pk}
        if not wanted:
            return
        taken = Declaration.objects.filter(
            startup__in={key[0] for key in wanted}, fiscal_year__in={key[1] for key in wanted}
        ).values_list("startup_id", "fiscal_year")
        for key in taken:
            record = wanted.get(key)
            if record is not None:
                message = record.unique_error_message(Declaration, ("startup", "fiscal_year"))
                raise ApplyError(RowError(DECLARATIONS_FILE, lines[id(record)], "refused", _message(message)))


def apply_plan(plan: Plan, *, actor, existing_sectors: dict[int, set[int]], progress: Progress | None = None) -> None:
    """Write the plan in one transaction, in batches; every created or updated record is
    audited. Raises `ApplyError` (everything rolled back) if a row is refused.

    `progress`, if given, is called as `progress(done, total)` before each batch with the
    number of planned records (unchanged ones included) already handled, and once more at
    the end."""
    declarations = len(plan.declarations) + plan.unchanged_declarations
    counter = _Progress(progress, len(plan.startups) + len(plan.admissions) + declarations)
    writer = _Writer(actor=actor, counter=counter)
    counter.start()
    with transaction.atomic():
        writer.startups(plan.startups, existing_sectors)
        writer.admissions(plan.admissions)
        counter.advance(plan.unchanged_declarations)
        writer.declarations(plan.declarations)
    counter.finish()
