"""A site's mentors (the mentor drop-down of the site's bookings page) are read with one
EXISTS per mentor: an index on (site, mentor) answers each probe."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("mentors", "0002_booking_overlap_exclusion")]

    operations = [
        migrations.AddIndex(
            model_name="booking",
            index=models.Index(fields=["site", "mentor"], name="mentors_boo_site_id_7370f9_idx"),
        ),
    ]
