from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.contrib.sites.shortcuts import get_current_site
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core import throttling
from core.emails import email_send_on_commit

from . import lockout


def _login(credentials: dict) -> str:
    return (credentials.get("email") or credentials.get("username") or "").lower()


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Render now (in the request's language), send through Celery once committed."""
        request = allauth_context.request
        message = self.render_mail(
            template_prefix,
            email,
            {"request": request, "email": email, "current_site": get_current_site(request), **context},
        )
        html = next(
            (content for content, mimetype in getattr(message, "alternatives", []) if mimetype == "text/html"), None
        )
        email_send_on_commit(to=list(message.to), subject=message.subject, body=message.body, html=html)

    # --- Every password check (core/throttling.py): instead of allauth's cache counters
    def pre_authenticate(self, request, **credentials) -> None:
        """Refuse while the account is locked (unless this browser was let through by the
        owner's unlock link), then count the check for the client's address."""
        login = _login(credentials)
        wait = throttling.lock_wait(login=login) if login else 0
        if wait and not lockout.unlocked_login(request, login=login):
            raise throttling.LoginRefused(
                _(
                    "Too many failed sign-in attempts for this account. Try again in %(seconds)s s. "
                    "Only its owner can lift this lock sooner, with the link emailed to them."
                )
                % {"seconds": wait},
                retry_after=wait,
            )
        throttling.login_ip_consume(request)

    def authenticate(self, request, **credentials):
        user = super().authenticate(request, **credentials)
        if user is not None:  # a right password counts for neither limit, and ends the episode
            throttling.login_ip_refund(request)
            throttling.lock_clear(login=_login(credentials))
        return user

    def authentication_failed(self, request, **credentials) -> None:
        login = _login(credentials)
        if not login:
            return
        failure = throttling.lock_failure(login=login)
        if failure.unlock_nonce:
            lockout.unlock_email_send(request, login=login, nonce=failure.unlock_nonce)

    def _delete_login_attempts_cached_email(self, request, **credentials) -> None:
        """A password reset (proof of the mailbox) ends the lock too."""
        super()._delete_login_attempts_cached_email(request, **credentials)
        throttling.lock_clear(login=_login(credentials))

    def save_user(self, request, user, form, commit=True):
        user.language = (get_language() or "fr")[:2]
        return super().save_user(request, user, form, commit=commit)
