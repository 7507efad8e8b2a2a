from django.db import transaction

from core.audit import audited_delete, audited_save
from core.emails import email_render, email_send_on_commit

from .models import Region, Site, SiteMembership


@transaction.atomic
def region_save(*, actor, region: Region) -> Region:
    return audited_save(actor=actor, instance=region)


@transaction.atomic
def site_save(*, actor, site: Site, vocations) -> Site:
    return audited_save(actor=actor, instance=site, m2m={"vocations": vocations})


@transaction.atomic
def membership_grant(*, actor, site: Site, user, role: str) -> SiteMembership:
    """Give `user` a role at `site` and tell them by email once committed."""
    membership = audited_save(actor=actor, instance=SiteMembership(site=site, user=user, role=role))
    subject, body = email_render(
        template="sites/email/membership_granted",
        context={"membership": membership, "site": site, "user": user},
        language=user.language,
    )
    email_send_on_commit(to=[user.email], subject=subject, body=body)
    return membership


@transaction.atomic
def membership_revoke(*, actor, membership: SiteMembership) -> None:
    audited_delete(actor=actor, instance=membership)
