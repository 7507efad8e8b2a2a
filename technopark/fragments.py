"""Cached page fragments (`{% timed_cache %}`, `{% versioned_cache %}`): their keys, and the
copies each process keeps of them.

A fragment lives in the shared cache. Reading one there costs a round trip and the decoding
of 30 to 100 KB, a tenth of a dashboard's time; so each web process also keeps the
fragments it has read or made (`settings.FRAGMENT_COPIES` of them, the least recently used
dropped first). A copy is served exactly as long as the shared fragment would be, never
longer:

- a timed fragment until the deadline stored with it (`timed_get`, `timed_set`);
- a versioned one while its version stamps are unchanged: those are still read from the
  shared cache, a few bytes (`versioned_fragment_get`, technopark.versions).

Without a shared cache (the embedded default) there is nothing to copy: no copies. Clearing
the shared cache drops this process's copies too (technopark.cache.FailSoftRedisCache).
"""

import hashlib
import threading
import time
from collections import OrderedDict
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import get_language

from .versions import current_version, versioned_get, versioned_set


def fragment_key(request, *parts) -> str:
    """What tells a page's fragments apart: its path, query string (in a stable order) and
    language, plus whatever else the fragment depends on (the day, say)."""
    query = urlencode(sorted(request.GET.lists()), doseq=True)
    return "|".join([f"{request.path}?{query}", get_language(), *map(str, parts)])


def _stored_at(kind: str, key: str) -> str:
    # Hashed: a fragment key holds a whole query string.
    return f"fragment:{kind}:" + hashlib.md5(key.encode(), usedforsecurity=False).hexdigest()


class _Copies:
    """This process's copies: storage key -> (deadline or version, html)."""

    def __init__(self):
        self._items = OrderedDict()
        self._lock = threading.Lock()  # for threaded servers

    def get(self, key: str) -> tuple | None:
        with self._lock:
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
            return item

    def keep(self, key: str, tag, html: str) -> None:
        size = settings.FRAGMENT_COPIES
        if not size:
            return
        with self._lock:
            self._items[key] = (tag, html)
            self._items.move_to_end(key)
            while len(self._items) > size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


copies = _Copies()


def timed_get(key: str) -> str | None:
    """The fragment `timed_set` stored for `key`, until its deadline."""
    key = _stored_at("timed", key)
    now = time.time()
    copy = copies.get(key)
    if copy is not None and copy[0] > now:
        return copy[1]
    stored = cache.get(key)
    if stored is None or stored[0] <= now:
        return None
    copies.keep(key, *stored)
    return stored[1]


def timed_set(key: str, html: str, seconds: int) -> None:
    key = _stored_at("timed", key)
    deadline = time.time() + seconds
    cache.set(key, (deadline, html), seconds)
    copies.keep(key, deadline, html)


def versioned_fragment_get(key: str, names) -> tuple[str | None, str]:
    """`versioned_get` for a fragment: the copy when its version is still the current one
    (only the stamps are read), else the shared cache's."""
    key = _stored_at("versioned", key)
    copy = copies.get(key)
    if copy is not None:
        version = current_version(*names)
        if copy[0] == version:
            return copy[1], version
    html, version = versioned_get(key, *names)
    if html is not None:
        copies.keep(key, version, html)
    return html, version


def versioned_fragment_set(key: str, html: str, version: str, seconds: int) -> None:
    key = _stored_at("versioned", key)
    versioned_set(key, html, version, seconds)
    copies.keep(key, version, html)
