"""The confirmed history import as a Celery job (startups.jobs.run_history_import, eager in
tests): idempotence, failure without half-written data, progress, the job page, its htmx
polling fragment and the recent-jobs list."""

from pathlib import Path

import pytest
from django.core.cache import cache
from django.utils import timezone
from django_scopes import scopes_disabled

from core.models import AuditEntry
from sites.scoping import network_scope
from startups import importer
from startups.importer import import_history, jobs
from startups.models import Admission, Declaration, ImportJob, Startup


@pytest.fixture(autouse=True)
def _english(client, staff):
    # Assertions read English; the report is written in the confirming user's language.
    staff.language = "en"
    staff.save(update_fields=["language"])
    client.cookies["django_language"] = "en"


FIXTURES = Path(__file__).parent / "fixtures"
STARTUPS = (FIXTURES / "startups.csv").read_text(encoding="utf-8")
DECLARATIONS = (FIXTURES / "declarations.csv").read_text(encoding="utf-8")


def counts():
    with scopes_disabled():
        return (
            Startup.objects.count(),
            Admission.objects.count(),
            Declaration.objects.count(),
            AuditEntry.objects.count(),
        )


@pytest.fixture
def job(staff, site_a, site_b):
    return ImportJob.objects.create(
        created_by=staff,
        startups_name="startups.csv",
        startups_csv=STARTUPS,
        declarations_name="declarations.csv",
        declarations_csv=DECLARATIONS,
        total_rows=11,
    )


def url(job, status=False):
    return f"/network/import/jobs/{job.pk}/" + ("status/" if status else "")


def test_the_task_applies_the_job_and_stores_the_report(job, staff):
    assert jobs.run_history_import.delay(job.pk).get() == "done"
    job.refresh_from_db()
    assert job.status == "done" and job.error == ""
    assert (job.processed_rows, job.total_rows) == (11, 11)
    assert job.started_at and job.finished_at and job.started_at <= job.finished_at
    assert job.report["applied"] is True and job.report["errors"] == []
    assert job.report["counts"] == {
        "startup": {"created": 3, "updated": 0, "unchanged": 0},
        "admission": {"created": 4, "updated": 0, "unchanged": 0},
        "declaration": {"created": 4, "updated": 0, "unchanged": 0},
    }
    assert counts() == (3, 4, 4, 11)
    with scopes_disabled():
        assert AuditEntry.objects.filter(actor=staff).count() == 11


def test_running_the_task_twice_changes_nothing(job):
    jobs.run_history_import(job.pk)
    job.refresh_from_db()
    before, report, finished_at = counts(), job.report, job.finished_at
    assert jobs.run_history_import(job.pk) is None  # a duplicate delivery does nothing
    job.refresh_from_db()
    assert counts() == before
    assert (job.status, job.report, job.finished_at) == ("done", report, finished_at)


def test_a_job_already_running_is_not_started_again(job):
    now = timezone.now()  # claimed by a live run: started, with a sign of life
    ImportJob.objects.filter(pk=job.pk).update(status="running", started_at=now, heartbeat_at=now)
    assert jobs.run_history_import(job.pk) is None
    assert counts() == (0, 0, 0, 0)


def test_a_failing_import_marks_the_job_failed_and_writes_nothing(job, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("disk on fire")

    # Startups and admissions are written first; the declarations then fail: all is rolled back.
    monkeypatch.setattr(importer.apply._Writer, "_write_declarations", staticmethod(broken))
    assert jobs.run_history_import(job.pk) == "failed"
    job.refresh_from_db()
    assert job.status == "failed" and "RuntimeError" in job.error
    assert job.finished_at is not None
    assert counts() == (0, 0, 0, 0)


def test_bad_rows_at_apply_time_fail_the_job_with_their_lines(job):
    ImportJob.objects.filter(pk=job.pk).update(startups_csv=STARTUPS.replace("2015-03-02", "2015-13-45"))
    assert jobs.run_history_import(job.pk) == "failed"
    job.refresh_from_db()
    assert job.report["applied"] is False and job.report["errors"]
    assert all(error["line"] for error in job.report["errors"])
    assert job.error
    assert counts() == (0, 0, 0, 0)


def test_the_importer_reports_its_progress(sites_ab):
    calls = []
    with network_scope():
        report = import_history(STARTUPS, DECLARATIONS, progress=lambda done, total: calls.append((done, total)))
    assert report.applied
    assert calls[0] == (0, 11) and calls[-1] == (11, 11)
    assert [done for done, _total in calls] == sorted(done for done, _total in calls)
    # No progress on a dry run.
    calls.clear()
    with network_scope():
        import_history(STARTUPS, DECLARATIONS, dry_run=True, progress=lambda done, total: calls.append(1))
    assert calls == []


def test_a_running_job_shows_its_live_progress(job, monkeypatch):
    seen = []
    original = jobs.cache.set

    def spy(key, value, *args, **kwargs):
        original(key, value, *args, **kwargs)
        job.refresh_from_db()
        seen.append(jobs.import_progress(job))

    monkeypatch.setattr(jobs, "PROGRESS_EVERY", 5)
    monkeypatch.setattr(jobs.cache, "set", spy)
    jobs.run_history_import(job.pk)
    assert seen == [(0, 11), (5, 11), (10, 11), (11, 11)]
    assert cache.get(jobs.import_progress_key(job.pk)) is None  # cleaned once finished


@pytest.fixture
def sites_ab(site_a, site_b):
    return site_a, site_b


def test_the_job_page_polls_while_the_job_is_pending(client, staff, job):
    client.force_login(staff)
    response = client.get(url(job))
    assert response.status_code == 200
    content = response.content.decode()
    assert f'hx-get="{url(job, status=True)}"' in content
    assert 'hx-trigger="every 2s"' in content and 'hx-swap="outerHTML"' in content
    assert '<progress id="job-progress" class="w-100" value="0" max="11">' in content
    assert f'href="{url(job)}"' in content  # the refresh link, without JavaScript
    assert "style=" not in content and "<script>" not in content

    fragment = client.get(url(job, status=True))
    assert fragment.status_code == 200
    text = fragment.content.decode()
    assert text.lstrip().startswith('<div id="job-status"') and "<html" not in text
    assert 'hx-trigger="every 2s"' in text


def test_the_fragment_stops_polling_and_shows_the_report_when_done(client, staff, job):
    jobs.run_history_import(job.pk)
    client.force_login(staff)
    text = client.get(url(job, status=True)).content.decode()
    assert "hx-trigger" not in text and "hx-get" not in text
    assert 'value="11" max="11"' in text
    assert "Import done" in text and "Startups" in text
    page = client.get(url(job)).content.decode()
    assert "hx-trigger" not in page and "startups.csv" in page


@pytest.mark.parametrize("persona", ["manager_a", "manager_b", "founder_a", "outsider"])
def test_only_head_office_sees_a_job(client, personas, persona, job):
    client.force_login(personas[persona])
    assert client.get(url(job)).status_code == 403
    assert client.get(url(job, status=True)).status_code == 403


def test_anonymous_visitors_are_sent_to_the_login_page(client, job):
    for target in (url(job), url(job, status=True)):
        response = client.get(target)
        assert response.status_code == 302 and "/accounts/login/" in response.url


def test_an_unknown_job_is_a_404(client, staff, db):
    client.force_login(staff)
    assert client.get("/network/import/jobs/424242/").status_code == 404
    assert client.get("/network/import/jobs/424242/status/").status_code == 404


def test_the_import_page_lists_recent_jobs_in_constant_queries(client, staff, job, django_assert_max_num_queries):
    client.force_login(staff)
    with django_assert_max_num_queries(12) as one:
        response = client.get("/network/import/")
    assert response.context["jobs"] == [job]
    assert f'href="{url(job)}"' in response.content.decode()
    ImportJob.objects.bulk_create([ImportJob(created_by=staff, startups_csv=STARTUPS) for _ in range(30)])
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get("/network/import/")
    assert len(response.context["jobs"]) == 10


def test_the_import_page_without_jobs_says_so(client, staff, db):
    client.force_login(staff)
    assert b"No import has been confirmed yet." in client.get("/network/import/").content


def test_a_job_whose_worker_died_is_claimed_again(db, staff):
    """Acknowledged late, the task is redelivered after a worker crash: a job stuck in
    "running" for more than ImportJob.stale_after is run again (the dead run wrote nothing)."""
    import datetime

    from django.utils import timezone

    from core.jobs import JobStatus
    from startups.models import ImportJob

    died_at = timezone.now() - ImportJob.stale_after - datetime.timedelta(minutes=1)
    job = ImportJob.objects.create(
        created_by=staff,
        status=JobStatus.RUNNING,
        started_at=died_at,
        heartbeat_at=died_at,  # its claim's sign of life, the last one (core.jobs)
        startups_csv="name,ice,legal_form,sector,founded_on,closed_on,site,kind,start_on,end_on,exit_reason\n",
    )
    assert jobs.run_history_import(job.pk) in (JobStatus.DONE, JobStatus.FAILED)
    now = timezone.now()
    fresh = ImportJob.objects.create(created_by=staff, status=JobStatus.RUNNING, started_at=now, heartbeat_at=now)
    assert jobs.run_history_import(fresh.pk) is None  # still running elsewhere: left alone


def test_the_sweeper_sends_again_the_jobs_no_live_worker_is_applying(db, staff, settings, monkeypatch):
    """Issue 15, finding 7: a worker killed mid-import (`kill -9`) sends nothing and its
    message waits for the broker's visibility timeout; the sweeper (Celery beat, every
    minute) sends the job again once it has run for longer than ImportJob.stale_after (or stayed
    queued as long), and run_history_import's claim lets one run take it over."""
    import datetime

    from django.utils import timezone

    from core.jobs import JobStatus

    now = timezone.now()
    stale = now - ImportJob.stale_after - datetime.timedelta(seconds=1)
    fresh = now - ImportJob.stale_after + datetime.timedelta(minutes=1)

    def job_(status, started_at=None, created_at=now):
        job = ImportJob.objects.create(
            created_by=staff, status=status, started_at=started_at, heartbeat_at=started_at, startups_csv=STARTUPS
        )
        ImportJob.objects.filter(pk=job.pk).update(created_at=created_at)
        return job

    dead = job_(JobStatus.RUNNING, started_at=stale, created_at=stale)
    job_(JobStatus.RUNNING, started_at=fresh, created_at=stale)  # its worker is still on it
    lost = job_(JobStatus.QUEUED, created_at=stale)  # never claimed
    job_(JobStatus.QUEUED, created_at=fresh)  # its message is on its way
    job_(JobStatus.DONE, started_at=stale, created_at=stale)
    job_(JobStatus.FAILED, started_at=stale, created_at=stale)

    sent = []
    monkeypatch.setattr(
        jobs.run_history_import,
        "apply_async",
        lambda args=None, kwargs=None, **options: sent.append((*args, options)),
    )
    assert jobs.reclaim_stalled_history_imports.delay().get() == [dead.pk, lost.pk]
    expires = {"expires": 2 * settings.JOB_SWEEP_SECONDS}
    assert sent == [(dead.pk, expires), (lost.pk, expires)]
    # The message it sends: the dead run's job is claimed again and applied.
    assert jobs.run_history_import(dead.pk) in (JobStatus.DONE, JobStatus.FAILED)
    assert jobs.reclaim_stalled_history_imports() == [lost.pk]
