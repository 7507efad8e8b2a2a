"""A board report as an A4 PDF: the template templates/reports/board/pdf/report.html,
rendered by the kernel's `core.pdf.render_pdf` (WeasyPrint, embedded Noto fonts, right to
left in Arabic, no network).

This module turns a `BoardContent` into what the template shows, every figure already
written in the report's language (reports.board.content, core.formatting):
- a cover (scope, month, period, when it was generated, the contents with their pages);
- the headline figures as cards (value, change over the month and over the year) and a
  comparison table;
- the month's activity; the trends by year as charts (reports.board.chart) and a table.
Figures never split across lines (no-break spaces, `white-space: nowrap`); a rate with
nothing to divide reads "—", with a footnote under its table.
"""

from dataclasses import dataclass, field

from django.utils import translation
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from core import formatting
from core.pdf import PDF_CONTENT_TYPE
from core.pdf import render_pdf as render_pdf_document

from . import chart, satisfaction
from .content import (
    COUNT,
    DASH,
    MONEY,
    RATE,
    BoardContent,
    FigureRow,
    format_change,
    format_date,
    format_figure,
    format_growth,
    format_month,
    format_number,
    format_value,
    funnel_rows,
    headline_header,
    report_title,
    trend_columns,
)

__all__ = ["PDF_CONTENT_TYPE", "render_pdf"]

TEMPLATE = "reports/board/pdf/report.html"
# The headline figures shown as cards on the figures' page (all nine are in the table).
CARD_FIGURES = (
    "supported_now",
    "startups_supported_total",
    "residents_now",
    "jobs_total",
    "annual_revenue_mad",
    "export_share",
)


@dataclass(frozen=True)
class Cell:
    text: str
    missing: bool = False  # a rate with nothing to divide: "—" and the table's footnote


@dataclass(frozen=True)
class Row:
    label: str
    cells: list[Cell]


@dataclass
class Table:
    header: list[str]
    rows: list[Row]
    widths: list[int] = field(default_factory=list)  # percentages of the page's width

    @property
    def has_missing(self) -> bool:
        return any(cell.missing for row in self.rows for cell in row.cells)


@dataclass(frozen=True)
class Card:
    label: str
    value: str
    changes: list[tuple[str, str, str]]  # (over what, change, relative change or "")


@dataclass(frozen=True)
class Chart:
    title: str
    svg: SafeString
    legend: list[tuple[str, str, bool]] = field(default_factory=list)  # (label, colour, dashed)


def _cell(value, kind: str) -> Cell:
    return Cell(format_value(value, kind), missing=value is None and kind == RATE)


def _change_cell(value, kind: str) -> Cell:
    # Only rates can be missing, and so can their changes.
    return Cell(format_change(value, kind), missing=value is None)


def _card(row: FigureRow) -> Card:
    """A headline figure as a card; amounts with their cents and currency."""
    return Card(
        label=row.label,
        value=format_figure(row.current, row.kind),
        changes=[
            (
                _("Over the month"),
                format_change(row.change_previous, row.kind, figure=True),
                format_growth(row.growth_previous),
            ),
            (
                _("Over the year"),
                format_change(row.change_year_ago, row.kind, figure=True),
                format_growth(row.growth_year_ago),
            ),
        ],
    )


def headline_table(content: BoardContent) -> Table:
    rows = [
        Row(
            row.label,
            [
                _cell(row.current, row.kind),
                _cell(row.previous, row.kind),
                _change_cell(row.change_previous, row.kind),
                _cell(row.year_ago, row.kind),
                _change_cell(row.change_year_ago, row.kind),
                _cell(row.coverage, RATE),
            ],
        )
        for row in content.headline
    ]
    return Table(headline_header(content), rows, [22, 13, 13, 13, 13, 13, 13])


def activity_tables(content: BoardContent) -> dict[str, Table]:
    activity = content.activity
    sessions = Table(
        [_("Dimension"), _("Sessions held"), _("Participants"), _("Attended"), _("Attendance rate")],
        [
            Row(
                dimension.label,
                [
                    _cell(dimension.sessions_held, COUNT),
                    _cell(dimension.participants, COUNT),
                    _cell(dimension.attended, COUNT),
                    _cell(dimension.shown_attendance_rate, RATE),
                ],
            )
            for dimension in activity.dimensions
        ],
        [36, 16, 16, 16, 16],
    )
    mentoring = Table(
        [_("Indicator"), _("Value")],
        [
            Row(_("Mentor sessions held"), [_cell(activity.mentor_sessions, COUNT)]),
            Row(_("Mentor hours delivered"), [Cell(format_number(activity.mentor_hours, 1))]),
        ],
        [70, 30],
    )
    occupancy = Table(
        [_("Site"), _("Offices"), _("Occupied"), _("Occupancy rate")],
        [
            Row(
                site.site_name,
                [
                    _cell(site.offices, COUNT),
                    _cell(site.occupied, COUNT),
                    _cell(site.shown_occupancy_rate, RATE),
                ],
            )
            for site in activity.occupancy
        ],
        [46, 18, 18, 18],
    )
    billing = Table(
        [_("Site"), _("Billed incl. tax (MAD)"), _("Collected (MAD)"), _("Overdue at month end (MAD)")],
        [
            Row(row.site_name, [_cell(row.billed, MONEY), _cell(row.collected, MONEY), _cell(row.overdue, MONEY)])
            for row in activity.billing
        ],
        [31, 23, 23, 23],
    )
    funnel = Table(
        [_("Indicator"), _("Value")],
        [
            # The median of no decision is a dash too, but not "nothing to divide".
            Row(
                label,
                [_cell(value, kind) if kind != "days" else Cell(DASH if value is None else format_number(value, 1))],
            )
            for label, value, kind in funnel_rows(activity.funnel, text=False)
        ],
        [70, 30],
    )
    return {"sessions": sessions, "mentoring": mentoring, "occupancy": occupancy, "billing": billing, "funnel": funnel}


def trends_table(content: BoardContent) -> Table:
    columns = trend_columns()
    return Table(
        [_("Year")] + [label for _key, label, _kind in columns],
        [
            Row(str(point.year), [_cell(point.shown(key), kind) for key, _label, kind in columns])
            for point in content.trends
        ],
        [10, 15, 15, 12, 20, 14, 14],
    )


def _percent_tick(value: float) -> str:
    return _("%(percent)s%%") % {"percent": format_number(value * 100)}


def _partial_year(content: BoardContent) -> bool:
    """Whether the trends' last year is the month's, cut at the month's end."""
    return bool(content.trends) and content.trends[-1].year == content.month_end.year and content.month_end.month != 12


def trend_charts(content: BoardContent) -> list[Chart]:
    """The trends by year as four charts: startups supported, jobs, revenue, and the two
    rates (exporting, 5-year survival)."""
    points = content.trends
    if not points:
        return []
    years = [point.year for point in points]
    partial = _partial_year(content)

    def bars(title: str, key: str, *, scale: int = 1) -> Chart:
        values = [point.shown(key) for point in points]
        series = chart.Series(title, [None if v is None else v / scale for v in values])
        tick = (lambda v: format_number(v, 1 if v % 1 else 0)) if scale > 1 else (lambda v: format_number(v))
        return Chart(title, chart.bar_chart(years, series, tick_text=tick, label=title, partial_last=partial))

    revenue_top = max((point.annual_revenue_mad or 0 for point in points), default=0)
    revenue = (
        bars(_("Revenue (millions of MAD)"), "annual_revenue_mad", scale=1_000_000)
        if revenue_top >= 1_000_000
        else bars(_("Revenue (MAD)"), "annual_revenue_mad")
    )
    rate_series = [
        chart.Series(_("Exporting"), [point.shown("export_share") for point in points], chart.COLOURS[0]),
        chart.Series(
            _("5-year survival"), [point.shown("survival_rate_5y") for point in points], chart.COLOURS[1], dashed=True
        ),
    ]
    rates_title = _("Exporting startups and 5-year survival")
    return [
        bars(_("Startups supported at year end"), "supported_now"),
        bars(_("Jobs"), "jobs_total"),
        revenue,
        Chart(
            rates_title,
            chart.line_chart(years, rate_series, tick_text=_percent_tick, label=rates_title),
            [(series.label, series.colour, series.dashed) for series in rate_series],
        ),
    ]


def pdf_context(content: BoardContent) -> dict:
    """What the template shows, in the active language (the report's)."""
    by_key = {row.key: row for row in content.headline}
    generated = formatting.format_datetime(content.generated_at)
    return {
        "title": report_title(content),
        "scope_name": content.scope_name,
        "scope_label": content.scope.label,
        "month": format_month(content.month),
        "period": _("Period: %(start)s to %(end)s")
        % {"start": format_date(content.month), "end": format_date(content.month_end)},
        "generated": _("Generated on %(date)s") % {"date": generated},
        "cards": [_card(by_key[key]) for key in CARD_FIGURES],
        "headline": headline_table(content),
        "activity": activity_tables(content),
        "charts": trend_charts(content),
        "trends": trends_table(content),
        "partial_year": _partial_year(content),
        "satisfaction": satisfaction.pdf_section(content),
        "trends_note": _("Each year's figures at 31 December; the current year's at %(date)s.")
        % {"date": format_date(content.month_end)},
    }


def render_pdf(content: BoardContent) -> bytes:
    """The report as an A4 PDF in its language."""
    with translation.override(content.language):
        context = pdf_context(content)
    return render_pdf_document(TEMPLATE, context, language=content.language)
