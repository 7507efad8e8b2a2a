from smtplib import SMTPException

from celery import shared_task
from django.core import mail
from django.core.management import call_command


@shared_task(autoretry_for=(SMTPException, ConnectionError), retry_backoff=True, max_retries=8)
def send_email(
    *, to: list[str], subject: str, body: str, html: str | None = None, attachments: list | None = None
) -> None:
    message = mail.EmailMultiAlternatives(subject=subject, body=body, to=to)
    if html:
        message.attach_alternative(html, "text/html")
    for filename, content, mimetype in attachments or []:
        message.attach(filename, content, mimetype)
    message.send()


@shared_task
def clear_expired_sessions() -> None:
    call_command("clearsessions")
