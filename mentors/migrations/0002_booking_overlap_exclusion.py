"""PostgreSQL: a mentor never has two confirmed bookings whose times overlap, enforced by
an exclusion constraint (btree_gist). SQLite relies on the mentor row lock taken by
`actions.booking_create` (SQLite transactions are serialised: IMMEDIATE mode) and on the
uniqueness of (mentor, start) among confirmed bookings."""

from django.db import migrations

EXCLUSION = (
    "ALTER TABLE mentors_booking ADD CONSTRAINT mentor_bookings_never_overlap "
    "EXCLUDE USING gist (mentor_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&) "
    "WHERE (status = 'confirmed')"
)


def add_exclusion(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        schema_editor.execute(EXCLUSION)


def drop_exclusion(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE mentors_booking DROP CONSTRAINT IF EXISTS mentor_bookings_never_overlap")


class Migration(migrations.Migration):
    dependencies = [("mentors", "0001_initial")]

    operations = [migrations.RunPython(add_exclusion, drop_exclusion)]
