"""`make test` runs the suite on pytest-xdist workers: each has its own test database
(pytest-django) and its own Redis database (tests/conftest.py), so that one worker's
cache.clear() between tests never wipes another's sessions, rate limits or queues."""

import os

import pytest
from django.conf import settings
from django.core.cache import caches

from technopark.celery import app as celery_app
from tests.conftest import worker_redis_url


@pytest.mark.parametrize(
    ("url", "worker", "expected"),
    [
        ("redis://127.0.0.1:6379/1", "gw0", "redis://127.0.0.1:6379/1"),
        ("redis://127.0.0.1:6379/1", "gw1", "redis://127.0.0.1:6379/2"),
        ("redis://127.0.0.1:6379", "gw3", "redis://127.0.0.1:6379/3"),
        (
            "redis://:secret@redis.internal:6380/15?ssl_cert_reqs=none",
            "gw1",
            "redis://:secret@redis.internal:6380/0?ssl_cert_reqs=none",
        ),
    ],
)
def test_each_worker_gets_the_next_database(url, worker, expected):
    assert worker_redis_url(url, worker) == expected


@pytest.mark.skipif(
    not (os.environ.get("PYTEST_XDIST_WORKER") and os.environ.get("REDIS_URL")), reason="under xdist with REDIS_URL"
)
def test_this_worker_uses_its_database_for_cache_sessions_broker_and_child_processes():
    url = os.environ["REDIS_URL"]  # what the workers and commands a test starts inherit
    assert url == worker_redis_url(os.environ["PYTEST_REDIS_URL"], os.environ["PYTEST_XDIST_WORKER"])
    assert url == settings.REDIS_URL
    assert caches["default"]._servers == [url] and caches["sessions"]._servers == [url]
    if not os.environ.get("CELERY_BROKER_URL"):
        assert celery_app.conf.broker_url == url
    database = int(url.rsplit("/", 1)[1])
    assert caches["default"]._cache.get_client(write=True).connection_pool.connection_kwargs["db"] == database
