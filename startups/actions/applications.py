"""Calls, applications and their committee review and decision."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import AuditEntry, audit_record, audited_save, instance_values
from core.errors import Conflict
from sites.models import Site, SiteMembership, SiteStatus
from sites.roles import REVIEW, roles_with

from ..models import (
    OPEN_STATUSES,
    AdmissionKind,
    Application,
    ApplicationEvent,
    ApplicationStatus,
    Call,
    Decision,
    Review,
    Score,
    Startup,
)
from ..selectors.calls import active_criteria
from .common import email_users, founders_of
from .residency import admission_create


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
    email_users(
        founders_of(application.startup),
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
    review = Review.objects.select_for_update().select_related("application").get(pk=review.pk)
    if review.reviewer_id != actor.pk:
        raise Conflict(_("Only the assigned reviewer scores this application."))
    if review.application.status not in OPEN_STATUSES:
        raise Conflict(_("A decision was already taken on this application."))
    expected = set(active_criteria())
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
    email_users(
        founders_of(application.startup),
        template="startups/email/application_decided",
        context={"application": application},
    )
    return application
