"""A user's signed-in sessions: the bookkeeping that runs on every request, which the
sessions page (accounts.views) and the audited sign-outs (accounts.actions) build on.

Works with any SESSION_ENGINE (database, cache, cached database) because it never lists the
session store: a `UserSession` row is written when the user signs in, and the row's id is
kept in the session itself. On every request `session_user` (called by
`accounts.middleware.AuthenticationMiddleware`) reads that row by id in the same query as
the user's own row (and their TOTP state, for the staff MFA rule), then `session_touch`:
- the row is gone (signed out from another browser) → the request is signed out, whatever
  the engine did with the stored session;
- the session key changed (a password change cycles it) → the row follows it;
- the last activity is older than `TOUCH_EVERY` → one UPDATE; otherwise no write at all, so
  who a signed-in request is costs one query by primary keys, on every request (never
  cached: a session signed out elsewhere is anonymous on its very next request).
A session signed in before this existed has no id in it and is adopted on its next request.
The writes here (last activity, network, browser; the row deleted at sign-out) are not
audited actions: they are the session's own state, kept like Django's session save.
Signing a session out from the list is an action (`accounts.actions.session_revoke`,
`session_revoke_others`: audited, the stored session deleted once committed).
Signed-cookie sessions are not tracked: they have no stable key and cannot be deleted on
the server.
"""

import datetime
import functools
import ipaddress

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model, load_backend, logout
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from .models import UserSession
from .permissions import REQUEST_TOTP

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


# --- Bookkeeping (the session's own state, not audited) --------------------------------


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
    UserSession.objects.filter(user=user, last_seen_at__lt=expired_before(now)).delete()
    return row


def expired_before(now: datetime.datetime | None = None) -> datetime.datetime:
    """Sessions last seen before this have expired in the store (SESSION_COOKIE_AGE counts
    from the session's last save, which is never much later than its last activity);
    `now`: this module's clock by default."""
    now = now or _now()
    return now - datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE) - TOUCH_EVERY


# The user, their session's row and (under the staff MFA rule) whether they have TOTP, in one
# query by primary keys: hand-written because the ORM spends about 0.5 ms compiling the
# equivalent (a FilteredRelation), several times the query's own cost, on every signed-in
# request. LEFT JOIN: a missing row (signed out elsewhere) still gives the user. Whether the
# last activity is due to be written is decided in SQL, so no datetime comes back.
_USER_WITH_ROW_SQL = """
SELECT u.*, r.id AS tp_row_id, r.session_key AS tp_row_key, r.last_seen_at <= %s AS tp_touch_due, {totp} AS tp_totp
FROM {user} u LEFT JOIN {row} r ON r.id = %s AND r.user_id = u.id
WHERE u.id = %s
"""
_TOTP_SQL = "EXISTS (SELECT 1 FROM {authenticator} a WHERE a.user_id = u.id AND a.type = %s)"


@functools.cache
def _user_with_row_sql(with_totp: bool) -> str:
    from allauth.mfa.models import Authenticator

    quote = connection.ops.quote_name
    totp = _TOTP_SQL.format(authenticator=quote(Authenticator._meta.db_table)) if with_totp else "NULL"
    return _USER_WITH_ROW_SQL.format(
        totp=totp, user=quote(get_user_model()._meta.db_table), row=quote(UserSession._meta.db_table)
    )


def _user_with_row(user_id, row_id: int | None) -> tuple:
    """(the user or None, their session's row or None, whether its last activity is due to
    be written, whether they have TOTP or None when the staff MFA rule is off)."""
    from allauth.mfa.models import Authenticator

    with_totp = settings.REQUIRE_STAFF_MFA
    touch_before = connection.ops.adapt_datetimefield_value(_now() - TOUCH_EVERY)
    params = [touch_before, *([Authenticator.Type.TOTP.value] if with_totp else []), row_id, user_id]
    users = list(get_user_model()._default_manager.raw(_user_with_row_sql(with_totp), params))
    if not users:
        return None, None, False, None
    user = users[0]
    extra = {name: vars(user).pop(name) for name in ("tp_row_id", "tp_row_key", "tp_touch_due", "tp_totp")}
    row = None
    if extra["tp_row_id"] is not None:
        row = UserSession(pk=extra["tp_row_id"], session_key=extra["tp_row_key"])
    totp = None if extra["tp_totp"] is None else bool(extra["tp_totp"])
    return user, row, bool(extra["tp_touch_due"]), totp


def _auth_hash_verified(request, user) -> bool:
    """Django's check (auth.get_user) that the session was signed in with the user's
    current password; a session signed with a fallback secret gets a new key."""
    session_hash = request.session.get(HASH_SESSION_KEY)
    if not session_hash:
        return False
    current = user.get_session_auth_hash()
    if constant_time_compare(session_hash, current):
        return True
    if any(constant_time_compare(session_hash, fallback) for fallback in user.get_session_auth_fallback_hash()):
        request.session.cycle_key()
        request.session[HASH_SESSION_KEY] = current
        return True
    return False


def session_user(request):
    """Who signed the request's session in, for accounts.middleware.AuthenticationMiddleware:
    Django's `auth.get_user` (a configured backend, a user it lets in, the session's auth
    hash) with the session's row checked and kept up to date (`session_touch`), from one
    query (`_user_with_row`). Whether the user has TOTP goes on the request, for the staff
    MFA rule (accounts.permissions.has_totp); nothing goes on the user."""
    try:
        user_id = get_user_model()._meta.pk.to_python(request.session[SESSION_KEY])
        backend_path = request.session[BACKEND_SESSION_KEY]
    except KeyError:
        return AnonymousUser()
    if backend_path not in settings.AUTHENTICATION_BACKENDS:
        return AnonymousUser()
    user, row, touch, totp = _user_with_row(user_id, request.session.get(SESSION_ROW))
    if user is None or not load_backend(backend_path).user_can_authenticate(user):
        return AnonymousUser()
    if not _auth_hash_verified(request, user):
        request.session.flush()
        return AnonymousUser()
    if totp is not None:
        setattr(request, REQUEST_TOTP, (user.pk, totp))
    request.user = user  # what a sign-out (below) reports
    session_touch(request, user=user, row=row, touch=touch)
    return request.user


def session_touch(request, *, user, row: UserSession | None, touch: bool) -> None:
    """Keeps the session's row up to date for every request of a session-authenticated user
    (see the module doc); `row`: the session's row as read with the user (None: no id in
    the session, or the row is gone), `touch`: whether its last activity is due to be
    written. A gone row signs the request out."""
    if request.session.get(SESSION_ROW) is None:
        session_track(request=request, user=user)
        return
    if row is None:
        logout(request)  # signed out from elsewhere: this request is anonymous from here on
        return
    now, key = _now(), request.session.session_key
    changes = {}
    if key and row.session_key != key:
        changes["session_key"] = key
    if touch:
        changes.update(last_seen_at=now, ip=_client_network(request), user_agent=_user_agent(request))
    if changes:
        UserSession.objects.filter(pk=row.pk).update(**changes)


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
