"""Version stamps for what is cached yet must show a change at once (back-office lists, a
signed-in session's identity): the value is stored with the version of the data it was made
of, and every write of that data moves the version on, once committed, so the next request
makes it afresh. A rolled-back write moves nothing.

Stamps live in the shared cache. Without it (Redis down) every read gets a new stamp, so
values are simply not reused: slower, never stale.
"""

import uuid
from typing import Any

from django.core.cache import cache
from django.db import transaction

PREFIX = "version:"


def stamp_key(name: str) -> str:
    """Where the stamp of `name` is kept in the cache."""
    return PREFIX + name


def _read(names, *keys, found: dict | None = None) -> tuple[str, dict]:
    """The current version of the stamps of `names` (missing ones are created), and what the
    cache holds at `keys`: one round trip, none when `found` already holds what the cache had
    at the stamps and the keys."""
    stamps = [stamp_key(name) for name in names]
    if found is None:
        found = cache.get_many([*stamps, *keys])
    missing = {stamp: uuid.uuid4().hex for stamp in stamps if stamp not in found}
    if missing:
        cache.set_many(missing, timeout=None)
    return ".".join(found.get(stamp) or missing[stamp] for stamp in stamps), found


def current_version(*names: str) -> str:
    """The version a value made now of `names` is stored under."""
    return _read(names)[0]


def versioned_get(key: str, *names: str, found: dict | None = None) -> tuple[Any, str]:
    """What `versioned_set` stored at `key` if it was stored under the current stamps of
    `names` (else None), and those stamps, to store a fresh value under; one round trip
    (none with `found`: what the cache held at `stamp_key(name)` of each name and at `key`,
    read already). Read the stamps BEFORE what the value is made of, so that a change
    committed meanwhile makes it stale at once."""
    version, found = _read(names, key, found=found)
    stored = found.get(key)
    if stored is not None and stored[0] == version:
        return stored[1], version
    return None, version


def versioned_set(key: str, value: Any, version: str, timeout: int) -> None:
    cache.set(key, (version, value), timeout)


class PendingBumps:
    """The stamps to move on once the transaction commits (a class, so that tests can tell
    these callbacks from the others)."""

    def __init__(self, names: tuple[str, ...]):
        self.names = names

    def __call__(self):
        if stamps := {stamp_key(name): uuid.uuid4().hex for name in self.names}:
            cache.set_many(stamps, timeout=None)


def data_changed(*names: str, now: bool = False) -> None:
    """Move the stamps of `names` on once the current transaction commits (at once outside
    one); a rolled-back transaction moves nothing. `now`: also at once, for what must never
    be served stale, not even to the transaction's own later reads; the bump at the commit
    still follows, for the readers that saw the old rows meanwhile."""
    if now:
        PendingBumps(names)()
    transaction.on_commit(PendingBumps(names))
