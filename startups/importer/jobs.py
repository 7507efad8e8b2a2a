"""The history import as a background job (core.jobs): queueing a confirmed import, the
Celery task that applies it, its live progress and the sweeper that sends again the jobs
whose worker died. The tasks live here, with the action that queues them, as the board
reports' do (reports.board.jobs); startups.tasks imports this module so that the workers
register them (under their former names, `startups.tasks.*`)."""

import logging

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from core.audit import AuditEntry, audit_record
from core.jobs import JobStatus, LostClaim, job_claim, job_fail, job_finish, jobs_resend
from sites.scoping import network_scope

from ..models import ImportJob
from . import import_history

logger = logging.getLogger(__name__)
PROGRESS_EVERY = 100  # records between two progress reports of a history import
PROGRESS_TTL = 24 * 60 * 60


@transaction.atomic
def history_import_queue(*, actor, texts: dict[str, str | None], names: dict[str, str], total: int) -> ImportJob:
    """A job for the previewed files (`texts` and `names` by kind: startups,
    declarations; None for a file not given), applied in the background once committed.
    The audit entry names the files and counts the records, without their contents."""
    job = ImportJob.objects.create(
        created_by=actor,
        startups_name=str(names.get("startups", ""))[:255],
        startups_csv=texts["startups"],
        declarations_name=str(names.get("declarations", ""))[:255],
        declarations_csv=texts["declarations"],
        total_rows=total,
    )
    summary = {"startups_name": job.startups_name, "declarations_name": job.declarations_name, "total_rows": total}
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, instance=job, after=summary)
    transaction.on_commit(lambda: run_history_import.delay(job.pk))
    return job


def import_progress_key(job_id: int) -> str:
    return f"startups:import-job:{job_id}:progress"


def import_progress(job: ImportJob) -> tuple[int, int]:
    """(processed, total) of a job: the row's figures, or the live ones of a running job
    (written to the cache, as the import's transaction hides the row's until it commits)."""
    if job.status == JobStatus.RUNNING:
        live = cache.get(import_progress_key(job.pk))
        if live:
            return live[0], live[1]
    return job.processed_rows, job.total_rows


@shared_task(name="startups.tasks.run_history_import")  # its name before it moved here
def run_history_import(job_id: int) -> str | None:
    """Apply a confirmed history import (an ImportJob); returns the job's final status, or
    None when there was nothing to do.

    A background job (core.jobs): acknowledged late, each delivery claims the row first,
    so a job done, failed or running (a duplicate delivery, a second call) is left alone
    — except one running for longer than `ImportJob.stale_after`, whose worker died (the
    broker redelivers it after its visibility timeout; the sweeper
    `reclaim_stalled_history_imports` sends it again sooner): that one is claimed again.
    The importer applies everything in one transaction: a job that died wrote nothing."""
    claim, _status = job_claim(ImportJob, job_id)
    if claim is None:
        return None
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    key = import_progress_key(job.pk)

    def progress(done: int, total: int) -> None:
        if done == 0 or done == total or done % PROGRESS_EVERY == 0:
            cache.set(key, (done, total), PROGRESS_TTL)

    language = getattr(job.created_by, "language", "") or settings.LANGUAGE_CODE
    # The report's messages are written in the language of the person who confirmed.
    with translation.override(language):
        status = _apply(job, claim, progress)
    cache.delete(key)
    return status


@shared_task(name="startups.tasks.reclaim_stalled_history_imports")
def reclaim_stalled_history_imports() -> list[int]:
    """Every minute (Celery beat): send again the imports no live worker is applying
    (core.jobs.jobs_resend); returns their ids."""
    return jobs_resend(ImportJob, run_history_import)


def _apply(job: ImportJob, claim, progress) -> str | None:
    """Import the job's files and record the outcome on the row (if the run still owns it)."""
    try:
        # Reviewed network-wide write: head office imports records of every site.
        with network_scope():
            # Without the per-record list: the stored report keeps the counts and errors only.
            report = import_history(
                job.startups_csv,
                job.declarations_csv,
                dry_run=False,
                actor=job.created_by,
                progress=progress,
                details=False,
            )
    except Exception as error:  # noqa: BLE001 — the job must not stay "running"; the details go to the log
        logger.exception("history import %s failed", job.pk)
        message = _("The import stopped unexpectedly (%(error)s): nothing was written.") % {
            "error": error.__class__.__name__
        }
        job_fail(ImportJob, job.pk, claim, message)
        return JobStatus.FAILED
    total = sum(sum(numbers.values()) for numbers in report.counts.values())
    outcome = {
        "report": {key: value for key, value in report.to_dict().items() if key != "changes"},
        "total_rows": total,
    }
    if report.applied:
        outcome.update(status=JobStatus.DONE, processed_rows=total, progress=100)
    else:
        outcome.update(
            status=JobStatus.FAILED,
            error=_(
                "Nothing was imported: the data changed since the preview. Check the errors below and upload "
                "corrected files."
            ),
        )
    try:
        job_finish(ImportJob, job.pk, claim, **outcome)
    except LostClaim:
        logger.warning("history import %s: another run took it over; this one's outcome is dropped", job.pk)
        return None
    return outcome["status"]
