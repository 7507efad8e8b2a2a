"""Monthly board reports, what is delivered: the PDF and the XLSX with hand-worked figures
(see board_setup.board_data), their language, and the email to head office."""

import datetime
import io

from django.core import mail
from openpyxl import load_workbook
from pypdf import PdfReader

from accounts.models import Role
from reports.board import jobs
from tests.factories import UserFactory

from . import board_setup
from .board_setup import MAY, _generate, _get, _report, pdf_text

# The fixtures shared with the sibling modules: pytest finds a fixture by its name in the module.
# `_english`, autouse, applies to every test here.
_english = board_setup._english
board_data = board_setup.board_data
queued = board_setup.queued


# --- Content: the PDF and the XLSX ------------------------------------------------------------
def test_the_xlsx_holds_the_hand_worked_figures(board_data, staff, django_capture_on_commit_callbacks):
    report = _report(requested_by=staff, language="en")
    _generate(report, django_capture_on_commit_callbacks)
    report = _get(report.pk)
    with report.xlsx.open("rb") as handle:
        workbook = load_workbook(io.BytesIO(handle.read()))
    assert workbook.sheetnames == ["Report", "Headline figures", "Activity", "Trends by year", "Satisfaction"]

    cover = workbook["Report"]
    assert cover["A1"].value == "Board report · Technopark site-a · May 2026"
    assert (cover["B3"].value, cover["B4"].value) == ("Technopark site-a", "site:site-a")
    assert cover["B6"].value.date() == MAY and cover["B7"].value.date() == datetime.date(2026, 5, 31)

    headline = [[cell.value for cell in row] for row in workbook["Headline figures"].iter_rows()]
    assert headline[0] == [
        *["Indicator", "May 31, 2026", "April 30, 2026", "Change", "May 31, 2025", "Change"],
        "Declared 2025",
    ]
    # The figures' coverage at 31 May 2026: one of site A's two startups declared 2025.
    coverage = {row[0]: row[-1] for row in headline[1:]}
    assert coverage["Startups supported since 2001"] is None and coverage["5-year survival rate"] is None
    assert coverage["Jobs (direct and indirect)"] == coverage["Cumulative annual revenue (MAD)"] == 0.5
    assert coverage["Share of exporting startups"] == coverage["Share exporting to Africa"] == 0.5
    figures = {row[0]: row[1:-1] for row in headline[1:]}
    # (at 31 May 2026, at 30 April 2026, change, at 31 May 2025, change)
    assert figures["Startups supported since 2001"] == [2, 1, 1, 1, 1]
    assert figures["Residents (ever)"] == [1, 1, 0, 1, 0]
    assert figures["Startups supported now"] == [2, 1, 1, 1, 1]
    assert figures["Residents now"] == [1, 1, 0, 1, 0]
    assert figures["5-year survival rate"] == [1, 1, 0, 1, 0]
    assert figures["Jobs (direct and indirect)"] == [7, 7, 0, 0, 7]
    assert figures["Cumulative annual revenue (MAD)"] == [1200000, 1200000, 0, 0, 1200000]
    assert figures["Share of exporting startups"] == [0.5, 1, -0.5, 0, 0.5]
    assert figures["Share exporting to Africa"] == [0.5, 1, -0.5, 0, 0.5]
    assert workbook["Headline figures"]["B6"].number_format == "0.0%"

    rows = [[cell.value for cell in row] for row in workbook["Activity"].iter_rows()]
    by_label = {row[0]: row[1:] for row in rows if row[0]}
    assert by_label["Access to financing"][:4] == [1, 2, 1, 0.5]
    assert by_label["Access to market"][:4] == [0, 0, 0, None]  # no participant: an empty cell
    assert by_label["Mentor sessions held"][0] == 1
    assert by_label["Mentor hours delivered"][0] == 1.5
    assert by_label["Technopark site-a"][:3] == [2, 1, 0.5]
    assert "Technopark site-b" not in by_label
    assert by_label["Applications submitted"][0] == 2
    assert by_label["Admitted"][0] == 1 and by_label["Pending"][0] == 1 and by_label["Rejected"][0] == 0
    assert by_label["Admission rate"][0] == 0.5
    assert by_label["Median days to a decision"][0] == 4

    trends = [[cell.value for cell in row] for row in workbook["Trends by year"].iter_rows()]
    assert trends[0][:3] == ["Year", "Date", "Supported since 2001"]
    years = {row[0]: row for row in trends[1:]}
    assert sorted(years) == list(range(2001, 2027))
    # 2019: nothing yet; 2025 (31 December): S1 only, jobs of 2024 unknown; 2026 (31 May):
    # the month's own figures.
    assert years[2019][2:] == [0, 0, 0, 0, None, None]  # rates with nothing to divide: empty
    assert years[2025][1].date() == datetime.date(2025, 12, 31)
    assert years[2025][2:5] == [1, 1, 0]
    assert years[2026][1].date() == datetime.date(2026, 5, 31)
    assert years[2026][2:8] == [2, 2, 7, 1200000, 0.5, 1]


def test_the_pdf_is_an_a4_document_with_the_figures(board_data, staff, django_capture_on_commit_callbacks):
    report = _report(requested_by=staff, language="en")
    _generate(report, django_capture_on_commit_callbacks)
    with _get(report.pk).pdf.open("rb") as handle:
        data = handle.read()
    assert data.startswith(b"%PDF") and data.rstrip().endswith(b"%%EOF")
    reader = PdfReader(io.BytesIO(data))
    assert all((round(page.mediabox.width), round(page.mediabox.height)) == (595, 842) for page in reader.pages)  # A4
    assert reader.metadata.title == "Board report · Technopark site-a · May 2026"
    text = pdf_text(data)
    for expected in [
        "Board report",
        "Technopark site-a",
        "May 2026",
        "Headline figures",
        "1,200,000.00\xa0MAD",  # a headline card: the amount with its cents and currency
        "1,200,000",  # the tables: whole MAD
        "50.0%",
        "-50.0 pt",
        "Activity of the month",
        "Access to financing",
        "Trends by year",
        "2026",
    ]:
        assert expected in text, expected


def test_the_report_is_written_in_french_by_default(board_data, django_capture_on_commit_callbacks):
    report = _report()  # the monthly beat: no requester
    _generate(report, django_capture_on_commit_callbacks)
    report = _get(report.pk)
    assert report.language == "fr"
    with report.xlsx.open("rb") as handle:
        workbook = load_workbook(io.BytesIO(handle.read()))
    headline = [[cell.value for cell in row] for row in workbook.worksheets[1].iter_rows()]
    assert headline[0][1] == "31 mai 2026"
    with report.pdf.open("rb") as handle:
        text = pdf_text(handle.read())
    # Groups and the currency joined by no-break spaces: never split across lines.
    assert "1\xa0200\xa0000,00\xa0MAD" in text and "mai 2026" in text.lower()
    assert "Rapport au conseil" in text and "Chiffres clés" in text


def test_an_arabic_requester_gets_an_arabic_report_unless_they_choose(
    site_a, queued, django_capture_on_commit_callbacks
):
    arabic = UserFactory(role=Role.HEAD_OFFICE, language="ar")
    with django_capture_on_commit_callbacks(execute=True):
        report = jobs.board_report_request(actor=arabic, scope="site:site-a", month=MAY)
        french = jobs.board_report_request(actor=arabic, scope="site:site-a", month=MAY, language="fr")
    assert (report.language, french.language) == ("ar", "fr") and report.pk != french.pk


# --- Email to head office ---------------------------------------------------------------------
def test_head_office_is_emailed_the_link_when_the_report_is_done(
    board_data, staff, settings, django_capture_on_commit_callbacks
):
    colleague = UserFactory(email="colleague@example.ma", role=Role.HEAD_OFFICE, language="fr")
    UserFactory(email="gone@example.ma", role=Role.HEAD_OFFICE, is_active=False)
    UserFactory(email="founder@example.ma", role=Role.FOUNDER)
    report = _report(requested_by=staff, language="en")
    _generate(report, django_capture_on_commit_callbacks)
    link = f"{settings.PORTAL_URL}/network/reports/{report.pk}/"
    assert sorted(message.to[0] for message in mail.outbox) == [colleague.email, staff.email]
    english = next(message for message in mail.outbox if message.to == [staff.email])
    # Each says the report's language: a month may have one report per language.
    assert english.subject == "Board report ready: Technopark site-a, May 2026 (English)"
    assert link in english.body and "in English, is ready" in english.body
    french = next(message for message in mail.outbox if message.to == [colleague.email])
    assert link in french.body and french.subject.endswith(", mai 2026 (Anglais)")  # mid-sentence: lower case
