"""The kernel's CSV and XLSX writers (`core.exports`): the French-Excel-friendly CSV (UTF-8
with a BOM, semicolons), streamed lazily or built in memory; the XLSX with its cell types and
sheet names; and the one guard against spreadsheet formulas, proven in both formats."""

import csv
import datetime
import io
import zipfile
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from core.exports import (
    CSV_CONTENT_TYPE,
    XLSX_CONTENT_TYPE,
    Sheet,
    csv_response,
    csv_value,
    formula_safe,
    sheet_title,
    stream_csv,
    xlsx_cell,
    xlsx_response,
    xlsx_workbook,
)

# What a spreadsheet program would run: the classic payloads and each prefix on its own.
FORMULAS = ["=1+1", '=HYPERLINK("http://x")', "+212 Corp", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1", "=", "+", "-", "@"]


def _csv_rows(content: str) -> list[list[str]]:
    assert content.startswith("\ufeff")
    return list(csv.reader(io.StringIO(content.removeprefix("\ufeff")), delimiter=";"))


def _xlsx(content: bytes):
    return load_workbook(io.BytesIO(content))


# --- The guard ------------------------------------------------------------------------------
@pytest.mark.parametrize("text", FORMULAS)
def test_the_guard_quotes_what_would_run(text):
    assert formula_safe(text) == "'" + text


@pytest.mark.parametrize("text", ["", "Atlas Data", "1+1", " =1", "a=b", "'=1", "ائتلاف"])
def test_the_guard_leaves_plain_text(text):
    assert formula_safe(text) == text


# --- CSV ------------------------------------------------------------------------------------
def test_csv_values():
    assert csv_value(None) == ""
    assert csv_value(datetime.date(2025, 2, 1)) == "2025-02-01"
    assert csv_value(datetime.datetime(2025, 2, 1, 9, 30)) == "2025-02-01T09:30:00"
    # Numbers are never formulas: negative ones keep their sign, decimals their digits.
    assert csv_value(-5) == "-5"
    assert csv_value(Decimal("-1.50")) == "-1.50"
    assert csv_value(True) == "True"
    assert csv_value("-5") == "'-5"  # text that looks like a number is still text


@pytest.mark.parametrize("text", FORMULAS)
def test_csv_cells_never_run_as_formulas(text):
    response = csv_response(filename="x.csv", header=[text], rows=[[text, "ok"]])
    rows = _csv_rows(response.content.decode("utf-8"))
    assert rows == [["'" + text], ["'" + text, "ok"]]


@pytest.mark.parametrize("text", FORMULAS)
def test_streamed_csv_cells_never_run_as_formulas(text):
    response = stream_csv(filename="x.csv", header=["Name"], rows=iter([[text]]))
    rows = _csv_rows(b"".join(response.streaming_content).decode("utf-8"))
    assert rows == [["Name"], ["'" + text]]


def test_csv_is_utf8_with_a_bom_and_semicolons():
    response = csv_response(filename="résidents-a.csv", header=["Nom", "Début"], rows=[["Société; Générale", 3]])
    assert response["Content-Type"] == CSV_CONTENT_TYPE
    assert response["Content-Disposition"] == 'attachment; filename="résidents-a.csv"'
    assert response.content == '\ufeffNom;Début\r\n"Société; Générale";3\r\n'.encode()


def test_csv_opens_in_french_excel():
    """Read as French Excel does on a double click: the BOM says UTF-8 (accents and Arabic
    intact), `;` separates the cells; a cell holding a `;`, a quote or a line break is
    quoted, so it stays one cell; a comma needs no quoting any more."""
    header = ["Nom", "Adresse", "Montant (MAD)"]
    rows = [
        ["Société; Générale", "12, rue d'Agadir", Decimal("1500.50")],
        ['Atlas "Data"', "Ligne 1\nLigne 2", -3],
        ["ائتلاف", "=1+1", None],
    ]
    content = csv_response(filename="x.csv", header=header, rows=rows).content
    assert content.startswith(b"\xef\xbb\xbf")  # the UTF-8 byte order mark
    text = content.decode("utf-8-sig")
    assert text.splitlines()[0] == "Nom;Adresse;Montant (MAD)"
    assert '"Société; Générale";12, rue d\'Agadir;1500.50\r\n' in text
    assert list(csv.reader(io.StringIO(text, newline=""), delimiter=";")) == [
        header,
        ["Société; Générale", "12, rue d'Agadir", "1500.50"],
        ['Atlas "Data"', "Ligne 1\nLigne 2", "-3"],
        ["ائتلاف", "'=1+1", ""],
    ]
    # Every line has as many cells as the header: nothing spills into a neighbour.
    assert {len(row) for row in csv.reader(io.StringIO(text, newline=""), delimiter=";")} == {3}


def test_streamed_and_in_memory_csv_are_the_same_bytes():
    header, rows = ["A", "B"], [["x,y", None], ['say "hi"', datetime.date(2025, 1, 2)], ["=1", -1]]
    streamed = stream_csv(filename="x.csv", header=header, rows=iter(rows))
    assert streamed["Content-Type"] == CSV_CONTENT_TYPE
    assert streamed["Content-Disposition"] == 'attachment; filename="x.csv"'
    assert b"".join(streamed.streaming_content) == csv_response(filename="x.csv", header=header, rows=rows).content


def test_the_streamed_rows_are_read_only_as_the_response_is_sent():
    read = []

    def rows():
        for number in range(3):
            read.append(number)
            yield [number]

    response = stream_csv(filename="x.csv", header=["n"], rows=rows())
    assert read == []
    chunks = iter(response.streaming_content)
    assert next(chunks) == "\ufeffn\r\n".encode()
    assert read == []
    assert list(chunks) == [b"0\r\n", b"1\r\n", b"2\r\n"]
    assert read == [0, 1, 2]


# --- XLSX -----------------------------------------------------------------------------------
def _no_formula_in(content: bytes):
    """No cell of any sheet holds a formula (`<f>` element) in the file itself."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheets = [name for name in archive.namelist() if name.startswith("xl/worksheets/")]
        assert sheets
        for name in sheets:
            assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name)


@pytest.mark.parametrize("text", FORMULAS)
def test_xlsx_cells_never_run_as_formulas(text):
    response = xlsx_response(filename="x.xlsx", title="List", header=[text], rows=[[text, "ok"]])
    _no_formula_in(response.content)
    sheet = _xlsx(response.content).active
    for cell in (sheet["A1"], sheet["A2"]):
        assert cell.data_type == "s"
        # The value is kept as typed (the text type is the guard), bar the XML line break.
        assert cell.value.replace("\n", "\r") == text


def test_an_apps_own_cell_writer_keeps_the_guard():
    def cell(sheet, value):
        return xlsx_cell(sheet, value, number_format="0.0%")

    content = xlsx_workbook([Sheet(title="Rates", header=["Rate"], rows=[["=1+1"], [Decimal("0.25")]])], cell=cell)
    _no_formula_in(content)
    sheet = _xlsx(content).active
    assert sheet["A2"].value == "=1+1" and sheet["A2"].data_type == "s"
    assert sheet["A3"].value == 0.25 and sheet["A3"].number_format == "0.0%"


def test_xlsx_cells_keep_their_types():
    rows = [["Atlas", 3, Decimal("3.5"), datetime.date(2025, 1, 2), None, "", True, -4]]
    response = xlsx_response(filename="x.xlsx", title="Residents and members", header=["A", "B"], rows=rows)
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert response["Content-Disposition"] == 'attachment; filename="x.xlsx"'
    sheet = _xlsx(response.content).active
    assert sheet.title == "Residents and members"
    assert sheet["A1"].font.bold and sheet["B1"].font.bold
    assert [cell.value for cell in sheet[2]] == ["Atlas", 3, 3.5, datetime.datetime(2025, 1, 2), None, None, True, -4]
    assert sheet["D2"].number_format == "yyyy-mm-dd"


def test_several_sheets_with_their_widths():
    content = xlsx_workbook(
        [
            Sheet(title="Sites: A/B", header=["Site", "Count"], rows=[["A", 1]], widths=[20, 12]),
            Sheet(title="Sites: A/B", header=["Year"], rows=[[2025]]),
        ]
    )
    book = _xlsx(content)
    assert book.sheetnames == ["Sites  A B", "Sites  A B (2)"]
    first = book["Sites  A B"]
    assert first.column_dimensions["A"].width == 20 and first.column_dimensions["B"].width == 12
    assert [[cell.value for cell in row] for row in first.iter_rows()] == [["Site", "Count"], ["A", 1]]


def test_sheet_titles_are_valid_and_unique():
    taken: set[str] = set()
    assert sheet_title("Résidents et membres", taken) == "Résidents et membres"
    assert sheet_title("résidents ET membres", taken) == "résidents ET membres (2)"
    assert sheet_title("[a]:*?/\\b", taken) == "a      b"
    assert sheet_title("  ", taken) == "Sheet"
    long = "x" * 40
    assert sheet_title(long, taken) == "x" * 31
    assert sheet_title(long, taken) == "x" * 27 + " (2)"
    assert sheet_title("المقيمون والأعضاء", taken) == "المقيمون والأعضاء"
