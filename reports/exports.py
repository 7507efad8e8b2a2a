"""The dashboards' tables: one structure (`Table`) behind each table on the page, the data of
its chart and its CSV and XLSX downloads, so that the three always show the same figures.

Cells carry their kind in their type: `int` counts, `Year`, `Money` (MAD, 2 decimals), `Rate` (0–1,
4 decimals, as the KPI engine returns it), plain `Decimal` (hours, days), `str`, `date`,
None (no value). The page shows rates as percentages with one decimal and money with
thousands separators in the active language; the CSV keeps the exact values (rates as
0–1 fractions, money with 2 decimals, a dot as decimal separator); the XLSX keeps them as
numbers too, with cell formats (a rate cell holds 0.8912 and displays 89.1 %).

The tables are small (at most one row per site, region or year) and already computed when
they are written, so both writers build the file in memory. CSV cells go through
`startups.exports`' guard against spreadsheet formulas.
"""

import datetime
import io
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.http import HttpResponse
from django.utils import formats
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from startups.exports import XLSX_CONTENT_TYPE, csv_response


class Rate(Decimal):
    """A share between 0 and 1 (4 decimals)."""


class Money(Decimal):
    """An amount in MAD (2 decimals)."""


class Year(int):
    """A calendar year: a number, written without thousands separators."""


@dataclass
class Table:
    key: str  # the name used in export URLs
    title: str
    header: list[str]
    rows: list[list] = field(default_factory=list)
    highlight: set[int] = field(default_factory=set)  # indexes of rows to mark (the chosen scope)
    csv_url: str = ""  # set by the view
    xlsx_url: str = ""

    @property
    def display_rows(self) -> list[dict]:
        """The rows as the page shows them, in the active language."""
        return [
            {"cells": [display(value) for value in row], "highlight": index in self.highlight}
            for index, row in enumerate(self.rows)
        ]


def display(value) -> str:
    """One cell as text for the page."""
    if value is None:
        return "—"
    if isinstance(value, Rate):
        # Django's number_format truncates: round half up to one decimal first.
        percent = (value * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        # Translators: a percentage; French and Arabic put a no-break space before the sign.
        return _("%(percent)s%%") % {"percent": formats.number_format(percent, 1, force_grouping=True)}
    if isinstance(value, Money):
        amount = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        return _("%(amount)s MAD") % {"amount": formats.number_format(amount, 2, force_grouping=True)}
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, Year):
        return str(int(value))
    if isinstance(value, (int, Decimal)):
        return formats.number_format(value, force_grouping=True)
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


def chart_value(value) -> float | int | None:
    """One cell as a chart's data point: rates in percent."""
    if value is None:
        return None
    if isinstance(value, Rate):
        return float(value * 100)
    if isinstance(value, Decimal):
        return float(value)
    return value


# --- CSV ------------------------------------------------------------------------------------
def table_csv_response(table: Table, *, filename: str) -> HttpResponse:
    return csv_response(filename=filename, header=table.header, rows=table.rows)


# --- XLSX -----------------------------------------------------------------------------------
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def _sheet_title(title: str, taken: set[str]) -> str:
    base = _SHEET_FORBIDDEN.sub(" ", title).strip()[:31] or "Sheet"
    name, number = base, 2
    while name.casefold() in taken:
        suffix = f" ({number})"
        name, number = base[: 31 - len(suffix)] + suffix, number + 1
    taken.add(name.casefold())
    return name


def _xlsx_cell(sheet, value) -> WriteOnlyCell:
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # a leading "=" stays text
        return cell
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, Rate):
        cell.number_format = "0.0%"
    elif isinstance(value, Money):
        cell.number_format = "#,##0.00"
    elif isinstance(value, bool):
        pass
    elif isinstance(value, Year):
        cell.number_format = "0"
    elif isinstance(value, int):
        cell.number_format = "#,##0"
    elif isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        cell.number_format = "yyyy-mm-dd"
    return cell


def xlsx_response(tables: list[Table], *, filename: str) -> HttpResponse:
    """The tables as an XLSX workbook, one sheet each (write-only: built row by row)."""
    workbook = Workbook(write_only=True)
    taken: set[str] = set()
    for table in tables:
        sheet = workbook.create_sheet(title=_sheet_title(table.title, taken))
        for index, label in enumerate(table.header, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = max(12, min(40, len(str(label)) + 4))
        header = []
        for label in table.header:
            cell = WriteOnlyCell(sheet, value=str(label))
            cell.font = Font(bold=True)
            header.append(cell)
        sheet.append(header)
        for row in table.rows:
            sheet.append([_xlsx_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
