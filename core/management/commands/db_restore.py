"""`make restore BACKUP_FILE=...`: pg_restore of a `make backup` file into the portal's
PostgreSQL database. --clean --if-exists drops the objects it restores first; --no-owner
makes the connecting user the owner. For an exact copy, restore into a new database."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.pgtools import describe, pg_environment, run


class Command(BaseCommand):
    help = "pg_restore a `make backup` file into the portal's PostgreSQL database."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="The dump written by `make backup`.")

    def handle(self, *args, file=None, **options):
        if not file:
            raise CommandError("Usage: make restore BACKUP_FILE=backups/technopark-<timestamp>.dump")
        if not Path(file).is_file():
            raise CommandError(f"No such backup file: {file}")
        env = pg_environment()
        run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--exit-on-error",
                "--single-transaction",
                f"--dbname={env['PGDATABASE']}",
                file,
            ],
            env,
        )
        self.stdout.write(f"Restored {file} into {describe(env)}")
