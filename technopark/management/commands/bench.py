"""`make bench`: build the large dataset on PostgreSQL (once), then measure every key page
cold (no cache, distinct URLs, one request at a time) and warm (production settings under
wrk, against a bare Django view too), time the background work (nightly snapshots, a board
report, the history import, the booking race), print the tables and write
docs/benchmarks.md.

Run through `make bench`, which sets the production-like environment (DEBUG off, Redis
cache and sessions, the bench database); see docs/benchmarks.md for the method.
"""

import datetime
import io
import json
import os
import tempfile
import time
import urllib.parse
from pathlib import Path

import psycopg2
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections
from django.utils import timezone
from django_scopes import scopes_disabled

from core.pgtools import pg_environment
from mentors.models import Booking
from reports.models import KpiSectorSnapshot, KpiSnapshot
from reports.tasks import compute_kpi_snapshots
from services.models import Registration
from startups.models import Admission, Declaration, Startup
from technopark.bench import cold, dataset, document, jobs, load
from technopark.bench.pages import pages as bench_pages

LIBPQ_PARAMETERS = {
    "host": "PGHOST",
    "port": "PGPORT",
    "user": "PGUSER",
    "password": "PGPASSWORD",
    "sslmode": "PGSSLMODE",
}
BARE = {"app": "technopark.bench.bare:application", "env": {"DJANGO_SETTINGS_MODULE": "technopark.bench.bare"}}


def _server_connection(env: dict):
    """A connection to the server's maintenance database (CREATE and DROP DATABASE)."""
    maintenance = psycopg2.connect(
        dbname="postgres", **{key: env[variable] for key, variable in LIBPQ_PARAMETERS.items() if env.get(variable)}
    )
    maintenance.autocommit = True
    return maintenance


SCRATCH_SUFFIX = "_scratch"


class Command(BaseCommand):
    help = "Benchmark the portal on a large PostgreSQL dataset, cold and warm (see docs/benchmarks.md)."

    def add_arguments(self, parser):
        parser.add_argument("--startups", type=int, default=dataset.Size.startups)
        parser.add_argument("--sessions", type=int, default=dataset.Size.sessions)
        parser.add_argument("--rebuild", action="store_true", help="Rebuild the dataset even if it is there.")
        parser.add_argument("--samples", type=int, default=20, help="Distinct URLs per page in the cold measure.")
        parser.add_argument("--duration", type=int, default=8, help="Seconds of wrk load per page and round.")
        parser.add_argument(
            "--rounds", type=int, default=3, help="Warm rounds over every page; each reports its median."
        )
        parser.add_argument("--connections", type=int, default=8)
        parser.add_argument("--threads", type=int, default=2, help="wrk threads.")
        # One worker per core: the pages are CPU-bound and wrk runs on the same cores.
        parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="gunicorn workers.")
        parser.add_argument("--output", default=str(Path(settings.BASE_DIR) / "docs" / "benchmarks.md"))
        parser.add_argument("--no-load", action="store_true", help="Build the dataset only.")
        parser.add_argument(
            "--only",
            help="Measure the pages whose name contains this text (and the trivial views); no jobs, no document.",
        )
        parser.add_argument("--jobs-only", action="store_true", help="Time the background work only; no document.")
        parser.add_argument("--job", choices=jobs.JOBS, help=None)  # internal: one job, in its own process

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("The benchmark runs on PostgreSQL: set DATABASE_URL (make bench does).")
        if options["job"]:
            # A job writes (users, bookings, snapshots): only ever on the scratch copy that
            # time_jobs makes, never on the dataset the pages are measured on.
            if not connection.settings_dict["NAME"].endswith(SCRATCH_SUFFIX):
                raise CommandError(f"--job runs on a scratch copy only (a database named *{SCRATCH_SUFFIX}).")
            with scopes_disabled():  # a job's set-up and checks span every site
                figures = jobs.run_here(options["job"])
            self.stdout.write(json.dumps(figures))
            return
        size = dataset.Size(startups=options["startups"], sessions=options["sessions"])
        self.ensure_dataset(size, rebuild=options["rebuild"])
        if options["no_load"]:
            return
        partial = options["only"] or options["jobs_only"]
        cold_results, warm_results, bare_table, bare_verdicts = [], [], "", []
        if not options["jobs_only"]:
            cold_results, warm_results, bare_table, bare_verdicts = self.measure_pages(options)
        jobs_figures = {} if options["only"] else self.time_jobs()
        jobs_table, jobs_verdicts = document.jobs_table(jobs_figures)
        verdicts = document.verdicts(cold_results, warm_results, bare_verdicts + jobs_verdicts)
        for title, table in (
            ("Cold", document.cold_table(cold_results) if cold_results else ""),
            ("Warm", document.warm_table(warm_results) if warm_results else ""),
            ("Bare", bare_table),
            ("Jobs", jobs_table if jobs_figures else ""),
        ):
            if table:
                self.stdout.write(f"\n{title}\n{table}\n")
        if not partial:
            text = document.document(
                header={**options, **self.header()},
                cold=cold_results,
                warm=warm_results,
                bare=bare_table,
                jobs=jobs_table,
                verdicts=verdicts,
            )
            Path(options["output"]).write_text(text)
            self.stdout.write(f"Written to {options['output']}")
        missed = [verdict.what for verdict in verdicts if not verdict.met]
        if missed:
            raise CommandError("Targets missed: " + "; ".join(missed))

    # --- Pages ----------------------------------------------------------------------------

    def measure_pages(self, options):
        # As in production (DEBUG off): the hashed static files and their manifest.
        call_command("collectstatic", interactive=False, verbosity=0)
        with scopes_disabled():
            pages = bench_pages(today=timezone.localdate(), samples=options["samples"])
        if options["only"]:
            pages = [page for page in pages if not page.targeted or options["only"] in page.name]
        cookies = {email: load.browser_cookies(email) for email in {page.user_email for page in pages}}
        self.stdout.write("Cold: no cache, one request at a time")
        cold_results = cold.measure_cold(pages, cookies, workers=options["workers"], log=self.stdout.write)
        self.stdout.write("Warm: production settings, wrk")
        with (
            load.Gunicorn(workers=options["workers"]) as server,
            load.Gunicorn(workers=options["workers"], **BARE) as bare,
        ):
            warm_results, bare_report = load.measure_warm(
                pages,
                cookies,
                server=server,
                bare=bare,
                duration=options["duration"],
                rounds=options["rounds"],
                connections=options["connections"],
                threads=options["threads"],
                log=self.stdout.write,
            )
        bare_table, bare_verdicts = document.bare_lines(warm_results, bare_report)
        return cold_results, warm_results, bare_table, bare_verdicts

    # --- Background work ------------------------------------------------------------------

    def time_jobs(self) -> dict:
        """Each job on a fresh scratch copy of the bench database, dropped afterwards."""
        env = pg_environment()
        name, scratch = env["PGDATABASE"], f"{env['PGDATABASE']}{SCRATCH_SUFFIX}"
        url = urllib.parse.urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{scratch}").geturl()
        figures = {}
        with tempfile.TemporaryDirectory() as media_root:
            for job in jobs.JOBS:
                self.stdout.write(f"  {job} (on a scratch copy of the bench database)")
                connections.close_all()
                maintenance = _server_connection(env)
                try:
                    with maintenance.cursor() as cursor:
                        cursor.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
                        # A template must have no other connection (a psql left open, say).
                        cursor.execute(
                            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name]
                        )
                        cursor.execute(f'CREATE DATABASE "{scratch}" TEMPLATE "{name}"')
                    figures[job] = jobs.run_job(job, database_url=url, media_root=media_root)
                finally:
                    with maintenance.cursor() as cursor:
                        cursor.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
                    maintenance.close()
                self.stdout.write(f"    {json.dumps(figures[job])}")
        return figures

    # --- The dataset ----------------------------------------------------------------------

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
        # seed_demo's snapshots predate the bench rows: the nightly job's first night
        # computes them all again (today, every year end and month end since 2001).
        KpiSectorSnapshot.objects.all().delete()
        KpiSnapshot.objects.all().delete()
        started = time.monotonic()
        compute_kpi_snapshots.run()
        dates = KpiSnapshot.objects.filter(scope="network").count()
        self.stdout.write(f"  KPI snapshots, the first night: {dates} dates ({time.monotonic() - started:.0f} s)")
        # As autovacuum leaves a production database: the visibility map lets the dashboards'
        # index-only scans skip the table (a fresh build has none: every row is checked in the
        # heap, and the first measures would depend on when autovacuum comes by).
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")

    def create_database(self, *, recreate: bool = False) -> None:
        """Create the bench database if it is missing (or drop it first), through the
        server's maintenance database."""
        env = pg_environment()
        name = env["PGDATABASE"]
        connections.close_all()
        maintenance = _server_connection(env)
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

    def header(self) -> dict:
        with scopes_disabled():
            counts = {
                "startups": Startup.objects.count(),
                "admissions": Admission.objects.count(),
                "yearly declarations": Declaration.objects.count(),
                "session registrations": Registration.objects.count(),
                "mentor bookings": Booking.objects.count(),
            }
        return {
            "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": load.machine(),
            "dataset": ", ".join(f"{count:,} {name}" for name, count in counts.items()),
        }
