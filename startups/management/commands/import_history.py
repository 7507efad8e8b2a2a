"""`python manage.py import_history --startups startups.csv --declarations declarations.csv [--dry-run]`

Imports head office's historical records (see startups/importer/__init__.py for the formats). Nothing
is written when any row is bad; the exit code is then 1 and every bad row is listed with its
line number. Importing the same files again changes nothing.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scopes_disabled

from startups.importer import import_history


class Command(BaseCommand):
    help = "Import historical startups, admissions and yearly declarations from CSV files (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("--startups", type=Path, help="startups.csv: one row per admission.")
        parser.add_argument("--declarations", type=Path, help="declarations.csv: one row per startup and fiscal year.")
        parser.add_argument("--dry-run", action="store_true", help="Validate and report without writing anything.")

    def handle(self, *args, startups=None, declarations=None, dry_run=False, **options):
        if startups is None and declarations is None:
            raise CommandError("Give --startups FILE, --declarations FILE or both.")
        contents = {}
        for option, path in (("startups", startups), ("declarations", declarations)):
            if path is None:
                continue
            try:
                contents[option] = path.read_bytes()
            except OSError as error:
                raise CommandError(f"--{option}: cannot read {path}: {error.strerror or error}") from error

        # A management command may see every site at once (DESIGN.md, Tenancy). It prints
        # the counts only: no per-record details, which cost more memory than the import.
        with scopes_disabled():
            report = import_history(
                contents.get("startups"), contents.get("declarations"), dry_run=dry_run, actor=None, details=False
            )

        for error in report.errors:
            self.stderr.write(str(error))
        self.stdout.write(report.summary())
        if report.errors:
            raise CommandError(f"{len(report.errors)} error(s): nothing was imported.")
        if dry_run:
            self.stdout.write(self.style.WARNING("Dry run: nothing was written."))
        else:
            self.stdout.write(self.style.SUCCESS("Import done."))
