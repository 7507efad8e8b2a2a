"""Scale-out (docs/scaling.md): what the environment switches on, the replica router's
decisions, the sessions store that survives a Redis outage, the Celery queues, and media
that only ever leaves storage through permission-checked views."""

import json
import os
import re
import subprocess
import sys
import threading
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import DEFAULT_DB_ALIAS, connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from core import db_router
from core.cache import redis_caches
from core.db_router import ReplicaRouter, reading_replica, use_replica
from core.session_store import SessionStore
from reports import kpis
from technopark.celery import app as celery_app

from .test_settings import ROOT, UNSET

SCALE_OUT = {
    "DATABASE_REPLICA_URL",
    "AWS_STORAGE_BUCKET_NAME",
    "AWS_S3_ENDPOINT_URL",
    "AWS_S3_REGION_NAME",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
}
UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"
PRINT_SETTINGS = """
import json
from django.conf import settings
from django.core.files.storage import storages
media = storages["default"]
print(json.dumps({
    "aliases": sorted(settings.DATABASES),
    "replica": settings.DATABASES.get("replica"),
    "routers": settings.DATABASE_ROUTERS,
    "session_engine": settings.SESSION_ENGINE,
    "cache": settings.CACHES["default"]["BACKEND"],
    "media": type(media).__module__ + "." + type(media).__name__,
    "media_options": {
        name: getattr(media, name, None)
        for name in ("bucket_name", "endpoint_url", "region_name", "default_acl", "querystring_auth", "file_overwrite")
    },
}, default=str))
"""


def _settings(**env: str) -> dict:
    clean = {key: value for key, value in os.environ.items() if key not in UNSET | SCALE_OUT}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", PRINT_SETTINGS],
        cwd=ROOT,
        env={**clean, "DATABASE_URL": "sqlite:///:memory:", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- Settings switched by the environment -----------------------------------------------------
def test_embedded_default_has_one_database_db_sessions_and_local_media():
    found = _settings()
    assert found["aliases"] == ["default"]
    assert found["routers"] == []
    assert found["session_engine"] == "django.contrib.sessions.backends.db"
    assert found["media"] == "django.core.files.storage.filesystem.FileSystemStorage"


def test_a_replica_url_adds_the_alias_and_the_router():
    found = _settings(DATABASE_REPLICA_URL="postgres://reader:pw@replica.internal:5432/technopark")
    assert found["aliases"] == ["default", "replica"]
    assert found["routers"] == ["core.db_router.ReplicaRouter"]
    replica = found["replica"]
    assert (replica["ENGINE"], replica["HOST"], replica["NAME"]) == (
        "django.db.backends.postgresql",
        "replica.internal",
        "technopark",
    )
    assert replica["TEST"]["MIRROR"] == "default"  # no second test database


def test_redis_holds_the_cache_and_the_sessions():
    found = _settings(REDIS_URL="redis://127.0.0.1:6379/9")
    assert found["cache"] == "core.cache.FailSoftRedisCache"
    assert found["session_engine"] == "core.session_store"


def test_a_bucket_puts_media_on_private_s3_storage():
    found = _settings(
        AWS_STORAGE_BUCKET_NAME="technopark-media",
        AWS_S3_ENDPOINT_URL="https://s3.example.ma",
        AWS_S3_REGION_NAME="eu-west-3",
        AWS_ACCESS_KEY_ID="key",
        AWS_SECRET_ACCESS_KEY="secret",
    )
    assert found["media"] == "storages.backends.s3.S3Storage"
    assert found["media_options"] == {
        "bucket_name": "technopark-media",
        "endpoint_url": "https://s3.example.ma",
        "region_name": "eu-west-3",
        "default_acl": "private",
        "querystring_auth": False,
        "file_overwrite": False,
    }


# --- The replica router -----------------------------------------------------------------------
@pytest.fixture
def with_replica(monkeypatch):
    databases = {"default": {}, "replica": {}}
    monkeypatch.setattr(db_router, "settings", SimpleNamespace(DATABASES=databases))


def test_reads_go_to_the_replica_only_inside_the_block(with_replica):
    router = ReplicaRouter()
    assert router.db_for_read(Session) == DEFAULT_DB_ALIAS
    with use_replica():
        assert router.db_for_read(Session) == "replica"
        with use_replica():  # nested
            assert router.db_for_read(Session) == "replica"
        assert router.db_for_read(Session) == "replica"
    assert router.db_for_read(Session) == DEFAULT_DB_ALIAS


def test_writes_never_go_to_the_replica(with_replica):
    router = ReplicaRouter()
    read_there = Session(session_key="x")
    read_there._state.db = "replica"
    assert router.db_for_write(Session) == DEFAULT_DB_ALIAS
    with use_replica():
        assert router.db_for_write(Session) == DEFAULT_DB_ALIAS
        assert router.db_for_write(Session, instance=read_there) == DEFAULT_DB_ALIAS
    # An object read from the replica is read again, and saved, on the primary afterwards.
    assert router.db_for_read(Session, instance=read_there) == DEFAULT_DB_ALIAS


def test_relations_and_migrations(with_replica):
    router = ReplicaRouter()
    assert router.allow_relation(Session(), Session()) is True
    assert router.allow_migrate("default", "sessions") is True
    assert router.allow_migrate("replica", "sessions") is False


def test_without_a_replica_the_block_changes_nothing(monkeypatch):
    monkeypatch.setattr(db_router, "settings", SimpleNamespace(DATABASES={"default": {}}))
    with use_replica():
        assert ReplicaRouter().db_for_read(Session) == DEFAULT_DB_ALIAS


def test_the_flag_is_restored_on_error_and_not_shared_with_other_threads():
    seen = []
    with pytest.raises(ValueError), use_replica():
        thread = threading.Thread(target=lambda: seen.append(reading_replica()))
        thread.start()
        thread.join()
        raise ValueError
    assert seen == [False]
    assert reading_replica() is False

    @use_replica()
    def decorated():
        return reading_replica()

    assert decorated() is True and reading_replica() is False


def _spy(monkeypatch):
    """Record, for each KPI computation, whether it read the replica: every figure of the
    engine, for one scope or all, comes from reports.kpis.grouped_figures."""
    calls = []
    real = kpis.grouped_figures

    def spy(*args, **kwargs):
        calls.append(reading_replica())
        return real(*args, **kwargs)

    monkeypatch.setattr(kpis, "grouped_figures", spy)
    return calls


QUERY = "?as_of=2026-06-30&date_from=2025-07-01&date_to=2026-06-30"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "url"),
    [
        ("staff", "/network/dashboard/" + QUERY),
        ("staff", "/network/dashboard/export/sites/" + QUERY + "&format=csv"),
        ("manager_a", "/manage/site-a/dashboard/" + QUERY),
        ("manager_a", "/manage/site-a/dashboard/export/headline/" + QUERY + "&format=csv"),
    ],
)
def test_dashboards_compute_inside_the_replica_block(client_for, monkeypatch, persona, url):
    calls = _spy(monkeypatch)
    response = client_for(persona).get(url)
    assert response.status_code == 200
    assert calls and all(calls)
    assert reading_replica() is False


@pytest.mark.django_db
def test_the_kpi_api_computes_inside_the_replica_block(client_for, monkeypatch):
    calls = _spy(monkeypatch)
    response = client_for("staff").get("/api/v1/kpis/", {"scope": "network", "as_of": "2026-06-30"})
    assert response.status_code == 200
    assert calls == [True]


# --- Sessions ---------------------------------------------------------------------------------
def _redis_down():
    # The production caches (core.cache.redis_caches) on a server that does not
    # answer. Restored before the suite's own cache clean-up runs (tests/conftest.py).
    unreachable = {**settings.CACHES, **redis_caches(UNREACHABLE_REDIS)}  # the other caches as they are
    return override_settings(CACHES=unreachable, SESSION_CACHE_ALIAS="sessions", SESSION_ENGINE="core.session_store")


@pytest.fixture
def redis_down():
    with _redis_down():
        yield


def test_a_redis_cache_reuses_one_client_per_connection_pool():
    """Django's builds a new client for every call (core.cache.ReusedClient)."""
    from core.cache import RedisCache

    cache = RedisCache(UNREACHABLE_REDIS, {})  # no call is made: nothing connects
    assert cache._cache.get_client("a") is cache._cache.get_client("b")
    assert cache._cache.get_client("a", write=True) is cache._cache.get_client("a")  # one server: one pool


@pytest.mark.django_db
def test_sessions_are_read_from_the_cache(settings):
    settings.SESSION_ENGINE = "core.session_store"
    session = SessionStore()
    session["member"] = 7
    session.save()
    with CaptureQueriesContext(connection) as queries:
        assert SessionStore(session.session_key).load() == {"member": 7}
    assert len(queries) == 0
    SessionStore(session.session_key).delete()
    assert not Session.objects.filter(session_key=session.session_key).exists()
    assert SessionStore(session.session_key).load() == {}


@pytest.mark.django_db
def test_sessions_work_from_the_database_while_redis_is_down(redis_down):
    session = SessionStore()  # a new key checks exists() on cache and database
    session["member"] = 7
    session.save()
    assert Session.objects.filter(session_key=session.session_key).exists()
    again = SessionStore(session.session_key)
    assert again.load() == {"member": 7}
    assert again.exists(session.session_key) and not again.exists("nope")


@pytest.mark.django_db
def test_deleting_a_session_while_redis_is_down_deletes_nothing(redis_down):
    session = SessionStore()
    session.save()
    with pytest.raises(Exception):  # noqa: B017 (redis' ConnectionError)
        SessionStore(session.session_key).delete()
    # Not deleted in the database either: never alive in Redis yet gone from the table.
    assert Session.objects.filter(session_key=session.session_key).exists()


@pytest.mark.django_db
def test_a_signed_in_page_works_while_redis_is_down(client_for):
    client = client_for("founder_a")  # signed in before the outage
    with _redis_down():
        response = client.get("/startups/")
    assert response.status_code == 200
    assert response.wsgi_request.user.is_authenticated


# --- Celery queues ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("task", "queue"),
    [
        ("reports.tasks.compute_kpi_snapshots", "reports"),
        ("reports.board.jobs.generate_board_report", "reports"),
        ("reports.board.jobs.request_monthly_board_reports", "reports"),
        ("core.emails.deliver_outbox_message", "default"),
        ("core.emails.flush_outbox", "default"),
        ("services.tasks.send_session_reminders", "default"),
        ("mentors.tasks.send_booking_reminders", "default"),
        ("startups.tasks.send_declaration_reminders", "default"),
        ("passport.tasks.issue_certificates", "default"),
        ("surveys.tasks.send_survey_invitations", "default"),
        ("core.tasks.clear_expired_sessions", "default"),
    ],
)
def test_heavy_tasks_go_to_the_reports_queue(task, queue):
    celery_app.loader.import_default_modules()  # the tasks of every app, as a worker does
    assert task in celery_app.tasks
    route = celery_app.amqp.router.route({}, task)
    assert route["queue"].name == queue
    assert route["queue"].routing_key == queue


def test_an_explicit_queue_still_wins():
    """As the worker tests do (tests/reports/test_board_worker.py: their own queue)."""
    try:
        route = celery_app.amqp.router.route({"queue": "test-queue"}, "reports.board.jobs.generate_board_report")
        assert route["queue"].name == "test-queue"
    finally:
        celery_app.amqp.queues.pop("test-queue", None)  # created on the fly; not one of ours


def test_a_worker_without_queues_consumes_both():
    """`celery worker` without -Q consumes the configured queues (make worker: both); two
    queues never share a binding, so each message lands in exactly one."""
    queues = celery_app.conf.task_queues
    assert [(queue.name, queue.routing_key) for queue in queues] == [("default", "default"), ("reports", "reports")]
    assert celery_app.conf.task_default_queue == "default"


# --- Media leaves storage only through views --------------------------------------------------
MEDIA_FIELDS = r"(logo|photo|pitch_deck|pdf|xlsx)"


def test_no_code_or_template_hands_out_a_storage_url():
    """Files are private (S3 ACL private, no signed URLs): every download is streamed by a
    permission-checked view. A `.url` of a file field would be a broken (or public) link."""
    pattern = re.compile(rf"\.{MEDIA_FIELDS}\.url\b|storage\.url\(|default_storage\.url\(")
    offenders = []
    for folder in ("accounts", "mentors", "reports", "services", "sites", "startups", "technopark", "templates"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in (".py", ".html", ".txt") and "migrations" not in path.parts:
                for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
                    if pattern.search(line):
                        offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []
