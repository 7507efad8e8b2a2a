"""Outgoing email: rendered in the recipient's language, sent by Celery once the current
transaction commits (so a rolled-back change never emails anybody)."""

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation


def email_render(*, template: str, context: dict, language: str | None = None) -> tuple[str, str]:
    """Render `<template>_subject.txt` and `<template>_message.txt` in `language`."""
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        body = render_to_string(f"{template}_message.txt", context)
    return subject, body


def email_send_on_commit(
    *, to: list[str], subject: str, body: str, html: str | None = None, attachments: list | None = None
) -> None:
    """`attachments`: [(filename, text content, mimetype)], e.g. an `.ics` invitation."""
    from .tasks import send_email

    transaction.on_commit(
        lambda: send_email.delay(to=to, subject=subject, body=body, html=html, attachments=attachments or [])
    )
