"""Who a signed-in request is, from the cache: what every signed-in request checks before
its view runs (the user's row and the session's hash, the session's row of
accounts.sessions, the sites the user works at, whether they have TOTP), cached with the
session for IDENTITY_CACHE_SECONDS against a version stamp per user (technopark.versions)
that every change of it moves on (accounts.signals): the user's row (any save, and
`User.objects.….update()`), the rows of their sessions (a sign-out, a revocation), their
site memberships and authenticators, the sites they work at and those sites' regions.

A hit costs the one round trip to the cache that reads the snapshot with its stamps. A miss
(the session's first request, a change, the snapshot expired, the cache down) asks the
database exactly as without the cache: Django's session checks, then the session's row
(`session_touch`: signed out from elsewhere, last activity), and stores a fresh snapshot.
The expiry bounds what a lost bump (the cache unreachable at the commit) could leave stale,
and runs the row check (and its last-activity write) at least that often.

Only on with a cache shared by every web process (Redis, settings): a per-process cache
would never see the other processes' bumps.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.middleware import get_user
from django.utils.crypto import constant_time_compare

from sites.scoping import remember_managed_sites
from technopark.versions import data_changed, versioned_get, versioned_set

from .permissions import remember_totp
from .sessions import SESSION_ROW, session_touch, touch_due


def user_version(user_pk) -> str:
    return f"identity:user:{user_pk}"


def identity_changed(*user_pks) -> None:
    """What these users are (row, sessions, memberships, authenticators) changed: their
    cached identities are stale, at once and again once committed."""
    if settings.IDENTITY_CACHE_SECONDS:
        data_changed(*(user_version(pk) for pk in user_pks), now=True)


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
    key = f"identity:{row_id}"
    identity, version = versioned_get(key, user_version(session[SESSION_KEY]))
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
