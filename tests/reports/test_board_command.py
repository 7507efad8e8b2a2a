"""`manage.py board_report`: the page's document written to a file on the spot, for the
network, a region or a site, in a language; clear errors for what it cannot do."""

import io
import unicodedata

import pytest
from django.core.management import CommandError, call_command
from django_scopes import scopes_disabled
from openpyxl import load_workbook
from pypdf import PdfReader

from reports.models import BoardReport

from . import board_setup
from .board_setup import pdf_text

_english = board_setup._english
board_data = board_setup.board_data


def _run(**options) -> str:
    out = io.StringIO()
    call_command("board_report", stdout=out, **options)
    return out.getvalue()


def test_it_writes_the_pdf_in_the_language_asked(board_data, tmp_path):
    target = tmp_path / "site-a-ar.pdf"
    message = _run(scope="site:site-a", month="2026-05", language="ar", output=str(target))
    assert f"Wrote {target}" in message
    data = target.read_bytes()
    assert data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) >= 3 and reader.trailer["/Root"]["/Lang"] == "ar"
    assert "تقرير مجلس الإدارة" in unicodedata.normalize("NFKC", pdf_text(data))
    with scopes_disabled():
        assert not BoardReport.objects.exists()  # a file, not a report row


def test_it_writes_the_workbook_of_the_network_and_of_a_region(board_data, tmp_path):
    network = tmp_path / "network.xlsx"
    _run(scope="network", month="2026-05", language="fr", output=str(network))
    workbook = load_workbook(network)
    assert workbook.sheetnames[0] == "Rapport" and workbook["Rapport"]["B4"].value == "network"
    assert not workbook.active.sheet_view.rightToLeft

    region = tmp_path / "region.xlsx"
    _run(scope="region:MA-06", month="2026-05", language="ar", output=str(region))
    workbook = load_workbook(region)
    cover = workbook.worksheets[0]
    assert cover.sheet_view.rightToLeft
    assert (cover["B3"].value, cover["B4"].value) == ("الدار البيضاء - سطات", "region:MA-06")
    # Casablanca-Settat holds site A (S1, S2), not site B (S3, in MA-04): supported since 2001 = 2.
    figures = [row[1].value for row in workbook.worksheets[1].iter_rows(min_row=2)]
    assert figures[:4] == [2, 1, 2, 1]


def test_the_english_pdf_of_the_command_is_the_page_s(board_data, tmp_path):
    target = tmp_path / "site-a.PDF"
    _run(scope="site:site-a", month="2026-05", language="en", output=str(target))
    text = pdf_text(target.read_bytes())
    assert "Board report" in text and "1,200,000.00\xa0MAD" in text and "Access to financing" in text


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"scope": "moon"}, "--scope must be network, region:<code> or site:<slug>"),
        ({"scope": "site:nowhere"}, "--scope must be network, region:<code> or site:<slug>"),
        ({"scope": "region:MA-99"}, "no region has the code 'MA-99'"),
        ({"month": "2026-13"}, "--month must be a month as YYYY-MM"),
        ({"month": "May"}, "--month must be a month as YYYY-MM"),
        ({"month": "2000-12"}, "Board reports start in January 2001."),
        ({"month": "2999-01"}, "Choose a month that is over."),
        ({"language": "de"}, "--language must be one of fr, ar, en, not 'de'"),
        ({"output": "report.txt"}, "--output must end in .pdf or .xlsx"),
        ({"output": "/nowhere/at/all/report.pdf"}, "No such folder for --output"),
    ],
)
def test_bad_input_is_a_clear_error(site_a, tmp_path, options, message):
    arguments = {"scope": "site:site-a", "month": "2026-05", "language": "fr", "output": str(tmp_path / "r.pdf")}
    arguments.update(options)
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace("|", r"\|")):
        _run(**arguments)
    assert list(tmp_path.iterdir()) == []


def test_the_scope_month_and_output_are_required(site_a):
    with pytest.raises(CommandError, match="required"):
        call_command("board_report", "--scope", "network")
