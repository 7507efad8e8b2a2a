"""A board report as an A4 PDF (ReportLab: pure Python, no system library)."""

import io
from xml.sax.saxutils import escape

from django.utils import formats
from django.utils.translation import gettext as _

from .content import (
    COUNT,
    RATE,
    BoardContent,
    format_change,
    format_date,
    format_month,
    format_number,
    format_value,
    funnel_rows,
    headline_header,
    report_title,
    trend_columns,
)

PDF_CONTENT_TYPE = "application/pdf"


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
            headline_header(content),
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
                    "site and once in the network; a dash (—) marks a rate with nothing to divide; revenue "
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
                    format_value(dimension.shown_attendance_rate, RATE),
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
                [_("Mentor hours delivered"), format_number(month_activity.mentor_hours, 1)],
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
                        format_value(site.shown_occupancy_rate, RATE),
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
        table([_("Indicator"), _("Value")], funnel_rows(funnel, text=True), [0.6, 0.4]),
    ]

    # 3. Trends by year
    columns = trend_columns()
    story += [
        Paragraph(pdf_text(_("Trends by year")), heading),
        table(
            [_("Year")] + [label for _key, label, _kind in columns],
            [
                [str(point.year)] + [format_value(point.shown(key), kind) for key, _label, kind in columns]
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
