from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager


class AuditEntry(models.Model):
    """Who changed what, when, with the values before and after (see core.audit)."""

    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        UPDATE = "update", _("Updated")
        DELETE = "delete", _("Deleted")

    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    # Kept as text too, so the trail still names the person if the account is deleted.
    actor_email = models.EmailField(_("who (email)"), blank=True)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name=_("record type"))
    object_id = models.CharField(_("record id"), max_length=64)
    object_repr = models.CharField(_("record"), max_length=200)
    # The site the record belongs to; empty for network-level records (regions, sites).
    site = models.ForeignKey(
        "tp_sites.Site", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("site")
    )
    changes = models.JSONField(_("changes"), default=dict, help_text=_('{"field": [before, after]}'))

    objects = ScopedManager(site="site")

    class Meta:
        db_table = "technopark_auditentry"  # named when the kernel lived in technopark/
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_email} {self.action} {self.object_repr}"


class OutboxMessage(models.Model):
    """A notification written in the same transaction as the change that causes it, and
    delivered by Celery afterwards (see core.emails): it exists if and only if the
    change committed, and it waits here while the broker or the mail server is down.
    Network infrastructure, not site-owned: no `site` key."""

    class Kind(models.TextChoices):
        EMAIL = "email", _("Email")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.EMAIL)
    to = models.JSONField(_("recipients"), default=list)
    subject = models.TextField(_("subject"))
    body = models.TextField(_("body"))
    html = models.TextField(_("HTML body"), blank=True)
    attachments = models.JSONField(
        _("attachments"), default=list, blank=True, help_text=_("[[file name, text content, MIME type]]")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Not before: the next attempt after a failure waits longer each time.
    available_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        db_table = "technopark_outboxmessage"  # named when the kernel lived in technopark/
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "available_at"], name="outbox_due_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} {', '.join(self.to)}: {self.subject}"


class ThrottleCounter(models.Model):
    """Attempts counted per (scope, key) in a fixed window: the rate limits that must hold
    while Redis is down, such as failed password checks per address (core.throttling)."""

    scope = models.CharField(_("scope"), max_length=40)
    key = models.CharField(_("key"), max_length=64)  # a SHA-256 of what is counted
    window_start = models.DateTimeField(_("window start"))
    count = models.PositiveIntegerField(_("count"), default=0)

    class Meta:
        db_table = "technopark_throttlecounter"  # named when the kernel lived in technopark/
        verbose_name = _("rate-limit counter")
        verbose_name_plural = _("rate-limit counters")
        constraints = [models.UniqueConstraint(fields=["scope", "key", "window_start"], name="throttle_counter_unique")]
        indexes = [models.Index(fields=["window_start"], name="throttle_counter_window_idx")]

    def __str__(self):
        return f"{self.scope} {self.key[:8]} {self.window_start:%Y-%m-%d %H:%M:%S}: {self.count}"


class AccountLock(models.Model):
    """The failed password checks of one login (an address, by its SHA-256: no personal
    data) and the progressive lock they put on it (core.throttling)."""

    key = models.CharField(_("key"), max_length=64, unique=True)
    failures = models.PositiveIntegerField(_("failures"), default=0)
    last_failure_at = models.DateTimeField(_("last failure"), null=True, blank=True)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)
    # The unlock link emailed for the current episode: its nonce (empty once used) and when.
    unlock_nonce = models.CharField(_("unlock nonce"), max_length=32, blank=True)
    unlock_sent_at = models.DateTimeField(_("unlock link sent"), null=True, blank=True)

    class Meta:
        db_table = "technopark_accountlock"  # named when the kernel lived in technopark/
        verbose_name = _("account lock")
        verbose_name_plural = _("account locks")
        indexes = [models.Index(fields=["last_failure_at"], name="account_lock_failure_idx")]

    def __str__(self):
        return f"{self.key[:8]}: {self.failures}"
