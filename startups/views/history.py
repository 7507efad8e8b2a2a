"""Head office imports historical records: upload startups.csv and/or declarations.csv,
check the preview (what would be created or updated, every bad row with its line), then
confirm without uploading again.

Between the preview and the confirmation the files wait in a private temporary folder
named by a random token that only the uploader's session knows (files are 5 MB at most,
leftovers older than a day are purged at the next upload). This assumes the web workers
share one machine's temporary folder; when the import moves to Celery the files will move
to shared storage, and `importer.import_history` will not change.
"""

import secrets
import shutil
import tempfile
import time
from pathlib import Path

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import head_office_required
from sites.scoping import network_scope

from ..forms.history import ConfirmImportForm, HistoryUploadForm
from ..importer import import_history

STASH_DIR = Path(tempfile.gettempdir()) / "technopark-history-imports"
STASH_MAX_AGE_SECONDS = 24 * 60 * 60
SESSION_KEY = "startups_history_import"
FILES = ("startups", "declarations")
PREVIEW_CHANGES = 50
PREVIEW_ERRORS = 200


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


def _stash(request, contents: dict[str, bytes], names: dict[str, str]) -> str:
    _drop(request)
    _purge_stale()
    token = secrets.token_urlsafe(24)
    folder = STASH_DIR / token
    folder.mkdir(parents=True, mode=0o700)
    for key, content in contents.items():
        (folder / f"{key}.csv").write_bytes(content)
    request.session[SESSION_KEY] = {"token": token, "names": names}
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


@head_office_required
def history_import(request):
    form = HistoryUploadForm(request.POST, request.FILES) if request.method == "POST" else HistoryUploadForm()
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        uploads = {key: form.cleaned_data[key] for key in FILES if form.cleaned_data.get(key)}
        contents = {key: upload.read() for key, upload in uploads.items()}
        with network_scope():  # head office: the import reads and writes across every site
            report = import_history(
                contents.get("startups"), contents.get("declarations"), dry_run=True, actor=request.user
            )
        context.update(_preview_context(report))
        context["names"] = {key: upload.name for key, upload in uploads.items()}
        if report.ok:
            token = _stash(request, contents, context["names"])
            context["confirm_form"] = ConfirmImportForm(initial={"token": token})
        else:
            _drop(request)
    return render(request, "startups/history/import.html", context)


@head_office_required
@require_POST
def history_import_confirm(request):
    form = ConfirmImportForm(request.POST)
    contents = _unstash(request, form.data.get("token", "")) if form.is_valid() else None
    if contents is None:
        messages.error(request, _("This preview is no longer available: upload the files again."))
        return redirect("startups:history_import")
    with network_scope():
        report = import_history(
            contents.get("startups"), contents.get("declarations"), dry_run=False, actor=request.user
        )
    _drop(request)
    if not report.applied:
        # The portal changed since the preview (someone else imported or edited): nothing was written.
        messages.error(request, _("Nothing was imported: the data changed since the preview. Check the errors below."))
        return render(
            request,
            "startups/history/import.html",
            {"form": HistoryUploadForm(), **_preview_context(report)},
        )
    messages.success(request, _("Import done. %(summary)s") % {"summary": report.summary()})
    return redirect("startups:history_import")


urlpatterns = [
    path("network/import/", history_import, name="history_import"),
    path("network/import/confirm/", history_import_confirm, name="history_import_confirm"),
]
