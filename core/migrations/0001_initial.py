"""The kernel's models, moved from `technopark` (technopark.0004) with their tables:
state only, nothing in the database changes but the content types' app label."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

MOVED = ["auditentry", "outboxmessage", "throttlecounter", "accountlock"]


def content_types_follow(apps, schema_editor):
    """The moved models' content types (admin history, permissions) move with them."""
    content_types = apps.get_model("contenttypes", "ContentType")
    content_types.objects.filter(app_label="technopark", model__in=MOVED).update(app_label="core")


def content_types_back(apps, schema_editor):
    content_types = apps.get_model("contenttypes", "ContentType")
    content_types.objects.filter(app_label="core", model__in=MOVED).update(app_label="technopark")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("technopark", "0004_models_moved_to_core"),
        ("tp_sites", "0005_languages"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AccountLock",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("key", models.CharField(max_length=64, unique=True, verbose_name="key")),
                        ("failures", models.PositiveIntegerField(default=0, verbose_name="failures")),
                        ("last_failure_at", models.DateTimeField(blank=True, null=True, verbose_name="last failure")),
                        ("locked_until", models.DateTimeField(blank=True, null=True, verbose_name="locked until")),
                        ("unlock_nonce", models.CharField(blank=True, max_length=32, verbose_name="unlock nonce")),
                        (
                            "unlock_sent_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="unlock link sent"),
                        ),
                    ],
                    options={
                        "verbose_name": "account lock",
                        "verbose_name_plural": "account locks",
                        "db_table": "technopark_accountlock",
                        "indexes": [models.Index(fields=["last_failure_at"], name="account_lock_failure_idx")],
                    },
                ),
                migrations.CreateModel(
                    name="OutboxMessage",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[("email", "Email")], default="email", max_length=10, verbose_name="kind"
                            ),
                        ),
                        ("to", models.JSONField(default=list, verbose_name="recipients")),
                        ("subject", models.TextField(verbose_name="subject")),
                        ("body", models.TextField(verbose_name="body")),
                        ("html", models.TextField(blank=True, verbose_name="HTML body")),
                        (
                            "attachments",
                            models.JSONField(
                                blank=True,
                                default=list,
                                help_text="[[file name, text content, MIME type]]",
                                verbose_name="attachments",
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[("pending", "Pending"), ("sent", "Sent"), ("failed", "Failed")],
                                default="pending",
                                max_length=10,
                                verbose_name="status",
                            ),
                        ),
                        ("attempts", models.PositiveSmallIntegerField(default=0, verbose_name="attempts")),
                        ("last_error", models.TextField(blank=True, verbose_name="last error")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                        (
                            "available_at",
                            models.DateTimeField(default=django.utils.timezone.now, verbose_name="next attempt"),
                        ),
                        ("sent_at", models.DateTimeField(blank=True, null=True, verbose_name="sent")),
                    ],
                    options={
                        "verbose_name": "outgoing message",
                        "verbose_name_plural": "outgoing messages",
                        "db_table": "technopark_outboxmessage",
                        "ordering": ["-created_at", "-pk"],
                        "indexes": [models.Index(fields=["status", "available_at"], name="outbox_due_idx")],
                    },
                ),
                migrations.CreateModel(
                    name="ThrottleCounter",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("scope", models.CharField(max_length=40, verbose_name="scope")),
                        ("key", models.CharField(max_length=64, verbose_name="key")),
                        ("window_start", models.DateTimeField(verbose_name="window start")),
                        ("count", models.PositiveIntegerField(default=0, verbose_name="count")),
                    ],
                    options={
                        "verbose_name": "rate-limit counter",
                        "verbose_name_plural": "rate-limit counters",
                        "db_table": "technopark_throttlecounter",
                        "indexes": [models.Index(fields=["window_start"], name="throttle_counter_window_idx")],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("scope", "key", "window_start"), name="throttle_counter_unique"
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="AuditEntry",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="when")),
                        ("actor_email", models.EmailField(blank=True, max_length=254, verbose_name="who (email)")),
                        (
                            "action",
                            models.CharField(
                                choices=[("create", "Created"), ("update", "Updated"), ("delete", "Deleted")],
                                max_length=10,
                                verbose_name="action",
                            ),
                        ),
                        ("object_id", models.CharField(max_length=64, verbose_name="record id")),
                        ("object_repr", models.CharField(max_length=200, verbose_name="record")),
                        (
                            "changes",
                            models.JSONField(
                                default=dict, help_text='{"field": [before, after]}', verbose_name="changes"
                            ),
                        ),
                        (
                            "actor",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="who",
                            ),
                        ),
                        (
                            "content_type",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                to="contenttypes.contenttype",
                                verbose_name="record type",
                            ),
                        ),
                        (
                            "site",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="tp_sites.site",
                                verbose_name="site",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "audit entry",
                        "verbose_name_plural": "audit entries",
                        "db_table": "technopark_auditentry",
                        "ordering": ["-created_at", "-pk"],
                        "indexes": [
                            models.Index(fields=["content_type", "object_id"], name="technopark__content_90d0d2_idx")
                        ],
                    },
                ),
            ],
        ),
        migrations.RunPython(content_types_follow, content_types_back),
    ]
