"""The account lock that an attacker cannot turn against its owner (core.throttling
counts the failures and locks; this module tells the owner and lets them lift it).

- When a run of failed passwords starts to lock a login, and an active account has that
  address, its owner is emailed (in their language, through the outbox) a link to
  `/accounts/unlock/<token>/`: signed, valid `UNLOCK_LINK_AGE`, single-use (it carries the
  nonce of this episode, which using it clears). Nobody else is told anything: the page
  shows the same message whether or not the address has an account.
- The link opens a page with one button (a POST: mail scanners that open links do not use
  it up). Pressing it ends the episode (the count restarts) and gives that browser a signed
  cookie that lets its attempts on this account through the lock for `UNLOCK_COOKIE_AGE`,
  however long someone else goes on guessing; the per-address limits still apply.
- A link someone else signed in opens is refused: it is for its owner only.
"""

from allauth.account.utils import filter_users_by_email
from django.conf import settings
from django.core import signing
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from core import throttling
from core.emails import email_render, email_send_on_commit

from .models import User

UNLOCK_SALT = "accounts.lockout.unlock"
UNLOCK_COOKIE = "tp_unlock"
UNLOCK_COOKIE_SALT = "accounts.lockout.cookie"
UNLOCK_COOKIE_AGE = 24 * 3600  # seconds


def lock_owner(*, login: str) -> User | None:
    """The one active account that signs in with `login`, if any."""
    users = filter_users_by_email(login, is_active=True, prefer_verified=True)
    return users[0] if len(users) == 1 else None


def unlock_token(*, user: User, login: str, nonce: str) -> str:
    return signing.dumps({"u": user.pk, "k": throttling.digest(login.lower()), "n": nonce}, salt=UNLOCK_SALT)


def unlock_email_send(request, *, login: str, nonce: str) -> None:
    """Email the owner of `login` (if there is one) the link that lifts its lock."""
    user = lock_owner(login=login)
    if user is None:
        return
    token = unlock_token(user=user, login=login, nonce=nonce)
    link = request.build_absolute_uri(reverse("accounts:unlock", kwargs={"token": token}))
    subject, body = email_render(
        template="accounts/email/account_unlock",
        context={
            "name": user.get_full_name(),
            "link": link,
            "hours": int(throttling.UNLOCK_LINK_AGE.total_seconds() // 3600),
        },
        language=user.language,
    )
    email_send_on_commit(to=[login.lower()], subject=subject, body=body)


def unlocked_login(request, *, login: str) -> bool:
    """Whether this browser holds the owner's unlock cookie for `login`."""
    key = request.get_signed_cookie(UNLOCK_COOKIE, default=None, salt=UNLOCK_COOKIE_SALT, max_age=UNLOCK_COOKIE_AGE)
    return key is not None and key == throttling.digest(login.lower())


def _read_token(token: str) -> dict | None:
    try:
        data = signing.loads(token, salt=UNLOCK_SALT, max_age=throttling.UNLOCK_LINK_AGE)
    except (signing.BadSignature, ValueError, TypeError):  # tampered, truncated or expired
        return None
    if not isinstance(data, dict) or not all(
        isinstance(data.get(name), t) for name, t in (("u", int), ("k", str), ("n", str))
    ):
        return None
    return data


def _refused(request, message: str, *, status: int):
    return render(request, "accounts/unlock.html", {"refused": message}, status=status)


@require_http_methods(["GET", "POST"])
@never_cache
def unlock(request, token: str):
    data = _read_token(token)
    user = User.objects.filter(pk=data["u"], is_active=True).first() if data else None
    if user is None or not throttling.lock_nonce_valid(key=data["k"], nonce=data["n"]):
        return _refused(
            request,
            _("This unlock link is not valid: it has expired, has already been used, or is no longer needed."),
            status=400,
        )
    if request.user.is_authenticated and request.user.pk != user.pk:
        return _refused(request, _("This unlock link is for another account."), status=403)
    if request.method == "GET":
        return render(request, "accounts/unlock.html", {"email": user.email})
    if not throttling.lock_unlock(key=data["k"], nonce=data["n"]):  # used meanwhile
        return _refused(request, _("This unlock link has already been used."), status=400)
    response = render(request, "accounts/unlock.html", {"email": user.email, "unlocked": True})
    response.set_signed_cookie(
        UNLOCK_COOKIE,
        data["k"],
        salt=UNLOCK_COOKIE_SALT,
        max_age=UNLOCK_COOKIE_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response
