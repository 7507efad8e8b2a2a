"""A board report as a workbook (openpyxl): one sheet per section, in the report's
language; in Arabic every sheet reads right to left (columns from the right)."""

import datetime
import io

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.exports import DATE_FORMAT, sheet_title

from . import satisfaction
from .content import (
    COUNT,
    MONEY,
    RATE,
    BoardContent,
    format_month,
    funnel_rows,
    headline_header,
    report_title,
    trend_columns,
)

NUMBER_FORMATS = {COUNT: "#,##0", RATE: "0.0%", MONEY: "#,##0.00", "days": "0.0", "hours": "0.0"}


def render_xlsx(content: BoardContent) -> bytes:
    """The report as a workbook in its language: Report (what it is), Headline figures,
    Activity, Trends. Figures are numbers (rates 0–1 shown as percentages); a rate with
    nothing to divide (no startup, no session, no application…) is an empty cell, not 0."""
    with translation.override(content.language):
        return _workbook(content)


def _workbook(content: BoardContent) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    bold = Font(bold=True)
    workbook = Workbook()
    titles: set[str] = set()  # sheet names: valid and unique (core.exports.sheet_title)

    def put(sheet, row: int, values: list, kinds: list | None = None, *, header: bool = False) -> None:
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=row, column=column, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # the kernel's XLSX guard: text stays text, never a formula
            if header:
                cell.font = bold
            kind = kinds[column - 1] if kinds else None
            if kind and not isinstance(value, str) and value is not None:
                cell.number_format = NUMBER_FORMATS[kind]
            elif isinstance(value, datetime.date):
                cell.number_format = DATE_FORMAT

    def widths(sheet, sizes: list[int]) -> None:
        for index, size in enumerate(sizes):
            sheet.column_dimensions[chr(ord("A") + index)].width = size

    cover = workbook.active
    cover.title = sheet_title(_("Report"), titles)
    put(cover, 1, [report_title(content)], header=True)
    put(cover, 3, [_("Scope"), content.scope_name])
    put(cover, 4, [_("Scope code"), content.scope.label])
    put(cover, 5, [_("Month"), format_month(content.month)])
    put(cover, 6, [_("From"), content.month])
    put(cover, 7, [_("To"), content.month_end])
    put(cover, 8, [_("Generated on"), timezone.make_naive(content.generated_at).replace(microsecond=0)])
    cover.cell(row=8, column=2).number_format = "yyyy-mm-dd hh:mm"
    widths(cover, [24, 40])

    sheet = workbook.create_sheet(sheet_title(_("Headline figures"), titles))
    put(sheet, 1, headline_header(content), header=True)
    for index, row in enumerate(content.headline, start=2):
        put(
            sheet,
            index,
            [
                row.label,
                row.current,
                row.previous,
                row.change_previous,
                row.year_ago,
                row.change_year_ago,
                row.coverage,
            ],
            [None] + [row.kind] * 5 + [RATE],
        )
    widths(sheet, [36, 18, 18, 14, 18, 14, 14])

    sheet = workbook.create_sheet(sheet_title(_("Activity"), titles))
    month_activity = content.activity
    put(
        sheet,
        1,
        [_("Dimension"), _("Sessions held"), _("Participants"), _("Attended"), _("Attendance rate")],
        header=True,
    )
    line = 2
    for dimension in month_activity.dimensions:
        put(
            sheet,
            line,
            [
                dimension.label,
                dimension.sessions_held,
                dimension.participants,
                dimension.attended,
                dimension.shown_attendance_rate,
            ],
            [None, COUNT, COUNT, COUNT, RATE],
        )
        line += 1
    line += 1
    put(sheet, line, [_("Mentoring"), _("Value")], header=True)
    put(sheet, line + 1, [_("Mentor sessions held"), month_activity.mentor_sessions], [None, COUNT])
    put(sheet, line + 2, [_("Mentor hours delivered"), month_activity.mentor_hours], [None, "hours"])
    line += 4
    put(sheet, line, [_("Site"), _("Offices"), _("Occupied"), _("Occupancy rate")], header=True)
    line += 1
    for site in month_activity.occupancy:
        put(
            sheet,
            line,
            [site.site_name, site.offices, site.occupied, site.shown_occupancy_rate],
            [None, COUNT, COUNT, RATE],
        )
        line += 1
    line += 1
    put(
        sheet,
        line,
        [_("Site"), _("Billed incl. tax (MAD)"), _("Collected (MAD)"), _("Overdue at month end (MAD)")],
        header=True,
    )
    line += 1
    for row in month_activity.billing:
        put(sheet, line, [row.site_name, row.billed, row.collected, row.overdue], [None, MONEY, MONEY, MONEY])
        line += 1
    line += 1
    put(sheet, line, [_("Applications"), _("Value")], header=True)
    for label, value, kind in funnel_rows(month_activity.funnel, text=False):
        line += 1
        put(sheet, line, [label, value], [None, kind])
    widths(sheet, [36, 16, 16, 16, 16])

    sheet = workbook.create_sheet(sheet_title(_("Trends by year"), titles))
    columns = trend_columns()
    put(sheet, 1, [_("Year"), _("Date")] + [label for _key, label, _kind in columns], header=True)
    for index, point in enumerate(content.trends, start=2):
        put(
            sheet,
            index,
            [point.year, point.as_of] + [point.shown(key) for key, _label, _kind in columns],
            [None, None] + [kind for _key, _label, kind in columns],
        )
    widths(sheet, [8, 12, 20, 20, 12, 20, 12, 14])

    satisfaction.xlsx_sheet(workbook, content, titles)

    if translation.get_language_bidi():
        for worksheet in workbook.worksheets:
            worksheet.sheet_view.rightToLeft = True

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
