"""Monthly board reports (issue 6, point 5): what a report says, its PDF and XLSX, and the
actions that request and generate it.

A report covers one scope — the network, or one site — and one month:
- the headline KPIs at the month's last day (reports.kpis.headline), compared with the
  previous month's end and with the same month a year earlier;
- the activity of the month (reports.activity.activity);
- the trends by year up to the month's end (reports.trends.yearly).
It is written in its requester's language (French for the monthly beat, and for Arabic:
the PDF's standard fonts have no Arabic glyphs, see `report_language`).

Generation follows the history import's job pattern (startups.tasks.run_history_import):
the Celery task is acknowledged late, so a worker that dies mid-report leaves its message
to be delivered again, and every run first *claims* the row:
- in a transaction, the row is locked (select_for_update); a queued row, or a running one
  whose heartbeat is older than BOARD_REPORT_STALE_AFTER (its worker died), is claimed:
  status running, a new claim token, started and heartbeat now; anything else (done,
  failed, running elsewhere) makes the run a no-op: a done report is never regenerated
  by a rerun, only by the explicit `board_report_regenerate`;
- each step writes the progress and the heartbeat, on condition that the run still owns
  the claim (a run whose claim was taken over stops, writing nothing);
- the files are written under temporary names in the report's own folder
  (`board-reports/<pk>/partial/`), then moved to their final names and attached to the row in
  the transaction that marks it done, which also queues the emails to head office (sent on
  commit): a report is either done with both files or not done, never half-written;
- a claim first deletes whatever the report's folder holds (the leftovers of a dead run),
  so reruns leave exactly one PDF and one XLSX;
- a delivery that finds the report running with a fresh heartbeat (a duplicate, or the
  redelivery right after a worker process died) returns BUSY: the task then looks again
  once that heartbeat would be stale (reports.tasks.generate_board_report);
- a worker killed outright (`kill -9`, out of memory, a lost machine) sends nothing: its
  message only comes back after the broker's visibility timeout (settings), so a sweeper
  (`board_reports_reclaim`, Celery beat every minute) sends the report again once its
  heartbeat is stale, and the next worker's claim takes it over: a dead worker's report is
  done about BOARD_REPORT_STALE_AFTER + a minute later, whether anyone asks again or not.
The progress lives on the row itself (the import job keeps it in the cache because its
work is one long transaction; here every step commits on its own).
"""

import contextlib
import datetime
import io
import logging
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from xml.sax.saxutils import escape

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.text import capfirst, slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from accounts.models import Role
from core.audit import AuditEntry, audit_record, instance_values
from core.emails import email_render, email_send_on_commit
from core.errors import Conflict
from sites.models import Site, SiteStatus
from sites.scoping import network_scope

from . import activity as activity_module
from . import trends as trends_module
from .kpis import Headline, KpiScope, headline
from .models import BOARD_REPORT_STALE_AFTER, BoardReport, BoardReportStatus, BoardReportStep

logger = logging.getLogger(__name__)

FIRST_MONTH = datetime.date(2001, 1, 1)  # the network's first site opened in 2001
FOLDER = "board-reports"
# The languages a report is written in; others (Arabic) get French.
REPORT_LANGUAGES = ("fr", "en")
STEP_PROGRESS = {
    BoardReportStep.STARTED: 5,
    BoardReportStep.HEADLINE: 10,
    BoardReportStep.ACTIVITY: 35,
    BoardReportStep.TRENDS: 55,
    BoardReportStep.PDF: 70,
    BoardReportStep.XLSX: 85,
    BoardReportStep.SAVING: 95,
    BoardReportStep.FINISHED: 100,
}
PDF_CONTENT_TYPE = "application/pdf"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- Scopes and months ----------------------------------------------------------------------
def month_end(month: datetime.date) -> datetime.date:
    """The last day of `month`'s month."""
    following = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)


def previous_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def last_complete_month(today: datetime.date | None = None) -> datetime.date:
    return previous_month(today or timezone.localdate())


def report_scope(label: str) -> tuple[KpiScope, Site | None]:
    """The KPI scope and site named by a report's scope label: "network" or "site:<slug>".
    ValidationError for anything else (regions have no board report)."""
    kind, _separator, key = (label or "").partition(":")
    if kind == "network" and not key:
        return KpiScope("network", "", None), None
    if kind == "site" and key:
        site = Site.objects.filter(slug=key).first()
        if site is not None:
            return KpiScope("site", site.slug, (site.pk,)), site
    raise ValidationError({"scope": _("Choose the network or one of its sites.")})


def report_language(user) -> str:
    """The requester's language if reports are written in it, else French (the monthly
    beat has no requester; Arabic would need a font with Arabic glyphs and text shaping,
    which the PDF's standard fonts do not have)."""
    language = (getattr(user, "language", "") or "")[:2]
    return language if language in REPORT_LANGUAGES else settings.LANGUAGE_CODE


# --- Content --------------------------------------------------------------------------------
COUNT, RATE, MONEY = "count", "rate", "money"
HEADLINE_FIGURES = [
    ("startups_supported_total", gettext_lazy("Startups supported since 2001"), COUNT),
    ("residents_total", gettext_lazy("Residents (ever)"), COUNT),
    ("supported_now", gettext_lazy("Startups supported now"), COUNT),
    ("residents_now", gettext_lazy("Residents now"), COUNT),
    ("survival_rate_5y", gettext_lazy("5-year survival rate"), RATE),
    ("jobs_total", gettext_lazy("Jobs (direct and indirect)"), COUNT),
    ("annual_revenue_mad", gettext_lazy("Cumulative annual revenue (MAD)"), MONEY),
    ("export_share", gettext_lazy("Share of exporting startups"), RATE),
    ("export_africa_share", gettext_lazy("Share exporting to Africa"), RATE),
]


@dataclass(frozen=True)
class FigureRow:
    key: str
    label: str
    kind: str  # count, rate (0–1) or money (MAD)
    current: int | Decimal  # at the month's end
    previous: int | Decimal  # at the previous month's end
    year_ago: int | Decimal  # at the end of the same month a year earlier

    @property
    def change_previous(self) -> int | Decimal:
        return self.current - self.previous

    @property
    def change_year_ago(self) -> int | Decimal:
        return self.current - self.year_ago


@dataclass(frozen=True)
class BoardContent:
    scope: KpiScope
    scope_name: str
    month: datetime.date
    month_end: datetime.date
    previous_end: datetime.date
    year_ago_end: datetime.date
    generated_at: datetime.datetime
    language: str
    headline: list[FigureRow]
    activity: activity_module.Activity
    trends: list[trends_module.YearPoint]


def headline_rows(current: Headline, previous: Headline, year_ago: Headline) -> list[FigureRow]:
    return [
        FigureRow(key, str(label), kind, getattr(current, key), getattr(previous, key), getattr(year_ago, key))
        for key, label, kind in HEADLINE_FIGURES
    ]


def board_content(
    scope: KpiScope,
    *,
    scope_name: str,
    month: datetime.date,
    progress: Callable[[str], None] = lambda step: None,
) -> BoardContent:
    """Everything a report shows, computed by the KPI engine in the active language.
    `progress(step)` is called as each step starts."""
    end = month_end(month)
    previous_end = month - datetime.timedelta(days=1)
    year_ago_end = month_end(month.replace(year=month.year - 1))
    progress(BoardReportStep.HEADLINE)
    rows = headline_rows(headline(scope, end), headline(scope, previous_end), headline(scope, year_ago_end))
    progress(BoardReportStep.ACTIVITY)
    month_activity = activity_module.activity(scope, date_from=month, date_to=end)
    progress(BoardReportStep.TRENDS)
    years = trends_module.yearly(scope, as_of=end)
    return BoardContent(
        scope=scope,
        scope_name=scope_name,
        month=month,
        month_end=end,
        previous_end=previous_end,
        year_ago_end=year_ago_end,
        generated_at=timezone.localtime(),
        language=translation.get_language() or settings.LANGUAGE_CODE,
        headline=rows,
        activity=month_activity,
        trends=years,
    )


# --- Formatting (the active language's conventions) ------------------------------------------
def _number(value, places: int = 0) -> str:
    return formats.number_format(value, places, use_l10n=True, force_grouping=True)


def format_value(value, kind: str) -> str:
    if value is None:
        return "—"
    if kind == RATE:
        # Translators: a percentage, e.g. 89.1%; French writes "89,1 %" (a no-break space before %).
        return _("%(rate)s%%") % {"rate": _number(Decimal(value) * 100, 1)}
    if kind == MONEY:
        return _number(value, 2)
    return _number(value)


def format_change(value, kind: str) -> str:
    sign = "+" if value > 0 else ("-" if value < 0 else "±")
    if kind == RATE:
        return _("%(sign)s%(points)s pt") % {"sign": sign, "points": _number(abs(Decimal(value)) * 100, 1)}
    return sign + format_value(abs(value), kind)


def format_date(day: datetime.date) -> str:
    return formats.date_format(day, "DATE_FORMAT")


def format_month(month: datetime.date) -> str:
    return capfirst(formats.date_format(month, "F Y"))


def report_title(content: BoardContent) -> str:
    return _("Board report · %(scope)s · %(month)s") % {
        "scope": content.scope_name,
        "month": format_month(content.month),
    }


def _trend_columns() -> list[tuple[str, str, str]]:
    return [
        ("startups_supported_total", _("Supported since 2001"), COUNT),
        ("supported_now", _("Supported at year end"), COUNT),
        ("jobs_total", _("Jobs"), COUNT),
        ("annual_revenue_mad", _("Revenue (MAD)"), MONEY),
        ("export_share", _("Exporting"), RATE),
        ("survival_rate_5y", _("5-year survival"), RATE),
    ]


def _headline_header(content: BoardContent) -> list[str]:
    return [
        _("Indicator"),
        format_date(content.month_end),
        format_date(content.previous_end),
        pgettext("difference between two dates", "Change"),
        format_date(content.year_ago_end),
        pgettext("difference between two dates", "Change"),
    ]


# --- PDF (ReportLab: pure Python, no system library) -----------------------------------------
def render_pdf(content: BoardContent) -> bytes:
    """The report as an A4 PDF in the active language."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    def pdf_text(text) -> str:
        # The standard fonts encode WinAnsi: French and English text fit; narrow no-break
        # spaces (thousands in some locales) become ordinary no-break spaces.
        return escape(str(text).replace("\u202f", "\xa0"))

    styles = getSampleStyleSheet()
    title_style = ParagraphStyle("BoardTitle", parent=styles["Title"], fontSize=18, leading=22, spaceAfter=4)
    heading = ParagraphStyle(
        "BoardHeading", parent=styles["Heading2"], fontSize=13, spaceBefore=10, spaceAfter=4, keepWithNext=1
    )
    subheading = ParagraphStyle(
        "BoardSub", parent=styles["Heading3"], fontSize=10.5, spaceBefore=6, spaceAfter=3, keepWithNext=1
    )
    body = ParagraphStyle("BoardBody", parent=styles["BodyText"], fontSize=9, leading=12)
    note = ParagraphStyle("BoardNote", parent=body, fontSize=7.5, leading=10, textColor=colors.HexColor("#555555"))
    cell = ParagraphStyle("BoardCell", parent=body, fontSize=8, leading=10)
    cell_right = ParagraphStyle("BoardCellRight", parent=cell, alignment=TA_RIGHT)
    header_cell = ParagraphStyle("BoardHeader", parent=cell, fontName="Helvetica-Bold")
    header_right = ParagraphStyle("BoardHeaderRight", parent=header_cell, alignment=TA_RIGHT)

    width = A4[0] - 30 * mm

    def table(header: list, rows: list[list], widths: list[float]) -> Table:
        data = [[Paragraph(pdf_text(text), header_cell if i == 0 else header_right) for i, text in enumerate(header)]]
        for row in rows:
            data.append([Paragraph(pdf_text(text), cell if i == 0 else cell_right) for i, text in enumerate(row)])
        result = Table(data, colWidths=[width * share for share in widths], repeatRows=1)
        result.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
                    ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.HexColor("#1f3b57")),
                    ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.HexColor("#c8d1da")),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("TOPPADDING", (0, 0), (-1, -1), 3),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ]
            )
        )
        return result

    title = report_title(content)
    footer = f"Technopark · {content.scope_name} · {format_month(content.month)}".replace("\u202f", "\xa0")

    def on_page(canvas, document):
        canvas.saveState()
        canvas.setFont("Helvetica", 7.5)
        canvas.setFillColor(colors.HexColor("#555555"))
        canvas.drawString(15 * mm, 10 * mm, footer)
        canvas.drawRightString(A4[0] - 15 * mm, 10 * mm, _("Page %(number)s") % {"number": document.page})
        canvas.restoreState()

    story = [
        Paragraph(pdf_text(_("Board report")), title_style),
        Paragraph(pdf_text(f"{content.scope_name} · {format_month(content.month)}"), heading),
        Paragraph(
            pdf_text(
                _("Period: %(start)s to %(end)s")
                % {"start": format_date(content.month), "end": format_date(content.month_end)}
            ),
            body,
        ),
        Paragraph(
            pdf_text(
                _("Generated on %(date)s") % {"date": formats.date_format(content.generated_at, "DATETIME_FORMAT")}
            ),
            body,
        ),
        Spacer(1, 4 * mm),
        # 1. Headline figures
        Paragraph(pdf_text(_("Headline figures")), heading),
        table(
            _headline_header(content),
            [
                [
                    row.label,
                    format_value(row.current, row.kind),
                    format_value(row.previous, row.kind),
                    format_change(row.change_previous, row.kind),
                    format_value(row.year_ago, row.kind),
                    format_change(row.change_year_ago, row.kind),
                ]
                for row in content.headline
            ],
            [0.31, 0.14, 0.14, 0.13, 0.14, 0.14],
        ),
        Paragraph(
            pdf_text(
                _(
                    "Figures at the end of each day shown. A startup admitted at two sites counts at each "
                    "site and once in the network; rates are 0 when there is nothing to divide by; revenue "
                    "is that of the fiscal year before the date's year."
                )
            ),
            note,
        ),
    ]

    # 2. Activity of the month
    month_activity = content.activity
    funnel = month_activity.funnel
    story += [
        Paragraph(pdf_text(_("Activity of the month")), heading),
        Paragraph(pdf_text(_("Support sessions held")), subheading),
        table(
            [_("Dimension"), _("Sessions held"), _("Participants"), _("Attended"), _("Attendance rate")],
            [
                [
                    dimension.label,
                    format_value(dimension.sessions_held, COUNT),
                    format_value(dimension.participants, COUNT),
                    format_value(dimension.attended, COUNT),
                    format_value(dimension.attendance_rate, RATE),
                ]
                for dimension in month_activity.dimensions
            ],
            [0.36, 0.16, 0.16, 0.16, 0.16],
        ),
        Paragraph(pdf_text(_("Mentoring")), subheading),
        table(
            [_("Indicator"), _("Value")],
            [
                [_("Mentor sessions held"), format_value(month_activity.mentor_sessions, COUNT)],
                [_("Mentor hours delivered"), _number(month_activity.mentor_hours, 1)],
            ],
            [0.6, 0.4],
        ),
        Paragraph(pdf_text(_("Office occupancy")), subheading),
    ]
    if month_activity.occupancy:
        story.append(
            table(
                [_("Site"), _("Offices"), _("Occupied"), _("Occupancy rate")],
                [
                    [
                        site.site_name,
                        format_value(site.offices, COUNT),
                        format_value(site.occupied, COUNT),
                        format_value(site.rate, RATE),
                    ]
                    for site in month_activity.occupancy
                ],
                [0.46, 0.18, 0.18, 0.18],
            )
        )
    else:
        story.append(Paragraph(pdf_text(_("No operational site in this scope.")), body))
    story += [
        Paragraph(pdf_text(_("Applications")), subheading),
        table([_("Indicator"), _("Value")], _funnel_rows(funnel, text=True), [0.6, 0.4]),
    ]

    # 3. Trends by year
    columns = _trend_columns()
    story += [
        Paragraph(pdf_text(_("Trends by year")), heading),
        table(
            [_("Year")] + [label for _key, label, _kind in columns],
            [
                [str(point.year)] + [format_value(getattr(point, key), kind) for key, _label, kind in columns]
                for point in content.trends
            ],
            [0.1, 0.15, 0.15, 0.12, 0.2, 0.14, 0.14],
        ),
        Paragraph(
            pdf_text(
                _("Each year's figures at 31 December; the current year's at %(date)s.")
                % {"date": format_date(content.month_end)}
            ),
            note,
        ),
    ]

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=18 * mm,
        title=title,
        author="Technopark",
        subject=title,
        lang=content.language,
    )
    document.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()


def _funnel_rows(funnel: activity_module.Funnel, *, text: bool) -> list[list]:
    """The application funnel as (label, value) rows: formatted text, or typed values."""
    rows = [
        (_("Applications submitted"), funnel.submitted, COUNT),
        (_("Admitted"), funnel.admitted, COUNT),
        (_("Rejected"), funnel.rejected, COUNT),
        (_("Pending"), funnel.pending, COUNT),
        (_("Withdrawn"), funnel.withdrawn, COUNT),
        (_("Admission rate"), funnel.admission_rate, RATE),
        (_("Median days to a decision"), funnel.median_days_to_decision, "days"),
    ]
    if not text:
        return [[label, value, kind] for label, value, kind in rows]
    result = []
    for label, value, kind in rows:
        if kind == "days":
            result.append([label, "—" if value is None else _number(value, 1)])
        else:
            result.append([label, format_value(value, kind)])
    return result


# --- XLSX (openpyxl): one sheet per section --------------------------------------------------
NUMBER_FORMATS = {COUNT: "#,##0", RATE: "0.0%", MONEY: "#,##0.00", "days": "0.0", "hours": "0.0"}


def _sheet_title(text: str) -> str:
    for character in "[]:*?/\\":
        text = text.replace(character, " ")
    return text[:31]


def render_xlsx(content: BoardContent) -> bytes:
    """The report as a workbook in the active language: Report (what it is), Headline
    figures, Activity, Trends. Figures are numbers (rates 0–1 shown as percentages)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    bold = Font(bold=True)
    workbook = Workbook()

    def put(sheet, row: int, values: list, kinds: list | None = None, *, header: bool = False) -> None:
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=row, column=column, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # text stays text, even if it starts with "="
            if header:
                cell.font = bold
            kind = kinds[column - 1] if kinds else None
            if kind and not isinstance(value, str) and value is not None:
                cell.number_format = NUMBER_FORMATS[kind]
            elif isinstance(value, datetime.date):
                cell.number_format = "yyyy-mm-dd"

    def widths(sheet, sizes: list[int]) -> None:
        for index, size in enumerate(sizes):
            sheet.column_dimensions[chr(ord("A") + index)].width = size

    cover = workbook.active
    cover.title = _sheet_title(_("Report"))
    put(cover, 1, [report_title(content)], header=True)
    put(cover, 3, [_("Scope"), content.scope_name])
    put(cover, 4, [_("Scope code"), content.scope.label])
    put(cover, 5, [_("Month"), format_month(content.month)])
    put(cover, 6, [_("From"), content.month])
    put(cover, 7, [_("To"), content.month_end])
    put(cover, 8, [_("Generated on"), timezone.make_naive(content.generated_at).replace(microsecond=0)])
    cover.cell(row=8, column=2).number_format = "yyyy-mm-dd hh:mm"
    widths(cover, [24, 40])

    sheet = workbook.create_sheet(_sheet_title(_("Headline figures")))
    put(sheet, 1, _headline_header(content), header=True)
    for index, row in enumerate(content.headline, start=2):
        put(
            sheet,
            index,
            [row.label, row.current, row.previous, row.change_previous, row.year_ago, row.change_year_ago],
            [None] + [row.kind] * 5,
        )
    widths(sheet, [36, 18, 18, 14, 18, 14])

    sheet = workbook.create_sheet(_sheet_title(_("Activity")))
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
                dimension.attendance_rate,
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
        put(sheet, line, [site.site_name, site.offices, site.occupied, site.rate], [None, COUNT, COUNT, RATE])
        line += 1
    line += 1
    put(sheet, line, [_("Applications"), _("Value")], header=True)
    for label, value, kind in _funnel_rows(month_activity.funnel, text=False):
        line += 1
        put(sheet, line, [label, value], [None, kind])
    widths(sheet, [36, 16, 16, 16, 16])

    sheet = workbook.create_sheet(_sheet_title(_("Trends by year")))
    columns = _trend_columns()
    put(sheet, 1, [_("Year"), _("Date")] + [label for _key, label, _kind in columns], header=True)
    for index, point in enumerate(content.trends, start=2):
        put(
            sheet,
            index,
            [point.year, point.as_of] + [getattr(point, key) for key, _label, _kind in columns],
            [None, None] + [kind for _key, _label, kind in columns],
        )
    widths(sheet, [8, 12, 20, 20, 12, 20, 12, 14])

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- Actions: request, regenerate ------------------------------------------------------------
def _enqueue(report: BoardReport) -> None:
    from .tasks import generate_board_report

    report_id = report.pk
    transaction.on_commit(lambda: generate_board_report.delay(report_id))


def _check_month(month: datetime.date) -> datetime.date:
    month = month.replace(day=1)
    if month < FIRST_MONTH:
        raise ValidationError({"month": _("Board reports start in January 2001.")})
    if month > last_complete_month():
        raise ValidationError({"month": _("Choose a month that is over.")})
    return month


def _reset(report: BoardReport, *, actor) -> None:
    """Back to queued, without its files (the next claim deletes them from storage)."""
    report.status = BoardReportStatus.QUEUED
    report.progress = 0
    report.step = BoardReportStep.WAITING
    report.error = ""
    report.claim = None
    report.pdf = ""
    report.xlsx = ""
    report.started_at = report.finished_at = None
    report.heartbeat_at = timezone.now()  # of a queued report: when it was queued (the sweeper reads it)
    if actor is not None:
        report.requested_by = actor
        report.language = report_language(actor)
    report.save()


def board_report_request(*, actor, scope: str, month: datetime.date) -> BoardReport:
    """The one report of `scope` ("network" or "site:<slug>") for `month`, generated in the
    background if it is not already done: created and queued; a failed one is queued
    again; a queued one, or a running one whose worker died, is queued once more (the
    task's claim makes extra deliveries harmless); a done one is returned as it is.
    `actor` is None for the monthly beat. ValidationError for a bad scope or month.
    The caller decides who may ask for which scope (head office)."""
    month = _check_month(month)
    kpi_scope, site = report_scope(scope)
    # Reviewed network-wide write: board reports of the network and of every site are
    # head office's (this action is called by head-office views and the monthly beat).
    with network_scope(), transaction.atomic():
        report, created = BoardReport.objects.get_or_create(
            scope=kpi_scope.label,
            month=month,
            defaults={"site": site, "requested_by": actor, "language": report_language(actor)},
        )
        if created:
            if actor is not None:
                audit_record(actor=actor, action=AuditEntry.Action.CREATE, instance=report)
            _enqueue(report)
            return report
        report = BoardReport.objects.select_for_update().get(pk=report.pk)
        if report.status == BoardReportStatus.FAILED:
            before = instance_values(report)
            _reset(report, actor=actor)
            if actor is not None:
                audit_record(actor=actor, action=AuditEntry.Action.UPDATE, instance=report, before=before)
            _enqueue(report)
        elif report.status == BoardReportStatus.QUEUED or report.is_stalled():
            _enqueue(report)
    return report


def board_report_regenerate(*, actor, report: BoardReport) -> BoardReport:
    """Head office's explicit "generate again": the same row back to queued (its old files
    go), then generated anew. Conflict while a worker is on it."""
    with network_scope(), transaction.atomic():  # reviewed: head office's action on any report
        report = BoardReport.objects.select_for_update().get(pk=report.pk)
        if report.status == BoardReportStatus.QUEUED:
            _enqueue(report)  # nothing to reset: make sure a worker gets it
            return report
        if report.status == BoardReportStatus.RUNNING and not report.is_stalled():
            raise Conflict(_("This report is being generated: wait until it is finished."))
        before = instance_values(report)
        _reset(report, actor=actor)
        audit_record(actor=actor, action=AuditEntry.Action.UPDATE, instance=report, before=before)
        _enqueue(report)
    return report


def board_reports_request_monthly(*, today: datetime.date | None = None) -> list[BoardReport]:
    """The monthly beat: last month's report of the network and of every operational site."""
    month = last_complete_month(today)
    slugs = Site.objects.filter(status=SiteStatus.OPERATIONAL).order_by("slug").values_list("slug", flat=True)
    return [
        board_report_request(actor=None, scope=scope, month=month)
        for scope in ["network", *(f"site:{slug}" for slug in slugs)]
    ]


# --- The sweeper: reports no live worker is generating ----------------------------------------
def _abandoned(report: BoardReport, now: datetime.datetime) -> bool:
    """Running with a stale heartbeat (its worker died: `BoardReport.is_stalled`), or
    queued for BOARD_REPORT_STALE_AFTER (since it was created or reset) without a worker
    claiming it (its message lost, or its worker killed before the claim)."""
    if report.status == BoardReportStatus.QUEUED:
        return (report.heartbeat_at or report.created_at) < now - BOARD_REPORT_STALE_AFTER
    return report.is_stalled(now)


def board_reports_reclaim(*, now: datetime.datetime | None = None) -> list[int]:
    """Send the abandoned reports (`_abandoned`) to the workers again; returns their ids.
    Run by Celery beat every settings.JOB_SWEEP_SECONDS (reports.tasks.
    reclaim_stalled_board_reports). Taking a report over is `_claim`'s alone: the first
    delivery to claim it generates it, any other one is a no-op. Each message expires
    after two sweeps: while no worker takes it (the queue is busy, or has no worker), the
    next sweep sends a fresh one, so an unattended queue does not fill up."""
    from .tasks import generate_board_report

    now = now or timezone.now()
    # Reviewed network-wide read: the sweeper looks after the reports of every scope.
    with network_scope():
        pending = BoardReport.objects.filter(status__in=[BoardReportStatus.QUEUED, BoardReportStatus.RUNNING])
        ids = [report.pk for report in pending.order_by("pk") if _abandoned(report, now)]
    for report_id in ids:
        logger.warning("board report %s: no live worker is generating it, sending it again", report_id)
        generate_board_report.apply_async([report_id], expires=2 * settings.JOB_SWEEP_SECONDS)
    return ids


# --- Generation (the Celery task's body) ------------------------------------------------------
class LostClaim(Exception):
    """Another run took the report over (or head office reset it): stop, write nothing."""


def _storage():
    return BoardReport._meta.get_field("pdf").storage


def report_folder(report_id: int) -> str:
    return f"{FOLDER}/{report_id}"


def _delete_tree(storage, folder: str) -> None:
    try:
        folders, files = storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in files:
        storage.delete(f"{folder}/{name}")
    for name in folders:
        _delete_tree(storage, f"{folder}/{name}")
    with contextlib.suppress(OSError):
        storage.delete(folder)  # the folder itself, on storages that have folders


def _sweep(report_id: int) -> None:
    """Delete what the report's folder holds: a claimed report references no file yet, so
    anything there is the leftover of a run that died or of the files before a reset."""
    _delete_tree(_storage(), report_folder(report_id))


def _claim(report_id: int) -> tuple[uuid.UUID | None, str | None]:
    """Claim the report for this run (see the module's docstring): (the claim, None), or
    (None, the report's status) when it is not ours to generate (None: no such report)."""
    now = timezone.now()
    with transaction.atomic():
        report = BoardReport.objects.select_for_update().filter(pk=report_id).first()
        if report is None:
            return None, None
        if report.status != BoardReportStatus.QUEUED and not report.is_stalled(now):
            return None, report.status  # done, failed, or running elsewhere
        if report.status == BoardReportStatus.RUNNING:
            logger.warning("board report %s: the run claimed at %s died, claiming again", report_id, report.started_at)
        claim = uuid.uuid4()
        BoardReport.objects.filter(pk=report_id).update(
            status=BoardReportStatus.RUNNING,
            claim=claim,
            attempts=report.attempts + 1,
            progress=STEP_PROGRESS[BoardReportStep.STARTED],
            step=BoardReportStep.STARTED,
            error="",
            started_at=now,
            heartbeat_at=now,
            finished_at=None,
        )
    return claim, None


def _progress(report_id: int, claim: uuid.UUID, step: str) -> None:
    """Record the step reached (and a sign of life), or stop if the claim was lost."""
    updated = BoardReport.objects.filter(pk=report_id, claim=claim, status=BoardReportStatus.RUNNING).update(
        progress=STEP_PROGRESS[step], step=step, heartbeat_at=timezone.now()
    )
    if not updated:
        raise LostClaim


def _write_temporary(report_id: int, claim: uuid.UUID, extension: str, data: bytes) -> str:
    return _storage().save(f"{report_folder(report_id)}/partial/{claim.hex}.{extension}", ContentFile(data))


def _promote(temporary: str, final: str) -> str:
    """Move a temporary file to its final name (a rename on the local file system)."""
    storage = _storage()
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
    """E.g. board-report-site-a-2026-05 (the downloads are named after it)."""
    scope = "network" if report.site_id is None else slugify(report.scope.partition(":")[2])
    return f"board-report-{scope}-{report.month:%Y-%m}"


def report_filename(report: BoardReport, extension: str) -> str:
    return f"{report_stem(report)}.{extension}"


def report_kpi_scope(report: BoardReport) -> KpiScope:
    """The report's KPI scope, from its site (select `site`), whatever its slug is now."""
    if report.site_id is None:
        return KpiScope("network", "", None)
    return KpiScope("site", report.site.slug, (report.site_id,))


def _email_head_office(report: BoardReport) -> None:
    """Tell every active head-office user, in their language, with the link (on commit)."""
    url = settings.PORTAL_URL + reverse("reports:board_report", kwargs={"pk": report.pk})
    users = get_user_model().objects.filter(role=Role.HEAD_OFFICE, is_active=True).order_by("pk")
    for user in users:
        language = user.language or settings.LANGUAGE_CODE
        with translation.override(language):
            context = {
                "user": user,
                "report": report,
                "scope_name": report.scope_name,
                "month": format_month(report.month),
                "url": url,
            }
        subject, body = email_render(template="reports/email/board_report_ready", context=context, language=language)
        email_send_on_commit(to=[user.email], subject=subject, body=body)


def _finish(report_id: int, claim: uuid.UUID, temporary: dict[str, str]) -> None:
    """Attach the files and mark the report done, in one transaction; emails on commit."""
    promoted = []
    try:
        with transaction.atomic():
            report = BoardReport.objects.select_for_update(of=("self",)).select_related("site").get(pk=report_id)
            if report.claim != claim or report.status != BoardReportStatus.RUNNING:
                raise LostClaim
            stem = f"{report_folder(report_id)}/{report_stem(report)}-{claim.hex[:8]}"
            for field, name in temporary.items():
                final = _promote(name, f"{stem}.{field}")
                promoted.append(final)
                getattr(report, field).name = final
            # The temporary folder is empty now: gone before the report reads "done".
            _delete_tree(_storage(), f"{report_folder(report_id)}/partial")
            now = timezone.now()
            report.status = BoardReportStatus.DONE
            report.progress = STEP_PROGRESS[BoardReportStep.FINISHED]
            report.step = BoardReportStep.FINISHED
            report.finished_at = report.heartbeat_at = now
            report.error = ""
            report.save(
                update_fields=["pdf", "xlsx", "status", "progress", "step", "finished_at", "heartbeat_at", "error"]
            )
            _email_head_office(report)
    except Exception:
        for name in promoted:
            _storage().delete(name)
        raise


def _fail(report_id: int, claim: uuid.UUID, error: Exception) -> None:
    message = _("The report could not be generated (%(error)s). Request it again to retry.") % {
        "error": error.__class__.__name__
    }
    BoardReport.objects.filter(pk=report_id, claim=claim, status=BoardReportStatus.RUNNING).update(
        status=BoardReportStatus.FAILED, error=message, finished_at=timezone.now(), heartbeat_at=timezone.now()
    )


BUSY = "busy"


def board_report_generate(*, report_id: int) -> str | None:
    """Generate the report if this run may claim it (see the module's docstring). Returns
    "done" or "failed" when this run generated it; BUSY when another run is on it (its
    heartbeat is fresh); None when there is nothing to do (done or failed before, or no
    such report)."""
    # Reviewed network-wide access: the worker generates the reports of the network and of
    # every site; the KPI engine reads across sites by design.
    with network_scope():
        claim, status = _claim(report_id)
        if claim is None:
            return BUSY if status == BoardReportStatus.RUNNING else None
        written: dict[str, str] = {}
        try:
            _sweep(report_id)
            report = BoardReport.objects.select_related("site").get(pk=report_id)
            with translation.override(report.language):
                content = board_content(
                    report_kpi_scope(report),
                    scope_name=report.scope_name,
                    month=report.month,
                    progress=lambda step: _progress(report_id, claim, step),
                )
                _progress(report_id, claim, BoardReportStep.PDF)
                pdf = render_pdf(content)
                _progress(report_id, claim, BoardReportStep.XLSX)
                xlsx = render_xlsx(content)
                _progress(report_id, claim, BoardReportStep.SAVING)
                written["pdf"] = _write_temporary(report_id, claim, "pdf", pdf)
                written["xlsx"] = _write_temporary(report_id, claim, "xlsx", xlsx)
                _finish(report_id, claim, written)
        except LostClaim:
            logger.warning("board report %s: another run took it over; this one stops", report_id)
            for name in written.values():
                _storage().delete(name)
            return None
        except Exception as error:  # noqa: BLE001 — the report must not stay "running"; details go to the log
            logger.exception("board report %s failed", report_id)
            for name in written.values():
                _storage().delete(name)
            _fail(report_id, claim, error)
            return BoardReportStatus.FAILED
    return BoardReportStatus.DONE
