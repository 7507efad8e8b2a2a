"""The background-job base (core.jobs) on its own terms, with the history import's row as
the job: one run owns a job, a run that lost it writes nothing, and the sweeper picks
exactly the jobs no live worker is on. (The import and the board reports' own tests show
the pattern at work end to end.)"""

import datetime

import pytest
from django.utils import timezone

from core.jobs import JobStatus, LostClaim, abandoned_q, job_beat, job_claim, job_fail, job_finish
from startups.models import ImportJob

STALE = ImportJob.stale_after


@pytest.fixture
def job(db):
    return ImportJob.objects.create(startups_csv="")


def test_one_run_claims_a_queued_job_and_a_second_delivery_does_nothing(job):
    claim, status = job_claim(ImportJob, job.pk)
    assert claim is not None and status is None
    job.refresh_from_db()
    assert (job.status, job.claim, job.attempts) == (JobStatus.RUNNING, claim, 1)
    assert job.started_at == job.heartbeat_at is not None
    assert job_claim(ImportJob, job.pk) == (None, JobStatus.RUNNING)  # its worker is alive
    assert job_claim(ImportJob, job.pk + 1) == (None, None)  # no such job


def test_a_run_that_lost_its_job_writes_nothing(job):
    first, _ = job_claim(ImportJob, job.pk)
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - STALE - datetime.timedelta(seconds=1))
    second, _ = job_claim(ImportJob, job.pk)  # the first run's worker is taken for dead
    assert second not in (None, first)
    with pytest.raises(LostClaim):
        job_beat(ImportJob, job.pk, first, progress=50)
    with pytest.raises(LostClaim):
        job_finish(ImportJob, job.pk, first, status=JobStatus.DONE)
    job_fail(ImportJob, job.pk, first, "the dead run's error")
    job.refresh_from_db()
    assert (job.status, job.claim, job.attempts, job.progress, job.error) == (JobStatus.RUNNING, second, 2, 0, "")
    job_beat(ImportJob, job.pk, second, progress=50)
    job_fail(ImportJob, job.pk, second, "boom")
    job.refresh_from_db()
    assert (job.status, job.progress, job.error) == (JobStatus.FAILED, 50, "boom")
    assert job_claim(ImportJob, job.pk) == (None, JobStatus.FAILED)  # never run again by a rerun


def test_the_abandoned_jobs_are_the_silent_running_ones_and_the_long_queued_ones(db):
    now = timezone.now()
    old, recent = now - STALE - datetime.timedelta(seconds=1), now - STALE + datetime.timedelta(seconds=30)

    def job_(status, *, created_at, heartbeat_at=None):
        made = ImportJob.objects.create(status=status, heartbeat_at=heartbeat_at, startups_csv="")
        ImportJob.objects.filter(pk=made.pk).update(created_at=created_at)
        return made.pk

    expected = [
        job_(JobStatus.RUNNING, created_at=old, heartbeat_at=old),
        job_(JobStatus.RUNNING, created_at=old, heartbeat_at=None),
        job_(JobStatus.QUEUED, created_at=old),
        job_(JobStatus.QUEUED, created_at=old, heartbeat_at=old),  # reset long ago
    ]
    job_(JobStatus.RUNNING, created_at=old, heartbeat_at=recent)
    job_(JobStatus.QUEUED, created_at=recent)
    job_(JobStatus.QUEUED, created_at=old, heartbeat_at=recent)  # reset a moment ago
    job_(JobStatus.DONE, created_at=old, heartbeat_at=old)
    job_(JobStatus.FAILED, created_at=old, heartbeat_at=old)
    abandoned = ImportJob.objects.filter(abandoned_q(now, STALE)).order_by("pk")
    assert list(abandoned.values_list("pk", flat=True)) == expected
