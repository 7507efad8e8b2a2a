"""Nothing lost: every email is an outbox row written in the caller's transaction, delivered
by Celery once committed, retried with backoff, never sent twice, and still delivered when
the broker was down at commit time."""

import datetime
import threading
import time
from unittest import mock

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django_scopes import scopes_disabled
from kombu.exceptions import OperationalError as BrokerDown

from core import emails
from core.emails import deliver_outbox_message, email_send_on_commit, flush_outbox
from core.models import OutboxMessage
from services.models import Registration, RegistrationStatus

pytestmark = pytest.mark.django_db

FAILING = "tests.core.test_outbox.FailingBackend"


class FailingBackend(BaseEmailBackend):
    """A mail server that refuses everything."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("mail server unreachable")


def _write(**extra) -> OutboxMessage:
    """One committed outbox row whose delivery was not run (no on-commit callbacks)."""
    email_send_on_commit(to=["salma@example.ma"], subject="Bienvenue", body="Marhba", **extra)
    return OutboxMessage.objects.get()


def _later(minutes: float) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(minutes=minutes)


def _wait(minutes: float) -> None:
    """As if `minutes` had passed for the outbox."""
    OutboxMessage.objects.update(available_at=F("available_at") - datetime.timedelta(minutes=minutes))


# --- Written in the caller's transaction ---------------------------------------------------
def test_a_committed_change_writes_one_row_and_delivers_it(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        email_send_on_commit(
            to=["salma@example.ma"],
            subject="Invitation",
            body="Voir le fichier joint",
            html="<p>Voir le fichier joint</p>",
            attachments=[("session.ics", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")],
        )
        # Written now, sent only once committed.
        assert OutboxMessage.objects.get().status == OutboxMessage.Status.PENDING
        assert mail.outbox == []
    [row] = OutboxMessage.objects.all()
    assert (row.status, row.attempts, row.last_error) == (OutboxMessage.Status.SENT, 1, "")
    assert row.sent_at is not None
    [message] = mail.outbox
    assert (message.to, message.subject, message.body) == (["salma@example.ma"], "Invitation", "Voir le fichier joint")
    assert message.alternatives[0][1] == "text/html"
    assert message.attachments == [("session.ics", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")]


def test_a_rolled_back_change_writes_nothing_and_sends_nothing(django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks(execute=True)
    with capture as callbacks, pytest.raises(RuntimeError), transaction.atomic():
        email_send_on_commit(to=["salma@example.ma"], subject="Bienvenue", body="Marhba")
        raise RuntimeError("the change fails")
    assert callbacks == []
    assert not OutboxMessage.objects.exists()
    assert mail.outbox == []


def test_outbox_rows_are_not_site_owned():
    # Network infrastructure: reachable without a scope, and not in the tenancy meta-tests.
    assert not any(field.name == "site" for field in OutboxMessage._meta.get_fields())
    assert list(OutboxMessage.objects.all()) == []


# --- Delivery ------------------------------------------------------------------------------
def test_delivering_twice_sends_once():
    row = _write()
    assert deliver_outbox_message.delay(row.pk).get() is True
    assert deliver_outbox_message.delay(row.pk).get() is False  # e.g. redelivered after a worker died
    assert flush_outbox.delay().get() == 0
    assert len(mail.outbox) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboxMessage.Status.SENT, 1)


def test_a_missing_or_not_yet_due_message_is_not_sent():
    assert emails.outbox_deliver(987654) is False
    row = _write()
    OutboxMessage.objects.filter(pk=row.pk).update(available_at=_later(5))
    assert emails.outbox_deliver(row.pk) is False
    assert emails.outbox_deliver(row.pk, now=_later(6)) is True
    assert len(mail.outbox) == 1


def test_tasks_are_late_acknowledged():
    assert deliver_outbox_message.acks_late and flush_outbox.acks_late


def test_a_failing_mail_server_backs_off_then_fails(settings):
    settings.EMAIL_BACKEND = FAILING
    row = _write()
    now = timezone.now()
    waits = []
    for attempt in range(1, emails.MAX_ATTEMPTS):
        assert emails.outbox_deliver(row.pk, now=now) is False
        row.refresh_from_db()
        assert (row.status, row.attempts) == (OutboxMessage.Status.PENDING, attempt)
        assert row.last_error == "ConnectionRefusedError: mail server unreachable"
        waits.append(row.available_at - now)
        # Not retried before the backoff is over.
        assert emails.outbox_deliver(row.pk, now=row.available_at - datetime.timedelta(seconds=1)) is False
        assert OutboxMessage.objects.get(pk=row.pk).attempts == attempt
        now = row.available_at
    assert waits[:3] == [datetime.timedelta(minutes=minutes) for minutes in (1, 2, 4)]
    assert waits == sorted(waits) and waits[-1] <= datetime.timedelta(hours=1)
    assert emails.outbox_deliver(row.pk, now=now) is False  # the last attempt
    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboxMessage.Status.FAILED, emails.MAX_ATTEMPTS)
    # A failed message is left for head office to see: never retried.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert emails.outbox_deliver(row.pk, now=_later(24 * 60)) is False
    assert mail.outbox == []


def test_a_failed_send_is_retried_by_the_flush(settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = FAILING
    with django_capture_on_commit_callbacks(execute=True):
        email_send_on_commit(to=["salma@example.ma"], subject="Bienvenue", body="Marhba")
    row = OutboxMessage.objects.get()
    assert (row.status, row.attempts) == (OutboxMessage.Status.PENDING, 1)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert flush_outbox() == 0  # not due yet
    _wait(2)
    assert flush_outbox() == 1
    assert [message.to for message in mail.outbox] == [["salma@example.ma"]]
    assert OutboxMessage.objects.get().status == OutboxMessage.Status.SENT


# --- With the broker down ------------------------------------------------------------------
def test_a_registration_succeeds_with_the_broker_down_and_its_email_goes_out_later(
    client, world, founder_a, django_capture_on_commit_callbacks, caplog
):
    client.force_login(founder_a)
    client.cookies["django_language"] = "en"
    down = mock.patch.object(deliver_outbox_message, "delay", side_effect=BrokerDown("Error 111 connecting"))
    with down as delay, django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/sessions/{world['session_network']}/register/", {"startup": world["startup_a"]})
    assert response.status_code == 302
    assert delay.call_count == 1
    with scopes_disabled():
        [registration] = Registration.objects.filter(session_id=world["session_network"])
    assert registration.status == RegistrationStatus.CONFIRMED
    [row] = OutboxMessage.objects.all()
    assert (row.status, row.to, row.attempts) == (OutboxMessage.Status.PENDING, [founder_a.email], 0)
    assert mail.outbox == []
    assert "not enqueued" in caplog.text
    # The broker is back: the next flush (every minute) delivers it, once.
    assert flush_outbox() == 0  # still within the grace left to the task enqueued on commit
    _wait(1)
    assert flush_outbox() == 1
    assert flush_outbox() == 0
    assert [message.to for message in mail.outbox] == [[founder_a.email]]
    assert OutboxMessage.objects.get().status == OutboxMessage.Status.SENT


def test_any_enqueue_failure_is_swallowed(django_capture_on_commit_callbacks):
    broken = mock.patch.object(deliver_outbox_message, "delay", side_effect=RuntimeError("boom"))
    with broken as delay, django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        email_send_on_commit(to=["salma@example.ma"], subject="Bienvenue", body="Marhba")
    assert delay.call_count == 1
    assert OutboxMessage.objects.get().status == OutboxMessage.Status.PENDING


def test_the_flush_is_scheduled_every_minute(settings):
    assert settings.CELERY_BEAT_SCHEDULE["flush-outbox"] == {"task": "core.emails.flush_outbox", "schedule": 60}


def test_the_flush_delivers_oldest_first_in_batches(monkeypatch):
    monkeypatch.setattr(emails, "FLUSH_BATCH", 2)
    for index in range(3):
        email_send_on_commit(to=[f"n{index}@example.ma"], subject="S", body="B")
    _wait(1)
    assert flush_outbox() == 2
    assert [message.to for message in mail.outbox] == [["n0@example.ma"], ["n1@example.ma"]]
    assert flush_outbox() == 1
    assert OutboxMessage.objects.filter(status=OutboxMessage.Status.SENT).count() == 3


# --- Admin ---------------------------------------------------------------------------------
def test_head_office_sees_failures_read_only(client, staff, settings):
    settings.EMAIL_BACKEND = FAILING
    row = _write()
    OutboxMessage.objects.filter(pk=row.pk).update(status=OutboxMessage.Status.FAILED, last_error="550 no such user")
    email_send_on_commit(to=["other@example.ma"], subject="Autre", body="B")
    client.force_login(staff)
    listing = client.get("/admin/core/outboxmessage/", {"status__exact": "failed"})
    assert listing.status_code == 200
    assert "salma@example.ma" in listing.content.decode()
    assert "other@example.ma" not in listing.content.decode()
    search = client.get("/admin/core/outboxmessage/", {"q": "other@example"})
    assert "other@example.ma" in search.content.decode()
    assert "salma@example.ma" not in search.content.decode()
    detail = client.get(f"/admin/core/outboxmessage/{row.pk}/change/")
    assert detail.status_code == 200 and "550 no such user" in detail.content.decode()
    assert client.get("/admin/core/outboxmessage/add/").status_code == 403
    assert client.post(f"/admin/core/outboxmessage/{row.pk}/delete/", {"post": "yes"}).status_code == 403


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not connection.features.has_select_for_update_skip_locked, reason="needs SKIP LOCKED (PostgreSQL)")
def test_a_delivery_in_progress_is_skipped_by_a_concurrent_one():
    row = OutboxMessage.objects.create(to=["salma@example.ma"], subject="Bienvenue", body="Marhba")
    locked, release = threading.Event(), threading.Event()

    def other_worker():
        # A worker in the middle of sending this message: it holds the row lock.
        with transaction.atomic():
            OutboxMessage.objects.select_for_update().get(pk=row.pk)
            locked.set()
            release.wait(10)
        connection.close()

    thread = threading.Thread(target=other_worker)
    thread.start()
    try:
        assert locked.wait(10)
        started = time.monotonic()
        assert emails.outbox_deliver(row.pk) is False  # skipped at once, not waited for
        assert time.monotonic() - started < 2
    finally:
        release.set()
        thread.join()
    assert mail.outbox == []
    assert OutboxMessage.objects.get().status == OutboxMessage.Status.PENDING
