"""Sessions in the database, read through the cache (Redis), that keep working when the
cache does not answer (settings.SESSION_ENGINE when REDIS_URL is set; docs/scaling.md).

Django's `cached_db` store already writes the database first and tolerates a failed cache
write on save; this one also tolerates a failed cache read or write while loading and
checking a key, so that a Redis outage only costs one database query per request instead
of a 500 on every signed-in page (issue 7: a booking still succeeds with Redis stopped).

Deleting (logout, revocation, a new key on login) is the exception: the cached copy is
removed FIRST and a cache error is raised, before the database row is touched, so that a
session is never left deleted in the database yet alive in Redis once it is back.

Only the session's own data is read here: who the user is, their sites and roles are read
from the database on every request (accounts.middleware), never from this cache."""

import logging

from django.contrib.sessions.backends import cached_db

logger = logging.getLogger("django.contrib.sessions")


class SessionStore(cached_db.SessionStore):
    def load(self):
        try:
            data = self._cache.get(self.cache_key)
        except Exception:  # unreachable cache (or a key it refuses): the database decides
            logger.warning("session cache unavailable, reading the database", exc_info=True)
            data = None
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
