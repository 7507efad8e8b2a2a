"""Board report jobs: requesting a report, generating it in a Celery worker, reclaiming
the reports whose worker died, and the monthly request (Celery beat). The Celery tasks
live here, with the actions they run, as the outbox's do in core.emails; reports.tasks
imports this module so that the workers register them.

Generation follows the history import's job pattern (startups.tasks.run_history_import):
the Celery task is acknowledged late, so a worker that dies mid-report leaves its message
to be delivered again, and every run first *claims* the row:
- in a transaction, the row is locked (select_for_update); a queued row, or a running one
  whose heartbeat is older than BOARD_REPORT_STALE_AFTER (its worker died), is claimed:
  status running, a new claim token, started and heartbeat now; anything else (done,
  failed, running elsewhere) makes the run a no-op: a done report is never regenerated
  by a rerun, only by the explicit `board_report_regenerate`;
- each step writes the progress and the heartbeat, on condition that the run still owns
  the claim (a run whose claim was taken over stops, writing nothing);
- the files are written under temporary names in the report's own folder
  (`board-reports/<pk>/partial/`), then moved to their final names and attached to the row in
  the transaction that marks it done, which also queues the emails to head office (sent on
  commit): a report is either done with both files or not done, never half-written;
- a claim first deletes whatever the report's folder holds (the leftovers of a dead run),
  so reruns leave exactly one PDF and one XLSX;
- a delivery that finds the report running with a fresh heartbeat (a duplicate, or the
  redelivery right after a worker process died) returns BUSY: the task then looks again
  once that heartbeat would be stale (`generate_board_report`);
- a worker killed outright (`kill -9`, out of memory, a lost machine) sends nothing: its
  message only comes back after the broker's visibility timeout (settings), so a sweeper
  (`board_reports_reclaim`, Celery beat every minute) sends the report again once its
  heartbeat is stale, and the next worker's claim takes it over: a dead worker's report is
  done about BOARD_REPORT_STALE_AFTER + a minute later, whether anyone asks again or not.
The progress lives on the row itself (the import job keeps it in the cache because its
work is one long transaction; here every step commits on its own).
"""

import datetime
import logging
import uuid

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Role
from core.audit import AuditEntry, audit_record, instance_values
from core.emails import email_render, email_send_on_commit
from core.errors import Conflict
from sites.models import Site, SiteStatus
from sites.scoping import network_scope

from ..kpis import KpiScope
from ..models import BOARD_REPORT_STALE_AFTER, BoardReport, BoardReportStatus, BoardReportStep
from .content import FIRST_MONTH, board_content, format_month, last_complete_month, report_language, report_scope
from .files import delete_tree, promote, report_folder, report_stem, report_storage, sweep_folder
from .pdf import render_pdf
from .xlsx import render_xlsx

logger = logging.getLogger(__name__)

STEP_PROGRESS = {
    BoardReportStep.STARTED: 5,
    BoardReportStep.HEADLINE: 10,
    BoardReportStep.ACTIVITY: 35,
    BoardReportStep.TRENDS: 55,
    BoardReportStep.PDF: 70,
    BoardReportStep.XLSX: 85,
    BoardReportStep.SAVING: 95,
    BoardReportStep.FINISHED: 100,
}


# --- Actions: request, regenerate ------------------------------------------------------------
def _enqueue(report: BoardReport) -> None:
    report_id = report.pk
    transaction.on_commit(lambda: generate_board_report.delay(report_id))


def _check_month(month: datetime.date) -> datetime.date:
    month = month.replace(day=1)
    if month < FIRST_MONTH:
        raise ValidationError({"month": _("Board reports start in January 2001.")})
    if month > last_complete_month():
        raise ValidationError({"month": _("Choose a month that is over.")})
    return month


def _reset(report: BoardReport, *, actor) -> None:
    """Back to queued, without its files (the next claim deletes them from storage)."""
    report.status = BoardReportStatus.QUEUED
    report.progress = 0
    report.step = BoardReportStep.WAITING
    report.error = ""
    report.claim = None
    report.pdf = ""
    report.xlsx = ""
    report.started_at = report.finished_at = None
    report.heartbeat_at = timezone.now()  # of a queued report: when it was queued (the sweeper reads it)
    if actor is not None:
        report.requested_by = actor
        report.language = report_language(actor)
    report.save()


def board_report_request(*, actor, scope: str, month: datetime.date) -> BoardReport:
    """The one report of `scope` ("network" or "site:<slug>") for `month`, generated in the
    background if it is not already done: created and queued; a failed one is queued
    again; a queued one, or a running one whose worker died, is queued once more (the
    task's claim makes extra deliveries harmless); a done one is returned as it is.
    `actor` is None for the monthly beat. ValidationError for a bad scope or month.
    The caller decides who may ask for which scope (head office)."""
    month = _check_month(month)
    kpi_scope, site = report_scope(scope)
    # Reviewed network-wide write: board reports of the network and of every site are
    # head office's (this action is called by head-office views and the monthly beat).
    with network_scope(), transaction.atomic():
        report, created = BoardReport.objects.get_or_create(
            scope=kpi_scope.label,
            month=month,
            defaults={"site": site, "requested_by": actor, "language": report_language(actor)},
        )
        if created:
            if actor is not None:
                audit_record(actor=actor, action=AuditEntry.Action.CREATE, instance=report)
            _enqueue(report)
            return report
        report = BoardReport.objects.select_for_update().get(pk=report.pk)
        if report.status == BoardReportStatus.FAILED:
            before = instance_values(report)
            _reset(report, actor=actor)
            if actor is not None:
                audit_record(actor=actor, action=AuditEntry.Action.UPDATE, instance=report, before=before)
            _enqueue(report)
        elif report.status == BoardReportStatus.QUEUED or report.is_stalled():
            _enqueue(report)
    return report


def board_report_regenerate(*, actor, report: BoardReport) -> BoardReport:
    """Head office's explicit "generate again": the same row back to queued (its old files
    go), then generated anew. Conflict while a worker is on it."""
    with network_scope(), transaction.atomic():  # reviewed: head office's action on any report
        report = BoardReport.objects.select_for_update().get(pk=report.pk)
        if report.status == BoardReportStatus.QUEUED:
            _enqueue(report)  # nothing to reset: make sure a worker gets it
            return report
        if report.status == BoardReportStatus.RUNNING and not report.is_stalled():
            raise Conflict(_("This report is being generated: wait until it is finished."))
        before = instance_values(report)
        _reset(report, actor=actor)
        audit_record(actor=actor, action=AuditEntry.Action.UPDATE, instance=report, before=before)
        _enqueue(report)
    return report


def board_reports_request_monthly(*, today: datetime.date | None = None) -> list[BoardReport]:
    """The monthly beat: last month's report of the network and of every operational site."""
    month = last_complete_month(today)
    slugs = Site.objects.filter(status=SiteStatus.OPERATIONAL).order_by("slug").values_list("slug", flat=True)
    return [
        board_report_request(actor=None, scope=scope, month=month)
        for scope in ["network", *(f"site:{slug}" for slug in slugs)]
    ]


# --- The sweeper: reports no live worker is generating ----------------------------------------
def _abandoned(report: BoardReport, now: datetime.datetime) -> bool:
    """Running with a stale heartbeat (its worker died: `BoardReport.is_stalled`), or
    queued for BOARD_REPORT_STALE_AFTER (since it was created or reset) without a worker
    claiming it (its message lost, or its worker killed before the claim)."""
    if report.status == BoardReportStatus.QUEUED:
        return (report.heartbeat_at or report.created_at) < now - BOARD_REPORT_STALE_AFTER
    return report.is_stalled(now)


def board_reports_reclaim(*, now: datetime.datetime | None = None) -> list[int]:
    """Send the abandoned reports (`_abandoned`) to the workers again; returns their ids.
    Run by Celery beat every settings.JOB_SWEEP_SECONDS
    (`reclaim_stalled_board_reports`). Taking a report over is `_claim`'s alone: the first
    delivery to claim it generates it, any other one is a no-op. Each message expires
    after two sweeps: while no worker takes it (the queue is busy, or has no worker), the
    next sweep sends a fresh one, so an unattended queue does not fill up."""
    now = now or timezone.now()
    # Reviewed network-wide read: the sweeper looks after the reports of every scope.
    with network_scope():
        pending = BoardReport.objects.filter(status__in=[BoardReportStatus.QUEUED, BoardReportStatus.RUNNING])
        ids = [report.pk for report in pending.order_by("pk") if _abandoned(report, now)]
    for report_id in ids:
        logger.warning("board report %s: no live worker is generating it, sending it again", report_id)
        generate_board_report.apply_async([report_id], expires=2 * settings.JOB_SWEEP_SECONDS)
    return ids


# --- Generation (the Celery task's body) ------------------------------------------------------
class LostClaim(Exception):
    """Another run took the report over (or head office reset it): stop, write nothing."""


def _claim(report_id: int) -> tuple[uuid.UUID | None, str | None]:
    """Claim the report for this run (see the module's docstring): (the claim, None), or
    (None, the report's status) when it is not ours to generate (None: no such report)."""
    now = timezone.now()
    with transaction.atomic():
        report = BoardReport.objects.select_for_update().filter(pk=report_id).first()
        if report is None:
            return None, None
        if report.status != BoardReportStatus.QUEUED and not report.is_stalled(now):
            return None, report.status  # done, failed, or running elsewhere
        if report.status == BoardReportStatus.RUNNING:
            logger.warning("board report %s: the run claimed at %s died, claiming again", report_id, report.started_at)
        claim = uuid.uuid4()
        BoardReport.objects.filter(pk=report_id).update(
            status=BoardReportStatus.RUNNING,
            claim=claim,
            attempts=report.attempts + 1,
            progress=STEP_PROGRESS[BoardReportStep.STARTED],
            step=BoardReportStep.STARTED,
            error="",
            started_at=now,
            heartbeat_at=now,
            finished_at=None,
        )
    return claim, None


def _progress(report_id: int, claim: uuid.UUID, step: str) -> None:
    """Record the step reached (and a sign of life), or stop if the claim was lost."""
    updated = BoardReport.objects.filter(pk=report_id, claim=claim, status=BoardReportStatus.RUNNING).update(
        progress=STEP_PROGRESS[step], step=step, heartbeat_at=timezone.now()
    )
    if not updated:
        raise LostClaim


def _write_temporary(report_id: int, claim: uuid.UUID, extension: str, data: bytes) -> str:
    return report_storage().save(f"{report_folder(report_id)}/partial/{claim.hex}.{extension}", ContentFile(data))


def report_kpi_scope(report: BoardReport) -> KpiScope:
    """The report's KPI scope, from its site (select `site`), whatever its slug is now."""
    if report.site_id is None:
        return KpiScope("network", "", None)
    return KpiScope("site", report.site.slug, (report.site_id,))


def _email_head_office(report: BoardReport) -> None:
    """Tell every active head-office user, in their language, with the link (on commit)."""
    url = settings.PORTAL_URL + reverse("reports:board_report", kwargs={"pk": report.pk})
    users = get_user_model().objects.filter(role=Role.HEAD_OFFICE, is_active=True).order_by("pk")
    for user in users:
        language = user.language or settings.LANGUAGE_CODE
        with translation.override(language):
            context = {
                "user": user,
                "report": report,
                "scope_name": report.scope_name,
                "month": format_month(report.month),
                "url": url,
            }
        subject, body = email_render(template="reports/email/board_report_ready", context=context, language=language)
        email_send_on_commit(to=[user.email], subject=subject, body=body)


def _finish(report_id: int, claim: uuid.UUID, temporary: dict[str, str]) -> None:
    """Attach the files and mark the report done, in one transaction; emails on commit."""
    promoted = []
    try:
        with transaction.atomic():
            report = BoardReport.objects.select_for_update(of=("self",)).select_related("site").get(pk=report_id)
            if report.claim != claim or report.status != BoardReportStatus.RUNNING:
                raise LostClaim
            stem = f"{report_folder(report_id)}/{report_stem(report)}-{claim.hex[:8]}"
            for field, name in temporary.items():
                final = promote(name, f"{stem}.{field}")
                promoted.append(final)
                getattr(report, field).name = final
            # The temporary folder is empty now: gone before the report reads "done".
            delete_tree(report_storage(), f"{report_folder(report_id)}/partial")
            now = timezone.now()
            report.status = BoardReportStatus.DONE
            report.progress = STEP_PROGRESS[BoardReportStep.FINISHED]
            report.step = BoardReportStep.FINISHED
            report.finished_at = report.heartbeat_at = now
            report.error = ""
            report.save(
                update_fields=["pdf", "xlsx", "status", "progress", "step", "finished_at", "heartbeat_at", "error"]
            )
            _email_head_office(report)
    except Exception:
        for name in promoted:
            report_storage().delete(name)
        raise


def _fail(report_id: int, claim: uuid.UUID, error: Exception) -> None:
    message = _("The report could not be generated (%(error)s). Request it again to retry.") % {
        "error": error.__class__.__name__
    }
    BoardReport.objects.filter(pk=report_id, claim=claim, status=BoardReportStatus.RUNNING).update(
        status=BoardReportStatus.FAILED, error=message, finished_at=timezone.now(), heartbeat_at=timezone.now()
    )


BUSY = "busy"


def board_report_generate(*, report_id: int) -> str | None:
    """Generate the report if this run may claim it (see the module's docstring). Returns
    "done" or "failed" when this run generated it; BUSY when another run is on it (its
    heartbeat is fresh); None when there is nothing to do (done or failed before, or no
    such report)."""
    # Reviewed network-wide access: the worker generates the reports of the network and of
    # every site; the KPI engine reads across sites by design.
    with network_scope():
        claim, status = _claim(report_id)
        if claim is None:
            return BUSY if status == BoardReportStatus.RUNNING else None
        written: dict[str, str] = {}
        try:
            sweep_folder(report_id)
            report = BoardReport.objects.select_related("site").get(pk=report_id)
            with translation.override(report.language):
                content = board_content(
                    report_kpi_scope(report),
                    scope_name=report.scope_name,
                    month=report.month,
                    progress=lambda step: _progress(report_id, claim, step),
                )
                _progress(report_id, claim, BoardReportStep.PDF)
                pdf = render_pdf(content)
                _progress(report_id, claim, BoardReportStep.XLSX)
                xlsx = render_xlsx(content)
                _progress(report_id, claim, BoardReportStep.SAVING)
                written["pdf"] = _write_temporary(report_id, claim, "pdf", pdf)
                written["xlsx"] = _write_temporary(report_id, claim, "xlsx", xlsx)
                _finish(report_id, claim, written)
        except LostClaim:
            logger.warning("board report %s: another run took it over; this one stops", report_id)
            for name in written.values():
                report_storage().delete(name)
            return None
        except Exception as error:  # noqa: BLE001 — the report must not stay "running"; details go to the log
            logger.exception("board report %s failed", report_id)
            for name in written.values():
                report_storage().delete(name)
            _fail(report_id, claim, error)
            return BoardReportStatus.FAILED
    return BoardReportStatus.DONE


# --- Celery tasks (autodiscovered through reports.tasks, which imports this module) ----------
@shared_task(bind=True, acks_late=True, max_retries=12)
def generate_board_report(self, report_id: int) -> str | None:
    """Generate a monthly board report (PDF and XLSX) and email head office; returns its
    final status, or None when there was nothing to do (see `board_report_generate`). A
    done report is never regenerated.

    Acknowledged late: if the worker dies mid-report the message comes back (after the
    broker's visibility timeout; the sweeper `reclaim_stalled_board_reports` sends the
    report again sooner, once its heartbeat is stale). Finding the report still "running"
    with a fresh heartbeat (a duplicate delivery, or a redelivery right after a worker
    process died), the task looks again once that heartbeat would be stale, and then
    claims the report if its worker is indeed gone (up to 12 times, i.e. about two hours
    of a report still running)."""
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
    return len(board_reports_request_monthly())


@shared_task
def reclaim_stalled_board_reports() -> list[int]:
    """Every minute (Celery beat, on the default queue): send the board reports that no
    live worker is generating (running with a stale heartbeat, or queued for as long) to
    the workers again, where the claim lets exactly one run take each over; returns their
    ids (`board_reports_reclaim`)."""
    return board_reports_reclaim()
