"""Celery tasks of the mentors app (thin: find what is due, call an action)."""

import datetime

from celery import shared_task
from django.db.models import F
from django.utils import timezone

from sites.scoping import network_scope

from . import actions
from .models import Booking, BookingStatus

REMINDER_AHEAD = datetime.timedelta(hours=24)


def due_reminders(now: datetime.datetime | None = None):
    """Confirmed bookings starting within the next 24 hours, not yet reminded, made before
    that window opened (a late booking has just had its confirmation). Run inside
    `network_scope()`."""
    now = now or timezone.now()
    return (
        Booking.objects.filter(
            status=BookingStatus.CONFIRMED,
            reminded_at__isnull=True,
            starts_at__gt=now,
            starts_at__lte=now + REMINDER_AHEAD,
            created_at__lt=F("starts_at") - REMINDER_AHEAD,
        )
        .order_by("starts_at", "pk")
        .values_list("pk", flat=True)
    )


@shared_task
def send_booking_reminders() -> int:
    """Every 15 minutes (Celery beat): remind both sides of the sessions of the next 24
    hours; returns how many bookings were reminded. Idempotent: each booking once."""
    sent = 0
    # Reviewed network-wide read: the bookings of every site.
    with network_scope():
        for pk in list(due_reminders()):
            if actions.booking_remind(booking=Booking(pk=pk)):
                sent += 1
    return sent
