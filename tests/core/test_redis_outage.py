"""Issue 7: with Redis stopped, a booking, a registration and a login still succeed, and
their emails go out once Redis is back. A real outage, not a mock.

The test starts its own redis-server on a free port and points the cache, the sessions and
Celery's broker at it, as settings do for REDIS_URL (core.cache.redis_caches). A
founder signs in (their session is cached in Redis), then the server is killed. As real
users, through the test client: the founder books a mentor on the page and through the API
and registers their startup to a session, a visitor registers to a public event (its
throttle fails open), another user signs in. Every request succeeds and writes its rows and
its pending outbox rows: the enqueue on commit fails, is logged and swallowed.

Then Redis is started again on the same port, the beat's `flush_outbox` goes through it to a
real Celery worker, which sends every email exactly once; a second flush sends nothing. The
worker runs in a thread of this process, so that it shares the test database (committed
rows: a transactional test) on SQLite as on PostgreSQL.

Skipped when redis-server is not installed.
"""

import contextlib
import datetime
import logging
import shutil
import socket
import subprocess
import time
from types import SimpleNamespace
from unittest import mock

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from celery.signals import setup_logging, task_postrun
from django.conf import settings
from django.contrib.sessions.backends.cached_db import KEY_PREFIX
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.cache import caches
from django.db import connections
from django.test import Client, override_settings
from django.utils import timezone
from django_scopes import scopes_disabled

from core import cache as resilient_cache
from core.cache import redis_caches
from core.emails import FLUSH_GRACE, flush_outbox
from core.models import OutboxMessage
from mentors.models import Booking
from services.models import Registration, RegistrationStatus
from technopark.celery import app as celery_app
from tests.factories import (
    AdmissionFactory,
    MentorProfileFactory,
    ServiceFactory,
    ServiceSessionFactory,
    StartupFactory,
    StartupMemberFactory,
    WeeklyRuleFactory,
)
from tests.mentors.directory_setup import book_url, slot_on

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"

pytestmark = pytest.mark.skipif(not shutil.which(REDIS_SERVER), reason=f"{REDIS_SERVER} is not installed")


class RedisServer:
    """A redis-server of this test's own, without persistence: stopped means killed."""

    def __init__(self, port: int):
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--save", "", "--appendonly", "no", "--port", str(self.port), "--bind", "127.0.0.1"],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        with redis.Redis(port=self.port) as client:
            while True:
                try:
                    client.ping()
                    return
                except redis.ConnectionError:
                    assert self.process.poll() is None, "redis-server exited"
                    assert time.monotonic() < deadline, "redis-server did not answer within 10 s"
                    time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def redis_server():
    server = RedisServer(_free_port())
    server.start()
    yield server
    server.stop()


def _reset_broker_connections() -> None:
    # The app keeps the connection and producer pools of the first broker it talked to.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def on_redis(redis_server):
    """The cache, the sessions and the broker on `redis_server`, as settings set them for
    REDIS_URL; restored before the suite's own cache clean-up (tests/conftest.py) runs."""
    conf = celery_app.conf
    saved = conf.broker_url, conf.task_always_eager
    with override_settings(
        CACHES={**settings.CACHES, **redis_caches(redis_server.url)},
        SESSION_CACHE_ALIAS="sessions",
        SESSION_ENGINE="core.session_store",
    ):
        conf.broker_url, conf.task_always_eager = redis_server.url, False
        _reset_broker_connections()
        try:
            yield redis_server
        finally:
            conf.broker_url, conf.task_always_eager = saved
            _reset_broker_connections()


@contextlib.contextmanager
def celery_worker():
    """A real Celery worker on the broker, in a thread of this process (it shares the test
    database). Yields the (task name, return value) of the tasks it ran, in order."""
    ran = []

    def record(sender=None, retval=None, **kwargs):
        ran.append((sender.name, retval))
        connections.close_all()  # the worker thread's own, as a worker process would

    def keep_logging(**kwargs):
        """Celery must not reconfigure this process's logging (pytest's capture)."""

    task_postrun.connect(record, weak=False)
    setup_logging.connect(keep_logging, weak=False)
    try:
        with start_worker(celery_app, perform_ping_check=False, shutdown_timeout=30):
            yield ran
    finally:
        task_postrun.disconnect(record)
        setup_logging.disconnect(keep_logging)


def _wait_for(condition, *, seconds: float = 30, what: str):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"{what} within {seconds} s"
        time.sleep(0.05)


def _age_outbox() -> None:
    """As if the beat's next run came a minute later (`flush_outbox` leaves fresh rows alone)."""
    OutboxMessage.objects.update(available_at=timezone.now() - FLUSH_GRACE - datetime.timedelta(seconds=1))


# --- The outage, end to end ----------------------------------------------------------------
@pytest.fixture
def scene(site_a, founder_a):
    """A founder of a startup admitted at site A, a mentor, a network seminar and a public
    event. Not `world`: it needs the migrations' data, which the flush after another
    transactional test has removed."""
    with scopes_disabled():
        startup = StartupFactory()
        StartupMemberFactory(startup=startup, user=founder_a)
        AdmissionFactory(startup=startup, site=site_a)
        mentor = MentorProfileFactory(user__email="mentor@example.ma", sites=[site_a])
        for weekday in range(7):
            WeeklyRuleFactory(mentor=mentor, weekday=weekday, starts_at=datetime.time(8), ends_at=datetime.time(20))
        seminar = ServiceFactory(site=None, format="live_stream", service_type="seminar")
        event = ServiceFactory(site=site_a, eligibility="public", service_type="immersion_day")
        return SimpleNamespace(
            startup=startup,
            mentor=mentor,
            seminar=ServiceSessionFactory(service=seminar),
            event=ServiceSessionFactory(service=event, seats=100),
        )


@pytest.mark.django_db(transaction=True)  # committed rows, for the worker
def test_bookings_registrations_and_logins_work_while_redis_is_down_and_their_emails_go_out_after(
    on_redis, client, scene, founder_a, outsider, caplog
):
    mentor = scene.mentor
    slot, api_slot = slot_on(mentor, 5, index=2), slot_on(mentor, 5, index=4)
    founder = client
    founder.force_login(founder_a)
    founder.cookies["django_language"] = "en"
    assert founder.get(book_url(mentor.pk, slot.start)).status_code == 200
    assert caches["sessions"].has_key(KEY_PREFIX + founder.session.session_key)  # cached in Redis

    on_redis.stop()
    started = time.monotonic()
    with caplog.at_level(logging.WARNING):
        # (a) The founder books a slot on the mentor's page, another through the API.
        response = founder.post(book_url(mentor.pk, slot.start), {"topic": "Seed"})
        with scopes_disabled():
            [booking] = Booking.objects.filter(starts_at=slot.start)
        assert response.status_code == 302
        assert response["Location"] == f"/me/mentoring/{booking.pk}/"
        assert founder.get(response["Location"]).status_code == 200
        response = founder.post(
            "/api/v1/mentor-bookings/",
            {"mentor": mentor.pk, "start": api_slot.start.isoformat(), "topic": "Export"},
            content_type="application/json",
        )
        assert response.status_code == 201, response.content
        with scopes_disabled():
            assert Booking.objects.filter(starts_at=api_slot.start, status="confirmed").exists()

        # (b) The founder registers their startup; a visitor registers to a public event.
        response = founder.post(f"/sessions/{scene.seminar.pk}/register/", {"startup": scene.startup.pk})
        assert response.status_code == 302
        visitor = Client()
        url = f"/sessions/{scene.event.pk}/register/"
        assert visitor.get(url).status_code == 200
        response = visitor.post(url, {"name": "Salma Idrissi", "email": "salma@example.ma"})
        assert response.status_code == 302
        with scopes_disabled():
            assert Registration.objects.get(session=scene.seminar, user=founder_a).status == "confirmed"
            assert Registration.objects.get(session=scene.event, email="salma@example.ma").status == (
                RegistrationStatus.CONFIRMED
            )

        # (c) Another user signs in (allauth's limits live in the cache); the session is
        # written to the database only.
        member = Client()
        assert member.get("/accounts/login/").status_code == 200
        response = member.post("/accounts/login/", {"login": outsider.email, "password": "wrong-password"})
        assert response.status_code == 200 and response.context["form"].errors
        response = member.post("/accounts/login/", {"login": outsider.email, "password": settings.DEMO_PASSWORD})
        assert response.status_code == 302
        assert member.session["_auth_user_id"] == str(outsider.pk)
        assert Session.objects.filter(session_key=member.session.session_key).exists()
        assert member.get("/me/mentoring/").wsgi_request.user == outsider
    outage = time.monotonic() - started

    # Nothing sent, every email waiting in the outbox; the failures were logged.
    expected = sorted(["mentor@example.ma"] * 2 + ["founder.a@example.ma"] * 3 + ["salma@example.ma"])
    rows = OutboxMessage.objects.all()
    assert sorted(row.to[0] for row in rows) == expected
    assert {row.status for row in rows} == {OutboxMessage.Status.PENDING}
    assert mail.outbox == []
    assert caplog.text.count("not enqueued; flush_outbox will deliver it") == len(expected)
    assert "Cache server unavailable" in caplog.text  # the throttles' fail-open is logged
    assert outage < 20, f"the requests of the outage took {outage:.1f} s"

    # Redis is back: the beat's flush goes through it to a worker, which sends each email once.
    on_redis.start()
    _age_outbox()
    with celery_worker() as ran:
        flush_outbox.delay()
        _wait_for(lambda: len(ran) == 1, what="the worker did not run the flush")
        flush_outbox.delay()
        _wait_for(lambda: len(ran) == 2, what="the worker did not run the second flush")
    assert ran == [("core.emails.flush_outbox", len(expected)), ("core.emails.flush_outbox", 0)]
    assert sorted(message.to[0] for message in mail.outbox) == expected
    assert {(row.status, row.attempts) for row in OutboxMessage.objects.all()} == {(OutboxMessage.Status.SENT, 1)}


# --- The caches while Redis is down --------------------------------------------------------
def test_the_default_cache_fails_soft_and_the_sessions_cache_raises(on_redis):
    default, sessions = caches["default"], caches["sessions"]
    default.set("kept", 1)
    on_redis.stop()
    assert default.get("kept") is None and default.get("kept", "fallback") == "fallback"
    assert default.get_many(["kept"]) == {} and not default.has_key("kept") and "kept" not in default
    assert default.set("kept", 2) is None
    assert default.set_many({"a": 1, "b": 2}) == ["a", "b"]  # not stored
    assert default.add("lock", 1) is True  # locks and rate limits fail open
    with pytest.raises(ValueError):  # as for a missing counter: the caller starts it again
        default.incr("counter")
    assert default.delete("kept") is False and default.touch("kept") is False
    default.delete_many(["a", "b"])
    with pytest.raises(redis.ConnectionError):  # nothing was cleared
        default.clear()
    for call in (lambda: sessions.get("s"), lambda: sessions.set("s", 1), lambda: sessions.delete("s")):
        with pytest.raises(redis.ConnectionError):
            call()


def test_an_outage_is_tried_once_then_skipped_for_a_few_seconds(redis_server, monkeypatch):
    monkeypatch.setattr(resilient_cache, "OUTAGE_SECONDS", 0.5)
    with override_settings(CACHES={**settings.CACHES, **redis_caches(redis_server.url)}):
        default = caches["default"]
        default.set("kept", 1)
        redis_server.stop()
        with mock.patch.object(default._cache, "get", wraps=default._cache.get) as tried:
            assert [default.get("kept") for _ in range(50)] == [None] * 50
            assert tried.call_count == 1  # the first call met the outage; the others skip it
            redis_server.start()
            assert default.get("kept") is None  # still taken for down
            time.sleep(0.6)
            default.set("kept", 3)
            assert default.get("kept") == 3
            assert tried.call_count == 2
