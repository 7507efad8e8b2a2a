"""PostgreSQL: one office is never allocated twice over overlapping dates, enforced by an
exclusion constraint (btree_gist). SQLite relies on the office row lock taken by
`actions.office_allocate` (SQLite transactions are serialised: IMMEDIATE mode).

Also loads the default committee criteria."""

from django.db import migrations

EXCLUSION = (
    "ALTER TABLE startups_officeallocation ADD CONSTRAINT office_allocations_never_overlap "
    "EXCLUDE USING gist (office_id WITH =, daterange(starts_on, ends_on, '[)') WITH &&)"
)

CRITERIA = [
    ("team", 3, "Équipe", "الفريق", "Team"),
    ("innovation", 2, "Innovation", "الابتكار", "Innovation"),
    ("market", 2, "Marché et modèle économique", "السوق والنموذج الاقتصادي", "Market and business model"),
    ("fit", 1, "Adéquation avec la vocation du site", "الملاءمة مع توجه الموقع", "Fit with the site's vocation"),
]


def add_exclusion(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        schema_editor.execute(EXCLUSION)


def drop_exclusion(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE startups_officeallocation DROP CONSTRAINT IF EXISTS office_allocations_never_overlap"
        )


def load_criteria(apps, schema_editor):
    Criterion = apps.get_model("startups", "Criterion")
    for position, (code, weight, fr, ar, en) in enumerate(CRITERIA):
        Criterion.objects.update_or_create(
            code=code, defaults={"weight": weight, "position": position, "name_fr": fr, "name_ar": ar, "name_en": en}
        )


class Migration(migrations.Migration):
    dependencies = [("startups", "0001_initial")]
    operations = [
        migrations.RunPython(add_exclusion, drop_exclusion),
        migrations.RunPython(load_criteria, migrations.RunPython.noop),
    ]
