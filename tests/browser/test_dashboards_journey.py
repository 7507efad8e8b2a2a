"""Issue 6 end to end in a real browser: head-office staff sign in, open the network
dashboard from the "Network" menu, see the network's figures and its charts, filter by
region and see the figures change, then download the per-site comparison as XLSX and
find the region's site in it. In English, under the portal's real Content Security Policy
(no bypass_csp): Chart.js and the page's script must run without a CSP error.

A last test runs axe on the network and site dashboards, in French and Arabic.
"""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django_scopes import scopes_disabled
from openpyxl import load_workbook
from playwright.sync_api import expect

from accounts.models import Role
from tests.factories import (
    AdmissionFactory,
    DeclarationFactory,
    SiteFactory,
    SiteMembershipFactory,
    StartupFactory,
    UserFactory,
)

from .test_services_journey import BLOCKING_IMPACTS, csp_errors, english_page, load_reference_data, sign_in, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STAFF_EMAIL = "leila.bennani@example.ma"
MANAGER_EMAIL = "youssef.manager@example.ma"


@pytest.fixture
def network(settings):
    """Casablanca (MA-06) with two startups supported now, Rabat (MA-04) with one: a resident
    that declared 6 + 1 jobs and 450 000 MAD for last year."""
    # Enrolling TOTP is tested elsewhere; here head office signs in with a password only.
    settings.REQUIRE_STAFF_MFA = False
    last_year = datetime.date.today().year - 1
    with scopes_disabled():
        load_reference_data()
        casablanca = SiteFactory(
            slug="casablanca", name_en="Technopark Casablanca", name_fr="Technopark Casablanca", region__code="MA-06"
        )
        rabat = SiteFactory(slug="rabat", name_en="Technopark Rabat", name_fr="Technopark Rabat", region__code="MA-04")
        for name in ("Atlas Data", "Argan Tech"):
            AdmissionFactory(
                startup=StartupFactory(brand_name=name), site=casablanca, starts_on=datetime.date(2022, 1, 1)
            )
        souss = StartupFactory(brand_name="Souss Drones", founded_on=datetime.date(2019, 3, 1))
        AdmissionFactory(startup=souss, site=rabat, kind="resident", starts_on=datetime.date(2023, 9, 1))
        DeclarationFactory(
            startup=souss,
            fiscal_year=last_year,
            direct_jobs=6,
            indirect_jobs=1,
            revenue_mad=Decimal("450000"),
            export_revenue_mad=Decimal("0"),
            export_countries=[],
        )
        UserFactory(email=STAFF_EMAIL, full_name="Leila Bennani", role=Role.HEAD_OFFICE, is_staff=True)
        SiteMembershipFactory(site=casablanca, user__email=MANAGER_EMAIL)
    return {"casablanca": casablanca, "rabat": rabat}


def kpi(page, name: str):
    return page.locator(f"[data-kpi='{name}']")


def test_head_office_filters_the_network_dashboard_by_region_and_downloads_the_xlsx(
    live_server, new_context, network, tmp_path
):
    base = live_server.url
    page, console = english_page(new_context, base)
    sign_in(page, base, STAFF_EMAIL)

    # === 1. From the "Network" menu to the dashboard: the whole network's figures ========
    page.get_by_role("button", name="Network", exact=True).click()
    submit(page, page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Network dashboard"))
    expect(page).to_have_url(f"{base}/network/dashboard/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Network dashboard")
    expect(kpi(page, "startups_supported_total")).to_have_text("3")
    expect(kpi(page, "supported_now")).to_have_text("3")
    expect(kpi(page, "jobs_total")).to_have_text("7")
    comparison = page.locator("table[data-table='sites']")
    expect(comparison.get_by_role("row")).to_have_count(3)  # the header and two sites
    # Chart.js drew every chart (the page's script ran under the CSP).
    canvases = page.locator("canvas[data-chart]")
    expect(canvases.first).to_be_visible()
    drawn = page.evaluate(
        "() => [...document.querySelectorAll('canvas[data-chart]')].every((c) => window.Chart.getChart(c))"
    )
    assert drawn and canvases.count() >= 8

    # === 2. Filter by region: the figures become Rabat-Salé-Kénitra's ======================
    page.get_by_label("Region", exact=True).select_option(label="Rabat-Sale-Kenitra (MA-04)")
    submit(page, page.get_by_role("button", name="Filter"))
    assert "region=MA-04" in page.url
    expect(page.locator("[data-scope]")).to_contain_text("Rabat-Sale-Kenitra, figures as of")
    expect(kpi(page, "startups_supported_total")).to_have_text("1")
    expect(kpi(page, "residents_now")).to_have_text("1")
    expect(kpi(page, "annual_revenue_mad")).to_have_text("450,000.00 MAD")
    expect(comparison.get_by_role("row")).to_have_count(2)
    expect(comparison).to_contain_text("Technopark Rabat")
    expect(comparison).not_to_contain_text("Technopark Casablanca")

    # === 3. Download the per-site comparison as XLSX and read it ===========================
    with page.expect_download() as download_info:
        page.locator("[data-export='sites-xlsx']").click()
    download = download_info.value
    assert download.suggested_filename.startswith("dashboard-region-MA-04-sites-")
    assert download.suggested_filename.endswith(".xlsx")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    sheet = load_workbook(saved).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:6] == (
        "Site",
        "Region",
        "Status",
        "Startups supported since 2001",
        "Residents (ever)",
        "Supported now",
    )
    assert len(rows) == 2
    assert rows[1][:6] == ("Technopark Rabat", "MA-04", "Operational", 1, 1, 1)
    assert rows[1][8] == 7  # jobs
    assert rows[1][9] == 450000  # revenue, MAD

    assert csp_errors(console) == [], console
    assert [text for kind, text in console if kind == "pageerror"] == []


@pytest.mark.parametrize(("language", "direction"), [("fr", "ltr"), ("ar", "rtl")])
def test_dashboards_have_no_serious_accessibility_violation(
    live_server, new_context, axe_script, network, language, direction
):
    for email, url in ((STAFF_EMAIL, "/network/dashboard/"), (MANAGER_EMAIL, "/manage/casablanca/dashboard/")):
        context = new_context(bypass_csp=True)  # only to inject axe
        context.add_cookies([{"name": django_settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
        page = context.new_page()
        sign_in_as(page, live_server.url, email)
        response = page.goto(f"{live_server.url}{url}")
        assert response is not None and response.status == 200
        assert page.locator("html").get_attribute("dir") == direction
        page.add_script_tag(path=str(axe_script))
        results = page.evaluate("async () => await axe.run(document, { resultTypes: ['violations'] })")
        blocking = [v for v in results["violations"] if v["impact"] in BLOCKING_IMPACTS]
        assert blocking == [], (
            url,
            [(v["id"], v["help"], [n["html"][:120] for n in v["nodes"][:3]]) for v in blocking],
        )


def sign_in_as(page, base: str, email: str) -> None:
    """Sign in whatever the interface language (the form's field names do not change)."""
    page.goto(f"{base}/accounts/login/")
    form = page.locator("main form[action='/accounts/login/']")
    form.locator("input[name=login]").fill(email)
    form.locator("input[name=password]").fill(django_settings.DEMO_PASSWORD)
    submit(page, form.locator("button[type=submit]"))
