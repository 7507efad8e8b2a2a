"""Head office imports historical records: upload startups.csv and/or declarations.csv,
check the preview (what would be created or updated, every bad row with its line), then
confirm without uploading again. The confirmation queues an `ImportJob` that the Celery task
`startups.importer.jobs.run_history_import` applies; its page (`/network/import/jobs/<pk>/`) shows the
progress (refreshed by htmx every 2 s, or by a link without JavaScript) and then the report.

Between the preview and the confirmation the files wait in a private temporary folder
named by a random token that only the uploader's session knows (files are 5 MB at most,
leftovers older than a day are purged at the next upload). This assumes the web workers
share one machine's temporary folder. Once confirmed, the files are copied into the job's
row, which the Celery worker reads.
"""

import secrets
import shutil
import tempfile
import time
from pathlib import Path

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.limits import upload_limit
from sites.roles import head_office_required

from ..forms.history import ConfirmImportForm, HistoryUploadForm
from ..importer import MAX_FILE_BYTES, import_history
from ..importer.jobs import history_import_queue, import_progress
from ..models import ImportJob
from ..selectors.history import import_jobs

STASH_DIR = Path(tempfile.gettempdir()) / "technopark-history-imports"
STASH_MAX_AGE_SECONDS = 24 * 60 * 60
SESSION_KEY = "startups_history_import"
FILES = ("startups", "declarations")
PREVIEW_CHANGES = 50
PREVIEW_ERRORS = 200
RECENT_JOBS = 10


def _purge_stale() -> None:
    if not STASH_DIR.is_dir():
        return
    limit = time.time() - STASH_MAX_AGE_SECONDS
    for folder in STASH_DIR.iterdir():
        try:
            if folder.stat().st_mtime < limit:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue


def _stash(request, contents: dict[str, bytes], names: dict[str, str], total: int) -> str:
    _drop(request)
    _purge_stale()
    token = secrets.token_urlsafe(24)
    folder = STASH_DIR / token
    folder.mkdir(parents=True, mode=0o700)
    for key, content in contents.items():
        (folder / f"{key}.csv").write_bytes(content)
    request.session[SESSION_KEY] = {"token": token, "names": names, "total": total}
    return token


def _unstash(request, token: str) -> dict[str, bytes] | None:
    """The files of the preview behind `token`, if it is this session's and still there."""
    stored = request.session.get(SESSION_KEY) or {}
    if not token or not stored.get("token") or not secrets.compare_digest(str(stored["token"]), token):
        return None
    folder = STASH_DIR / stored["token"]  # the session's token, never the posted text, names the folder
    contents = {key: (folder / f"{key}.csv").read_bytes() for key in FILES if (folder / f"{key}.csv").is_file()}
    return contents or None


def _drop(request) -> None:
    stored = request.session.pop(SESSION_KEY, None) or {}
    if stored.get("token"):
        shutil.rmtree(STASH_DIR / stored["token"], ignore_errors=True)


def _preview_context(report) -> dict:
    writes = report.writes
    labels = {"startup": _("Startups"), "admission": _("Admissions"), "declaration": _("Yearly declarations")}
    return {
        "report": report,
        "count_rows": [(labels[kind], numbers) for kind, numbers in report.counts.items()],
        "preview_changes": writes[:PREVIEW_CHANGES],
        "more_changes": max(0, len(writes) - PREVIEW_CHANGES),
        "preview_errors": report.errors[:PREVIEW_ERRORS],
        "more_errors": max(0, len(report.errors) - PREVIEW_ERRORS),
    }


def _recent_jobs():
    return list(import_jobs()[:RECENT_JOBS])


@upload_limit(MAX_FILE_BYTES, MAX_FILE_BYTES)  # startups.csv and declarations.csv
@head_office_required
def history_import(request):
    form = HistoryUploadForm(request.POST, request.FILES) if request.method == "POST" else HistoryUploadForm()
    context = {"form": form, "jobs": _recent_jobs()}
    if request.method == "POST" and form.is_valid():
        uploads = {key: form.cleaned_data[key] for key in FILES if form.cleaned_data.get(key)}
        contents = {key: upload.read() for key, upload in uploads.items()}
        report = import_history(
            contents.get("startups"), contents.get("declarations"), dry_run=True, actor=request.user
        )
        context.update(_preview_context(report))
        context["names"] = {key: upload.name for key, upload in uploads.items()}
        if report.ok:
            token = _stash(request, contents, context["names"], len(report.changes))
            context["confirm_form"] = ConfirmImportForm(initial={"token": token})
        else:
            _drop(request)
    return render(request, "startups/history/import.html", context)


def _as_text(content: bytes | None) -> str | None:
    """The file as text for the job's row; ValueError if it cannot be stored as text."""
    if content is None:
        return None
    text = content.decode("utf-8-sig")  # the preview accepted it, so it is UTF-8
    if "\x00" in text:
        raise ValueError("NUL character")
    return text


@head_office_required
@require_POST
def history_import_confirm(request):
    form = ConfirmImportForm(request.POST)
    contents = _unstash(request, form.data.get("token", "")) if form.is_valid() else None
    if contents is None:
        messages.error(request, _("This preview is no longer available: upload the files again."))
        return redirect("startups:history_import")
    stored = request.session.get(SESSION_KEY) or {}
    names = stored.get("names") or {}
    try:
        texts = {key: _as_text(contents.get(key)) for key in FILES}
    except (UnicodeDecodeError, ValueError):
        _drop(request)
        messages.error(request, _("These files cannot be imported: save them as CSV UTF-8 and upload them again."))
        return redirect("startups:history_import")
    job = history_import_queue(actor=request.user, texts=texts, names=names, total=int(stored.get("total") or 0))
    _drop(request)
    messages.success(request, _("The import has started: this page shows its progress."))
    return redirect(job)


def _job_context(job: ImportJob) -> dict:
    processed, total = import_progress(job)
    report = job.report or {}
    errors = report.get("errors") or []
    labels = {"startup": _("Startups"), "admission": _("Admissions"), "declaration": _("Yearly declarations")}
    return {
        "job": job,
        "processed": processed,
        "total": total,
        "count_rows": [(labels.get(kind, kind), numbers) for kind, numbers in (report.get("counts") or {}).items()],
        "job_errors": errors[:PREVIEW_ERRORS],
        "more_errors": max(0, len(errors) - PREVIEW_ERRORS),
    }


def _job(pk: int) -> ImportJob:
    return get_object_or_404(import_jobs(), pk=pk)


@head_office_required
def history_import_job(request, pk: int):
    return render(request, "startups/history/job.html", _job_context(_job(pk)))


@head_office_required
def history_import_job_status(request, pk: int):
    """The status block alone, for the job page's htmx polling."""
    return render(request, "startups/history/_job_status.html", _job_context(_job(pk)))


urlpatterns = [
    path("network/import/", history_import, name="history_import"),
    path("network/import/confirm/", history_import_confirm, name="history_import_confirm"),
    path("network/import/jobs/<int:pk>/", history_import_job, name="history_import_job"),
    path("network/import/jobs/<int:pk>/status/", history_import_job_status, name="history_import_job_status"),
]
