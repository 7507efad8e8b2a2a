"""Where a board report's files live: one folder per report (`board-reports/<pk>/`), the
files written there under temporary names (`partial/`) and moved to their final names
when the report is done (reports.board.jobs), the names the downloads get."""

import contextlib
import os

from django.utils.text import slugify

from ..models import BoardReport

FOLDER = "board-reports"


def report_storage():
    return BoardReport._meta.get_field("pdf").storage


def report_folder(report_id: int) -> str:
    return f"{FOLDER}/{report_id}"


def delete_tree(storage, folder: str) -> None:
    try:
        folders, files = storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in files:
        storage.delete(f"{folder}/{name}")
    for name in folders:
        delete_tree(storage, f"{folder}/{name}")
    with contextlib.suppress(OSError):
        storage.delete(folder)  # the folder itself, on storages that have folders


def sweep_folder(report_id: int) -> None:
    """Delete what the report's folder holds: a claimed report references no file yet, so
    anything there is the leftover of a run that died or of the files before a reset."""
    delete_tree(report_storage(), report_folder(report_id))


def promote(temporary: str, final: str) -> str:
    """Move a temporary file to its final name (a rename on the local file system)."""
    storage = report_storage()
    try:
        source = storage.path(temporary)
    except NotImplementedError:  # a remote storage: copy, then delete
        with storage.open(temporary, "rb") as handle:
            name = storage.save(final, handle)
        storage.delete(temporary)
        return name
    name = storage.get_available_name(final)
    target = storage.path(name)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    os.replace(source, target)
    return name


def report_stem(report: BoardReport) -> str:
    """E.g. board-report-site-a-2026-05-ar (the downloads are named after it): the French
    and the Arabic report of a month are two files."""
    scope = "network" if report.site_id is None else slugify(report.scope.partition(":")[2])
    return f"board-report-{scope}-{report.month:%Y-%m}-{report.language}"


def report_filename(report: BoardReport, extension: str) -> str:
    return f"{report_stem(report)}.{extension}"
