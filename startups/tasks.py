"""Celery tasks of the startups app (thin: compute, then call the email helpers)."""

import datetime
import logging

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.emails import email_render, email_send_on_commit
from sites.scoping import network_scope

from . import selectors
from .importer import import_history
from .models import DeclarationReminder, ImportJob, ImportJobStatus, StartupMember, TeamRole

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
            selectors.undeclared_admissions(fiscal_year=fiscal_year, on=today)
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
    if job.status == ImportJobStatus.RUNNING:
        live = cache.get(import_progress_key(job.pk))
        if live:
            return live[0], live[1]
    return job.processed_rows, job.total_rows


# A job "running" for longer than this is taken to be dead (its import is one transaction,
# so it cannot give signs of life on its row): the longest an import may run.
STALE_AFTER = datetime.timedelta(minutes=30)


def _claimable(now: datetime.datetime) -> Q:
    """The jobs a run may claim: queued, or running for longer than STALE_AFTER."""
    return Q(status=ImportJobStatus.QUEUED) | Q(status=ImportJobStatus.RUNNING, started_at__lt=now - STALE_AFTER)


@shared_task
def run_history_import(job_id: int) -> str | None:
    """Apply a confirmed history import (an ImportJob); returns the job's final status.

    Idempotent: the job is claimed by a conditional update queued → running, so a job
    done, failed or running (a duplicate delivery, a second call) is left alone — except a
    job "running" for longer than STALE_AFTER, whose worker died (the task is acknowledged
    late, so the broker redelivers it after its visibility timeout, and the sweeper
    `reclaim_stalled_history_imports` sends it again within a minute of STALE_AFTER): that
    one is claimed again. The importer applies everything in one transaction: a job that
    died wrote nothing."""
    now = timezone.now()
    if not ImportJob.objects.filter(_claimable(now), pk=job_id).update(status=ImportJobStatus.RUNNING, started_at=now):
        return None
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    key = import_progress_key(job.pk)

    def progress(done: int, total: int) -> None:
        if done == 0 or done == total or done % PROGRESS_EVERY == 0:
            cache.set(key, (done, total), PROGRESS_TTL)

    language = getattr(job.created_by, "language", "") or settings.LANGUAGE_CODE
    # The report's messages are written in the language of the person who confirmed.
    with translation.override(language):
        _apply(job, progress)
    cache.delete(key)
    return job.status


@shared_task
def reclaim_stalled_history_imports() -> list[int]:
    """Every minute (Celery beat): send again the jobs no live worker is applying — running
    for longer than STALE_AFTER (the worker died: `kill -9` sends nothing, and the broker
    would redeliver only after its visibility timeout), or queued for as long (the message
    was lost) — where `run_history_import`'s claim lets exactly one run take each over.
    Returns their ids. Each message expires after two sweeps, so a queue with no worker
    does not fill up (the next sweep sends a fresh one)."""
    now = timezone.now()
    abandoned = ImportJob.objects.filter(_claimable(now)).exclude(
        status=ImportJobStatus.QUEUED, created_at__gte=now - STALE_AFTER
    )
    ids = list(abandoned.order_by("pk").values_list("pk", flat=True))
    for job_id in ids:
        logger.warning("history import %s: no live worker is applying it, sending it again", job_id)
        run_history_import.apply_async([job_id], expires=2 * settings.JOB_SWEEP_SECONDS)
    return ids


def _apply(job: ImportJob, progress) -> None:
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
        job.status = ImportJobStatus.FAILED
        job.error_message = _("The import stopped unexpectedly (%(error)s): nothing was written.") % {
            "error": error.__class__.__name__
        }
    else:
        job.report = {key: value for key, value in report.to_dict().items() if key != "changes"}
        total = sum(sum(numbers.values()) for numbers in report.counts.values())
        job.total_rows = total
        if report.applied:
            job.status = ImportJobStatus.DONE
            job.processed_rows = total
        else:
            job.status = ImportJobStatus.FAILED
            job.error_message = _(
                "Nothing was imported: the data changed since the preview. Check the errors below and upload "
                "corrected files."
            )
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "report", "total_rows", "processed_rows", "error_message", "finished_at"])
