"""The site's legal identity as an issuer of invoices (issue 21): one write, audited."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.audit import AuditEntry, audit_record, instance_values
from sites.models import Site

from ..models import IssuerProfile
from ..validators import normalise_rib

EDITABLE = (
    "legal_name",
    "address",
    "city",
    "if_number",
    "ice",
    "rc",
    "tp",
    "cnss",
    "bank_name",
    "rib",
    "prefix",
    "payment_days",
)


@transaction.atomic
def issuer_save(*, actor, site: Site, **fields) -> IssuerProfile:
    """Create or update `site`'s issuer with `fields` (any of EDITABLE): the RIB without its
    spaces, every identifier checked (full_clean); a number prefix another site already
    uses is refused on `prefix`. Invoices already issued keep what they state."""
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise TypeError(f"issuer_save() got unexpected fields: {sorted(unknown)}")
    if "rib" in fields:
        fields["rib"] = normalise_rib(fields["rib"])
    issuer = IssuerProfile.objects.select_for_update().filter(site=site).first()
    creating = issuer is None
    if creating:
        issuer = IssuerProfile(site=site)
        before = None
    else:
        before = instance_values(issuer)
    for name, value in fields.items():
        setattr(issuer, name, value)
    issuer.full_clean()
    try:
        with transaction.atomic():
            issuer.save()
    except IntegrityError as error:
        # The prefix is unique across the network, the scope only sees this site's issuer;
        # or another manager created this site's issuer meanwhile.
        raise ValidationError(
            {"prefix": _("Another site already numbers its invoices with this prefix: choose another one.")}
        ) from error
    if creating:
        audit_record(actor=actor, action=AuditEntry.Action.CREATE, instance=issuer)
    else:
        audit_record(actor=actor, action=AuditEntry.Action.UPDATE, instance=issuer, before=before)
    return issuer
