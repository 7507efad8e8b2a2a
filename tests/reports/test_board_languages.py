"""Board reports in French and in Arabic (issue 19): one report per scope, month and
language; the Arabic PDF is shaped Arabic laid out right to left with embedded fonts, the
Arabic workbook reads right to left; figures never split; a rate with nothing to divide
reads "—" with its footnote."""

import io
import unicodedata

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scopes_disabled
from openpyxl import load_workbook
from pypdf import PdfReader

from core.jobs import JobStatus
from reports.board import jobs
from reports.models import BoardReport

from . import board_setup
from .board_setup import MAY, _generate, _get, _report, pdf_text

# The fixtures shared with the sibling modules: pytest finds a fixture by its name in the module.
# `_english`, autouse, applies to every test here.
_english = board_setup._english
board_data = board_setup.board_data
queued = board_setup.queued


def _files(report: BoardReport) -> tuple[bytes, bytes]:
    report = _get(report.pk)
    with report.pdf.open("rb") as pdf, report.xlsx.open("rb") as xlsx:
        return pdf.read(), xlsx.read()


def _fonts(data: bytes) -> set[str]:
    """The names of the fonts embedded in the PDF's pages (subsets: "ABCDEF+Noto-Sans")."""
    names = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            if "/FontFile2" in descriptor:  # the font's data is in the file
                names.add(str(font["/BaseFont"]).partition("+")[2])
    return names


# --- One report per scope, month and language -------------------------------------------------
def test_the_same_month_in_french_and_in_arabic_is_two_reports(
    site_a, staff, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        french = jobs.board_report_request(actor=staff, scope="site:site-a", month=MAY, language="fr")
        arabic = jobs.board_report_request(actor=staff, scope="site:site-a", month=MAY, language="ar")
        again = jobs.board_report_request(actor=staff, scope="site:site-a", month=MAY, language="ar")
    assert (french.language, arabic.language) == ("fr", "ar") and french.pk != arabic.pk == again.pk
    with scopes_disabled():
        assert sorted(BoardReport.objects.values_list("language", flat=True)) == ["ar", "fr"]


def test_the_request_form_offers_the_languages_and_lists_them(client, site_a, staff, queued):
    client.force_login(staff)
    page = client.get("/network/reports/")
    form = page.context["request_form"]
    assert [value for value, _label in form.fields["language"].choices] == ["fr", "ar", "en"]
    assert form["language"].value() == "en"  # the requester's language at first
    client.post("/network/reports/", {"scope": "site:site-a", "month": "2026-05", "language": "ar"})
    client.post("/network/reports/", {"scope": "site:site-a", "month": "2026-05", "language": "fr"})
    client.post("/network/reports/", {"scope": "site:site-a", "month": "2026-05"})  # no language: the requester's
    with scopes_disabled():
        assert sorted(BoardReport.objects.values_list("language", flat=True)) == ["ar", "en", "fr"]
    body = client.get("/network/reports/").content.decode()
    assert "<td>Arabic</td>" in body and "<td>French</td>" in body and "<td>English</td>" in body


def test_a_site_list_shows_each_report_language(client, site_a, manager_a):
    _report(language="ar", status=JobStatus.DONE, pdf="a.pdf", xlsx="a.xlsx")
    _report(language="fr", status=JobStatus.DONE, pdf="f.pdf", xlsx="f.xlsx")
    client.force_login(manager_a)
    body = client.get("/manage/site-a/reports/").content.decode()
    assert "<td>Arabic</td>" in body and "<td>French</td>" in body


def test_a_language_that_is_not_the_portal_s_is_refused(client, site_a, staff, queued):
    with pytest.raises(ValidationError) as error:
        jobs.board_report_request(actor=staff, scope="site:site-a", month=MAY, language="de")
    assert "language" in error.value.message_dict
    client.force_login(staff)
    response = client.post("/network/reports/", {"scope": "site:site-a", "month": "2026-05", "language": "de"})
    assert response.status_code == 200 and response.context["request_form"].errors["language"]
    with scopes_disabled():
        assert not BoardReport.objects.exists()


def test_generating_again_keeps_the_report_language(site_a, staff, queued, django_capture_on_commit_callbacks):
    report = _report(language="ar", status=JobStatus.DONE, progress=100, pdf="a.pdf", xlsx="a.xlsx")
    with django_capture_on_commit_callbacks(execute=True):
        jobs.board_report_regenerate(actor=staff, report=report)  # staff reads English
    report = _get(report.pk)
    assert (report.language, report.status, report.requested_by) == ("ar", "queued", staff)


# --- The files ---------------------------------------------------------------------------------
def test_the_arabic_report_is_arabic_right_to_left(board_data, staff, django_capture_on_commit_callbacks):
    report = _report(requested_by=staff, language="ar")
    _generate(report, django_capture_on_commit_callbacks)
    pdf, xlsx = _files(report)

    reader = PdfReader(io.BytesIO(pdf))
    assert reader.trailer["/Root"]["/Lang"] == "ar"
    # Shaped Arabic extracts as Arabic letters (NFKC folds any presentation form back).
    raw = pdf_text(pdf)
    text = unicodedata.normalize("NFKC", raw)  # (NFKC also turns no-break spaces into spaces)
    for expected in ["تقرير مجلس الإدارة", "الأرقام الرئيسية", "نشاط الشهر", "ماي"]:
        assert expected in text, expected
    assert "درهم" in text and "1\xa0200\xa0000,00" in raw  # the amount, in one piece
    assert "Board report" not in text and "Headline figures" not in text
    assert {"Noto-Sans", "Noto-Sans-Arabic", "Noto-Sans-Arabic-Bold"} <= _fonts(pdf)

    workbook = load_workbook(io.BytesIO(xlsx))
    assert all(sheet.sheet_view.rightToLeft for sheet in workbook.worksheets)
    headline = workbook.worksheets[1]
    assert headline["A1"].value == "المؤشر"  # "Indicator"
    assert headline["B1"].value == "31 ماي 2026"


def test_the_french_report_is_french_left_to_right(board_data, staff, django_capture_on_commit_callbacks):
    report = _report(requested_by=staff, language="fr")
    _generate(report, django_capture_on_commit_callbacks)
    pdf, xlsx = _files(report)
    assert PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/Lang"] == "fr"
    text = pdf_text(pdf)
    for expected in ["Rapport au conseil", "Chiffres clés", "Activité du mois", "Mai 2026", "Généré le"]:
        assert expected in text, expected
    assert "1\xa0200\xa0000,00\xa0MAD" in text  # never "1 200 000,0 / 0"
    assert "Page 2 / 5" in text or "Page\xa02 / 5" in text  # page numbers in the footer
    workbook = load_workbook(io.BytesIO(xlsx))
    assert not any(sheet.sheet_view.rightToLeft for sheet in workbook.worksheets)


def test_a_rate_with_nothing_to_divide_is_a_dash_with_its_footnote(
    board_data, staff, django_capture_on_commit_callbacks
):
    report = _report(requested_by=staff, language="en")
    _generate(report, django_capture_on_commit_callbacks)
    lines = pdf_text(_files(report)[0]).splitlines()
    # Access to market: no session, no participant → no attendance rate (never "0.0%").
    market = next(line for line in lines if line.startswith("Access to market"))
    assert market.split()[-1] == "—" and "%" not in market
    assert "— Not applicable: nothing to divide" in lines
    # Years before site A had a startup: no export share, no survival rate.
    year_2019 = next(line for line in lines if line.startswith("2019 "))
    assert year_2019.split()[-2:] == ["—", "—"]
