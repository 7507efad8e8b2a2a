"""Cached page fragments (technopark.templatetags.fragments, technopark.fragments):
`{% timed_cache %}` keeps one for a time, `{% versioned_cache %}` until one of its version
stamps moves on; each process keeps copies of them, served no longer than the shared cache
would serve them."""

import os
import time

import pytest
from django.core.cache import cache
from django.template import Context, Template, TemplateSyntaxError

from technopark import fragments
from technopark.versions import PendingBumps

VERSIONED = Template("{% load fragments %}{% versioned_cache key names %}{{ value }}{% endversioned_cache %}")
TIMED = Template("{% load fragments %}{% timed_cache seconds key %}{{ value }}{% endtimed_cache %}")


def _versioned(value, key="list?page=1|en", names=("things",)):
    return VERSIONED.render(Context({"value": value, "key": key, "names": list(names)}))


def _timed(value, key="catalogue?|en", seconds=60):
    return TIMED.render(Context({"value": value, "key": key, "seconds": seconds}))


@pytest.fixture
def clock(monkeypatch):
    """The time the fragments see, moved by hand."""

    class Clock:
        now = time.time()

        @classmethod
        def time(cls):
            return cls.now

    monkeypatch.setattr(fragments, "time", Clock)
    return Clock


@pytest.fixture
def copies(settings):
    """Copies on, as with Redis (the embedded default has none), and none left behind."""
    settings.FRAGMENT_COPIES = 4
    fragments.copies.clear()
    yield fragments.copies
    fragments.copies.clear()


@pytest.fixture
def shared_reads(monkeypatch):
    """The keys read from the shared cache, one list per call (get or get_many)."""
    reads, real_get, real_get_many, inside = [], cache.get, cache.get_many, []

    def get_many(keys, **kwargs):
        reads.append(list(keys))
        inside.append(True)  # the local cache's get_many reads each key with get
        try:
            return real_get_many(keys, **kwargs)
        finally:
            inside.pop()

    def get(key, *args, **kwargs):
        if not inside:
            reads.append([key])
        return real_get(key, *args, **kwargs)

    monkeypatch.setattr(cache, "get_many", get_many)
    monkeypatch.setattr(cache, "get", get)
    return reads


# --- {% versioned_cache %} ----------------------------------------------------------------


def test_a_versioned_fragment_is_kept_until_a_stamp_moves_on():
    assert _versioned("first") == "first"
    assert _versioned("second") == "first"  # cached
    assert _versioned("other", key="list?page=2|en") == "other"  # another key: another fragment
    PendingBumps(("things",))()
    assert _versioned("third") == "third"
    assert _versioned("fourth", names=("things", "more")) == "fourth"  # another stamp: stale


def test_one_round_trip_reads_the_stamps_and_the_fragment(settings, shared_reads):
    settings.FRAGMENT_COPIES = 0
    _versioned("first")
    shared_reads.clear()
    assert _versioned("second") == "first"
    assert [len(keys) for keys in shared_reads] == [2]  # the stamp and the fragment


def test_with_a_copy_only_the_stamps_are_read(copies, shared_reads):
    _versioned("first")
    shared_reads.clear()
    assert _versioned("second") == "first"
    assert shared_reads == [["version:things"]]  # the copy's version is still the current one


def test_a_copy_is_not_served_once_a_stamp_moved_on(copies):
    assert _versioned("first") == "first"
    PendingBumps(("things",))()
    assert _versioned("second") == "second"
    assert _versioned("third") == "second"  # the new fragment, copied in turn


def test_a_copy_is_not_served_once_the_stamps_are_gone(copies):
    # An emptied cache (a Redis restart): new stamps, which no copy was made under.
    assert _versioned("first") == "first"
    cache.clear()
    assert _versioned("second") == "second"


# --- {% timed_cache %} ----------------------------------------------------------------------


def test_a_timed_fragment_is_kept_for_its_time(clock):
    assert _timed("first") == "first"
    clock.now += 59
    assert _timed("second") == "first"
    assert _timed("other", key="catalogue?page=2|en") == "other"  # another key: another fragment
    clock.now += 1
    assert _timed("third") == "third"


def test_a_timed_fragment_is_not_cached_for_no_time(shared_reads):
    assert _timed("first", seconds=0) == "first"
    assert _timed("second", seconds=0) == "second"
    assert shared_reads == []


def test_a_timed_copy_is_served_without_the_shared_cache_until_the_same_deadline(clock, copies, shared_reads):
    assert _timed("first") == "first"
    shared_reads.clear()
    clock.now += 59
    assert _timed("second") == "first"
    assert shared_reads == []  # from the copy
    clock.now += 1
    assert _timed("third") == "third"  # the copy expired with the shared fragment


def test_a_copy_is_made_from_the_shared_fragment_with_its_deadline(clock, copies, shared_reads):
    # Another process made the fragment 50 s ago: this one copies it for the 10 s left.
    fragments.timed_set("catalogue?|en", "made elsewhere", 10)
    copies.clear()  # none in this process
    assert _timed("mine") == "made elsewhere"
    shared_reads.clear()
    clock.now += 9
    assert _timed("mine") == "made elsewhere"
    assert shared_reads == []
    clock.now += 1
    assert _timed("mine") == "mine"


def test_copies_are_bounded_the_least_recently_used_dropped(copies, shared_reads):
    for number in range(5):
        fragments.timed_set(f"key {number}", f"html {number}", 60)
    assert [fragments.timed_get(f"key {number}") for number in (4, 3, 2, 1)] == ["html 4", "html 3", "html 2", "html 1"]
    assert shared_reads == []  # the last four, copied
    assert fragments.timed_get("key 0") == "html 0"
    assert len(shared_reads) == 1  # the first one's copy was dropped


def test_without_copies_every_read_goes_to_the_shared_cache(settings, shared_reads):
    settings.FRAGMENT_COPIES = 0
    _timed("first")
    _timed("second")
    assert len(shared_reads) == 2


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs a Redis (REDIS_URL), as on CI")
def test_clearing_the_shared_cache_drops_the_copies(copies):
    assert _timed("first") == "first"
    cache.clear()  # Redis's (technopark.cache.FailSoftRedisCache)
    assert _timed("second") == "second"


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("{% versioned_cache key %}{% endversioned_cache %}", "a key and a list"),
        ("{% timed_cache key %}{% endtimed_cache %}", "a number of seconds and a key"),
    ],
)
def test_the_tags_arguments_are_required(source, message):
    with pytest.raises(TemplateSyntaxError, match=message):
        Template("{% load fragments %}" + source)
