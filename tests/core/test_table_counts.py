from io import StringIO

from django.core.management import call_command
from django.db import connection

from sites.models import Region
from tests.factories import RegionFactory


def test_table_counts_lists_every_table_sorted_with_exact_counts(db):
    RegionFactory()
    out = StringIO()
    call_command("table_counts", stdout=out)
    rows = [line.split("\t") for line in out.getvalue().splitlines()]
    tables = [table for table, _ in rows]
    assert tables == sorted(connection.introspection.table_names())
    counts = {table: int(count) for table, count in rows}
    assert counts[Region._meta.db_table] == Region.objects.count()
    assert counts["django_migrations"] > 0
