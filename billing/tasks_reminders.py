"""The payment reminders' Celery task (thin: billing.reminders does the work)."""

from celery import shared_task

from .reminders import reminders_send


@shared_task
def send_invoice_reminders() -> int:
    """Every day at 08:00 (Celery beat): the reminders of the invoices due today, 15 and 30
    days ago, at every site; returns the number of emails queued. Reruns send nothing new."""
    return reminders_send()
