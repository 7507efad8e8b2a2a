"""History import jobs, for head office's import page."""

from django.db.models import QuerySet

from ..models import ImportJob


def import_jobs() -> QuerySet[ImportJob]:
    """Every import job, latest first, with who confirmed it and without the files' texts."""
    return ImportJob.objects.select_related("created_by").defer("startups_csv", "declarations_csv")
