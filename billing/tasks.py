"""Celery tasks of invoicing (thin: decide the month, call the action)."""

from celery import shared_task
from django.utils import timezone

from . import tasks_reminders  # noqa: F401 (registers the payment reminders' task)
from .actions.run import monthly_run
from .selectors.owed import month_parse, month_previous


@shared_task
def monthly_invoices_draft(month_iso: str | None = None) -> dict:
    """Monthly (Celery beat, on the 1st): the draft invoices of `month_iso` ("2026-11"; by
    default the month just ended) for every operational site's startups. Reruns make
    nothing twice (billing.actions_run.monthly_run); returns the run's counts."""
    month = month_parse(month_iso) if month_iso else month_previous(timezone.localdate())
    return monthly_run(actor=None, month=month).as_dict()
