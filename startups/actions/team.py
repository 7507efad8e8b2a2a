"""A startup's profile and team: saving it, invitations, members."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import AuditEntry, audit_record, audited_delete, audited_save, instance_values
from core.emails import email_render, email_send_on_commit
from core.errors import Conflict

from ..models import Startup, StartupInvitation, StartupMember, TeamRole


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
