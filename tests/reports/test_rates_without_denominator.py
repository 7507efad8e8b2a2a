"""A rate with nothing to divide (no startup, no one in the 5-year cohort, no participant,
no office, no application) is shown "—" with its reason, never "0.0%": on the dashboards,
in their CSV and XLSX exports (an empty cell), in the board report's PDF and XLSX (an
empty cell) and in the KPI API (null). A rate whose denominator is there keeps its value,
0 included. The engine itself keeps MISSION.md's 0 (test_kpis_scopes.py)."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.utils import translation
from openpyxl import load_workbook
from rest_framework.test import APIClient

from core.templatetags.rates import percent
from reports.kpis import headline, parse_scope
from reports.models import KpiSnapshot
from reports.selectors import from_row
from reports.snapshots import snapshots_compute
from tests.factories import AdmissionFactory, SiteFactory, StartupFactory

from . import board_setup, dashboards_setup
from .board_setup import _generate, _get, _report
from .dashboards_setup import NETWORK, SITE_A
from .dashboards_setup import _get as _page
from .test_board_content import pdf_text

dataset = dashboards_setup.dataset
english = dashboards_setup.english
board_data = board_setup.board_data

NOT_APPLICABLE = '<span aria-hidden="true" title="Not applicable: nothing to divide">—</span>'
REASON = '<span class="visually-hidden">Not applicable: nothing to divide</span>'
D = datetime.date(2026, 6, 30)


# --- The one filter ---------------------------------------------------------------------------
def test_the_filter_shows_a_dash_and_its_reason_for_none_and_a_percentage_otherwise(db):
    with translation.override("en"):
        assert percent(None) == NOT_APPLICABLE + REASON
        assert percent(Decimal("0.8912")) == "89.1%"
        assert percent(Decimal("0")) == "0.0%"  # a real 0: its denominator is there
        assert percent(0.03125) == "3.1%"  # floats too, rounded half up
    with translation.override("fr"):
        assert percent(Decimal("0.6667")).startswith("66,7")


# --- The engine's figures as shown --------------------------------------------------------------
def test_a_scope_without_startups_and_one_without_a_5_year_cohort(site_a, unscoped):
    young = StartupFactory(founded_on=datetime.date(2024, 1, 1))
    AdmissionFactory(startup=young, site=site_a, kind="resident", starts_on=datetime.date(2024, 6, 1))
    empty = SiteFactory(slug="empty", region__code="MA-06")

    nothing = headline(parse_scope(f"site:{empty.slug}"), D)
    assert nothing.survival_rate_5y == Decimal("0")  # the engine keeps MISSION.md's 0 …
    assert [nothing.shown(name) for name in ("survival_rate_5y", "export_share", "export_africa_share")] == [
        None,
        None,
        None,
    ]  # … shown as nothing to divide
    only_young = headline(parse_scope("site:site-a"), D)
    assert only_young.shown("survival_rate_5y") is None  # supported, but nobody founded by 2021-06-30
    assert only_young.shown("export_share") == Decimal("0")  # 0 exporters of 1 supported now: a real 0
    assert only_young.shown("supported_now") == 1


def test_a_snapshot_keeps_the_5_year_cohort(site_a, unscoped):
    """Read back from the nightly snapshot, a scope whose startups are all younger than five
    years still shows survival as nothing to divide, and one with a cohort its rate."""
    young = StartupFactory(founded_on=datetime.date(2024, 1, 1))
    AdmissionFactory(startup=young, site=site_a, kind="resident", starts_on=datetime.date(2024, 6, 1))
    snapshots_compute(as_of=D)
    stored = from_row(KpiSnapshot.objects.get(scope="site:site-a", as_of=D))
    assert stored.survival_cohort == 0 and stored.shown("survival_rate_5y") is None
    old = StartupFactory(founded_on=datetime.date(2015, 1, 1))
    AdmissionFactory(startup=old, site=site_a, kind="resident", starts_on=datetime.date(2016, 6, 1))
    snapshots_compute(as_of=D)
    stored = from_row(KpiSnapshot.objects.get(scope="site:site-a", as_of=D))
    assert stored.survival_cohort == 1 and stored.shown("survival_rate_5y") == Decimal("1.0000")


def test_snapshot_figures_know_an_empty_scope(db):
    # A snapshot written before snapshots kept the 5-year cohort (null): a scope without
    # startups has none.
    empty = KpiSnapshot(
        scope="network",
        as_of=D,
        startups_supported_total=0,
        residents_total=0,
        supported_now=0,
        residents_now=0,
        survival_rate_5y=Decimal("0"),
        jobs_total=0,
        annual_revenue_mad=Decimal("0"),
        export_share=Decimal("0"),
        export_africa_share=Decimal("0"),
    )
    figures = from_row(empty)
    assert (figures.shown("survival_rate_5y"), figures.shown("export_share")) == (None, None)


# --- Dashboards: pages and exports --------------------------------------------------------------
def test_the_network_dashboard_shows_a_dash_for_the_site_without_startups(english, dataset, client_for):
    response = _page(client_for, "staff", NETWORK, {"as_of": "2026-06-30"})
    sites = {row[0]: row for row in response.context["sections"]["tables"]["sites"].rows}
    # Site C (planned) has no startup: survival and both shares have nothing to divide.
    assert sites["Technopark site-c"][3:] == [0, 0, 0, 0, None, 0, 0, None, None, None]
    html = response.content.decode()
    table = html[html.index('data-table="sites"') :]
    row = table[table.index("Technopark site-c</th>") :].split("</tr>")[0]
    assert row.count(NOT_APPLICABLE) == 4 and ">0.0%<" not in row


def test_the_site_dashboard_shows_a_dash_for_rates_of_nothing(english, dataset, client_for):
    response = _page(client_for, "staff", SITE_A, {"as_of": "2026-06-30"})
    html = response.content.decode()
    dimensions = html[html.index('data-table="dimensions"') :].split("</table>")[0]
    # Three dimensions without any participant; financing: 1 of 2 present.
    assert dimensions.count(NOT_APPLICABLE) == 3 and ">50.0%<" in dimensions and ">0.0%<" not in dimensions
    # The chart of the trends draws nothing where there is nothing to divide (2001: no startup).
    charts = response.context["sections"]["charts_json"]
    assert charts["years_rates"]["series"][0]["values"][0] is None


def test_csv_and_xlsx_exports_leave_the_cell_empty(english, dataset, client_for):
    params = {"as_of": "2026-06-30"}
    response = _page(client_for, "staff", f"{NETWORK}export/sites/", {**params, "format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    site_c = next(row for row in rows if row[0] == "Technopark site-c")
    assert site_c[3:] == ["0", "0", "0", "0", "", "0", "0.00", "", "", ""]

    response = _page(client_for, "staff", f"{NETWORK}export/sites/", {**params, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    site_c = next([cell.value for cell in row] for row in sheet.iter_rows() if row[0].value == "Technopark site-c")
    assert site_c[3:] == [0, 0, 0, 0, None, 0, 0, None, None, None]


# --- The KPI API --------------------------------------------------------------------------------
def test_the_api_answers_null_for_a_rate_of_nothing(site_b, staff, unscoped):
    young = StartupFactory(founded_on=datetime.date(2024, 1, 1))
    AdmissionFactory(startup=young, site=site_b, kind="resident", starts_on=datetime.date(2024, 6, 1))
    client = APIClient()
    client.force_authenticate(user=staff)
    empty = client.get("/api/v1/kpis/", {"scope": "region:MA-12", "as_of": "2026-06-30"}).json()
    assert (empty["survival_rate_5y"], empty["export_share"], empty["export_africa_share"]) == (None, None, None)
    young_site = client.get("/api/v1/kpis/", {"scope": "site:site-b", "as_of": "2026-06-30"}).json()
    assert young_site["survival_rate_5y"] is None and young_site["export_share"] == 0.0
    schema = client.get("/api/schema/", {"format": "json"}).json()
    rates = schema["components"]["schemas"]["Kpi"]["properties"]
    assert all(rates[name]["nullable"] for name in ("survival_rate_5y", "export_share", "export_africa_share"))


# --- The board report ---------------------------------------------------------------------------
@pytest.mark.usefixtures("board_data")
def test_the_board_report_leaves_rates_of_nothing_empty(staff, django_capture_on_commit_callbacks):
    """A new site in May 2026: one startup since 2025, founded in 2024 (no 5-year cohort at
    any of the three dates), no declaration (0 of 1 exporting: a real 0), no session,
    office or application there."""
    young = StartupFactory(founded_on=datetime.date(2024, 1, 1))
    AdmissionFactory(startup=young, site=SiteFactory(slug="site-new"), starts_on=datetime.date(2025, 1, 1))
    report = _report("site:site-new", requested_by=staff, language="en")
    _generate(report, django_capture_on_commit_callbacks)
    report = _get(report.pk)
    with report.xlsx.open("rb") as handle:
        workbook = load_workbook(io.BytesIO(handle.read()))
    headline_rows = {row[0].value: [cell.value for cell in row[1:]] for row in workbook["Headline figures"].iter_rows()}
    assert headline_rows["5-year survival rate"] == [None, None, None, None, None, None]
    # A real 0, and so is its coverage: its startup has not declared 2025.
    assert headline_rows["Share of exporting startups"] == [0, 0, 0, 0, 0, 0]
    activity = {row[0].value: [cell.value for cell in row[1:]] for row in workbook["Activity"].iter_rows()}
    assert activity["Access to financing"][:4] == [0, 0, 0, None]
    assert activity["Technopark site-new"][:3] == [0, 0, None]
    assert activity["Admission rate"][0] is None

    with report.pdf.open("rb") as handle:
        text = pdf_text(handle.read())
    assert "0.0%" in text  # the real 0 of the export share
    lines = text.splitlines()  # a table row is a line: its label, then its cells
    survival = next(line for line in lines if line.startswith("5-year survival rate "))
    assert survival.split()[-5:] == ["—"] * 5
    admission = next(line for line in lines if line.startswith("Admission rate "))
    assert admission.split()[-1] == "—"
