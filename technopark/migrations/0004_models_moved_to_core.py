"""The kernel's models moved to `core` (core.0001): forgotten here, their tables kept."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("technopark", "0003_login_throttles"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(
                    name="AccountLock",
                ),
                migrations.RemoveField(
                    model_name="auditentry",
                    name="actor",
                ),
                migrations.RemoveField(
                    model_name="auditentry",
                    name="content_type",
                ),
                migrations.RemoveField(
                    model_name="auditentry",
                    name="site",
                ),
                migrations.DeleteModel(
                    name="OutboxMessage",
                ),
                migrations.DeleteModel(
                    name="ThrottleCounter",
                ),
                migrations.DeleteModel(
                    name="AuditEntry",
                ),
            ],
        ),
    ]
