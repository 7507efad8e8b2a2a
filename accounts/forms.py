from allauth.account.adapter import get_adapter
from allauth.mfa.base.forms import AuthenticateForm, ReauthenticateForm
from django import forms
from django.utils.translation import gettext_lazy as _

from core.throttling import counter_hit

from .models import User

# Wrong MFA codes: at most this many per account in a fixed window (MFAAuthenticateForm).
MFA_CODE_SCOPE = "mfa_code_failed"
MFA_CODE_FAILURES = 10
MFA_CODE_WINDOW = 15 * 60


class SignupForm(forms.Form):
    """Extra sign-up fields, added to allauth's email + password form."""

    full_name = forms.CharField(label=_("Full name"), max_length=150)

    def signup(self, request, user):
        from .actions import profile_update  # the form module is loaded by allauth's settings

        profile_update(user=user, full_name=self.cleaned_data["full_name"])


_PROFILE_FIELDS = forms.fields_for_model(User, fields=["full_name", "language"])


class ProfileForm(forms.Form):
    """The user's own name and language, as the model defines them; saved by
    accounts.actions.profile_update (a plain form: validating it changes no user)."""

    full_name = _PROFILE_FIELDS["full_name"]
    language = _PROFILE_FIELDS["language"]


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        required=False,
        help_text=_("Where you will use it, e.g. “reporting script”."),
    )


class AccountDeleteForm(forms.Form):
    """Deleting one's own account (accounts.actions.account_anonymise): the password again,
    and a box ticked."""

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


class MFACodeLimitMixin:
    """Wrong MFA codes per account, counted in the database (core.throttling's
    counters), so the limit holds while Redis is down; allauth's own cache limit stays on
    top. Codes are asked only after the right password: whoever reaches this limit holds
    the password, and the message tells the owner to change it."""

    def clean_code(self):
        key = f"{self.user.pk}"
        failures, left = counter_hit(scope=MFA_CODE_SCOPE, key=key, window=MFA_CODE_WINDOW, delta=0)
        if failures >= MFA_CODE_FAILURES:
            raise forms.ValidationError(
                _(
                    "Too many wrong codes for this account. Try again in %(minutes)s min; if you did not "
                    "type them, change your password."
                )
                % {"minutes": (left + 59) // 60},
                code="too_many_codes",
            )
        try:
            return super().clean_code()
        except forms.ValidationError:
            counter_hit(scope=MFA_CODE_SCOPE, key=key, window=MFA_CODE_WINDOW)
            raise


class MFAAuthenticateForm(MFACodeLimitMixin, AuthenticateForm):
    pass


class MFAReauthenticateForm(MFACodeLimitMixin, ReauthenticateForm):
    pass
