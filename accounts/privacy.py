"""Data rights under Moroccan law 09-08: a user downloads their personal data (JSON) and
deletes their account.

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

from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from django import forms
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from core.errors import Conflict
from core.models import AuditEntry
from sites.models import SiteMembership
from sites.scoping import network_scope

from .actions import account_anonymise
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
        site_roles = SiteMembership.objects.filter(user=user).select_related("site").order_by("site__slug")
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


# --- Pages ---------------------------------------------------------------------------------
class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    confirm = forms.BooleanField(
        label=_("I understand that my account will be deleted for good and that I will be signed out."),
        required=True,
    )

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def clean_password(self):
        """Checked by allauth like a login, so that a borrowed session cannot guess the
        password: the failed-login limits (per IP, per account) count here too, on the
        login page's counters, and refuse with allauth's "too many attempts" message."""
        password = self.cleaned_data["password"]
        user = self.request.user
        # Raises the ValidationError of the limit.
        checked = get_adapter(self.request).authenticate(self.request, email=user.email, password=password)
        if checked is None or checked.pk != user.pk:
            raise forms.ValidationError(_("This is not your password."), code="wrong_password")
        return password


@login_required
def privacy(request):
    return render(request, "accounts/privacy/privacy.html")


@require_GET
@never_cache
@login_required
def data_export(request):
    data = personal_data(request.user)
    response = HttpResponse(
        DjangoJSONEncoder(indent=2, ensure_ascii=False).encode(data), content_type="application/json; charset=utf-8"
    )
    filename = f"technopark-my-data-{timezone.localdate().isoformat()}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_http_methods(["GET", "POST"])
@never_cache
@login_required
def delete_account(request):
    form = AccountDeleteForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        try:
            account_anonymise(actor=request.user, user=request.user)
        except Conflict as conflict:
            form.add_error(None, conflict.message)
        else:
            logout(request)
            return render(request, "accounts/privacy/deleted.html")
    return render(request, "accounts/privacy/delete.html", {"form": form})


urlpatterns = [
    path("profile/privacy/", privacy, name="privacy"),
    path("profile/privacy/export.json", data_export, name="data_export"),
    path("profile/privacy/delete/", delete_account, name="delete_account"),
]
