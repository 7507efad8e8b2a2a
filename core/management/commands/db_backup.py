"""`make backup`: pg_dump (custom format) of the portal's PostgreSQL database."""

import datetime

from django.core.management.base import BaseCommand

from core.pgtools import backup_path, describe, pg_environment, run


class Command(BaseCommand):
    help = "pg_dump the portal's PostgreSQL database to backups/technopark-<UTC>.dump (or --file)."

    def add_arguments(self, parser):
        parser.add_argument("--file", help="Where to write the dump (default: backups/technopark-<UTC>.dump).")

    def handle(self, *args, file=None, **options):
        env = pg_environment()
        stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
        path = backup_path(file, stamp)
        path.parent.mkdir(parents=True, exist_ok=True)
        # A temporary name first: a failed dump never leaves a plausible-looking file.
        partial = path.with_name(path.name + ".partial")
        run(["pg_dump", "--format=custom", f"--file={partial}", env["PGDATABASE"]], env)
        partial.replace(path)
        size = path.stat().st_size
        self.stdout.write(f"Backed up {describe(env)} to {path} ({size / 1024:.0f} KB)")
