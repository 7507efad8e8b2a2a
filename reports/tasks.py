"""Celery tasks of the reports app."""

import datetime

from celery import shared_task
from django.utils import timezone

from . import snapshots


@shared_task(acks_late=True)
def compute_kpi_snapshots(as_of: str | None = None) -> int:
    """Nightly (Celery beat): the snapshots of the network, every region and every site as
    of `as_of` (ISO date; default today). Idempotent: reruns rewrite the same rows."""
    day = datetime.date.fromisoformat(as_of) if as_of else timezone.localdate()
    return snapshots.snapshots_compute(as_of=day)
