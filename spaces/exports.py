"""The room occupancy as CSV (for French Excel) and XLSX, through the kernel's writers
(core.exports) and their guard against formulas: one line per room and period, the site's
total first. Hours keep two decimals; the rate is a 0–1 fraction with 4 decimals (empty when
nothing was open), shown as a percentage in the XLSX (as the dashboards' exports do)."""

from decimal import Decimal

from django.http import HttpResponse
from django.utils.translation import gettext as _

from core.exports import Sheet, csv_response, xlsx_cell, xlsx_workbook_response

FORMATS = ("csv", "xlsx")


class Rate(Decimal):
    """A share between 0 and 1: a percentage cell in the XLSX."""


def _header() -> list[str]:
    return [
        _("Site"),
        _("Room"),
        _("Period"),
        _("From"),
        _("To"),
        _("Hours open"),
        _("Hours booked"),
        _("Occupancy rate"),
    ]


def occupancy_lines(site_rows: list, room_rows: list) -> list[list]:
    """The site's lines (room "" → its name in the file: "All rooms"), then each room's."""
    lines = []
    for row in [*site_rows, *room_rows]:
        rate = row.rate
        lines.append(
            [
                row.site_name,
                row.room_name if row.room_id is not None else _("All rooms"),
                row.bucket.label,
                row.bucket.first,
                row.bucket.last,
                row.hours_open.quantize(Decimal("0.01")),
                row.hours_booked.quantize(Decimal("0.01")),
                None if rate is None else Rate(rate),
            ]
        )
    return lines


def _cell(sheet, value):
    if isinstance(value, Rate):
        return xlsx_cell(sheet, value, number_format="0.0%")
    if isinstance(value, Decimal):
        return xlsx_cell(sheet, value, number_format="#,##0.00")
    return xlsx_cell(sheet, value)


def occupancy_export(*, site, by: str, site_rows: list, room_rows: list, export: str) -> HttpResponse:
    filename = f"occupancy-{site.slug}-{by}.{export}"
    lines = occupancy_lines(site_rows, room_rows)
    if export == "csv":
        return csv_response(filename=filename, header=_header(), rows=lines)
    title = _("Occupancy by week") if by == "week" else _("Occupancy by month")
    widths = [24, 24, 10, 12, 12, 12, 12, 14]
    return xlsx_workbook_response(
        filename=filename, sheets=[Sheet(title=title, header=_header(), rows=lines, widths=widths)], cell=_cell
    )
