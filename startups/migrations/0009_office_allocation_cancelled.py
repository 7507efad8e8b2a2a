"""An office allocation may be cancelled (a mistake, a change of plan before it starts): it
is kept, marked cancelled, and no longer holds the office. On PostgreSQL the exclusion
constraint of migration 0002 now ignores cancelled allocations, so the office can be
allocated again over their dates.

Going back restores the constraint over every allocation: it fails while a cancelled
allocation overlaps another one of the same office."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

DROP = "ALTER TABLE startups_officeallocation DROP CONSTRAINT IF EXISTS office_allocations_never_overlap"
EXCLUSION = (
    "ALTER TABLE startups_officeallocation ADD CONSTRAINT office_allocations_never_overlap "
    "EXCLUDE USING gist (office_id WITH =, daterange(starts_on, ends_on, '[)') WITH &&)"
)


def exclude_standing_only(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)
        schema_editor.execute(EXCLUSION + " WHERE (cancelled_at IS NULL)")


def exclude_every_allocation(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)
        schema_editor.execute(EXCLUSION)


class Migration(migrations.Migration):
    dependencies = [
        ("startups", "0008_import_job_is_a_background_job"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="officeallocation",
            name="cancelled_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="cancelled at"),
        ),
        migrations.AddField(
            model_name="officeallocation",
            name="cancelled_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(exclude_standing_only, exclude_every_allocation),
    ]
