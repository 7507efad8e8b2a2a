"""Version stamps for cached fragments of pages whose data must show at once when they
change (back-office lists): the fragment's key holds the version of the data it shows, and
every write of that data moves the version on, once committed, so the next request renders
afresh. A rolled-back write moves nothing.

Stamps live in the shared cache. Without it (Redis down) every read gets a new stamp, so
fragments are simply not reused: slower, never stale.
"""

import uuid

from django.core.cache import cache
from django.db import transaction

PREFIX = "version:"


def data_version(*names: str) -> str:
    """The current stamps of `names`, joined (one round trip; created on first use)."""
    keys = [PREFIX + name for name in names]
    stamps = cache.get_many(keys)
    missing = {key: uuid.uuid4().hex for key in keys if key not in stamps}
    if missing:
        cache.set_many(missing, timeout=None)
    return ".".join(stamps.get(key) or missing[key] for key in keys)


class PendingBumps:
    """The stamps to move on once the transaction commits (a class, so that tests can tell
    these callbacks from the others)."""

    def __init__(self, names: tuple[str, ...]):
        self.names = names

    def __call__(self):
        cache.set_many({PREFIX + name: uuid.uuid4().hex for name in self.names}, timeout=None)


def data_changed(*names: str) -> None:
    """Move the stamps of `names` on once the current transaction commits (at once outside
    one); a rolled-back transaction moves nothing."""
    transaction.on_commit(PendingBumps(names))
