"""A board report through a real broker and real workers: the worker is killed (SIGKILL,
no clean-up) in the middle of a report, after it wrote a temporary file. Nobody asks for
the report again and the dead worker's message stays with Redis (until the visibility
timeout, 45 minutes): the sweeper Celery beat runs every minute
(reports.board.jobs.reclaim_stalled_board_reports) sends the report to a second worker once
its heartbeat is stale, which takes it over. Exactly one report remains for that scope
and month, done, with one PDF and one XLSX and no leftover, and head office gets its email.

The workers share the test database, so this needs PostgreSQL (a transactional test: the
data is committed for them to see) and Redis (REDIS_URL), as on CI; it is skipped
otherwise, like tests/core/test_celery_worker.py. The first worker is made to hang
right after writing the temporary PDF by a bootstrap that wraps `reports.board.jobs`'s
`_write_temporary` in that worker process only (no test hook in the portal's code).
"""

import datetime
import io
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django.utils import timezone
from django_scopes import scopes_disabled
from openpyxl import load_workbook

from reports.board import jobs
from reports.board.files import report_folder
from reports.board.jobs import generate_board_report, reclaim_stalled_board_reports
from reports.models import BoardReport, BoardReportStep
from technopark.celery import app as celery_app
from tests.factories import AdmissionFactory, DeclarationFactory, StartupFactory

ROOT = Path(__file__).resolve().parents[2]
MAY = datetime.date(2026, 5, 1)

pytestmark = [
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs a broker: set REDIS_URL"),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="workers share the test database: PostgreSQL"),
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

# Runs a worker on one queue (its own sends, e.g. the emails, go to that queue too). With
# HANG_AFTER_TEMPORARY_PDF set, the report task hangs once its temporary PDF is written.
WORKER = r"""
import os
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "technopark.settings")
django.setup()

from technopark.celery import app

queue = sys.argv[1]
app.conf.task_default_queue = queue
if os.environ.get("HANG_AFTER_TEMPORARY_PDF"):
    from reports.board import jobs

    write = jobs._write_temporary

    def write_then_hang(report_id, claim, extension, data):
        name = write(report_id, claim, extension, data)
        if extension == "pdf":
            time.sleep(600)  # the test kills the worker here
        return name

    jobs._write_temporary = write_then_hang
app.worker_main(["worker", "--pool=solo", "-Q", queue, "--loglevel=warning", "--without-gossip", "--without-mingle"])
"""


def _database_url() -> str:
    """The test database, for the workers."""
    settings = connection.settings_dict
    user = quote(settings["USER"] or "")
    password = f":{quote(settings['PASSWORD'])}" if settings["PASSWORD"] else ""
    host = settings["HOST"] or "127.0.0.1"
    port = settings["PORT"] or "5432"
    return f"postgres://{user}{password}@{host}:{port}/{settings['NAME']}"


def _start_worker(queue: str, env: dict, log: Path, *, hang: bool) -> subprocess.Popen:
    env = {key: value for key, value in env.items() if key != "HANG_AFTER_TEMPORARY_PDF"}
    if hang:
        env["HANG_AFTER_TEMPORARY_PDF"] = "1"
    return subprocess.Popen(
        [sys.executable, "-c", WORKER, queue],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("ab"),
    )


def _wait(condition, *, seconds: float, what: str, log: Path):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(f"{what} within {seconds} s; worker log:\n{log.read_text(errors='replace')[-4000:]}")


def _sent_emails(folder: Path):
    def read() -> str:
        text = "".join(path.read_text() for path in sorted(folder.iterdir()))
        return text if text.endswith("-" * 79 + "\n") else ""

    return read


def _row() -> BoardReport:
    with scopes_disabled():
        return BoardReport.objects.get(scope="site:site-a", month=MAY)


def _files(root: Path) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def test_a_report_whose_worker_was_killed_is_taken_over_by_the_next_worker(
    site_a, staff, settings, tmp_path, monkeypatch
):
    with scopes_disabled():
        startup = StartupFactory(founded_on=datetime.date(2015, 3, 1))
        AdmissionFactory(startup=startup, site=site_a, kind="resident", starts_on=datetime.date(2020, 1, 1))
        DeclarationFactory(startup=startup, fiscal_year=2025)
    media = Path(settings.MEDIA_ROOT)
    emails = tmp_path / "emails"
    emails.mkdir()
    queue = f"test-board-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "MEDIA_ROOT": str(media),
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(emails),
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }
    log = tmp_path / "workers.log"
    # Requests and the sweeper enqueue on our queue (the unit tests run tasks eagerly; not here).
    send = generate_board_report.apply_async
    monkeypatch.setattr(
        generate_board_report,
        "apply_async",
        lambda args=None, kwargs=None, **options: send(args, kwargs, **{**options, "queue": queue}),
    )
    celery_app.conf.task_always_eager = False
    workers = []
    try:
        first = _start_worker(queue, env, log, hang=True)
        workers.append(first)
        report = jobs.board_report_request(actor=staff, scope="site:site-a", month=MAY)
        folder = media / report_folder(report.pk)

        # The first worker claims the report, computes it, writes the temporary PDF, hangs.
        _wait(
            lambda: list((folder / "partial").glob("*.pdf")) and _row().step == BoardReportStep.SAVING,
            seconds=120,
            what="the first worker did not write its temporary PDF",
            log=log,
        )
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
        dead = _row()
        assert (dead.status, dead.attempts, dead.pdf.name, dead.xlsx.name) == ("running", 1, "", "")
        assert _files(folder) == [f"partial/{dead.claim.hex}.pdf"]  # the dead run's leftover

        # A new worker. While the dead run's heartbeat is fresh, the sweeper leaves the
        # report alone (its worker may be alive).
        second = _start_worker(queue, env, log, hang=False)
        workers.append(second)
        assert reclaim_stalled_board_reports() == []
        # BoardReport.stale_after later the heartbeat is stale (moved back here rather
        # than waited for): the next sweep sends the report to the workers, and the new
        # worker takes it over. Nobody asks for it again.
        with scopes_disabled():
            BoardReport.objects.filter(pk=report.pk).update(
                heartbeat_at=timezone.now() - BoardReport.stale_after - datetime.timedelta(seconds=1)
            )
        assert reclaim_stalled_board_reports() == [report.pk]
        done = _wait(
            lambda: (row := _row()).status == "done" and row,
            seconds=90,
            what="the second worker did not take the report over",
            log=log,
        )

        with scopes_disabled():
            assert BoardReport.objects.filter(scope="site:site-a", month=MAY).count() == 1
        assert (done.pk, done.attempts, done.progress, done.error) == (report.pk, 2, 100, "")
        assert done.claim != dead.claim
        # One PDF, one XLSX, nothing else: the dead run's temporary file is gone.
        assert _files(folder) == sorted([Path(done.pdf.name).name, Path(done.xlsx.name).name])
        assert not (folder / "partial").exists()
        assert (media / done.pdf.name).read_bytes().startswith(b"%PDF")
        workbook = load_workbook(io.BytesIO((media / done.xlsx.name).read_bytes()))
        assert len(workbook.sheetnames) == 5  # with the satisfaction sheet (reports.board.satisfaction)

        # Head office's email, sent by the worker once the report was done.
        # The file backend creates its file before writing the message and ends each message
        # with a line of 79 dashes: wait for that line, not for the file.
        message = _wait(_sent_emails(emails), seconds=60, what="no email was sent", log=log)
        assert staff.email in message and f"/network/reports/{report.pk}/" in message

        # Asking for it again returns the done report and queues nothing.
        again = jobs.board_report_request(actor=staff, scope="site:site-a", month=MAY)
        assert again.pk == report.pk and _row().finished_at == done.finished_at
    finally:
        celery_app.conf.task_always_eager = True
        for worker in workers:
            if worker.poll() is None:
                worker.terminate()
                try:
                    worker.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    worker.kill()
                    worker.wait(timeout=30)
