"""The benchmark's background work, timed on a scratch copy of the bench database (each run
starts from the same rows and leaves the dataset untouched):

- `nightly`: the nightly Celery job (`reports.tasks.compute_kpi_snapshots`) on a regular
  night: today's snapshots of every scope and sector (the backfills find nothing to do);
- `board`: one monthly board report of the network (figures, PDF and XLSX);
- `import`: `manage.py import_history` of 10,000 startups and 50,000 declarations, its wall
  time and peak memory, then the same files again (idempotent: nothing changes);
- `race`: 1,000 booking attempts by 50 founders over 100 free slots of one mentor, 20 at a
  time, through the HTTP API of gunicorn: the wall time, and 0 double bookings, 0 5xx.

Each job runs in its own process (`manage.py bench --job NAME` with the scratch database's
DATABASE_URL, no Redis: Celery eager), with the scopes disabled by that command (its set-up
and checks span every site), and prints its figures as one JSON line.
"""

import datetime
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from django.conf import settings
from django.db import connection

from accounts.actions import api_token_create
from accounts.models import Role, User
from core.jobs import JobStatus
from mentors.availability import LOCAL
from mentors.models import Booking, BookingStatus, MentorProfile, ProfileStatus, WeeklyRule
from mentors.selectors.slots import free_slots
from reports.board.content import last_complete_month
from reports.board.jobs import board_report_request
from reports.models import BoardReport
from reports.tasks import compute_kpi_snapshots
from sites.scoping import network_scope
from startups.models import Admission, Declaration, Startup, StartupMember, TeamRole

from .history_files import write_history_files
from .load import Gunicorn

JOBS = ("nightly", "board", "import", "race")
IMPORT_SIZE = {"startups": 10_000, "declarations": 50_000}
RACE = {"founders": 50, "attempts_each": 20, "concurrency": 20, "slots": 100}
RACE_EMAIL_PREFIX = "race."


def run_job(name: str, *, database_url: str, media_root: str) -> dict:
    """Run job `name` in its own process on `database_url`; its figures."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": media_root,
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    for name_ in ("REDIS_URL", "CELERY_BROKER_URL"):
        env.pop(name_, None)
    command = [sys.executable, "manage.py", "bench", "--job", name]
    done = subprocess.run(command, env=env, cwd=settings.BASE_DIR, capture_output=True, text=True)  # noqa: S603
    if done.returncode:
        raise RuntimeError(f"bench job {name} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_here(name: str) -> dict:
    """In the job's process (`bench --job`, scopes disabled): run it on this process's database."""
    return {"nightly": nightly, "board": board, "import": history_import, "race": race}[name]()


def nightly() -> dict:
    started = time.perf_counter()
    rows = compute_kpi_snapshots.run()
    return {"seconds": time.perf_counter() - started, "scopes": rows}


def board() -> dict:
    month = last_complete_month()
    with network_scope():
        BoardReport.objects.filter(scope="network", month=month).delete()
        staff = User.objects.get(email="staff@demo.technopark.ma")
        started = time.perf_counter()
        report = board_report_request(actor=staff, scope="network", month=month)  # Celery eager: generated here
        seconds = time.perf_counter() - started
        report.refresh_from_db()
    if report.status != JobStatus.DONE:
        raise RuntimeError(f"the board report ended {report.status}: {report.error}")
    return {"seconds": seconds, "pdf_kb": report.pdf.size / 1024, "xlsx_kb": report.xlsx.size / 1024}


def _import_once(startups: Path, declarations: Path) -> tuple[float, float]:
    """Wall seconds and peak memory (MiB) of one `manage.py import_history` process."""
    command = [sys.executable, "manage.py", "import_history", "--startups", str(startups)]
    command += ["--declarations", str(declarations)]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=settings.BASE_DIR, stdout=subprocess.DEVNULL)  # noqa: S603
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise RuntimeError(f"import_history exited with {process.returncode}")
    return seconds, usage.ru_maxrss / 1024  # Linux: kilobytes


def history_import() -> dict:
    with tempfile.TemporaryDirectory() as directory:
        startups, declarations = write_history_files(Path(directory), **IMPORT_SIZE)
        before = Startup.objects.count(), Declaration.objects.count()
        seconds, peak_mib = _import_once(startups, declarations)
        after = Startup.objects.count(), Declaration.objects.count()
        rerun_seconds, _peak = _import_once(startups, declarations)
        again = Startup.objects.count(), Declaration.objects.count()
    if again != after:
        raise RuntimeError(f"importing the same files again changed the counts: {after} then {again}")
    return {
        "seconds": seconds,
        "peak_mib": peak_mib,
        "startups": after[0] - before[0],
        "declarations": after[1] - before[1],
        "rerun_seconds": rerun_seconds,
        "baseline_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


# --- The booking race ---------------------------------------------------------------------


def _race_setup() -> tuple[int, list[str], list[str]]:
    """A published mentor open every day 08:00–18:00 (no notice, no buffer, a quota nobody
    reaches), 50 founders of startups admitted at Casablanca with an API token each, and
    the mentor's first 100 free slots from the day after tomorrow. Returns (mentor id,
    tokens, slot starts as the API writes them)."""
    mentor = MentorProfile.objects.filter(status=ProfileStatus.PUBLISHED, offers_video=True).order_by("pk").first()
    MentorProfile.objects.filter(pk=mentor.pk).update(
        min_notice_hours=0, buffer_minutes=0, max_bookings_per_startup_month=31, session_minutes=60
    )
    mentor.refresh_from_db()
    mentor.weekly_rules.all().delete()
    WeeklyRule.objects.bulk_create(
        WeeklyRule(mentor=mentor, weekday=day, starts_at=datetime.time(8), ends_at=datetime.time(18), mode="video")
        for day in range(7)
    )
    admissions = (
        Admission.objects.filter(site__slug="casablanca", ended_on__isnull=True, startup__closed_on__isnull=True)
        .exclude(startup__members__isnull=False)
        .order_by("pk")[: RACE["founders"]]
    )
    tokens = []
    for number, admission in enumerate(admissions):
        user = User.objects.create_user(
            f"{RACE_EMAIL_PREFIX}{number}@bench.example", role=Role.FOUNDER, full_name=f"Race {number}"
        )
        StartupMember.objects.create(startup=admission.startup, user=user, role=TeamRole.FOUNDER)
        tokens.append(api_token_create(user=user, name="bench race")[1])
    first = datetime.datetime.now(LOCAL).date() + datetime.timedelta(days=2)
    slots = free_slots(mentor, date_from=first, date_to=first + datetime.timedelta(days=RACE["slots"] // 10 + 7))
    starts = [slot.local_start.isoformat() for slot in slots[: RACE["slots"]]]
    if len(tokens) < RACE["founders"] or len(starts) < RACE["slots"]:
        raise RuntimeError(f"race set-up: {len(tokens)} founders, {len(starts)} slots")
    return mentor.pk, tokens, starts


def _attempt(url: str, token: str, mentor_id: int, start: str) -> int:
    body = json.dumps({"mentor": mentor_id, "start": start, "topic": "Levée de fonds"}).encode()
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 (127.0.0.1)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 (http://127.0.0.1 only)
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


OVERLAPS_SQL = """
    SELECT count(*) FROM mentors_booking a JOIN mentors_booking b
      ON a.mentor_id = b.mentor_id AND a.id < b.id
     WHERE a.mentor_id = %s AND a.status = 'confirmed' AND b.status = 'confirmed'
       AND tstzrange(a.starts_at, a.ends_at, '[)') && tstzrange(b.starts_at, b.ends_at, '[)')
"""


def race() -> dict:
    mentor_id, tokens, starts = _race_setup()
    with Gunicorn(workers=os.cpu_count() or 1) as server:
        url = f"{server.base_url}/api/v1/mentor-bookings/"

        def founder(index: int) -> list[int]:
            chooser = random.Random(index)  # the same choices on every run
            return [
                _attempt(url, tokens[index], mentor_id, chooser.choice(starts)) for _ in range(RACE["attempts_each"])
            ]

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=RACE["concurrency"]) as pool:
            statuses = [status for batch in pool.map(founder, range(len(tokens))) for status in batch]
        seconds = time.perf_counter() - started
    confirmed = Booking.objects.filter(
        mentor_id=mentor_id, status=BookingStatus.CONFIRMED, booked_by__email__startswith=RACE_EMAIL_PREFIX
    ).count()
    with connection.cursor() as cursor:
        cursor.execute(OVERLAPS_SQL, [mentor_id])
        overlaps = cursor.fetchone()[0]
    created = statuses.count(201)
    return {
        "seconds": seconds,
        "attempts": len(statuses),
        "booked": created,
        "refused": statuses.count(409),
        "other": len(statuses) - created - statuses.count(409),
        "errors_5xx": sum(status >= 500 for status in statuses),
        "confirmed_rows": confirmed,
        "double_bookings": overlaps,
    }
