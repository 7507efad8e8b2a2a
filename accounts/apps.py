from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in, user_logged_out

        from . import authentication, signals  # noqa: F401 (signals; the API's security schemes)

        # Every browser session gets a row the user can see and sign out (accounts.sessions).
        user_logged_in.connect(_session_signed_in, dispatch_uid="accounts.sessions.track")
        user_logged_out.connect(_session_signed_out, dispatch_uid="accounts.sessions.forget")


def _session_signed_in(sender, request, user, **kwargs):
    from .sessions import session_track

    session_track(request=request, user=user)


def _session_signed_out(sender, request, user, **kwargs):
    from .sessions import session_forget

    session_forget(request=request)
