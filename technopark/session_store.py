"""Sessions in the database, read through the cache (Redis), that keep working when the
cache does not answer (settings.SESSION_ENGINE when REDIS_URL is set; docs/scaling.md).

Django's `cached_db` store already writes the database first and tolerates a failed cache
write on save; this one also tolerates a failed cache read or write while loading and
checking a key, so that a Redis outage only costs one database query per request instead
of a 500 on every signed-in page (issue 7: a booking still succeeds with Redis stopped).

Deleting (logout, revocation, a new key on login) is the exception: the cached copy is
removed FIRST and a cache error is raised, before the database row is touched, so that a
session is never left deleted in the database yet alive in Redis once it is back.

The session's identity (accounts.identity) is read in the same round trip as the session
(`read_along`): a signed-in request then makes one round trip to Redis before its view, not
two. The sessions' cache must be on the default cache's server (technopark.cache.redis_caches
puts both on REDIS_URL); elsewhere the identity is simply never found there and is read
from the database."""

import logging

from django.contrib.sessions.backends import cached_db

logger = logging.getLogger("django.contrib.sessions")


def _keys_read_along(session_key: str) -> list[str]:
    from accounts.identity import identity_keys  # the project's apps load after this engine

    return identity_keys(session_key)


class SessionStore(cached_db.SessionStore):
    _read_along = None  # (session key, keys read with it, what the cache held at them)

    def read_along(self, keys) -> dict | None:
        """What the cache held at `keys` (those it had) when the session was loaded from it,
        if they were read with it for the current session key; else None: read them yourself."""
        if self._read_along is None:
            return None
        session_key, read, found = self._read_along
        if session_key != self.session_key or not set(keys) <= set(read):
            return None
        return found

    def load(self):
        along = _keys_read_along(self.session_key) if self.session_key else []
        try:
            found = self._cache.get_many([self.cache_key, *along])
        except Exception:  # unreachable cache (or a key it refuses): the database decides
            logger.warning("session cache unavailable, reading the database", exc_info=True)
            found = {}
        else:
            self._read_along = (self.session_key, along, {key: found[key] for key in along if key in found})
        data = found.get(self.cache_key)
        if data is not None:
            return data
        stored = self._get_session_from_db()
        if not stored:
            return {}
        data = self.decode(stored.session_data)
        try:
            self._cache.set(self.cache_key, data, self.get_expiry_age(expiry=stored.expire_date))
        except Exception:
            logger.warning("session cache unavailable, not caching", exc_info=True)
        return data

    def exists(self, session_key):
        if not session_key:
            return False
        try:
            if (self.cache_key_prefix + session_key) in self._cache:
                return True
        except Exception:
            logger.warning("session cache unavailable, checking the database", exc_info=True)
        # The database is written before the cache: a key cached but not stored cannot be.
        return cached_db.DBStore.exists(self, session_key)

    def delete(self, session_key=None):
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        self._cache.delete(self.cache_key_prefix + session_key)  # raises: nothing deleted
        cached_db.DBStore.delete(self, session_key)
