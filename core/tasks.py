from celery import shared_task
from django.core.management import call_command

from .emails import FLUSH_BATCH, email_message, outbox_deliver, outbox_due


@shared_task(acks_late=True)
def deliver_outbox_message(message_id: int) -> bool:
    """Send one outbox message (enqueued when its transaction commits). Idempotent: a
    redelivery, or a message already sent by `flush_outbox`, sends nothing."""
    return outbox_deliver(message_id)


@shared_task(acks_late=True)
def flush_outbox() -> int:
    """Every minute (Celery beat): deliver the pending messages that are due, oldest first,
    at most `FLUSH_BATCH` a run: those written while the broker was down and the retries.
    Returns how many were sent."""
    return sum(outbox_deliver(pk) for pk in list(outbox_due()[:FLUSH_BATCH]))


@shared_task(acks_late=True)
def send_email(
    *, to: list[str], subject: str, body: str, html: str | None = None, attachments: list | None = None
) -> None:
    """Send at once, without the outbox: only tests/core/test_celery_worker.py uses it
    (a real worker, no shared database). The portal sends through core.emails."""
    email_message(to=to, subject=subject, body=body, html=html, attachments=attachments).send()


@shared_task
def clear_expired_sessions() -> None:
    call_command("clearsessions")
