"""Writes of the "other charges" page (issue 21) besides adding one (`run.charge_add`, next
to the monthly run that bills them): deleting a charge that is not billed yet."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.audit import AuditEntry, audit_record, instance_values
from core.errors import Conflict
from core.locking import lock_row

from ..models import Charge


@transaction.atomic
def charge_delete(*, actor, charge: Charge) -> None:
    """Delete a charge the monthly run has not billed. Its row is locked first, so a run
    billing it at the same time either waits for the deletion (and bills nothing) or bills
    it first (and the deletion is refused): a billed charge is corrected by a credit note."""
    try:
        locked = lock_row(
            Charge.objects.all(),
            charge.pk,
            busy_message=_("This charge is being billed right now: please try again in a moment."),
        )
    except Charge.DoesNotExist:
        raise Conflict(_("This charge was deleted meanwhile.")) from None
    if locked.is_billed:
        raise ValidationError(_("This charge is already billed: correct its invoice with a credit note."))
    audit_record(
        actor=actor, action=AuditEntry.Action.DELETE, instance=locked, before=instance_values(locked), after={}
    )
    locked.delete()
