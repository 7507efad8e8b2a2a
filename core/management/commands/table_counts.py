"""Print "table<TAB>rows" for every table of the database, sorted by name.

Used by CI to compare a database before a backup and after its restore (see .ci/run).
"""

from django.core.management.base import BaseCommand
from django.db import connection


class Command(BaseCommand):
    help = 'Print "table<TAB>rows" for every table of the default database, sorted by table name.'

    def handle(self, *args, **options):
        with connection.cursor() as cursor:
            for table in sorted(connection.introspection.table_names(cursor)):
                # Raw SQL: exact counts of every table, including ones without a model and
                # those behind django-scopes managers.
                cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608 (names from introspection, quoted)
                self.stdout.write(f"{table}\t{cursor.fetchone()[0]}")
