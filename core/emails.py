"""Outgoing email through a transactional outbox: rendered in the recipient's language,
written to `OutboxMessage` in the caller's transaction (so it exists if and only if the
change committed, and a rolled-back change never emails anybody), then delivered by Celery.

- On commit, `deliver_outbox_message` is enqueued for the new row. If the broker is down,
  the failure is logged and swallowed: the change has succeeded, the row stays pending.
- Every minute, `flush_outbox` (Celery beat) delivers the pending rows that are due: those
  written while the broker was down, and the retries after a failed send.
- Delivery locks the row, sends only if it is still pending and due, and marks it sent in
  the same transaction: a second delivery of the same message sends nothing. A failed send
  is retried later with exponential backoff, and marked failed after `MAX_ATTEMPTS`.

Sending is at least once, not exactly once: a worker killed after the mail server accepted
the message but before the commit leaves the row pending, and it is sent again.

Every rendered email has two parts: the plain text, rendered without HTML escaping (an
apostrophe stays an apostrophe, never `&#x27;`), and an HTML part in the portal's layout
(templates/email/base.html) with the language's `lang` and direction."""

import datetime
import logging

from celery import shared_task
from django.conf import settings
from django.core import mail
from django.db import connection, transaction
from django.template import Context, TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.utils import timezone, translation

from .bidi import strip_bidi
from .models import OutboxMessage

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BACKOFF_FIRST = datetime.timedelta(minutes=1)  # then 2, 4, 8… minutes
BACKOFF_MAX = datetime.timedelta(hours=1)
# `flush_outbox` leaves a fresh message to the task enqueued on commit for this long.
FLUSH_GRACE = datetime.timedelta(seconds=30)
FLUSH_BATCH = 200


# The brand of the pages' header (templates/base.html): emails name the portal, never a host.
PORTAL_NAME = "Technopark"


class EmailBody(str):
    """A plain-text body carrying its HTML part, so that `subject, body = email_render(...)`
    followed by `email_send_on_commit(subject=subject, body=body)` sends both unchanged."""

    html: str

    def __new__(cls, text: str, *, html: str) -> "EmailBody":
        body = super().__new__(cls, text)
        body.html = html
        return body


def email_text(*, template: str, context: dict) -> str:
    """Render a plain-text template with HTML escaping off: an apostrophe stays one."""
    return get_template(template).template.render(Context(context, autoescape=False))


def email_layout(*, subject: str, portal_url: str | None = None) -> dict:
    """The context of email/base.html besides the body: the portal's name and address."""
    return {"subject": subject, "portal_name": PORTAL_NAME, "portal_url": portal_url or settings.PORTAL_URL}


def email_html(*, text: str, subject: str, portal_url: str | None = None) -> str:
    """The HTML part of an email without an HTML template: its text, paragraphs kept and
    links made clickable, in the portal's layout, in the active language's direction."""
    text = str.__str__(text).strip()  # a plain str: a rendered template is "safe", it would not be escaped
    return render_to_string("email/base.html", {"text": text, **email_layout(subject=subject, portal_url=portal_url)})


def email_render(*, template: str, context: dict, language: str | None = None) -> tuple[str, EmailBody]:
    """Render `<template>_subject.txt` (on one line) and `<template>_message.txt` in
    `language`, as plain text, and the HTML part: `<template>_message.html` (extending
    email/base.html) where there is one, else the text in email/base.html."""
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = " ".join(email_text(template=f"{template}_subject.txt", context=context).split())
        text = email_text(template=f"{template}_message.txt", context=context)
        try:
            html_template = get_template(f"{template}_message.html")
        except TemplateDoesNotExist:
            html = email_html(text=text, subject=subject)
        else:
            html = html_template.render({**context, **email_layout(subject=subject)})
    return subject, EmailBody(text, html=html)


def email_message(
    *, to: list[str], subject: str, body: str, html: str | None = None, attachments: list | None = None
) -> mail.EmailMultiAlternatives:
    message = mail.EmailMultiAlternatives(subject=subject, body=body, to=to)
    if html:
        message.attach_alternative(html, "text/html")
    for filename, content, mimetype in attachments or []:
        message.attach(filename, content, mimetype)
    return message


def email_send_on_commit(
    *, to: list[str], subject: str, body: str, html: str | None = None, attachments: list | None = None
) -> None:
    """`attachments`: [(filename, text content, mimetype)], e.g. an `.ics` invitation.
    `html`: the HTML part; by default the one `email_render` rendered with `body`.

    Direction controls (U+202E…) are removed: the names in a plain-text email cannot be
    isolated as on the pages (core.bidi)."""
    message = OutboxMessage.objects.create(
        kind=OutboxMessage.Kind.EMAIL,
        to=list(to),
        subject=strip_bidi(subject),
        body=strip_bidi(body),
        html=strip_bidi(html if html is not None else getattr(body, "html", "")),
        attachments=[list(attachment) for attachment in attachments or []],
    )
    transaction.on_commit(lambda: outbox_enqueue(message.pk))


def outbox_enqueue(message_id: int) -> None:
    """Ask a worker to deliver the message now. Never raises: with the broker down (or any
    other failure) the message stays pending and `flush_outbox` delivers it later."""
    try:
        deliver_outbox_message.delay(message_id)
    except Exception:
        logger.warning("Outbox message %s not enqueued; flush_outbox will deliver it", message_id, exc_info=True)


def outbox_backoff(attempts: int) -> datetime.timedelta:
    """The wait before the next attempt, after `attempts` failed ones."""
    return min(BACKOFF_FIRST * 2 ** (attempts - 1), BACKOFF_MAX)


def outbox_deliver(message_id: int, *, now: datetime.datetime | None = None) -> bool:
    """Send one message if it is still pending and due; True if it was sent now. Idempotent:
    the row is locked (a concurrent delivery skips it) and marked sent in the same
    transaction, so a message is never sent twice by two deliveries."""
    now = now or timezone.now()
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=connection.features.has_select_for_update_skip_locked)
            .filter(pk=message_id, status=OutboxMessage.Status.PENDING, available_at__lte=now)
            .first()
        )
        if message is None:  # sent, failed, not yet due, or being delivered right now
            return False
        message.attempts += 1
        try:
            email_message(
                to=message.to,
                subject=message.subject,
                body=message.body,
                html=message.html,
                attachments=message.attachments,
            ).send()
        except Exception as error:
            message.last_error = f"{type(error).__name__}: {error}"[:2000]
            if message.attempts >= MAX_ATTEMPTS:
                message.status = OutboxMessage.Status.FAILED
                logger.error("Outbox message %s failed after %s attempts: %s", message.pk, message.attempts, error)
            else:
                message.available_at = now + outbox_backoff(message.attempts)
                logger.warning("Outbox message %s not sent (attempt %s): %s", message.pk, message.attempts, error)
            message.save(update_fields=["attempts", "last_error", "status", "available_at"])
            return False
        message.status = OutboxMessage.Status.SENT
        message.sent_at = now
        message.save(update_fields=["attempts", "status", "sent_at"])
        return True


def outbox_due(now: datetime.datetime | None = None):
    """Ids of the pending messages that are due and not just written (those have a delivery
    enqueued on commit), oldest first."""
    now = now or timezone.now()
    return (
        OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING, available_at__lte=now - FLUSH_GRACE)
        .order_by("available_at", "pk")
        .values_list("pk", flat=True)
    )


# --- The outbox's tasks ---------------------------------------------------------------
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
