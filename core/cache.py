"""The Redis caches (settings.CACHES when REDIS_URL is set), for when Redis does not answer.

Redis holds nothing that cannot be lost: rate-limit counters, API throttles, copies of the
sessions (the database is their record). An outage must not turn requests into 500s (issue
7: a booking, a registration, a login still work with Redis stopped), nor cost every cache
call its own connection timeout:

- After a connection error or a timeout, this process takes the server for down for
  `OUTAGE_SECONDS` (logged once): meanwhile, calls fail at once without trying it.
- The default cache (`FailSoftRedisCache`) turns those failures into misses: reads return
  the default, writes store nothing, `add` reports success so that locks and rate limits
  fail open (allauth's login limits and its cache lock, the public registration counter,
  DRF's throttles), `incr` raises ValueError as for a missing key. `clear` still raises:
  nothing was cleared.
- The sessions cache (`RedisCache`) raises them: core.session_store decides, as it must
  know that a cached session was not deleted (it is then kept in the database too).
"""

import logging
import time

from django.core.cache.backends import redis as django_redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

OUTAGE_SECONDS = 5.0
# What an unreachable or unresponsive server raises; any other error is a bug to see.
UNAVAILABLE = (RedisConnectionError, RedisTimeoutError)
SOCKET_TIMEOUT = 2  # seconds; an unreachable Redis fails fast (requests, /health/) instead of hanging


def redis_caches(url: str) -> dict:
    """settings.CACHES for Redis at `url`: the default cache, and the sessions' (the same
    server and keys, raising instead of failing soft)."""
    options = {"socket_connect_timeout": SOCKET_TIMEOUT, "socket_timeout": SOCKET_TIMEOUT}
    return {
        "default": {"BACKEND": "core.cache.FailSoftRedisCache", "LOCATION": url, "OPTIONS": options},
        "sessions": {"BACKEND": "core.cache.RedisCache", "LOCATION": url, "OPTIONS": dict(options)},
    }


class Outage:
    """What this process knows of one server's outage: it failed less than `seconds` ago,
    so calls skip it instead of each waiting for its own timeout. Deliberately local and
    short: the first call after it tries the server again."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self._until = 0.0

    @property
    def ongoing(self) -> bool:
        return time.monotonic() < self._until

    def begin(self) -> None:
        self._until = time.monotonic() + self.seconds


# One per server, shared by the caches on it (the default and the sessions' one).
_outages: dict[tuple[str, ...], Outage] = {}


class CacheServerDown(RedisConnectionError):
    """Raised without trying the server: it failed less than `OUTAGE_SECONDS` ago."""


class ReusedClient(django_redis.RedisCacheClient):
    """Django's client builds a new `redis.Redis` (its table of ~170 response callbacks
    included) for every cache call; one per connection pool does (it is thread-safe)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    """Django's Redis cache, failing at once while its server is known to be down."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClient
        self.outage = _outages.setdefault(tuple(self._servers), Outage(OUTAGE_SECONDS))

    def _run(self, call, *args):
        if self.outage.ongoing:
            raise CacheServerDown(f"the cache server failed less than {self.outage.seconds} s ago: not tried")
        try:
            return call(*args)
        except UNAVAILABLE:
            self.outage.begin()
            logger.warning("Cache server unavailable: cache calls skipped for %s s", self.outage.seconds, exc_info=True)
            raise

    def add(self, key, value, timeout=django_redis.DEFAULT_TIMEOUT, version=None):
        return self._run(super().add, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._run(super().get, key, default, version)

    def set(self, key, value, timeout=django_redis.DEFAULT_TIMEOUT, version=None):
        return self._run(super().set, key, value, timeout, version)

    def touch(self, key, timeout=django_redis.DEFAULT_TIMEOUT, version=None):
        return self._run(super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._run(super().delete, key, version)

    def get_many(self, keys, version=None):
        return self._run(super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._run(super().has_key, key, version)

    def incr(self, key, delta=1, version=None):
        return self._run(super().incr, key, delta, version)

    def set_many(self, data, timeout=django_redis.DEFAULT_TIMEOUT, version=None):
        return self._run(super().set_many, data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._run(super().delete_many, keys, version)


class FailSoftRedisCache(RedisCache):
    """The default cache: an unavailable server is a miss (see the module's docstring)."""

    @staticmethod
    def _soft(fallback, call, *args):
        try:
            return call(*args)
        except UNAVAILABLE:  # logged by `_run` when the outage began
            return fallback

    def add(self, key, value, timeout=django_redis.DEFAULT_TIMEOUT, version=None):
        return self._soft(True, super().add, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._soft(default, super().get, key, default, version)

    def set(self, key, value, timeout=django_redis.DEFAULT_TIMEOUT, version=None):
        return self._soft(None, super().set, key, value, timeout, version)

    def touch(self, key, timeout=django_redis.DEFAULT_TIMEOUT, version=None):
        return self._soft(False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._soft(False, super().delete, key, version)

    def get_many(self, keys, version=None):
        return self._soft({}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._soft(False, super().has_key, key, version)

    def incr(self, key, delta=1, version=None):
        try:
            return super().incr(key, delta, version)
        except UNAVAILABLE as error:
            raise ValueError(f"Key '{key}' not found: the cache server is unavailable") from error

    def set_many(self, data, timeout=django_redis.DEFAULT_TIMEOUT, version=None):
        return self._soft(list(data), super().set_many, data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._soft(None, super().delete_many, keys, version)
