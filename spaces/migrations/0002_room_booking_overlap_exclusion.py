"""PostgreSQL: a room never has two confirmed bookings whose times overlap (a session's
included), enforced by an exclusion constraint (btree_gist). SQLite relies on the room row
lock taken by `actions` (SQLite transactions are serialised) and on the uniqueness of
(room, start) among confirmed bookings."""

from django.db import migrations

EXCLUSION = (
    "ALTER TABLE spaces_roombooking ADD CONSTRAINT room_bookings_never_overlap "
    "EXCLUDE USING gist (room_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&) "
    "WHERE (status = 'confirmed')"
)


def add_exclusion(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        schema_editor.execute(EXCLUSION)


def drop_exclusion(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE spaces_roombooking DROP CONSTRAINT IF EXISTS room_bookings_never_overlap")


class Migration(migrations.Migration):
    dependencies = [("spaces", "0001_initial")]

    operations = [migrations.RunPython(add_exclusion, drop_exclusion)]
