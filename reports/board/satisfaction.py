"""The board report's satisfaction section (issue 22, point 4), computed with the rest of its
content (reports.board.content: `BoardContent.satisfaction`, reports.satisfaction): the
yearly survey's NPS per site of the report's scope (and the scope's total) for the month's
year and the year before, and the ratings of the sessions and mentoring sessions of the
twelve months ending with the month.

`pdf_section` writes it for the PDF's chapter (templates/reports/board/pdf/_satisfaction.html),
every figure in the report's language; `xlsx_sheet` adds its sheet to the workbook, figures
as numbers (a response rate as a percentage; an NPS without an answer, an empty cell)."""

from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext as _

from core.exports import sheet_title

from ..satisfaction import Satisfaction, nps_header, rating_rows, ratings_period
from .content import COUNT, DASH, LRM, RATE, BoardContent, format_date, format_number, format_value

NUMBER_FORMATS = {COUNT: "#,##0", RATE: "0.0%", "average": "0.0", "nps": "+0;-0;0"}


def _total_label(content: BoardContent) -> str:
    return _("%(scope)s, all sites") % {"scope": content.scope_name}


def ratings_header() -> list[str]:
    return [_("Site"), _("Service"), _("Ratings"), _("Average rating (1 to 5)")]


def format_nps(value: int | None) -> str:
    """An NPS with its sign ("+35", "-12", "0"); DASH without an answer."""
    if value is None:
        return DASH
    sign = "+" if value > 0 else ("-" if value < 0 else "")
    return (LRM if sign and translation.get_language_bidi() else "") + sign + format_number(abs(value))


@dataclass(frozen=True)
class Cell:
    text: str
    missing: bool = False  # "—": no answer, nothing to divide


@dataclass(frozen=True)
class Line:
    label: str  # the site
    cells: list[Cell]


def pdf_section(content: BoardContent) -> dict | None:
    """What the PDF's satisfaction chapter shows, in the active language (the report's)."""
    figures: Satisfaction | None = content.satisfaction
    if figures is None:
        return None
    nps = [
        Line(
            row.site_name,
            [
                Cell(str(row.year)),
                Cell(format_value(row.invited, COUNT)),
                Cell(format_value(row.answers, COUNT)),
                Cell(format_value(row.response_rate, RATE), missing=row.response_rate is None),
                Cell(format_value(row.promoters, COUNT)),
                Cell(format_value(row.passives, COUNT)),
                Cell(format_value(row.detractors, COUNT)),
                Cell(format_nps(row.nps), missing=row.nps is None),
            ],
        )
        for row in figures.nps_rows(total_label=_total_label(content))
    ]
    ratings = [
        Line(site, [Cell(subject), Cell(format_value(count, COUNT)), Cell(format_number(average, 1))])
        for site, subject, count, average in rating_rows(figures)
    ]
    date_from, date_to = ratings_period(content.month_end)
    return {
        "nps_header": nps_header(),
        "nps": nps,
        "nps_missing": any(cell.missing for line in nps for cell in line.cells),
        "ratings_header": ratings_header(),
        "ratings": ratings,
        "years": _("Campaigns %(first)s and %(last)s (October to December).")
        % {"first": figures.years[0], "last": figures.years[-1]},
        "ratings_period": _("Sessions and mentoring sessions held from %(start)s to %(end)s.")
        % {"start": format_date(date_from), "end": format_date(date_to)},
    }


def xlsx_sheet(workbook, content: BoardContent, titles: set[str]) -> None:
    """The satisfaction sheet: the NPS table, then the ratings' (in the report's language)."""
    figures: Satisfaction | None = content.satisfaction
    if figures is None:
        return
    from openpyxl.styles import Font

    bold = Font(bold=True)
    sheet = workbook.create_sheet(sheet_title(_("Satisfaction"), titles))

    def put(row: int, values: list, kinds: list | None = None, *, header: bool = False) -> None:
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=row, column=column, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # the kernel's XLSX guard: text stays text, never a formula
            if header:
                cell.font = bold
            kind = kinds[column - 1] if kinds else None
            if kind and value is not None and not isinstance(value, str):
                cell.number_format = NUMBER_FORMATS[kind]

    put(1, nps_header(), header=True)
    line = 2
    for row in figures.nps_rows(total_label=_total_label(content)):
        values = [row.site_name, row.year, row.invited, row.answers, row.response_rate]
        values += [row.promoters, row.passives, row.detractors, row.nps]
        put(line, values, [None, None, COUNT, COUNT, RATE, COUNT, COUNT, COUNT, "nps"])
        line += 1
    line += 1
    put(line, ratings_header(), header=True)
    for site, subject, count, average in rating_rows(figures):
        line += 1
        put(line, [site, subject, count, average], [None, None, COUNT, "average"])
    for index, size in enumerate([32, 36, 14, 14, 14, 14, 14, 14, 10]):
        sheet.column_dimensions[chr(ord("A") + index)].width = size
