"""Production settings: loud failures and a clean `check --deploy`."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "a-production-secret-that-is-long-and-random-enough-0123456789abcdef",
    "ALLOWED_HOSTS": "portal.technopark.ma",
    "DATABASE_URL": "sqlite:///:memory:",
}


UNSET = {
    "DEBUG",
    "SECRET_KEY",
    "REQUIRE_STAFF_MFA",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "CELERY_TASK_ALWAYS_EAGER",
    "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by the browser tests for their own process only
    "TRUSTED_PROXY_COUNT",
}


def _manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    clean = {key: value for key, value in os.environ.items() if key not in UNSET}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "DEBUG", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {key: value for key, value in PRODUCTION.items() if key != "SECRET_KEY"}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_debug_is_off_unless_set():
    """Nothing set: production's rules (a secret key is required); `make run` and the tests'
    settings turn DEBUG on explicitly."""
    bare = _manage("check", env={"DJANGO_SETTINGS_MODULE": "technopark.settings"})
    assert bare.returncode != 0
    assert "SECRET_KEY" in bare.stderr
    laptop = _manage("check", env={"DJANGO_SETTINGS_MODULE": "technopark.settings", "DEBUG": "true"})
    assert laptop.returncode == 0, laptop.stdout + laptop.stderr
    tests = _manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.DEBUG)",
        env={"DJANGO_SETTINGS_MODULE": "technopark.settings_test"},
    )
    assert tests.stdout.strip().endswith("True"), tests.stdout + tests.stderr


def test_seed_demo_refuses_in_production_without_force():
    result = _manage("seed_demo", env=PRODUCTION)
    assert result.returncode != 0
    assert "--force" in result.stderr


@pytest.mark.parametrize(
    ("env", "expected"),
    [({}, "True"), ({"REDIS_URL": "redis://127.0.0.1:6379/9"}, "False"), ({"CELERY_BROKER_URL": "amqp://x"}, "False")],
)
def test_celery_is_eager_only_without_a_broker(env, expected):
    result = _manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.CELERY_TASK_ALWAYS_EAGER)",
        env=env,
    )
    assert result.stdout.strip().splitlines()[-1] == expected, result.stderr
