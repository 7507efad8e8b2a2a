from dataclasses import dataclass
from urllib.parse import quote

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core import throttling
from core.emails import PORTAL_NAME, email_html, email_send_on_commit

from . import lockout


def _login(credentials: dict) -> str:
    return (credentials.get("email") or credentials.get("username") or "").lower()


def _portal_url(request) -> str:
    """The base of absolute links: the request's scheme and host, else PORTAL_URL (a task)."""
    return request.build_absolute_uri("/").rstrip("/") if request is not None else settings.PORTAL_URL


@dataclass(frozen=True)
class PortalSite:
    """allauth's `current_site` in emails: the portal's name, not the host that Django's
    RequestSite would give ("Hello from 127.0.0.1:8101!"); as the domain, which the templates
    print after the name, its address (a link)."""

    name: str
    domain: str


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Render now, in the recipient's language (the user's, else the request's), with
        an HTML part; send through Celery once committed."""
        request = allauth_context.request
        portal_url = _portal_url(request)
        site = PortalSite(name=PORTAL_NAME, domain=portal_url)
        with translation.override(getattr(context.get("user"), "language", "") or get_language()):
            message = self.render_mail(
                template_prefix, email, {"request": request, "email": email, "current_site": site, **context}
            )
            html = next(
                (content for content, mimetype in getattr(message, "alternatives", []) if mimetype == "text/html"),
                None,
            ) or email_html(text=message.body, subject=message.subject, portal_url=portal_url)
        email_send_on_commit(to=list(message.to), subject=message.subject, body=message.body, html=html)

    def format_email_subject(self, subject: str) -> str:
        """`[Technopark] …`: allauth's default prefix is the current site's name, a host here."""
        return f"[{PORTAL_NAME}] {subject}"

    # --- Links: the request's host, PORTAL_URL without a request (allauth would need
    # django.contrib.sites, which is not installed: see DESIGN, "sites/").
    def get_email_confirmation_url(self, request, emailconfirmation) -> str:
        if request is None and allauth_context.request is None:
            return settings.PORTAL_URL + reverse("account_confirm_email", args=[emailconfirmation.key])
        return super().get_email_confirmation_url(request, emailconfirmation)

    def get_reset_password_from_key_url(self, key: str) -> str:
        if self.request is None and allauth_context.request is None:
            path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
            return settings.PORTAL_URL + path.replace("UID-KEY", quote(key))  # as allauth builds it
        return super().get_reset_password_from_key_url(key)

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
