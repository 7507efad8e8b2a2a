"""Every write of the startups app: atomic, validated, audited, side effects on commit."""

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import AuditEntry, audit_record, audited_delete, audited_save, instance_values
from core.emails import email_render, email_send_on_commit
from core.errors import Conflict
from sites.models import Site, SiteMembership, SiteStatus
from sites.roles import REVIEW, roles_with

from .models import (
    OPEN_STATUSES,
    Admission,
    AdmissionKind,
    Application,
    ApplicationEvent,
    ApplicationStatus,
    Call,
    Decision,
    Declaration,
    ExitReason,
    Office,
    OfficeAllocation,
    Renewal,
    Review,
    Score,
    Startup,
    StartupInvitation,
    StartupMember,
    TeamRole,
)


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _email_users(users: Iterable, *, template: str, context: dict) -> None:
    for user in users:
        subject, body = email_render(template=template, context={**context, "user": user}, language=user.language)
        email_send_on_commit(to=[user.email], subject=subject, body=body)


def _founders(startup: Startup):
    return get_user_model().objects.filter(
        startup_memberships__startup=startup, startup_memberships__role=TeamRole.FOUNDER, is_active=True
    )


# --- Startup profile and team ------------------------------------------------------------
@transaction.atomic
def startup_save(*, actor, startup: Startup, sectors) -> Startup:
    """Create (the actor becomes its founder) or update a startup profile."""
    creating = startup._state.adding
    startup = audited_save(actor=actor, instance=startup, m2m={"sectors": sectors})
    if creating:
        StartupMember.objects.create(startup=startup, user=actor, role=TeamRole.FOUNDER)
    return startup


@transaction.atomic
def invitation_send(*, actor, startup: Startup, email: str, role: str) -> StartupInvitation:
    email = email.strip().lower()
    if StartupMember.objects.filter(startup=startup, user__email__iexact=email).exists():
        raise ValidationError({"email": _("This person is already in the team.")})
    StartupInvitation.objects.filter(startup=startup, email=email, accepted_at__isnull=True).delete()
    invitation = StartupInvitation.objects.create(startup=startup, email=email, role=role, invited_by=actor)
    accept_url = settings.PORTAL_URL + reverse("startups:invitation_accept", kwargs={"token": invitation.token})
    subject, body = email_render(
        template="startups/email/invitation",
        context={"invitation": invitation, "startup": startup, "actor": actor, "accept_url": accept_url},
        language=actor.language,
    )
    email_send_on_commit(to=[email], subject=subject, body=body)
    return invitation


@transaction.atomic
def invitation_accept(*, user, invitation: StartupInvitation) -> StartupMember:
    invitation = StartupInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at or invitation.is_expired:
        raise Conflict(_("This invitation has expired or was already used."))
    if invitation.email.lower() != user.email.lower():
        raise Conflict(_("This invitation was sent to another email address."))
    member, _created = StartupMember.objects.get_or_create(
        startup=invitation.startup, user=user, defaults={"role": invitation.role}
    )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return member


@transaction.atomic
def invitation_cancel(*, actor, invitation: StartupInvitation) -> None:
    """Withdraw an invitation that has not been accepted yet; its link stops working."""
    invitation = StartupInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at:
        raise Conflict(_("This invitation was already accepted."))
    audited_delete(actor=actor, instance=invitation)


@transaction.atomic
def member_remove(*, actor, member: StartupMember) -> None:
    founders = StartupMember.objects.select_for_update().filter(startup=member.startup, role=TeamRole.FOUNDER)
    if member.role == TeamRole.FOUNDER and founders.count() == 1:
        raise Conflict(_("A startup keeps at least one founder."))
    audit_record(
        actor=actor, action=AuditEntry.Action.DELETE, instance=member, before=instance_values(member), after={}
    )
    member.delete()


# --- Calls and applications --------------------------------------------------------------
@transaction.atomic
def call_save(*, actor, call: Call, target_sectors) -> Call:
    """Create or edit a call. Answers are kept by question, so once startups have applied
    the questions stay as they were (rewording one would orphan the answers given)."""
    if not call._state.adding and call.applications.exists():
        stored = Call.objects.get(pk=call.pk).questions
        if list(call.questions) != list(stored):
            raise ValidationError(
                {"questions": _("Startups have already applied: the questions can no longer change.")}
            )
    return audited_save(actor=actor, instance=call, m2m={"target_sectors": target_sectors})


def _transition(application: Application, *, actor, to_status: str, note: str = "") -> None:
    ApplicationEvent.objects.create(
        application=application,
        site=application.site,
        from_status=application.status,
        to_status=to_status,
        actor=actor,
        note=note,
    )
    application.status = to_status


def _locked(application: Application) -> Application:
    return Application.objects.select_for_update().select_related("call", "startup", "site").get(pk=application.pk)


@transaction.atomic
def application_start(*, actor, call: Call, startup: Startup, home_site: Site | None = None) -> Application:
    """A draft application. A network call is reviewed by the applicant's home site."""
    site = call.site or home_site
    if site is None:
        raise ValidationError({"site": _("Choose the site of your region: it will follow your startup.")})
    if call.site is None and site.status != SiteStatus.OPERATIONAL:
        raise ValidationError({"site": _("Choose an operational site.")})
    if not call.is_open():
        raise Conflict(_("This call is not open."))
    if Application.objects.filter(call=call, startup=startup).exclude(status=ApplicationStatus.WITHDRAWN).exists():
        raise Conflict(_("Your startup already has an application to this call."))
    application = Application(call=call, site=site, startup=startup, created_by=actor)
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError as error:  # a concurrent twin
        raise Conflict(_("Your startup already has an application to this call.")) from error
    ApplicationEvent.objects.create(
        application=application, site=site, from_status="", to_status=ApplicationStatus.DRAFT, actor=actor
    )
    return application


@transaction.atomic
def application_update(*, actor, application: Application, answers: dict, pitch_deck=None) -> Application:
    application = _locked(application)
    if application.status != ApplicationStatus.DRAFT:
        raise Conflict(_("Only a draft can be changed."))
    application.answers = {str(key): str(value) for key, value in answers.items()}
    if pitch_deck is not None:
        application.pitch_deck = pitch_deck
    application.full_clean()
    application.save()
    return application


@transaction.atomic
def application_submit(*, actor, application: Application) -> Application:
    application = _locked(application)
    if application.status != ApplicationStatus.DRAFT:
        raise Conflict(_("This application was already submitted."))
    if not application.call.is_open():
        raise Conflict(_("This call is closed."))
    missing = [question for question in application.call.questions if not application.answers.get(question, "").strip()]
    errors = {}
    if missing:
        errors["answers"] = _("Answer every question before submitting.")
    if not application.pitch_deck:
        errors["pitch_deck"] = _("Attach your pitch deck (PDF) before submitting.")
    if errors:
        raise ValidationError(errors)
    _transition(application, actor=actor, to_status=ApplicationStatus.SUBMITTED)
    application.submitted_at = timezone.now()
    application.save(update_fields=["status", "submitted_at"])
    _email_users(
        _founders(application.startup),
        template="startups/email/application_submitted",
        context={"application": application},
    )
    return application


@transaction.atomic
def application_withdraw(*, actor, application: Application) -> Application:
    application = _locked(application)
    if application.status not in (ApplicationStatus.DRAFT, *OPEN_STATUSES):
        raise Conflict(_("This application can no longer be withdrawn."))
    _transition(application, actor=actor, to_status=ApplicationStatus.WITHDRAWN)
    application.save(update_fields=["status"])
    return application


@transaction.atomic
def review_assign(*, actor, application: Application, reviewer) -> Review:
    application = _locked(application)
    if application.status not in OPEN_STATUSES:
        raise Conflict(_("Only submitted applications are reviewed."))
    works_there = SiteMembership.objects.filter(
        site=application.site, user=reviewer, role__in=roles_with(REVIEW)
    ).exists()
    if not works_there:
        raise ValidationError({"reviewer": _("Reviewers are the site's managers and committee members.")})
    review, created = Review.objects.get_or_create(
        application=application, reviewer=reviewer, defaults={"site": application.site, "assigned_by": actor}
    )
    if created:
        audit_record(actor=actor, action=AuditEntry.Action.CREATE, instance=review)
    if application.status == ApplicationStatus.SUBMITTED:
        _transition(application, actor=actor, to_status=ApplicationStatus.UNDER_REVIEW)
        application.save(update_fields=["status"])
    return review


@transaction.atomic
def review_submit(*, actor, review: Review, scores: dict, comment: str = "") -> Review:
    """`scores`: {criterion: (value 0–5, comment)} for every active criterion."""
    from .models import Criterion

    review = Review.objects.select_for_update().select_related("application").get(pk=review.pk)
    if review.reviewer_id != actor.pk:
        raise Conflict(_("Only the assigned reviewer scores this application."))
    if review.application.status not in OPEN_STATUSES:
        raise Conflict(_("A decision was already taken on this application."))
    expected = set(Criterion.objects.filter(is_active=True))
    if set(scores) != expected:
        raise ValidationError(_("Score every criterion."))
    for criterion, (value, criterion_comment) in scores.items():
        if not 0 <= int(value) <= 5:
            raise ValidationError(_("Scores go from 0 to 5."))
        Score.objects.update_or_create(
            review=review,
            criterion=criterion,
            defaults={"site": review.site, "value": int(value), "comment": criterion_comment or ""},
        )
    review.comment = comment
    review.submitted_at = timezone.now()
    review.save(update_fields=["comment", "submitted_at"])
    audit_record(actor=actor, action=AuditEntry.Action.UPDATE, instance=review, before={}, after={"scored": True})
    return review


@transaction.atomic
def application_decide(
    *, actor, application: Application, decision: str, reason: str = "", starts_on: datetime.date | None = None
) -> Application:
    """The manager's decision. Admitting creates the admission; the founders are emailed
    in their language once committed."""
    application = _locked(application)
    if application.status not in OPEN_STATUSES:
        raise Conflict(_("This application is not awaiting a decision."))
    if decision == Decision.REJECT and not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the rejection: the applicant will read it.")})
    if decision == Decision.WAITLIST and application.status == ApplicationStatus.WAITLISTED:
        raise Conflict(_("This application is already waitlisted."))
    to_status = {
        Decision.ADMIT_RESIDENT: ApplicationStatus.ADMITTED,
        Decision.ADMIT_ETECHNOPARK: ApplicationStatus.ADMITTED,
        Decision.WAITLIST: ApplicationStatus.WAITLISTED,
        Decision.REJECT: ApplicationStatus.REJECTED,
    }[Decision(decision)]
    before = instance_values(application)
    _transition(application, actor=actor, to_status=to_status, note=reason)
    application.decision = decision
    application.decision_reason = reason
    application.decided_at = timezone.now()
    application.save(update_fields=["status", "decision", "decision_reason", "decided_at"])
    audit_record(actor=actor, action=AuditEntry.Action.UPDATE, instance=application, before=before)
    if to_status == ApplicationStatus.ADMITTED:
        kind = AdmissionKind.RESIDENT if decision == Decision.ADMIT_RESIDENT else AdmissionKind.ETECHNOPARK
        admission_create(
            actor=actor,
            startup=application.startup,
            site=application.site,
            kind=kind,
            starts_on=starts_on or timezone.localdate(),
            application=application,
        )
    _email_users(
        _founders(application.startup),
        template="startups/email/application_decided",
        context={"application": application},
    )
    return application


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
    planned_end = _add_years(starts_on, site.residency_max_years) if kind == AdmissionKind.RESIDENT else None
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
    limit = _add_years(admission.starts_on, admission.site.residency_max_years)
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
    for allocation in OfficeAllocation.objects.filter(admission=admission).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gt=ended_on)
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
        startup.closed_on = ended_on
        audited_save(actor=actor, instance=startup)
    return admission


@transaction.atomic
def office_save(*, actor, office: Office) -> Office:
    return audited_save(actor=actor, instance=office)


@transaction.atomic
def office_allocate(
    *, actor, office: Office, admission: Admission, starts_on: datetime.date, ends_on: datetime.date | None = None
) -> OfficeAllocation:
    """Give `office` to a residency. The office row is locked so concurrent requests queue
    up; PostgreSQL's exclusion constraint is the last word on overlaps."""
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
    overlapping = OfficeAllocation.objects.filter(office=office).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gt=starts_on)
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
    allocation = OfficeAllocation.objects.select_for_update().get(pk=allocation.pk)
    if ends_on <= allocation.starts_on:
        raise ValidationError({"ends_on": _("The end must come after the start.")})
    if allocation.ends_on is not None and allocation.ends_on <= ends_on:
        raise Conflict(_("This allocation already ends by then."))
    # Not `audited_save`: its full_clean() refuses allocations whose `created_by` is empty
    # (imported history, a deleted user) since the field is null=True without blank=True.
    before = instance_values(allocation)
    allocation.ends_on = ends_on
    allocation.save(update_fields=["ends_on"])
    audit_record(actor=actor, action=AuditEntry.Action.UPDATE, instance=allocation, before=before)
    return allocation


# --- Yearly declarations --------------------------------------------------------------
@transaction.atomic
def declaration_save(*, actor, declaration: Declaration) -> Declaration:
    """Create or correct a startup's declaration for a fiscal year."""
    existing = Declaration.objects.filter(startup=declaration.startup, fiscal_year=declaration.fiscal_year).first()
    if existing is not None and existing.pk != declaration.pk:
        declaration.pk = existing.pk
        declaration._state.adding = False
    declaration.declared_by = actor
    return audited_save(actor=actor, instance=declaration)
