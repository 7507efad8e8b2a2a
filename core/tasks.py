from celery import shared_task
from django.core.management import call_command

from .emails import email_message


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
