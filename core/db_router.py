"""The read replica for reporting (settings.DATABASE_REPLICA_URL; docs/scaling.md).

Only code that asks for it reads from the replica: the dashboards and the KPI API wrap
their engine calls in `use_replica()` (a context manager, or a decorator). Everything else,
every write, and every read outside that block go to `default`. The router is installed
only when a replica is configured; without one the portal uses `default` alone.

Reports read a replica a moment behind the primary (streaming replication lag): fine for
figures, never used for a read that a write depends on."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS

REPLICA = "replica"

_reading_replica: ContextVar[bool] = ContextVar("reading_replica", default=False)


@contextmanager
def use_replica() -> Iterator[None]:
    """Reads inside this block go to the replica (when there is one). Nested blocks and
    threads are safe: the flag is a context variable, restored on exit."""
    token = _reading_replica.set(True)
    try:
        yield
    finally:
        _reading_replica.reset(token)


def reading_replica() -> bool:
    return _reading_replica.get()


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _reading_replica.get() and REPLICA in settings.DATABASES:
            return REPLICA
        # Outside the block: the primary, even for an object read from the replica earlier.
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS  # never the replica, whatever the instance was read from

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, two copies of it

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS  # the replica follows the primary's schema by replication
