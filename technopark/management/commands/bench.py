"""`make bench`: build the large dataset on PostgreSQL (once), serve the portal with
gunicorn, measure the key pages with wrk, print the table and write docs/benchmarks.md.

Run through `make bench`, which sets the production-like environment (DEBUG off, Redis
cache and sessions, the bench database); see docs/benchmarks.md for the method.
"""

import datetime
import io
import os
import time
from pathlib import Path

import psycopg2
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections
from django.utils import timezone
from django_scopes import scopes_disabled

from mentors.models import Booking
from reports.snapshots import snapshots_compute, year_ends_backfill
from services.models import Registration
from startups.models import Admission, Declaration, Startup
from technopark.bench import dataset, load
from technopark.pgtools import pg_environment

LIBPQ_PARAMETERS = {
    "host": "PGHOST",
    "port": "PGPORT",
    "user": "PGUSER",
    "password": "PGPASSWORD",
    "sslmode": "PGSSLMODE",
}

PAGES = [
    load.Page("trivial view (floor)", "/health/live/", None, trivial=True),
    # The same view for a signed-in user: what the session, the user and the tenancy scope
    # cost every signed-in page (a reference, without targets).
    load.Page("trivial view, signed in", "/health/live/", "manager.casablanca@demo.technopark.ma", reference=True),
    load.Page("public catalogue", "/services/", None),
    load.Page("site residents list", "/manage/casablanca/residents/", "manager.casablanca@demo.technopark.ma"),
    load.Page("network dashboard", "/network/dashboard/", "staff@demo.technopark.ma"),
    load.Page("site dashboard", "/manage/casablanca/dashboard/", "manager.casablanca@demo.technopark.ma"),
    load.Page("KPI API", "/api/v1/kpis/?scope=network", "staff@demo.technopark.ma"),
]


class Command(BaseCommand):
    help = "Benchmark the portal on a large PostgreSQL dataset with gunicorn and wrk (see docs/benchmarks.md)."

    def add_arguments(self, parser):
        parser.add_argument("--startups", type=int, default=dataset.Size.startups)
        parser.add_argument("--sessions", type=int, default=dataset.Size.sessions)
        parser.add_argument("--rebuild", action="store_true", help="Rebuild the dataset even if it is there.")
        parser.add_argument("--duration", type=int, default=10, help="Seconds of load per page and round.")
        parser.add_argument("--rounds", type=int, default=3, help="Rounds over every page; each reports its median.")
        parser.add_argument("--connections", type=int, default=8)
        parser.add_argument("--threads", type=int, default=2, help="wrk threads.")
        # One worker per core: the pages are CPU-bound and wrk runs on the same cores.
        parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="gunicorn workers.")
        parser.add_argument("--output", default=str(Path(settings.BASE_DIR) / "docs" / "benchmarks.md"))
        parser.add_argument("--no-load", action="store_true", help="Build the dataset only.")
        parser.add_argument(
            "--only", help="Measure the pages whose path contains this text (and the floor); writes no document."
        )

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("The benchmark runs on PostgreSQL: set DATABASE_URL (make bench does).")
        size = dataset.Size(startups=options["startups"], sessions=options["sessions"])
        self.ensure_dataset(size, rebuild=options["rebuild"])
        if options["no_load"]:
            return
        # As in production (DEBUG off): the hashed static files and their manifest.
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write("Measuring (queries with the test client, then wrk against gunicorn):")
        only = options["only"]
        pages = [page for page in PAGES if page.trivial or page.reference or not only or only in page.path]
        results = load.measure(
            pages,
            duration=options["duration"],
            rounds=options["rounds"],
            connections=options["connections"],
            threads=options["threads"],
            workers=options["workers"],
            log=self.stdout.write,
        )
        table = load.table(results)
        self.stdout.write("\n" + table + "\n")
        if not options["only"]:
            Path(options["output"]).write_text(self.document(table, results, options))
            self.stdout.write(f"Written to {options['output']}")
        if not all(result.meets_targets for result in results):
            raise CommandError(
                f"Targets missed (p95 ≤ {load.P95_TARGET_MS} ms and ≥ {load.RATIO_TARGET:.0%} of the trivial view)."
            )

    def ensure_dataset(self, size: dataset.Size, *, rebuild: bool) -> None:
        self.create_database()
        call_command("migrate", verbosity=0)
        with scopes_disabled():  # a management command: the dataset spans every site
            self._ensure_dataset(size, rebuild=rebuild)

    def _ensure_dataset(self, size: dataset.Size, *, rebuild: bool) -> None:
        if dataset.present(size) and not rebuild:
            self.stdout.write("Dataset present: reusing it (--rebuild to build it again).")
            return
        self.stdout.write("Building the dataset on a fresh database:")
        self.create_database(recreate=True)
        call_command("migrate", verbosity=0)
        call_command("seed_demo", force=True, stdout=io.StringIO())
        dataset.build(size=size, today=timezone.localdate(), now=timezone.now(), log=self.stdout.write)
        started = time.monotonic()
        today = timezone.localdate()
        snapshots_compute(as_of=today)
        years = year_ends_backfill(today=today)
        self.stdout.write(f"  KPI snapshots: today and {years} year-ends ({time.monotonic() - started:.0f} s)")

    def create_database(self, *, recreate: bool = False) -> None:
        """Create the bench database if it is missing (or drop it first), through the
        server's maintenance database."""
        env = pg_environment()
        name = env["PGDATABASE"]
        connections.close_all()
        maintenance = psycopg2.connect(
            dbname="postgres",
            **{key: env[variable] for key, variable in LIBPQ_PARAMETERS.items() if env.get(variable)},
        )
        maintenance.autocommit = True
        with maintenance.cursor() as cursor:
            if recreate:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if not cursor.fetchone():
                cursor.execute(f'CREATE DATABASE "{name}"')
            # The planner's cost of a random read on SSD storage, as production is configured
            # (docs/scaling.md); the default (4) assumes spinning disks and prefers scans.
            cursor.execute(f'ALTER DATABASE "{name}" SET random_page_cost = 1.1')
        maintenance.close()

    def document(self, table: str, results: list[load.Result], options: dict) -> str:
        with scopes_disabled():
            counts = {
                "startups": Startup.objects.count(),
                "admissions": Admission.objects.count(),
                "yearly declarations": Declaration.objects.count(),
                "session registrations": Registration.objects.count(),
                "mentor bookings": Booking.objects.count(),
            }
        dataset_line = ", ".join(f"{count:,} {name}" for name, count in counts.items())
        return BENCHMARKS_MD.format(
            date=datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            machine=load.machine(),
            dataset=dataset_line,
            table=table,
            reference=" ".join(
                f"The {result.page.name} reaches {result.ratio:.0%} of the floor: what every signed-in page "
                "pays before its own work (its session, and who the user is and may see, read from the database "
                "on every request: accounts.middleware)."
                for result in results
                if result.page.reference
            ),
            met=sum(result.meets_targets for result in results if result.page.targeted),
            pages=sum(result.page.targeted for result in results),
            p95=load.P95_TARGET_MS,
            ratio=f"{load.RATIO_TARGET:.0%}",
            **options,
        )


BENCHMARKS_MD = """# Benchmarks

Written by `make bench` (`python manage.py bench`); rerun it after a change that touches
these pages and commit the new figures.

- **Date**: {date}
- **Machine**: {machine}
- **Dataset** (PostgreSQL, 14 sites): {dataset}
- **Load**: wrk, {threads} threads, {connections} connections, {duration} s per page after 2 s
  of warm-up, in {rounds} rounds over every page (each page: its median round), against
  gunicorn with {workers} sync workers on the same machine; `DEBUG` off, cache and sessions
  in Redis, as in production.
- **Targets**: p95 ≤ {p95} ms and at least {ratio} of the trivial view's req/s.

{table}

{met} of {pages} pages meet both targets on this run. {reference}

## Method

- `make bench` builds the dataset once on the database of `BENCH_DATABASE_URL` (the demo
  network, then set-based SQL in `technopark/bench/dataset.py`: 100,000 startups with their
  sectors, admissions and yearly declarations, 1,000,000 session registrations and about
  200,000 mentor bookings), computes today's KPI snapshots and every past year-end's, as
  the nightly job would have, and reuses the dataset on later runs (`--rebuild` to redo it).
- With the caches emptied, the first request of each page is timed ("first request ms":
  what a visitor waits for once cached figures expire, the Django test client in-process);
  queries per request are then counted on a warm request, as under load.
- Each page is requested as the user who opens it: anonymous for the catalogue, the
  Casablanca site manager for the site pages, head office for the network dashboard and
  the KPI API. A page that answers anything else than 200 stops the run.
- The trivial view is `/health/live/`: the whole middleware stack (sessions, locale, CSRF,
  CSP, tenancy) and no work. Its req/s is the ceiling of this machine for Django itself;
  each page's ratio says how much of it the page keeps. Measured anonymous (the floor) and
  signed in (a reference: a signed-in page cannot go faster than that).
- Pages are served as production serves them: only the anonymous catalogue's body and the
  KPI figures (keyed by all their inputs) may come from the cache (docs/scaling.md), warmed
  by the 2 s before each measure; who the user is and may see is read on every request.
- Each page is measured in every round, one page after the other, and reported by its
  median round: on a shared virtual machine the speed drifts during a run (one page's req/s
  moved by 30% between two runs an hour apart), and rounds spread the drift over all pages.
- Each page is requested with the cookies its user's browser holds (session, CSRF token,
  language): without them every request would pay for a new CSRF secret and a language
  cookie, which no browser causes.
- wrk and gunicorn share the machine's cores: the figures are comparable between runs on
  the same machine, not absolute capacities.
"""
