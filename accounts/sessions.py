"""A user's signed-in sessions: the list on their profile, and signing one (or all the
others) out.

Works with any SESSION_ENGINE (database, cache, cached database) because it never lists the
session store: a `UserSession` row is written when the user signs in, and the row's id is
kept in the session itself. On every request `session_touch` (called by
`accounts.middleware.AuthenticationMiddleware`) finds that row by id:
- the row is gone (signed out from another browser) → the request is signed out, whatever
  the engine did with the stored session;
- the session key changed (a password change cycles it) → the row follows it;
- the last activity is older than `TOUCH_EVERY` → one UPDATE; otherwise no write at all, so
  a signed-in request costs one primary-key lookup, on every request (never cached: a
  session signed out elsewhere is anonymous on its very next request).
A session signed in before this existed has no id in it and is adopted on its next request.
Signing a session out deletes its row (with an audit entry) and, once committed, the stored
session too (`SessionStore(key).delete()`), so the browser is anonymous even before the
middleware sees it. Signed-cookie sessions are not tracked: they have no stable key and
cannot be deleted on the server.
"""

import datetime
import ipaddress
from importlib import import_module

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from technopark.audit import audit_record, instance_values
from technopark.models import AuditEntry

from .models import UserSession

# The session entry holding the id of the session's UserSession row.
SESSION_ROW = "_tp_session_row"
# Last activity is written at most this often per session.
TOUCH_EVERY = datetime.timedelta(minutes=5)
SIGNED_COOKIES = "django.contrib.sessions.backends.signed_cookies"
USER_AGENT_MAX = UserSession._meta.get_field("user_agent").max_length


def _now() -> datetime.datetime:
    """The clock, one place to move it in tests."""
    return timezone.now()


# --- Personal data kept small -------------------------------------------------------


def anonymise_ip(ip: str | None) -> str:
    """The network around `ip`: /24 for IPv4, /48 for IPv6 (IPv4-mapped addresses count as
    IPv4); "" for nothing or garbage. Enough to tell "Casablanca office" from "abroad",
    not enough to name a machine."""
    try:
        address = ipaddress.ip_address((ip or "").strip().strip("[]"))
    except ValueError:
        return ""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def _client_network(request) -> str:
    # The same client address as allauth's rate limits (ALLAUTH_TRUSTED_PROXY_COUNT or
    # ALLAUTH_TRUSTED_CLIENT_IP_HEADER behind a load balancer).
    try:
        return anonymise_ip(get_adapter(request).get_client_ip(request))
    except (PermissionDenied, ValueError):
        return ""


def _user_agent(request) -> str:
    return request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_MAX]


# Checked in order: the first marker found names the browser / the system.
_BROWSERS = [
    (("Edg/", "Edge/", "EdgA/", "EdgiOS/"), "Edge"),
    (("OPR/", "Opera"), "Opera"),
    (("SamsungBrowser/",), "Samsung Internet"),
    (("Firefox/", "FxiOS/"), "Firefox"),
    (("Chrome/", "CriOS/", "Chromium/"), "Chrome"),
    (("Safari/",), "Safari"),
]
_SYSTEMS = [
    (("iPad",), "iPadOS"),
    (("iPhone", "iPod"), "iOS"),
    (("Android",), "Android"),
    (("Windows",), "Windows"),
    (("CrOS",), "ChromeOS"),
    (("Macintosh", "Mac OS X"), "macOS"),
    (("Linux", "X11"), "Linux"),
]


def describe_user_agent(user_agent: str) -> str:
    """'Firefox on Windows', in plain words, from a User-Agent header."""

    def first(table):
        return next((name for markers, name in table if any(marker in user_agent for marker in markers)), None)

    browser, system = first(_BROWSERS), first(_SYSTEMS)
    if browser and system:
        return _("%(browser)s on %(system)s") % {"browser": browser, "system": system}
    if browser:
        return browser
    if system:
        return _("A browser on %(system)s") % {"system": system}
    return _("Unknown browser or program")


# --- Writes -------------------------------------------------------------------------


def session_track(*, request, user) -> UserSession | None:
    """Record the session `request` has just signed `user` in with (the `user_logged_in`
    signal), and mark the session with the row's id. Idempotent for the same session."""
    session = getattr(request, "session", None)
    if session is None or settings.SESSION_ENGINE == SIGNED_COOKIES:
        return None  # nothing on the server to list or to delete
    if not session.session_key:
        # Signing in as somebody else in the same browser flushes the session: its new key
        # only comes with the first save.
        session.save()
    key = session.session_key
    now = _now()
    values = {"user": user, "last_seen_at": now, "ip": _client_network(request), "user_agent": _user_agent(request)}
    row, _created = UserSession.objects.update_or_create(
        session_key=key, defaults=values, create_defaults={**values, "created_at": now}
    )
    session[SESSION_ROW] = row.pk
    # Rows of sessions that expired (or were replaced without a logout) go here, at the
    # user's next sign-in; the list never shows them anyway.
    UserSession.objects.filter(user=user, last_seen_at__lt=_expired_before(now)).delete()
    return row


def _expired_before(now: datetime.datetime) -> datetime.datetime:
    """Sessions last seen before this have expired in the store (SESSION_COOKIE_AGE counts
    from the session's last save, which is never much later than its last activity)."""
    return now - datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE) - TOUCH_EVERY


def touch_due(last_seen_at: datetime.datetime) -> bool:
    """Whether a session last seen then must have its last activity written now."""
    return _now() - last_seen_at >= TOUCH_EVERY


def session_touch(request) -> datetime.datetime | None:
    """Called for every request of a session-authenticated user (see the module doc);
    returns the session's last activity as now recorded, None when the request was signed
    out."""
    row_id = request.session.get(SESSION_ROW)
    if row_id is None:
        row = session_track(request=request, user=request.user)
        return row.last_seen_at if row is not None else None
    row = UserSession.objects.filter(pk=row_id, user_id=request.user.pk).only("session_key", "last_seen_at").first()
    if row is None:
        logout(request)  # signed out from elsewhere: this request is anonymous from here on
        return None
    now, key = _now(), request.session.session_key
    changes = {}
    if key and row.session_key != key:
        changes["session_key"] = key
    if touch_due(row.last_seen_at):
        changes.update(last_seen_at=now, ip=_client_network(request), user_agent=_user_agent(request))
    if changes:
        UserSession.objects.filter(pk=row.pk).update(**changes)
    return changes.get("last_seen_at", row.last_seen_at)


def session_forget(*, request) -> None:
    """The `user_logged_out` signal: the session is over, its row goes."""
    session = getattr(request, "session", None) if request is not None else None
    if session is None:
        return
    row_id = session.get(SESSION_ROW)
    if row_id is not None:
        UserSession.objects.filter(pk=row_id).delete()
    elif session.session_key:
        UserSession.objects.filter(session_key=session.session_key).delete()


def _delete_from_store(session_key: str) -> None:
    engine = import_module(settings.SESSION_ENGINE)
    engine.SessionStore(session_key).delete()


def _revoke(*, actor, row: UserSession) -> None:
    before = instance_values(row)
    before.pop("session_key")  # a bearer secret: never in the audit trail
    audit_record(actor=actor, action=AuditEntry.Action.DELETE, instance=row, before=before, after={})
    key = row.session_key
    row.delete()
    # After the commit: a rolled-back revocation must not sign anybody out.
    transaction.on_commit(lambda: _delete_from_store(key))


@transaction.atomic
def session_revoke(*, actor, session_id: int) -> None:
    """Sign out one of `actor`'s own sessions; another user's id raises DoesNotExist."""
    row = UserSession.objects.select_for_update().get(pk=session_id, user=actor)
    _revoke(actor=actor, row=row)


@transaction.atomic
def session_revoke_others(*, actor, current_id: int | None) -> int:
    """Sign out every session of `actor` but the current one, and revoke all their API
    tokens (a token is as good as a session); returns how many sessions."""
    from .actions import api_tokens_revoke_all
    from .models import TokenRevocation

    rows = list(UserSession.objects.select_for_update().filter(user=actor).exclude(pk=current_id))
    for row in rows:
        _revoke(actor=actor, row=row)
    api_tokens_revoke_all(user=actor, actor=actor, reason=TokenRevocation.SIGNED_OUT)
    return len(rows)


# --- Pages --------------------------------------------------------------------------


@login_required
def session_list(request):
    current_id = request.session.get(SESSION_ROW)
    rows = [
        {
            "pk": row.pk,
            "device": describe_user_agent(row.user_agent),
            "place": row.ip,
            "created_at": row.created_at,
            "last_seen_at": row.last_seen_at,
            "is_current": row.pk == current_id,
        }
        for row in UserSession.objects.filter(user=request.user, last_seen_at__gte=_expired_before(_now()))
    ]
    rows.sort(key=lambda row: not row["is_current"])  # the current one first, then by activity
    from .models import ApiToken

    has_tokens = ApiToken.objects.active().filter(user=request.user).exists()
    return render(
        request,
        "accounts/sessions.html",
        {"sessions": rows, "has_others": any(not row["is_current"] for row in rows), "has_tokens": has_tokens},
    )


@require_POST
@login_required
def session_revoke_view(request, pk: int):
    try:
        session_revoke(actor=request.user, session_id=pk)
    except UserSession.DoesNotExist:
        raise Http404 from None  # another user's session looks exactly like a missing one
    if pk == request.session.get(SESSION_ROW):  # the page offers "Sign out" for this one instead
        logout(request)
        return redirect("account_login")
    messages.success(request, _("That session was signed out."))
    return redirect("accounts:sessions")


@require_POST
@login_required
def sessions_revoke_others_view(request):
    count = session_revoke_others(actor=request.user, current_id=request.session.get(SESSION_ROW))
    if count:
        messages.success(request, _("Every other session was signed out, and your API tokens were revoked."))
    else:
        messages.info(request, _("No other session was signed in; your API tokens were revoked."))
    return redirect("accounts:sessions")


urlpatterns = [
    path("profile/sessions/", session_list, name="sessions"),
    path("profile/sessions/<int:pk>/revoke/", session_revoke_view, name="session_revoke"),
    path("profile/sessions/revoke-others/", sessions_revoke_others_view, name="sessions_revoke_others"),
]
