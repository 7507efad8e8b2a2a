"""Celery tasks of the startups app (thin: find what is due, call an action). The history
import's tasks live with its job (startups.importer.jobs), imported here so that workers
register them."""

from celery import shared_task
from django.utils import timezone

from sites.scoping import network_scope

from . import actions
from .importer import jobs  # noqa: F401 — registers the history import's tasks
from .selectors.declarations import startups_to_remind


@shared_task
def send_declaration_reminders() -> int:
    """Monthly (Celery beat): remind the founders of every startup supported now
    (network-wide: residents, e-Technopark members and alumni who left in the last five
    years) that has not declared last fiscal year; returns the number of emails sent
    (`actions.declaration_reminders_send`: at most one reminder a month, a campaign)."""
    today = timezone.localdate()
    fiscal_year = today.year - 1
    # Reviewed network-wide read: reminders go to every site's startups.
    with network_scope():
        startups = startups_to_remind(fiscal_year=fiscal_year, on=today)
    return actions.declaration_reminders_send(startups=startups, fiscal_year=fiscal_year, today=today)
