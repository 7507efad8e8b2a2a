"""The dashboards' exports: the CSV and XLSX files of their tables, following the filters,
for head office and for a site's staff, the export links and the French display of the
figures. The pages themselves: test_dashboards_pages.py."""

import csv
import io

import pytest
from openpyxl import load_workbook

from reports.exports import Money, Rate, display

from . import dashboards_setup
from .dashboards_setup import NETWORK, SITE_A, _get

# The fixtures shared with the sibling modules: pytest finds a fixture by its name in the module.
dataset = dashboards_setup.dataset
english = dashboards_setup.english

# --- Exports --------------------------------------------------------------------------------


def _csv(response) -> list[list[str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def _xlsx(response):
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return load_workbook(io.BytesIO(response.content))


def test_csv_export_of_the_site_comparison(english, dataset, client_for):
    response = _get(client_for, "staff", f"{NETWORK}export/sites/", {"as_of": "2026-06-30", "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="dashboard-network-sites-2026-06-30.csv"'
    rows = _csv(response)
    assert rows[0][:4] == ["Site", "Region", "Status", "Startups supported since 2001"]
    by_site = {row[0]: row for row in rows[1:]}
    # Exact values: rates as 0–1 fractions, money with 2 decimals.
    assert by_site["Technopark site-b"][1:] == [
        "MA-04",
        "Operational",
        "2",
        "2",
        "1",
        "1",
        "0.5000",
        "18",
        "800000.00",
        "1.0000",
        "0.0000",
        "1.0000",  # its startup supported now declared 2025
    ]
    assert rows[0][-1] == "Declared 2025 (supported now)"
    assert len(rows) == 1 + 3


def test_csv_export_follows_the_filters(english, dataset, client_for):
    response = _get(
        client_for, "staff", f"{NETWORK}export/headline/", {"as_of": "2026-06-30", "region": "MA-04", "format": "csv"}
    )
    assert response["Content-Disposition"].endswith('filename="dashboard-region-MA-04-headline-2026-06-30.csv"')
    rows = {row[0]: row[1:] for row in _csv(response)}
    assert rows["Figure"] == ["Value", "Declared 2025"]
    assert rows["Startups supported since 2001"] == ["2", ""]  # not from declarations
    assert rows["Jobs (direct and indirect)"] == ["18", "0.5000"]  # one of the two declared 2025


def test_xlsx_export_of_the_region_comparison(english, dataset, client_for):
    response = _get(client_for, "staff", f"{NETWORK}export/regions/", {"as_of": "2026-06-30", "format": "xlsx"})
    assert response.status_code == 200
    workbook = _xlsx(response)
    assert workbook.sheetnames == ["Comparison by region"]
    sheet = workbook.active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("Region", "Code", "Sites", "Startups supported since 2001")
    by_code = {row[1]: row for row in rows[1:]}
    assert len(by_code) == 12
    assert by_code["MA-06"][2:6] == (2, 2, 1, 2)
    assert by_code["MA-04"][7] == pytest.approx(0.5) and by_code["MA-04"][9] == pytest.approx(800000)
    # Rates are numbers shown as percentages.
    ma04 = next(row for row in sheet.iter_rows(min_row=2) if row[1].value == "MA-04")
    assert ma04[7].number_format == "0.0%" and ma04[9].number_format == "#,##0.00"


def test_xlsx_of_every_table(english, dataset, client_for):
    response = _get(client_for, "staff", f"{NETWORK}export/all/", {"as_of": "2026-06-30", "format": "xlsx"})
    workbook = _xlsx(response)
    assert workbook.sheetnames == [
        "Headline figures",
        "Comparison by site",
        "Comparison by region",
        "Coverage of the 12 regions",
        "Trends by year",
        "5-year survival by founding yea",  # sheet names stop at 31 characters
        "Support sessions by dimension",
        "Mentoring",
        "Office occupancy",
        "Room occupancy",
        "Invoicing",
        "Applications",
        "Yearly satisfaction survey (NPS",
        "Ratings of sessions and mentori",
    ]
    headline = {row[0]: row[1] for row in workbook["Headline figures"].iter_rows(min_row=2, values_only=True)}
    assert headline["Startups supported since 2001"] == 4
    assert headline["5-year survival rate"] == pytest.approx(0.6667)
    assert not any(sheet.sheet_view.rightToLeft for sheet in workbook.worksheets)
    assert _get(client_for, "staff", f"{NETWORK}export/all/", {"format": "csv"}).status_code == 404


def test_an_arabic_reader_gets_right_to_left_sheets(dataset, client, client_for):
    client.cookies["django_language"] = "ar"
    response = _get(client_for, "staff", f"{NETWORK}export/all/", {"as_of": "2026-06-30", "format": "xlsx"})
    workbook = _xlsx(response)
    assert all(sheet.sheet_view.rightToLeft for sheet in workbook.worksheets)
    header = workbook.worksheets[0]["A1"].value
    assert any("\u0600" <= letter <= "\u06ff" for letter in header), header  # headers in Arabic too


def test_site_exports(english, dataset, client_for):
    response = _get(client_for, "manager_a", f"{SITE_A}export/dimensions/", {"as_of": "2026-06-30", "format": "csv"})
    rows = _csv(response)
    assert rows[0] == ["Dimension", "Sessions held", "Participants", "Attended", "Attendance rate"]
    assert ["Access to financing", "1", "2", "1", "0.5000"] in rows
    workbook = _xlsx(_get(client_for, "manager_a", f"{SITE_A}export/years/", {"as_of": "2026-06-30", "format": "xlsx"}))
    last = list(workbook.active.iter_rows(values_only=True))[-1]
    assert last[0] == 2026 and last[2] == 2 and last[4] == 7
    # The network's tables are not the site's; unknown tables and formats are 404.
    for table, export_format in (("sites", "csv"), ("regions", "xlsx"), ("nothing", "csv"), ("years", "pdf")):
        url = f"{SITE_A}export/{table}/"
        assert _get(client_for, "manager_a", url, {"format": export_format}).status_code == 404


def test_export_links_carry_the_filters(dataset, client_for):
    response = _get(client_for, "staff", NETWORK, {"as_of": "2026-06-30", "region": "MA-04", "sector": "ict"})
    table = response.context["sections"]["tables"]["sites"]
    assert table.csv_url == (
        "/network/dashboard/export/sites/?as_of=2026-06-30&date_from=2025-07-01&date_to=2026-06-30"
        "&sector=ict&region=MA-04&format=csv"
    )
    assert f'href="{table.xlsx_url.replace("&", "&amp;")}"' in response.content.decode()


def test_display_formats_in_french(db):
    from django.utils import translation

    with translation.override("fr"):
        assert display(Rate("0.6667")).startswith("66,7")  # the sign's spacing is the translation's
        assert display(Money("2000000")) == "2\xa0000\xa0000,00\xa0MAD"
        # None (a rate with nothing to divide): the dash, its reason for screen readers.
        assert '>—</span><span class="visually-hidden">' in display(None)
