"""Celery tasks of the services app (thin: find what is due, call an action)."""

import datetime

from celery import shared_task
from django.db.models import F
from django.utils import timezone

from sites.scoping import network_scope

from . import actions
from .models import Registration, RegistrationStatus, SessionStatus

REMINDER_AHEAD = datetime.timedelta(hours=24)


def due_reminders(now: datetime.datetime | None = None):
    """Confirmed seats at scheduled sessions starting within the next 24 hours, not yet
    reminded, booked before that 24-hour window opened (a late registrant has just
    received the confirmation with its calendar file). Run inside `network_scope()`."""
    now = now or timezone.now()
    return (
        Registration.objects.filter(
            status=RegistrationStatus.CONFIRMED,
            reminded_at__isnull=True,
            session__status=SessionStatus.SCHEDULED,
            session__starts_at__gt=now,
            session__starts_at__lte=now + REMINDER_AHEAD,
            created_at__lt=F("session__starts_at") - REMINDER_AHEAD,
        )
        .order_by("session__starts_at", "pk")
        .values_list("pk", flat=True)
    )


@shared_task
def send_session_reminders() -> int:
    """Every 15 minutes (Celery beat): email the reminders that are due; returns how many
    were sent. Idempotent: each registration is reminded at most once."""
    sent = 0
    # Reviewed network-wide read: reminders for the sessions of every site and e-Technopark.
    with network_scope():
        for pk in list(due_reminders()):
            if actions.registration_remind(registration=Registration(pk=pk)):
                sent += 1
    return sent
