"""Who a signed-in request is, from the cache: what every signed-in request checks before
its view runs (the user's row and the session's hash, the session's row of
accounts.sessions, the sites the user works at, whether they have TOTP), cached with the
session for IDENTITY_CACHE_SECONDS against a version stamp per session (technopark.versions)
that every change of it moves on (accounts.signals): the user's row (any save, and
`User.objects.….update()`), their site memberships and authenticators, the sites they work
at and those sites' regions move the stamps of all the user's sessions (their rows of
accounts.sessions list them); the session's own row (last activity, a sign-out, a
revocation) moves its session's stamp.

Keyed by the session's key, the identity and its stamp are read in the same round trip as
the session itself (technopark.session_store): a hit costs no round trip of its own and no
query. A miss (the session's first request, a change, the snapshot expired, the cache down)
asks the database exactly as without the cache: Django's session checks, then the session's
row (`session_touch`: signed out from elsewhere, last activity), and stores a fresh snapshot.
The expiry bounds what a lost bump (the cache unreachable at the commit) could leave stale,
and runs the row check (and its last-activity write) at least that often.

An identity is only ever stored after `session_touch` made the session's row carry the
session's current key, so the rows name every session with a cached identity.

Only on with a cache shared by every web process (Redis, settings): a per-process cache
would never see the other processes' bumps.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.middleware import get_user
from django.db import transaction
from django.utils.crypto import constant_time_compare

from sites.scoping import remember_managed_sites
from technopark.versions import PendingBumps, data_changed, stamp_key, versioned_get, versioned_set

from .models import UserSession
from .permissions import remember_totp
from .sessions import SESSION_ROW, session_touch, touch_due


def session_version(session_key: str) -> str:
    return f"identity:session:{session_key}"


def identity_key(session_key: str) -> str:
    return f"identity:{session_key}"


def identity_keys(session_key: str) -> list[str]:
    """The cache keys of the session's identity and of its stamp, for the session store to
    read with the session (technopark.session_store); none when the cache is off."""
    if not settings.IDENTITY_CACHE_SECONDS:
        return []
    return [stamp_key(session_version(session_key)), identity_key(session_key)]


def sessions_changed(*session_keys: str) -> None:
    """The identities cached for these sessions are stale, at once and again once committed."""
    if settings.IDENTITY_CACHE_SECONDS and session_keys:
        data_changed(*(session_version(key) for key in session_keys), now=True)


class UsersSessionsBumps(PendingBumps):
    """The stamps of the users' sessions as they are when the bump runs: at the commit, also
    those of a session that signed in meanwhile and may have read the rows before it."""

    def __init__(self, user_pks):
        self.user_pks = user_pks

    @property
    def names(self):
        keys = UserSession.objects.filter(user_id__in=self.user_pks).values_list("session_key", flat=True)
        return [session_version(key) for key in keys]


def identity_changed(*user_pks) -> None:
    """What these users are (row, memberships, authenticators, sites) changed: the
    identities cached for all their sessions are stale, at once and again once committed."""
    if settings.IDENTITY_CACHE_SECONDS and user_pks:
        bumps = UsersSessionsBumps(user_pks)
        bumps()
        transaction.on_commit(bumps)


@dataclass(frozen=True)
class Identity:
    user: object  # with what remember_managed_sites and remember_totp put on it
    session_key: str
    backend: str
    auth_hash: str
    last_seen_at: datetime.datetime  # the session row's, to write it again when due

    def matches(self, session) -> bool:
        """Whether `session` is still the one this was checked for: the same user, key,
        backend and password hash (`django.contrib.auth.get_user`'s checks)."""
        return (
            str(self.user.pk) == str(session.get(SESSION_KEY))
            and self.session_key == session.session_key
            and self.backend == session.get(BACKEND_SESSION_KEY)
            and self.backend in settings.AUTHENTICATION_BACKENDS
            and constant_time_compare(self.auth_hash, session.get(HASH_SESSION_KEY) or "")
        )


def identity_resolve(request) -> None:
    """Set `request.user` for a request whose session names a user (from the cache when
    it can), after the checks of the session's row; see the module's docstring."""
    session = request.session
    row_id = session.get(SESSION_ROW)
    if row_id is None or not settings.IDENTITY_CACHE_SECONDS:
        _from_database(request)
        return
    key = identity_key(session.session_key)
    # Read with the session when the session store could (technopark.session_store).
    read = getattr(session, "read_along", lambda keys: None)(identity_keys(session.session_key))
    identity, version = versioned_get(key, session_version(session.session_key), found=read)
    if identity is not None and identity.matches(session) and not touch_due(identity.last_seen_at):
        request.user = identity.user
        return
    user, last_seen_at = _from_database(request)
    if user is None or session.get(SESSION_ROW) != row_id:
        return
    remember_managed_sites(user)
    remember_totp(user)
    identity = Identity(
        user=user,
        session_key=session.session_key,
        backend=session[BACKEND_SESSION_KEY],
        auth_hash=session.get(HASH_SESSION_KEY) or "",
        last_seen_at=last_seen_at,
    )
    versioned_set(key, identity, version, settings.IDENTITY_CACHE_SECONDS)


def _from_database(request):
    """The user as Django's session checks find them, then the session's row checked (which
    may sign the request out), and the row's last activity; (None, None) when the request
    ends up anonymous."""
    user = get_user(request)  # the same object as request.user, loaded
    if not user.is_authenticated:
        return None, None
    last_seen_at = session_touch(request)
    return (user, last_seen_at) if request.user.is_authenticated else (None, None)
