"""Celery tasks of the services app (thin: find what is due, call an action)."""

from celery import shared_task
from django.utils import timezone

from sites.scoping import network_scope

from . import actions
from .models import Registration
from .selectors import catalogue as catalogue_selectors


@shared_task
def send_session_reminders() -> int:
    """Every 15 minutes (Celery beat): email the reminders that are due
    (`catalogue_selectors.registrations_due_reminder`); returns how many were sent.
    Idempotent: each registration is reminded at most once."""
    sent = 0
    # Reviewed network-wide read: reminders for the sessions of every site and e-Technopark.
    with network_scope():
        for pk in list(catalogue_selectors.registrations_due_reminder(now=timezone.now())):
            if actions.registration_remind(registration=Registration(pk=pk)):
                sent += 1
    return sent
