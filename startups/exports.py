"""The back-office's list exports: the residents' header and rows, the file names with the
site's slug. The writers and their guard against spreadsheet formulas are the kernel's
(`core.exports`).

The caller hands an already-scoped, already-filtered queryset whose related rows are
prefetched, so an export costs a fixed number of queries per chunk, never one per row.

CSV is streamed. The generator runs after the view has returned, i.e. outside the tenancy
middleware's scope: `stream_csv` re-opens the request's site scope around the iteration
so the queryset stays filtered to that one site (and raises rather than leaks otherwise).
"""

import datetime
from collections.abc import Callable, Iterable, Iterator

from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from core import exports as writers
from core.exports import xlsx_response
from sites.scoping import site_scope

__all__ = [
    "admission_export_header",
    "admission_export_row",
    "export_filename",
    "stream_csv",
    "xlsx_response",
]


def export_filename(*, name: str, site, extension: str, on: datetime.date | None = None) -> str:
    on = on or timezone.localdate()
    return f"{name}-{site.slug}-{on.isoformat()}.{extension}"


def stream_csv(*, site, filename: str, header: list, rows: Callable[[], Iterable[list]]) -> StreamingHttpResponse:
    """A streamed CSV download; `rows` is called lazily inside `site`'s scope."""

    def scoped_rows() -> Iterator[list]:
        with site_scope(site):
            yield from rows()

    return writers.stream_csv(filename=filename, header=header, rows=scoped_rows())


# --- Residents and members -------------------------------------------------------------
def admission_export_header() -> list[str]:
    return [
        _("Startup"),
        _("ICE"),
        _("Kind"),
        _("Start"),
        _("Planned end"),
        _("Ended on"),
        _("Exit reason"),
        _("Current office"),
        _("Sectors"),
    ]


def admission_export_row(admission) -> list:
    """One admission as a row. Expects `startup` selected, `startup.sectors` prefetched and
    `current_allocations` prefetched (see views.residents)."""
    startup = admission.startup
    offices = ", ".join(allocation.office.number for allocation in admission.current_allocations)
    sectors = ", ".join(sorted(sector.name for sector in startup.sectors.all()))
    return [
        str(startup),
        startup.ice or "",
        admission.get_kind_display(),
        admission.starts_on,
        admission.planned_end_on,
        admission.ended_on,
        admission.get_exit_reason_display() if admission.exit_reason else "",
        offices,
        sectors,
    ]
