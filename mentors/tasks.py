"""Celery tasks of the mentors app (thin: find what is due, call an action)."""

from celery import shared_task
from django.utils import timezone

from sites.scoping import network_scope

from . import actions
from .models import Booking
from .selectors.bookings import bookings_due_reminder


@shared_task
def send_booking_reminders() -> int:
    """Every 15 minutes (Celery beat): remind both sides of the sessions of the next 24
    hours; returns how many bookings were reminded. Idempotent: each booking once."""
    sent = 0
    # Reviewed network-wide read: the bookings of every site.
    with network_scope():
        for pk in list(bookings_due_reminder(now=timezone.now())):
            if actions.booking_remind(booking=Booking(pk=pk)):
                sent += 1
    return sent
