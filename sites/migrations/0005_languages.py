from django.db import migrations

LANGUAGES = [
    ("ar", "Arabe", "العربية", "Arabic"),
    ("en", "Anglais", "الإنجليزية", "English"),
    ("fr", "Français", "الفرنسية", "French"),
    ("zgh", "Amazighe", "الأمازيغية", "Amazigh"),
]


def load(apps, schema_editor):
    Language = apps.get_model("tp_sites", "Language")
    for code, fr, ar, en in LANGUAGES:
        Language.objects.update_or_create(code=code, defaults={"name_fr": fr, "name_ar": ar, "name_en": en})


class Migration(migrations.Migration):
    dependencies = [("tp_sites", "0004_language")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
