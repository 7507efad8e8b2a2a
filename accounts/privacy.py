"""Data rights under Moroccan law 09-08: a user downloads their personal data (JSON:
`personal_data`, read here because it opens the wide scope below) and deletes their account
(accounts.actions.account_anonymise; the pages are in accounts.views).

Deletion *anonymises* the account rather than deleting its row: the startup's history
(admissions, declarations, mentor bookings, session registrations) keeps pointing at the
same rows, so every KPI stays exactly what it was. What identifies the person is cleared
(`account_anonymise` lists it); what describes a startup is kept.

- A founder may delete their account; their startup stays with its remaining members, or
  with none (the startup record stays for history, and head office can still see it).
- What the person would have attended is cancelled through the apps' own actions, so that
  the others are told and seats and slots are freed; past sessions stay as they were.
- Site managers and head-office staff may too: their past audit entries keep pointing at
  the anonymised account and its anonymised address.
- The user's own rows are read and written across every site (`network_scope()`), always
  filtered by the user explicitly: a person's data is not limited to the sites they may
  see today.
"""

from allauth.account.models import EmailAddress
from django.utils import timezone

from core.models import AuditEntry
from sites.scoping import network_scope
from sites.selectors import site_memberships_of

from .extensions import PERSONAL_DATA
from .models import ApiToken, User


# --- Export (read) -------------------------------------------------------------------------
def _when(value):
    return value.isoformat() if value else None


def personal_data(user: User) -> dict:
    """Everything the portal holds about `user` as a person, as JSON-ready data: their own
    records only, and of other people nothing but the names of their startups and mentors.
    A constant number of queries, whatever the number of rows. The feature apps' sections
    come from their registered parts (accounts.extensions)."""
    with network_scope():  # the user's own rows on every site, filtered by user below
        site_roles = site_memberships_of(user=user)
        audit = AuditEntry.objects.filter(actor=user).select_related("content_type").order_by("created_at", "pk")
        data = {
            "generated_at": _when(timezone.now()),
            "account": {
                "email": user.email,
                "full_name": user.full_name,
                # The account holds no phone number; a startup's contact phone belongs to
                # the startup's profile.
                "phone": None,
                "language": user.language,
                "role": user.role,
                "date_joined": _when(user.date_joined),
                "last_login": _when(user.last_login),
                "is_active": user.is_active,
            },
            "email_addresses": [
                {"email": address.email, "verified": address.verified, "primary": address.primary}
                for address in EmailAddress.objects.filter(user=user).order_by("email")
            ],
            # What the user's API tokens are, never their keys (not stored anyway).
            "api_tokens": [
                {
                    "name": token.name,
                    "created_at": _when(token.created_at),
                    "last_used_at": _when(token.last_used_at),
                    "expires_at": _when(token.expiry()),
                    "revoked_at": _when(token.revoked_at),
                    "revoked_reason": token.revoked_reason,
                }
                for token in ApiToken.objects.filter(user=user).order_by("created_at", "pk")
            ],
            "site_roles": [
                {"site": role.site.name, "role": role.role, "since": _when(role.created_at)} for role in site_roles
            ],
        }
        for part in PERSONAL_DATA:
            data.update(part.export(user))
        # The record's type and id, not its description: that may name other people.
        data["audit_entries"] = [
            {
                "action": entry.action,
                "record_type": entry.content_type.model,
                "record_id": entry.object_id,
                "at": _when(entry.created_at),
            }
            for entry in audit
        ]
        return data
