"""Celery tasks of the reports app."""

import datetime
import logging

from celery import shared_task
from django.utils import timezone

from . import snapshots

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


@shared_task(bind=True, acks_late=True, max_retries=12)
def generate_board_report(self, report_id: int) -> str | None:
    """Generate a monthly board report (PDF and XLSX) and email head office; returns its
    final status, or None when there was nothing to do (see reports.board). A done report
    is never regenerated.

    Acknowledged late: if the worker dies mid-report the message comes back (after the
    broker's visibility timeout; the sweeper `reclaim_stalled_board_reports` sends the
    report again sooner, once its heartbeat is stale). Finding the report still "running"
    with a fresh heartbeat (a duplicate delivery, or a redelivery right after a worker
    process died), the task looks again once that heartbeat would be stale, and then
    claims the report if its worker is indeed gone (up to 12 times, i.e. about two hours
    of a report still running)."""
    from .board import BUSY, board_report_generate
    from .models import BOARD_REPORT_STALE_AFTER

    status = board_report_generate(report_id=report_id)
    if status != BUSY:
        return status
    if self.request.is_eager or self.request.retries >= self.max_retries:
        return None  # nobody to wait for in-process; past the retries, a new request resumes it
    raise self.retry(countdown=BOARD_REPORT_STALE_AFTER.total_seconds() + 60)


@shared_task
def request_monthly_board_reports() -> int:
    """Monthly (Celery beat, on the 1st): request last month's board report of the network
    and of every operational site; returns how many reports that covers. Reruns return the
    same rows (one per scope and month) and regenerate nothing that is done."""
    from .board import board_reports_request_monthly

    return len(board_reports_request_monthly())


@shared_task
def reclaim_stalled_board_reports() -> list[int]:
    """Every minute (Celery beat, on the default queue): send the board reports that no
    live worker is generating (running with a stale heartbeat, or queued for as long) to
    the workers again, where the claim lets exactly one run take each over; returns their
    ids (reports.board.board_reports_reclaim)."""
    from .board import board_reports_reclaim

    return board_reports_reclaim()
