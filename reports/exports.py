"""The dashboards' tables: one structure (`Table`) behind each table on the page, the data of
its chart and its CSV and XLSX downloads, so that the three always show the same figures.

Cells carry their kind in their type: `int` counts, `Year`, `Month`, `Money` (MAD, 2 decimals), `Rate` (0–1,
4 decimals, as the KPI engine returns it), plain `Decimal` (hours, days), `str`, `date`,
None (no value: a rate with nothing to divide, `rate_cell`, or a median of nothing). The page
shows None as a dash with its reason, rates as percentages with one decimal (both by the
`percent` filter of core.templatetags.rates, as every page shows rates) and money with
thousands separators in the active language; the CSV keeps the exact values (rates as
0–1 fractions, money with 2 decimals, a dot as decimal separator); the XLSX keeps them as
numbers too, with cell formats (a rate cell holds 0.8912 and displays 89.1 %); None is an
empty cell in both.

The tables are small (at most one row per site, region or year) and already computed when
they are written, so both files are built in memory, by the kernel's writers
(`core.exports`) and through their guard against spreadsheet formulas.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.http import HttpResponse
from django.utils import formats
from django.utils.translation import gettext as _

from core.exports import Sheet, csv_response, xlsx_cell, xlsx_workbook_response
from core.formatting import format_amount, format_month
from core.templatetags.rates import percent


class Rate(Decimal):
    """A share between 0 and 1 (4 decimals)."""


def rate_cell(value: Decimal | None) -> Rate | None:
    """A rate's cell: None when it had nothing to divide (reports.kpis.shown_rate)."""
    return None if value is None else Rate(value)


class Money(Decimal):
    """An amount in MAD (2 decimals)."""


class Year(int):
    """A calendar year: a number, written without thousands separators."""


class Month(datetime.date):
    """A calendar month (its first day), written as the month's name and year."""

    @classmethod
    def of(cls, day: datetime.date) -> "Month":
        return cls(day.year, day.month, 1)


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
    """One cell as text for the page (a dash and its reason, markup, for None)."""
    if value is None or isinstance(value, Rate):
        return percent(value)
    if isinstance(value, Money):
        return format_amount(value)  # rounded half up, never split before "MAD"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, Year):
        return str(int(value))
    if isinstance(value, Month):
        return format_month(value)
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
def _number_format(value) -> str | None:
    """The cell format of a value's kind; None for the kernel's default (dates as dates)."""
    if isinstance(value, Rate):
        return "0.0%"
    if isinstance(value, Money):
        return "#,##0.00"
    if isinstance(value, bool):
        return None
    if isinstance(value, Year):
        return "0"
    if isinstance(value, int):
        return "#,##0"
    return None


def _xlsx_cell(sheet, value):
    return xlsx_cell(sheet, value, number_format=_number_format(value))


def xlsx_response(tables: list[Table], *, filename: str) -> HttpResponse:
    """The tables as an XLSX workbook, one sheet each, columns as wide as their labels."""
    sheets = [
        Sheet(
            title=table.title,
            header=table.header,
            rows=table.rows,
            widths=[max(12, min(40, len(str(label)) + 4)) for label in table.header],
        )
        for table in tables
    ]
    return xlsx_workbook_response(filename=filename, sheets=sheets, cell=_xlsx_cell)
