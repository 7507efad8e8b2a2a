"""The one CSV writer and the one XLSX writer behind every download of the portal, with one
guard against spreadsheet formulas (CSV injection).

Generic: the writers take a header and rows and know nothing about tenancy, apps or file
names. What is specific (the residents' columns, a file name with a site's slug, the
dashboards' number formats, re-opening a site's scope around a streamed queryset) stays in
the app that calls them.

The guard: spreadsheet programs run a cell that starts with = + - @ (or a tab or carriage
return before one) as a formula. CSV has no cell types, so such text gets a leading
apostrophe (`formula_safe`); XLSX has them, so every text cell is written as text and never
as a formula (`xlsx_cell`), whatever it starts with. Numbers are never formulas: a negative
one keeps its sign.

CSV: as French Excel opens it with a double click: UTF-8 with a byte order mark (so it
reads accents and Arabic) and `;` between cells (Excel takes the list separator of the
user's locale, `;` in French; a comma would put each line in one cell). A cell holding a
`;`, a quote or a line break is quoted. Numbers keep their `.` decimal point, as every other
program reads them; XLSX is the typed format. XLSX: openpyxl's write-only workbook, built in
memory (the format is a zip archive).
"""

import csv
import datetime
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import translation
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOM = "\ufeff"
CSV_DELIMITER = ";"  # French Excel's list separator
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMAT = "yyyy-mm-dd"


def _attachment(response: HttpResponse | StreamingHttpResponse, filename: str):
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- The guard ------------------------------------------------------------------------------
def formula_safe(text: str) -> str:
    """`text` as a spreadsheet shows it without running it: a would-be formula gets a
    leading apostrophe."""
    # Spreadsheets run cells starting with = + - @ as formulas (CSV injection).
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


# --- CSV ------------------------------------------------------------------------------------
def csv_value(value) -> str:
    """One cell as CSV text: empty for None, ISO dates, exact numbers, guarded text."""
    if value is None:
        return ""
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return str(value)  # numbers are never formulas: a negative one keeps its sign
    return formula_safe(str(value))


class _Echo:
    """A file-like object whose write() returns the line, for `csv.writer` to stream."""

    def write(self, value):
        return value


def csv_lines(header: list, rows: Iterable[list]) -> Iterator[str]:
    """The CSV's lines, lazily: the header (after the BOM) first, then one line per row."""
    writer = csv.writer(_Echo(), delimiter=CSV_DELIMITER)
    yield BOM + writer.writerow([csv_value(cell) for cell in header])
    for row in rows:
        yield writer.writerow([csv_value(cell) for cell in row])


def stream_csv(*, filename: str, header: list, rows: Iterable[list]) -> StreamingHttpResponse:
    """A streamed CSV download. `rows` is iterated only as the response is sent, i.e. after
    the view has returned: a caller that reads the database there opens what it needs
    (a tenancy scope) inside `rows` itself."""
    return _attachment(StreamingHttpResponse(csv_lines(header, rows), content_type=CSV_CONTENT_TYPE), filename)


def csv_response(*, filename: str, header: list, rows: Iterable[list]) -> HttpResponse:
    """A small CSV download built in memory; `stream_csv` for long lists."""
    return _attachment(HttpResponse("".join(csv_lines(header, rows)), content_type=CSV_CONTENT_TYPE), filename)


# --- XLSX -----------------------------------------------------------------------------------
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def sheet_title(title: str, taken: set[str]) -> str:
    """A valid sheet name (31 characters, none of []:*?/\\), unique within `taken` (which it
    extends), whatever the title's language."""
    base = _SHEET_FORBIDDEN.sub(" ", str(title)).strip()[:31] or "Sheet"
    name, number = base, 2
    while name.casefold() in taken:
        suffix = f" ({number})"
        name, number = base[: 31 - len(suffix)] + suffix, number + 1
    taken.add(name.casefold())
    return name


def xlsx_cell(sheet, value, *, number_format: str | None = None) -> WriteOnlyCell:
    """One cell. Text is always written as text, never as a formula (the guard, in XLSX
    terms: the value itself is kept); dates (not datetimes) as ISO dates unless
    `number_format` says otherwise."""
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # a leading "=" stays text
        return cell
    if number_format:
        cell.number_format = number_format
    elif isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        cell.number_format = DATE_FORMAT
    return cell


@dataclass
class Sheet:
    title: str
    header: list
    rows: Iterable[list]
    widths: list[float] | None = None  # the columns' widths, in characters; None: the default


def xlsx_workbook(sheets: Iterable[Sheet], *, cell: Callable = xlsx_cell) -> bytes:
    """The sheets as an XLSX file (write-only: built row by row), a bold header row on each,
    right to left in a right-to-left language (Arabic). `cell(sheet, value)` writes one body
    cell; an app's own keeps the guard by ending with `xlsx_cell`."""
    workbook = Workbook(write_only=True)
    taken: set[str] = set()
    right_to_left = translation.get_language_bidi()
    for spec in sheets:
        sheet = workbook.create_sheet(title=sheet_title(spec.title, taken))
        sheet.sheet_view.rightToLeft = right_to_left
        for index, width in enumerate(spec.widths or (), start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        header = []
        for label in spec.header:
            header_cell = xlsx_cell(sheet, str(label))
            header_cell.font = Font(bold=True)
            header.append(header_cell)
        sheet.append(header)
        for row in spec.rows:
            sheet.append([cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_workbook_response(*, filename: str, sheets: Iterable[Sheet], cell: Callable = xlsx_cell) -> HttpResponse:
    """An XLSX download of several sheets."""
    content = xlsx_workbook(sheets, cell=cell)
    return _attachment(HttpResponse(content, content_type=XLSX_CONTENT_TYPE), filename)


def xlsx_response(*, filename: str, title: str, header: list, rows: Iterable[list]) -> HttpResponse:
    """An XLSX download of one sheet."""
    return xlsx_workbook_response(filename=filename, sheets=[Sheet(title=title, header=header, rows=rows)])
