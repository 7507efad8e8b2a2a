"""`{% versioned_cache %}` (technopark.templatetags.fragments): a fragment kept until one of
its version stamps moves on, read with them in one round trip."""

import pytest
from django.core.cache import cache
from django.template import Context, Template, TemplateSyntaxError

from technopark.versions import PendingBumps

TEMPLATE = Template("{% load fragments %}{% versioned_cache key names %}{{ value }}{% endversioned_cache %}")


def _render(value, key="list?page=1|en", names=("things",)):
    return TEMPLATE.render(Context({"value": value, "key": key, "names": list(names)}))


def test_the_fragment_is_kept_until_a_stamp_moves_on(django_assert_num_queries):
    assert _render("first") == "first"
    assert _render("second") == "first"  # cached
    assert _render("other", key="list?page=2|en") == "other"  # another key: another fragment
    PendingBumps(("things",))()
    assert _render("third") == "third"
    assert _render("fourth", names=("things", "more")) == "fourth"  # another stamp: stale


def test_one_round_trip_reads_the_stamps_and_the_fragment(monkeypatch):
    _render("first")
    calls, inside, real_get, real_get_many = [], [], cache.get, cache.get_many

    def get_many(keys, **kwargs):
        calls.append(("get_many", len(keys)))
        inside.append(True)  # the local cache's get_many reads each key with get
        try:
            return real_get_many(keys, **kwargs)
        finally:
            inside.pop()

    def get(*args, **kwargs):
        if not inside:
            calls.append(("get", args[0]))
        return real_get(*args, **kwargs)

    monkeypatch.setattr(cache, "get_many", get_many)
    monkeypatch.setattr(cache, "get", get)
    assert _render("second") == "first"
    assert calls == [("get_many", 2)]  # the stamp and the fragment


def test_a_key_and_a_list_of_stamps_are_required():
    with pytest.raises(TemplateSyntaxError, match="key and a list"):
        Template("{% load fragments %}{% versioned_cache key %}{% endversioned_cache %}")
