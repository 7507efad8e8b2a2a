"""History import jobs (see `startups.importer`), run in Celery with their progress."""

import datetime

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.jobs import BackgroundJob


class ImportJob(BackgroundJob):
    """A confirmed history import (head office, network-wide: not site-owned), applied by
    the Celery task `startups.importer.jobs.run_history_import`. The two CSV files are kept as text
    (5 MB at most each, checked by the upload form); None means the file was not given."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    startups_name = models.CharField(max_length=255, blank=True)
    startups_csv = models.TextField(null=True, blank=True)
    declarations_name = models.CharField(max_length=255, blank=True)
    declarations_csv = models.TextField(null=True, blank=True)
    total_rows = models.PositiveIntegerField(default=0, help_text="Records to import (known once planned).")
    processed_rows = models.PositiveIntegerField(default=0)
    report = models.JSONField(null=True, blank=True, help_text="ImportReport.to_dict() once finished.")

    # The import is one transaction, so a running job cannot give signs of life on its row
    # (its live progress goes through the cache): it is taken for dead only once it has
    # run for longer than any import may.
    stale_after = datetime.timedelta(minutes=30)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")

    def __str__(self):
        return f"import #{self.pk} · {self.status}"

    def get_absolute_url(self):
        return reverse("startups:history_import_job", kwargs={"pk": self.pk})
