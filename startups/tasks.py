"""Celery tasks of the startups app (thin: compute, then call the email helpers)."""

import logging

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.emails import email_render, email_send_on_commit
from core.jobs import JobStatus, LostClaim, job_claim, job_fail, job_finish, jobs_resend
from sites.scoping import network_scope

from .importer import import_history
from .models import DeclarationReminder, ImportJob, StartupMember, TeamRole
from .selectors.declarations import undeclared_admissions

logger = logging.getLogger(__name__)
PROGRESS_EVERY = 100  # records between two progress reports of a history import
PROGRESS_TTL = 24 * 60 * 60


@shared_task
def send_declaration_reminders() -> int:
    """Email the founders of every startup admitted now (network-wide) that has not declared
    last fiscal year; returns the number of emails sent.

    At most one reminder per (startup, fiscal year, calendar month): a DeclarationReminder
    row claims it in the same transaction as the emails are queued (sent on commit), so
    reruns and concurrent beats send nothing twice."""
    today = timezone.localdate()
    fiscal_year = today.year - 1
    month = today.replace(day=1)
    founders = Prefetch(
        "startup__members",
        queryset=StartupMember.objects.filter(role=TeamRole.FOUNDER, user__is_active=True).select_related("user"),
        to_attr="founder_members",
    )
    sent = 0
    # Reviewed network-wide read: reminders go to every site's startups.
    with network_scope():
        admissions = (
            undeclared_admissions(fiscal_year=fiscal_year, on=today)
            .select_related("startup")
            .prefetch_related(founders)
            .order_by("startup_id", "pk")
        )
        startups = {admission.startup_id: admission.startup for admission in admissions}
    for startup in startups.values():
        if not startup.founder_members:
            continue
        with transaction.atomic():
            _reminder, created = DeclarationReminder.objects.get_or_create(
                startup=startup, fiscal_year=fiscal_year, month=month
            )
            if not created:
                continue  # already reminded this month
            declare_url = settings.PORTAL_URL + reverse("startups:declarations", kwargs={"pk": startup.pk})
            for member in startup.founder_members:
                user = member.user
                subject, body = email_render(
                    template="startups/email/declaration_reminder",
                    context={"user": user, "startup": startup, "fiscal_year": fiscal_year, "declare_url": declare_url},
                    language=user.language,
                )
                email_send_on_commit(to=[user.email], subject=subject, body=body)
                sent += 1
    return sent


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


@shared_task
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


@shared_task
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
