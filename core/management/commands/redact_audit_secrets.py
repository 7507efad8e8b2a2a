"""Mask the secrets that audit rows written before the name pattern of core.audit
still hold (a user's `calendar_token` above all). One-time, safe to run again: rows already
clean are left alone. `--dry-run` counts without writing."""

from django.core.management.base import BaseCommand
from django.db import transaction
from django_scopes import scopes_disabled

from core.audit import audit_changes_redact
from core.models import AuditEntry

BATCH = 500


class Command(BaseCommand):
    help = "Mask secrets (tokens, keys, passwords, codes…) stored in existing audit rows."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count the rows to redact, change nothing.")

    def handle(self, *args, dry_run: bool = False, **options):
        redacted = 0
        batch: list[AuditEntry] = []
        with scopes_disabled():  # the whole trail, every site
            for entry in AuditEntry.objects.only("pk", "changes").order_by("pk").iterator(chunk_size=2000):
                changes = audit_changes_redact(entry.changes or {})
                if changes == entry.changes:
                    continue
                redacted += 1
                entry.changes = changes
                batch.append(entry)
                if len(batch) >= BATCH:
                    self._save(batch, dry_run=dry_run)
                    batch = []
            self._save(batch, dry_run=dry_run)
        verb = "would be redacted" if dry_run else "redacted"
        self.stdout.write(f"{redacted} audit rows {verb}.")

    def _save(self, batch: list[AuditEntry], *, dry_run: bool) -> None:
        if batch and not dry_run:
            with transaction.atomic():
                AuditEntry.objects.bulk_update(batch, ["changes"])
