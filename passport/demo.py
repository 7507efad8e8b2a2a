"""Demo attestations (issue 22): what the demo founders asked for, so that a site's list and
the verification page have something to show. Each of the twenty demo founders' startups has
an attestation of its first admission that started (in French, or in Arabic for one in
three), issued by the founder; one in seven was revoked by the site's manager (a contract
ended early); a startup that already has an attestation gets none again (idempotent). The
certificates of the demo's past sessions and programmes follow, as the hourly task issues them."""

from accounts.demo import DOMAIN
from startups.models import Admission, StartupMember, TeamRole

from .actions import attestation_issue, certificates_issue, credential_revoke
from .models import Credential


def seed_passport() -> int:
    """Returns how many attestations and certificates were created (call with scopes
    disabled): the founders' attestations, then the certificates the demo's past sessions
    earned (as the hourly task would issue them)."""
    created = 0
    founders = (
        StartupMember.objects.filter(
            role=TeamRole.FOUNDER, user__email__startswith="founder.", user__email__endswith=DOMAIN
        )
        .select_related("user", "startup")
        .order_by("user__email")
    )
    for number, member in enumerate(founders, start=1):
        startup = member.startup
        if Credential.objects.filter(startup=startup).exists():
            continue
        admission = Admission.objects.filter(startup=startup).select_related("site").order_by("starts_on").first()
        if admission is None:
            continue
        credential, new = attestation_issue(
            actor=member.user, startup=startup, language="ar" if number % 3 == 0 else "fr", admission=admission
        )
        created += new
        if number % 7 == 0:
            manager = admission.site.memberships.filter(user__email__startswith="manager.").first()
            credential_revoke(
                actor=manager.user if manager else None,
                credential=credential,
                reason="Convention de résidence résiliée avant son terme.",
            )
    issued, _withdrawn = certificates_issue()
    return created + issued
