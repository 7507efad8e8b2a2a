"""CSV and XLSX writers for the back-office's list exports.

The writers take a header and an iterable of rows; they know nothing about tenancy. The
caller hands them an already-scoped, already-filtered queryset whose related rows are
prefetched, so an export costs a fixed number of queries per chunk, never one per row.

CSV is streamed. The generator runs after the view has returned, i.e. outside the tenancy
middleware's scope: `stream_csv` re-opens the request's site scope around the iteration
so the queryset stays filtered to that one site (and raises rather than leaks otherwise).
XLSX is built in memory with openpyxl's write-only workbook (the format is a zip archive).
"""

import csv
import datetime
import io
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from sites.scoping import site_scope

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def export_filename(*, name: str, site, extension: str, on: datetime.date | None = None) -> str:
    on = on or timezone.localdate()
    return f"{name}-{site.slug}-{on.isoformat()}.{extension}"


def csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return str(value)  # numbers are never formulas: a negative one keeps its sign
    text = str(value)
    # Spreadsheets run cells starting with = + - @ as formulas (CSV injection).
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


class _Echo:
    def write(self, value):
        return value


def stream_csv(*, site, filename: str, header: list, rows: Callable[[], Iterable[list]]) -> StreamingHttpResponse:
    """A streamed CSV download (UTF-8 with BOM, so spreadsheet programs read accents).
    `rows` is called lazily inside `site`'s scope."""
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff" + writer.writerow([csv_value(cell) for cell in header])
        with site_scope(site):
            for row in rows():
                yield writer.writerow([csv_value(cell) for cell in row])

    response = StreamingHttpResponse(lines(), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_response(*, filename: str, header: list, rows: Iterable[list]) -> HttpResponse:
    """A small CSV download built in memory (UTF-8 with BOM); `stream_csv` for long lists."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([csv_value(cell) for cell in header])
    for row in rows:
        writer.writerow([csv_value(cell) for cell in row])
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_response(*, filename: str, title: str, header: list, rows: Iterable[list]) -> HttpResponse:
    """An XLSX download built with a write-only workbook. Text cells are always written as
    text (never as formulas); dates as dates."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    bold_header = []
    for value in header:
        cell = WriteOnlyCell(sheet, value=str(value))
        cell.font = Font(bold=True)
        bold_header.append(cell)
    sheet.append(bold_header)
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, str):
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"  # a leading "=" stays text
            else:
                cell = WriteOnlyCell(sheet, value=value)
                if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
                    cell.number_format = "yyyy-mm-dd"
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


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
