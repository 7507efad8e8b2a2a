"""Celery tasks of attestations (thin: call the action)."""

from celery import shared_task

from sites.scoping import network_scope

from . import actions


@shared_task
def issue_certificates() -> tuple[int, int]:
    """Every hour (Celery beat): the certificates of attendance and completion earned since,
    and those withdrawn after a corrected attendance (`actions.certificates_issue`)."""
    with network_scope():  # every site's sessions and programmes, and the network's
        return actions.certificates_issue()
