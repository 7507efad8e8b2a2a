"""`/health/`: database, cache and broker; 200 when all answer, 503 otherwise, never 500."""

import os
import time
from unittest import mock

import pytest
from django.conf import settings
from django.db import OperationalError, connection
from django.test import override_settings

from core import health
from tests.technopark.test_settings import PRODUCTION

from .test_logging import _shell

pytestmark = pytest.mark.django_db

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


def _get(client):
    started = time.monotonic()
    response = client.get("/health/")
    return response, time.monotonic() - started


def test_healthy_on_the_test_settings(client):
    response, _ = _get(client)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "broker"}
    for check in body["checks"].values():
        assert check["ok"] is True
        assert isinstance(check["ms"], float)
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Type"] == "application/json"
    assert "sessionid" not in response.cookies


def test_eager_celery_without_broker_is_healthy(client, settings):
    settings.CELERY_BROKER_URL = ""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    response, _ = _get(client)
    assert response.status_code == 200
    assert response.json()["checks"]["broker"]["mode"] == "eager"


def test_no_broker_and_not_eager_is_an_error(client, settings):
    settings.CELERY_BROKER_URL = ""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    response, _ = _get(client)
    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["ok"] is False


def test_database_down_is_503_without_details(client):
    error = OperationalError('could not connect to server: "db.internal.technopark.ma" password=hunter2')
    with mock.patch.object(connection, "cursor", side_effect=error):
        response, _ = _get(client)
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["database"] == {"ok": False, "error": "OperationalError", "ms": mock.ANY}
    assert body["checks"]["cache"]["ok"] is True
    assert b"db.internal" not in response.content
    assert b"hunter2" not in response.content


def test_cache_down_is_503(client):
    unreachable = {
        **settings.CACHES,  # the other caches as they are
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": UNREACHABLE_REDIS},
    }
    with override_settings(CACHES=unreachable, SESSION_CACHE_ALIAS="default"):
        response, elapsed = _get(client)
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["cache"]["ok"] is False
    assert body["checks"]["cache"]["error"] == "ConnectionError"
    assert body["checks"]["database"]["ok"] is True
    assert b"127.0.0.1" not in response.content
    assert elapsed < 5


def test_unreachable_broker_is_503_within_seconds(client, settings):
    settings.CELERY_BROKER_URL = UNREACHABLE_REDIS
    response, elapsed = _get(client)
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["broker"]["ok"] is False
    assert body["checks"]["broker"]["error"] == "OperationalError"
    assert b"127.0.0.1" not in response.content
    assert elapsed < 5


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs a Redis (REDIS_URL), as on CI")
def test_reachable_broker_is_ok(client, settings):
    settings.CELERY_BROKER_URL = os.environ["REDIS_URL"]
    response, _ = _get(client)
    assert response.status_code == 200
    assert response.json()["checks"]["broker"] == {"ok": True, "ms": mock.ANY}


@pytest.mark.parametrize("name", ["database", "cache", "broker"])
def test_any_unexpected_error_is_503_never_500(client, monkeypatch, name):
    def boom():
        raise ZeroDivisionError("secret detail")

    monkeypatch.setitem(health.CHECKS, name, boom)
    response, _ = _get(client)
    assert response.status_code == 503
    assert response.json()["checks"][name] == {"ok": False, "error": "ZeroDivisionError", "ms": mock.ANY}
    assert b"secret detail" not in response.content


def test_head_is_answered_and_writes_are_refused(client):
    assert client.head("/health/").status_code == 200
    assert client.post("/health/").status_code == 405


def test_not_throttled(client):
    # Above the API's anonymous rate (120/min): probes every second from several balancers.
    assert {client.get("/health/").status_code for _ in range(150)} == {200}


def test_production_answers_plain_http_probes_with_json_logs():
    # SECURE_SSL_REDIRECT sends every other page to HTTPS; the balancer's probe is exempt.
    code = (
        "from django.test import Client; c = Client(HTTP_HOST='portal.technopark.ma');"
        "print(c.get('/health/').status_code, c.get('/sites/').status_code)"
    )
    result = _shell(code, PRODUCTION)
    assert result.stdout.strip().splitlines()[-1] == "200 301", result.stderr


def test_liveness_answers_without_touching_the_database(client, django_assert_num_queries, monkeypatch):
    monkeypatch.setitem(health.CHECKS, "database", lambda: 1 / 0)  # even with the database down
    with django_assert_num_queries(0):
        response = client.get("/health/live/")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert "no-cache" in response["Cache-Control"]
