"""Structured logs (LOG_FORMAT, LOG_LEVEL) and optional error reporting (SENTRY_DSN)."""

import datetime
import json
import logging
import os
import runpy
import subprocess
import sys
from unittest import mock

import pytest

from core.logging import JSONFormatter
from tests.technopark.test_settings import PRODUCTION, ROOT, UNSET

SETTINGS_FILE = ROOT / "technopark" / "settings.py"


def _record(message="hello %s", args=("wörld",), exc_info=None, **extra) -> logging.LogRecord:
    return logging.getLogger("technopark.test").makeRecord(
        "technopark.test", logging.ERROR, __file__, 1, message, args, exc_info, extra=extra or None
    )


def test_json_formatter_fields():
    line = JSONFormatter().format(_record())
    entry = json.loads(line)
    assert entry == {"time": mock.ANY, "level": "ERROR", "logger": "technopark.test", "message": "hello wörld"}
    assert entry["time"].endswith("Z")
    stamp = datetime.datetime.fromisoformat(entry["time"])
    assert stamp.utcoffset() == datetime.timedelta(0)
    assert abs(datetime.datetime.now(datetime.UTC) - stamp) < datetime.timedelta(minutes=1)


def test_json_formatter_includes_the_exception_on_one_line():
    try:
        raise ValueError("bad value")
    except ValueError:
        line = JSONFormatter().format(_record(exc_info=sys.exc_info()))
    assert "\n" not in line
    entry = json.loads(line)
    assert "Traceback (most recent call last)" in entry["exception"]
    assert "ValueError: bad value" in entry["exception"]


def test_json_formatter_survives_odd_extras():
    # django.server passes the socket as `request`; anything unserialisable becomes a string.
    entry = json.loads(JSONFormatter().format(_record(request=object(), status_code=200)))
    assert "path" not in entry
    assert entry["status"] == 200


@pytest.mark.django_db
def test_request_path_and_status_from_djangos_request_logger(client):
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        client.get("/no-such-page/")
    finally:
        logger.removeHandler(handler)
    entry = json.loads(JSONFormatter().format(records[-1]))
    assert entry["logger"] == "django.request"
    assert entry["level"] == "WARNING"
    assert entry["path"] == "/no-such-page/"
    assert entry["method"] == "GET"
    assert entry["status"] == 404


# --- Settings: checked in a fresh process, as in test_settings.py ----------------------
LOG_ONE_LINE = "import logging; logging.getLogger('technopark.probe').warning('probe %s', 42)"


def _shell(code: str, env: dict) -> subprocess.CompletedProcess:
    unset = UNSET | {"LOG_FORMAT", "LOG_LEVEL", "SENTRY_DSN", "SENTRY_ENVIRONMENT"}
    clean = {key: value for key, value in os.environ.items() if key not in unset}
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_logs_json_lines():
    result = _shell(LOG_ONE_LINE, PRODUCTION)
    assert result.returncode == 0, result.stderr
    entry = json.loads(result.stderr.strip().splitlines()[-1])
    assert entry["message"] == "probe 42"
    assert entry["level"] == "WARNING"
    assert entry["logger"] == "technopark.probe"


def test_debug_logs_plain_text():
    result = _shell(LOG_ONE_LINE, {})
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip().splitlines()[-1] == "probe 42"


def test_log_format_and_level_from_the_environment():
    code = "from django.conf import settings; import logging; print(settings.LOG_FORMAT, logging.getLogger().level)"
    result = _shell(code, {**PRODUCTION, "LOG_FORMAT": "text", "LOG_LEVEL": "WARNING"})
    assert result.stdout.strip().splitlines()[-1] == f"text {logging.WARNING}", result.stderr
    result = _shell(code, {"LOG_FORMAT": "json"})
    assert result.stdout.strip().splitlines()[-1] == f"json {logging.INFO}", result.stderr


def test_unknown_log_format_fails_at_start():
    result = _shell("from django.conf import settings; settings.DEBUG", {"LOG_FORMAT": "xml"})
    assert result.returncode != 0
    assert "LOG_FORMAT" in result.stderr


# --- Sentry: the settings module run in-process, with sentry_sdk.init mocked ----------
def _load_settings(monkeypatch, **env):
    for key in ("SENTRY_DSN", "SENTRY_ENVIRONMENT"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with mock.patch("sentry_sdk.init") as init:
        runpy.run_path(str(SETTINGS_FILE))
    return init


def test_no_error_reporting_without_sentry_dsn(monkeypatch):
    assert not _load_settings(monkeypatch).called


def test_sentry_initialised_with_sentry_dsn(monkeypatch):
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    init = _load_settings(monkeypatch, SENTRY_DSN="https://key@sentry.example.invalid/1", SENTRY_ENVIRONMENT="staging")
    init.assert_called_once()
    options = init.call_args.kwargs
    assert options["dsn"] == "https://key@sentry.example.invalid/1"
    assert options["environment"] == "staging"
    assert options["send_default_pii"] is False
    assert {type(integration) for integration in options["integrations"]} == {DjangoIntegration, CeleryIntegration}
