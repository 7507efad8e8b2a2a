"""Celery tasks of the reports app: the nightly KPI snapshots. The board reports' tasks
live with their jobs in reports.board.jobs (as the outbox's live in core.emails); they are
imported here because Celery's autodiscovery imports `<app>.tasks`."""

import datetime
import logging

from celery import shared_task
from django.utils import timezone

from . import snapshots
from .board import jobs as board_jobs  # noqa: F401 (registers the board reports' tasks)

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def compute_kpi_snapshots(as_of: str | None = None) -> int:
    """Nightly (Celery beat): the snapshots of the network, every region and every site as
    of `as_of` (ISO date; default today), then the year-end snapshots (31 December) of the
    past years still missing (`snapshots.year_ends_backfill`: the whole history on the first
    night, nothing afterwards but each new 31 December's row if that night's run was missed),
    then the month-end snapshots still missing (`snapshots.month_ends_backfill`, likewise).

    Returns the number of snapshot rows written for `as_of` (one per scope); the number of
    year-ends backfilled goes to the log. Idempotent: reruns rewrite the same rows."""
    day = datetime.date.fromisoformat(as_of) if as_of else timezone.localdate()
    written = snapshots.snapshots_compute(as_of=day)
    years = snapshots.year_ends_backfill(today=day)
    if years:
        logger.info("KPI snapshots: %s past year-end(s) backfilled", years)
    months = snapshots.month_ends_backfill(today=day)
    if months:
        logger.info("KPI snapshots: %s past month-end(s) backfilled", months)
    return written
