# The dashboards' ratings read the rated seats of a period's sessions from this index alone
# (reports.satisfaction).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("services", "0004_content_in_three_languages"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="registration",
            index=models.Index(
                condition=models.Q(("rating__isnull", False), ("status", "confirmed")),
                fields=["session"],
                include=("rating",),
                name="registration_rated_idx",
            ),
        ),
    ]
