"""Admissions (residencies and e-Technopark memberships), renewals, exits and offices."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import AuditEntry, audit_record, audited_save, instance_values
from core.errors import Conflict
from sites.models import Site

from ..models import Admission, AdmissionKind, Application, ExitReason, Office, OfficeAllocation, Renewal, Startup
from .common import add_years


# --- Admissions, residencies and offices --------------------------------------------------
@transaction.atomic
def admission_create(
    *,
    actor,
    startup: Startup,
    site: Site,
    kind: str,
    starts_on: datetime.date,
    application: Application | None = None,
) -> Admission:
    if Admission.objects.filter(startup=startup, site=site, kind=kind, ended_on__isnull=True).exists():
        raise Conflict(_("This startup is already admitted at this site."))
    planned_end = add_years(starts_on, site.residency_max_years) if kind == AdmissionKind.RESIDENT else None
    admission = Admission(
        startup=startup, site=site, kind=kind, starts_on=starts_on, planned_end_on=planned_end, application=application
    )
    return audited_save(actor=actor, instance=admission)


@transaction.atomic
def admission_renew(*, actor, admission: Admission, new_end_on: datetime.date) -> Admission:
    admission = Admission.objects.select_for_update().select_related("site").get(pk=admission.pk)
    if admission.ended_on:
        raise Conflict(_("This admission has ended."))
    if admission.planned_end_on and new_end_on <= admission.planned_end_on:
        raise ValidationError({"new_end_on": _("The new end must come after the current one.")})
    limit = add_years(admission.starts_on, admission.site.residency_max_years)
    if admission.kind == AdmissionKind.RESIDENT and new_end_on > limit:
        raise ValidationError(
            {"new_end_on": _("A residency at this site lasts at most until %(limit)s.") % {"limit": limit.isoformat()}}
        )
    Renewal.objects.create(
        admission=admission,
        site=admission.site,
        previous_end_on=admission.planned_end_on,
        new_end_on=new_end_on,
        actor=actor,
    )
    admission.planned_end_on = new_end_on
    return audited_save(actor=actor, instance=admission)


@transaction.atomic
def admission_exit(*, actor, admission: Admission, ended_on: datetime.date, reason: str, note: str = "") -> Admission:
    """End an admission; its offices are released the same day. A startup that closed gets
    its closing date (used by the survival KPI)."""
    admission = Admission.objects.select_for_update().select_related("startup").get(pk=admission.pk)
    if admission.ended_on:
        raise Conflict(_("This admission has already ended."))
    if ended_on < admission.starts_on:
        raise ValidationError({"ended_on": _("The exit cannot come before the start.")})
    if reason not in ExitReason.values:
        raise ValidationError({"reason": _("Choose an exit reason.")})
    for allocation in (
        OfficeAllocation.objects.not_cancelled()
        .filter(admission=admission)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gt=ended_on))
    ):
        office_release(
            actor=actor, allocation=allocation, ends_on=max(ended_on, allocation.starts_on + datetime.timedelta(days=1))
        )
    admission.ended_on = ended_on
    admission.exit_reason = reason
    admission.exit_note = note
    audited_save(actor=actor, instance=admission)
    startup = admission.startup
    if reason == ExitReason.CLOSED and startup.closed_on is None:
        startup_close(actor=actor, startup=startup, closed_on=ended_on)
    return admission


@transaction.atomic
def startup_close(*, actor, startup: Startup, closed_on: datetime.date | None) -> Startup:
    """Record the day `startup` closed down (the 5-year survival KPI reads it), or clear it
    (None); audited. From an exit for closing down, or from the yearly check-in: only the
    closing date is checked and written, so that an old record's other fields (imported
    history) never stand in the way."""
    stored = Startup.objects.select_for_update().get(pk=startup.pk)
    if closed_on is not None and stored.founded_on and closed_on < stored.founded_on:
        raise ValidationError({"closed_on": _("A startup cannot close before it was founded.")})
    before = instance_values(stored, m2m={})
    stored.closed_on = startup.closed_on = closed_on
    stored.save(update_fields=["closed_on"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        instance=stored,
        before=before,
        after=instance_values(stored, m2m={}),
    )
    return stored


@transaction.atomic
def office_save(*, actor, office: Office) -> Office:
    return audited_save(actor=actor, instance=office)


@transaction.atomic
def office_allocate(
    *, actor, office: Office, admission: Admission, starts_on: datetime.date, ends_on: datetime.date | None = None
) -> OfficeAllocation:
    """Give `office` to a residency. The office row is locked so concurrent requests queue
    up; PostgreSQL's exclusion constraint is the last word on overlaps. Cancelled
    allocations hold nothing."""
    office = Office.objects.select_for_update().get(pk=office.pk)
    if admission.site_id != office.site_id:
        raise ValidationError({"office": _("The office and the residency are not at the same site.")})
    if admission.kind != AdmissionKind.RESIDENT:
        raise ValidationError({"admission": _("Only residents get offices.")})
    if not office.is_active:
        raise Conflict(_("This office is out of service."))
    if admission.ended_on and starts_on >= admission.ended_on:
        raise ValidationError({"starts_on": _("The residency has ended by then.")})
    if ends_on is not None and ends_on <= starts_on:
        raise ValidationError({"ends_on": _("The end must come after the start.")})
    overlapping = (
        OfficeAllocation.objects.not_cancelled()
        .filter(office=office)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gt=starts_on))
    )
    if ends_on is not None:
        overlapping = overlapping.filter(starts_on__lt=ends_on)
    if overlapping.exists():
        raise Conflict(_("Office %(office)s is already allocated over these dates.") % {"office": office.number})
    allocation = OfficeAllocation(
        office=office, admission=admission, site=office.site, starts_on=starts_on, ends_on=ends_on, created_by=actor
    )
    try:
        with transaction.atomic():
            allocation.save()
    except IntegrityError as error:
        raise Conflict(
            _("Office %(office)s is already allocated over these dates.") % {"office": office.number}
        ) from error
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, instance=allocation)
    return allocation


@transaction.atomic
def office_release(*, actor, allocation: OfficeAllocation, ends_on: datetime.date) -> OfficeAllocation:
    """End an allocation: the office is free again from `ends_on` (excluded from the
    allocation), which comes after its start: released the day it starts, it would never
    have run, and is cancelled instead (`allocation_cancel`)."""
    allocation = OfficeAllocation.objects.select_for_update().get(pk=allocation.pk)
    if allocation.is_cancelled:
        raise Conflict(_("This allocation is cancelled: there is nothing to release."))
    if ends_on <= allocation.starts_on:
        message = _("The end must come after the start.")
        if allocation.cancellable_on(timezone.localdate()):
            message += " " + _("This allocation starts on %(start)s: to undo it, cancel it instead.") % {
                "start": allocation.starts_on.isoformat()
            }
        raise ValidationError({"ends_on": message})
    if allocation.ends_on is not None and allocation.ends_on <= ends_on:
        raise Conflict(_("This allocation already ends by then."))
    # Not `audited_save`: its full_clean() refuses allocations whose `created_by` is empty
    # (imported history, a deleted user) since the field is null=True without blank=True.
    before = instance_values(allocation)
    allocation.ends_on = ends_on
    allocation.save(update_fields=["ends_on"])
    audit_record(actor=actor, action=AuditEntry.Action.UPDATE, instance=allocation, before=before)
    return allocation


@transaction.atomic
def allocation_cancel(*, actor, allocation: OfficeAllocation) -> OfficeAllocation:
    """Undo an allocation that has not started before today (a mistaken one, a change of
    plan): it never happened. It stays in the office's history marked cancelled (who,
    when; audited) and no longer holds the office. One that began earlier has run: it is
    released instead (`office_release`)."""
    allocation = OfficeAllocation.objects.select_for_update().get(pk=allocation.pk)
    if allocation.is_cancelled:
        raise Conflict(_("This allocation is already cancelled."))
    if not allocation.cancellable_on(timezone.localdate()):
        raise Conflict(
            _("This allocation began on %(start)s: it has run, release it instead.")
            % {"start": allocation.starts_on.isoformat()}
        )
    before = instance_values(allocation)
    allocation.cancelled_at = timezone.now()
    allocation.cancelled_by = actor
    allocation.save(update_fields=["cancelled_at", "cancelled_by"])
    audit_record(actor=actor, action=AuditEntry.Action.UPDATE, instance=allocation, before=before)
    return allocation
