"""Background jobs: work a Celery worker does on behalf of a row (a history import, a board
report), written once for every such row.

The row is the job (`BackgroundJob`, an abstract model): its status, progress, error, the
*claim* of the run that owns it and that run's *heartbeat*. The pattern:
- the Celery task is acknowledged late, so a worker that dies mid-job leaves its message
  to be delivered again; every delivery first *claims* the row (`job_claim`): in a
  transaction the row is locked; a queued job, or a running one whose heartbeat is older
  than the model's `stale_after` (its worker died), becomes running with a new claim
  token; anything else (done, failed, running elsewhere) makes the delivery a no-op;
- the run records its progress and a sign of life (`job_beat`) on condition that it still
  owns the claim: a run whose job was taken over stops (`LostClaim`) and writes nothing;
- it ends with `job_finish` or `job_fail`, under the same condition;
- a worker killed outright (`kill -9`, out of memory, a lost machine) sends nothing, and
  the broker gives its message back only after its visibility timeout: a sweeper on Celery
  beat (`jobs_resend`) sends the abandoned jobs (`abandoned_q`) to the workers again, where
  the claim lets exactly one delivery take each over. Each message expires after two
  sweeps, so a queue without a worker does not fill up.
"""

import contextlib
import datetime
import logging
import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class BackgroundJob(models.Model):
    """A row a worker does a job for. Subclasses set `stale_after`: how long a running job
    may go without a sign of life before it is taken for dead (and how long a queued one
    may wait for a worker before it is sent again)."""

    stale_after: ClassVar[datetime.timedelta]

    status = models.CharField(_("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress"), default=0, help_text="0–100")
    error = models.TextField(_("error"), blank=True)
    # The run that owns the row: set when a worker claims it; a worker whose claim was
    # taken over (its heartbeat went stale, another run reclaimed the row) writes nothing.
    claim = models.UUIDField(null=True, blank=True, editable=False)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # The running job's last sign of life; a queued job's: when it was queued.
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_pending(self) -> bool:
        return self.status in (JobStatus.QUEUED, JobStatus.RUNNING)

    def is_stalled(self, now: datetime.datetime | None = None) -> bool:
        """Running, but its worker gave no sign of life for `stale_after`."""
        if self.status != JobStatus.RUNNING:
            return False
        now = now or timezone.now()
        return self.heartbeat_at is None or self.heartbeat_at < now - self.stale_after


class LostClaim(Exception):
    """Another run took the job over (or it was reset): stop, write nothing."""


def _silent(cutoff: datetime.datetime) -> Q:
    return Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=cutoff)


def abandoned_q(now: datetime.datetime, stale_after: datetime.timedelta) -> Q:
    """The jobs no live worker is on: running with no sign of life for `stale_after`, or
    queued for as long (since created or reset) without a worker claiming them (their
    message was lost, or their worker killed before the claim)."""
    cutoff = now - stale_after
    queued_long_ago = Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, created_at__lt=cutoff)
    return (Q(status=JobStatus.QUEUED) & queued_long_ago) | (Q(status=JobStatus.RUNNING) & _silent(cutoff))


def job_claim(model: type[BackgroundJob], job_id: int, **fields) -> tuple[uuid.UUID | None, str | None]:
    """Claim the job for this run: (the claim, None), or (None, the job's status) when it
    is not this run's to do (None: no such job). `fields` are written with the claim."""
    now = timezone.now()
    with transaction.atomic():
        job = model.objects.select_for_update().filter(pk=job_id).first()
        if job is None:
            return None, None
        if job.status != JobStatus.QUEUED and not job.is_stalled(now):
            return None, job.status  # done, failed, or running elsewhere
        if job.status == JobStatus.RUNNING:
            logger.warning("%s %s: the run claimed at %s died, claiming again", model.__name__, job_id, job.started_at)
        claim = uuid.uuid4()
        model.objects.filter(pk=job_id).update(
            status=JobStatus.RUNNING,
            claim=claim,
            attempts=job.attempts + 1,
            error="",
            started_at=now,
            heartbeat_at=now,
            finished_at=None,
            **fields,
        )
    return claim, None


def _owned(model: type[BackgroundJob], job_id: int, claim: uuid.UUID):
    return model.objects.filter(pk=job_id, claim=claim, status=JobStatus.RUNNING)


def job_beat(model: type[BackgroundJob], job_id: int, claim: uuid.UUID, **fields) -> None:
    """A sign of life (with `fields`, e.g. the progress), or LostClaim if the run lost the job."""
    if not _owned(model, job_id, claim).update(heartbeat_at=timezone.now(), **fields):
        raise LostClaim


def job_finish(model: type[BackgroundJob], job_id: int, claim: uuid.UUID, *, status: str, **fields) -> None:
    """The run's end (done, or failed with `error`), or LostClaim if it lost the job."""
    now = timezone.now()
    if not _owned(model, job_id, claim).update(status=status, finished_at=now, heartbeat_at=now, **fields):
        raise LostClaim


def job_fail(model: type[BackgroundJob], job_id: int, claim: uuid.UUID, message: str) -> None:
    """Failed with `message`, unless the run lost the job (then nothing is written)."""
    with contextlib.suppress(LostClaim):
        job_finish(model, job_id, claim, status=JobStatus.FAILED, error=message)


def jobs_resend(model: type[BackgroundJob], task, *, now: datetime.datetime | None = None) -> list[int]:
    """The sweeper: send the abandoned jobs (`abandoned_q`) to `task` again; returns their
    ids. Run by Celery beat every settings.JOB_SWEEP_SECONDS. Each message expires after
    two sweeps: while no worker takes it, the next sweep sends a fresh one. Call it in the
    tenancy scope the model needs."""
    now = now or timezone.now()
    abandoned = model.objects.filter(abandoned_q(now, model.stale_after))
    ids = list(abandoned.order_by("pk").values_list("pk", flat=True))
    for job_id in ids:
        logger.warning("%s %s: no live worker is on it, sending it again", model.__name__, job_id)
        task.apply_async([job_id], expires=2 * settings.JOB_SWEEP_SECONDS)
    return ids
