"""Every write of attestations and certificates (issue 22): issuing an attestation to a
startup, issuing the certificates earned, revoking one. All audited; a revocation locks the
row, so that two managers revoking at once record one."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record, audited_save, instance_values
from core.models import AuditEntry
from services.models import ProgrammeParticipant
from sites.scoping import network_scope
from startups.models import Admission, AdmissionKind, Startup, TeamRole

from . import selectors
from .models import Credential, CredentialKind

LANGUAGES = {code for code, _name in settings.LANGUAGES}


def _statement_of_admission(admission: Admission, today: datetime.date) -> dict:
    ongoing = admission.ended_on is None or admission.ended_on > today
    return {
        "kind": CredentialKind.RESIDENCY if admission.kind == AdmissionKind.RESIDENT else CredentialKind.MEMBERSHIP,
        "site": admission.site,
        "admission": admission,
        "starts_on": admission.starts_on,
        "ends_on": admission.planned_end_on if ongoing else admission.ended_on,
        "ongoing": ongoing,
    }


def _statement_of_participation(participation: ProgrammeParticipant, today: datetime.date) -> dict:
    programme = participation.programme
    return {
        "kind": CredentialKind.PROGRAMME,
        "site": programme.site,
        "programme": programme,
        "starts_on": programme.starts_on,
        "ends_on": programme.ends_on,
        "ongoing": programme.ends_on >= today,
    }


@transaction.atomic
def attestation_issue(
    *,
    actor,
    startup: Startup,
    language: str,
    admission: Admission | None = None,
    participation: ProgrammeParticipant | None = None,
    today: datetime.date | None = None,
) -> tuple[Credential, bool]:
    """An attestation of `startup`'s residency or membership (`admission`) or of its
    participation in a programme (`participation`), in `language`, stating the facts of
    `today`; (the credential, whether it is new). The same statement already issued in that
    language and not revoked is given back rather than issued twice."""
    today = today or timezone.localdate()
    if (admission is None) == (participation is None):
        raise ValueError("an admission or a programme participation")
    subject = admission or participation
    if subject.startup_id != startup.pk:
        raise ValidationError(_("This startup has no such residency, membership or programme."))
    if language not in LANGUAGES:
        raise ValidationError(_("Choose the attestation's language."))
    if admission is not None:
        if admission.starts_on > today:
            raise ValidationError(_("This residency or membership has not started yet."))
        statement = _statement_of_admission(admission, today)
    else:
        statement = _statement_of_participation(participation, today)
    name = _startup_name(startup)
    # A startup's own attestations, whichever site (or the network) issued them: filtered on it.
    with network_scope():
        existing = Credential.objects.filter(
            startup=startup, language=language, revoked_at__isnull=True, startup_name=name, **statement
        ).first()
        if existing is not None:
            return existing, False
        credential = Credential(
            startup=startup, language=language, startup_name=name, startup_ice=startup.ice or "", **statement
        )
        credential.issued_by = actor if actor is not None and actor.is_authenticated else None
        return audited_save(actor=actor, instance=credential), True


@transaction.atomic
def credential_revoke(*, actor, credential: Credential, reason: str) -> Credential:
    """Revoke an attestation: its verification page says so from now on. The reason stays
    with the site (the audit trail and its back-office), never on the public page."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why this attestation is revoked.")})
    locked = Credential.objects.select_for_update().get(pk=credential.pk)
    if locked.revoked_at is not None:
        raise ValidationError(_("This attestation was already revoked."))
    before = instance_values(locked)
    locked.revoked_at, locked.revoked_by, locked.revoke_reason = timezone.now(), actor, reason
    locked.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    audit_record(actor=actor, action=AuditEntry.Action.UPDATE, instance=locked, before=before)
    return locked


def _language(value: str) -> str:
    return value if value in LANGUAGES else settings.LANGUAGE_CODE


def _startup_name(startup: Startup) -> str:
    return startup.legal_name if not startup.brand_name else f"{startup.legal_name} ({startup.brand_name})"


def _certificate_save(credential: Credential) -> bool:
    """Save a new certificate (audited, by the portal): False when one was issued at the same
    time (the unique constraints: a rerun, a second worker)."""
    try:
        with transaction.atomic():
            audited_save(actor=None, instance=credential)
    except IntegrityError:
        return False
    return True


def certificates_issue(*, now: datetime.datetime | None = None) -> tuple[int, int]:
    """Issue the certificates earned: of attendance, for every startup member checked in at a
    session that is over; of completion, for every startup that attended a session of each
    of a programme's services within its dates. Withdraw (revoke) the certificates of
    attendance whose attendance was corrected since. Returns (issued, withdrawn). Idempotent;
    call inside the network-wide scope (passport.tasks)."""
    now = now or timezone.now()
    issued = withdrawn = 0
    for registration in selectors.attendances_to_certify(now):
        session = registration.session
        day = timezone.localtime(session.starts_at).date()
        credential = Credential(
            kind=CredentialKind.ATTENDANCE,
            site=session.site,
            startup=registration.startup,
            registration=registration,
            language=_language(registration.language),
            startup_name=_startup_name(registration.startup),
            startup_ice=registration.startup.ice or "",
            holder_name=registration.name,
            starts_on=day,
            ends_on=timezone.localtime(session.ends_at).date(),
            ongoing=False,
        )
        issued += _certificate_save(credential)
    for participant in selectors.completions_to_certify(now):
        programme, startup = participant.programme, participant.startup
        founder = startup.members.filter(role=TeamRole.FOUNDER).select_related("user").first()
        credential = Credential(
            kind=CredentialKind.COMPLETION,
            site=programme.site,
            startup=startup,
            programme=programme,
            language=_language(founder.user.language if founder else ""),
            startup_name=_startup_name(startup),
            startup_ice=startup.ice or "",
            starts_on=programme.starts_on,
            ends_on=programme.ends_on,
            ongoing=False,
        )
        issued += _certificate_save(credential)
    for credential in selectors.attendance_certificates_withdrawn():
        credential_revoke(actor=None, credential=credential, reason=str(_("Attendance corrected: not present.")))
        withdrawn += 1
    return issued, withdrawn
