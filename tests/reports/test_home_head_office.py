"""Head office's home leads the day (issue 18): the network's headline figures (last night's
snapshot, else live), the operational sites needing attention, the latest board reports of
the network and the messages that could not be sent, then the links to manage the network;
in a constant number of queries. Anyone else lands on their own home."""

import datetime
import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from accounts.models import HEAD_OFFICE_GROUP, Role, User
from core.jobs import JobStatus
from core.models import OutboxMessage
from reports import home
from reports.models import BoardReport, KpiSnapshot
from sites.models import SiteStatus
from sites.scoping import user_scope
from startups.models import ApplicationStatus, OfficeAllocation
from tests.factories import (
    AdmissionFactory,
    ApplicationFactory,
    CallFactory,
    DeclarationFactory,
    OfficeFactory,
    SiteFactory,
    UserFactory,
)
from tests.querycount import ListRoute, check_list_route
from tests.sites.test_list_queries import site_row

URL = "/dashboard/"
LAST_YEAR = timezone.localdate().year - 1


@pytest.fixture
def head_office(db):
    """A head-office account as the portal makes them: in the "Head office" group (its
    admin rights), not a superuser."""
    return UserFactory(email="head.office@example.ma", role=Role.HEAD_OFFICE, language="en")


@pytest.fixture
def home_page(client, head_office):
    client.cookies["django_language"] = "en"  # assertions read English
    client.force_login(head_office)

    def get() -> str:
        response = client.get(URL)
        assert response.status_code == 200
        assert response.templates[0].name == "accounts/landing_head_office.html"
        return response.content.decode()

    return get


def section(body: str, section_id: str) -> str:
    """The HTML of the panel `<section … id="section_id">`."""
    start = body.index(f'id="{section_id}"')
    return body[start : body.index("</section>", start)]


def snapshot(as_of: datetime.date, **figures) -> KpiSnapshot:
    values = {
        "startups_supported_total": 0,
        "residents_total": 0,
        "supported_now": 0,
        "residents_now": 0,
        "survival_rate_5y": Decimal("0"),
        "jobs_total": 0,
        "annual_revenue_mad": Decimal("0"),
        "export_share": Decimal("0"),
        "export_africa_share": Decimal("0"),
        **figures,
    }
    return KpiSnapshot.objects.create(scope="network", as_of=as_of, **values)


def kpi(html: str, name: str) -> str:
    match = re.search(rf'data-kpi="{name}">(.*?)</span>\s*</span>', html, re.S)
    assert match, name
    return re.sub(r"\s+", " ", match.group(1)).strip()


# --- Headline figures ---------------------------------------------------------------------
def test_the_figures_are_last_nights_snapshot_and_link_to_the_dashboard_at_that_date(home_page, unscoped):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    snapshot(yesterday - datetime.timedelta(days=30), startups_supported_total=1)  # older: not shown
    snapshot(
        yesterday,
        startups_supported_total=1234,
        supported_now=310,
        residents_now=120,
        survival_rate_5y=Decimal("0.8912"),
        jobs_total=5400,
        annual_revenue_mad=Decimal("98765432.10"),
        export_share=Decimal("0.25"),
        export_africa_share=Decimal("0.1"),
    )
    figures = section(home_page(), "home-figures")
    assert kpi(figures, "startups_supported_total") == "1,234"
    assert kpi(figures, "residents_now") == "120"
    assert kpi(figures, "survival_rate_5y") == "89.1%"
    assert kpi(figures, "jobs_total") == "5,400"
    assert kpi(figures, "annual_revenue_mad") == "98,765,432.10 MAD"
    assert kpi(figures, "export_share") == "25.0%"
    assert f'href="/network/dashboard/?as_of={yesterday.isoformat()}#headline"' in figures
    assert f"Revenue: fiscal year {yesterday.year - 1}" in figures


def test_rates_with_nothing_to_divide_show_a_dash(home_page, unscoped):
    snapshot(timezone.localdate() - datetime.timedelta(days=1))  # an empty network
    figures = section(home_page(), "home-figures")
    for name in ("survival_rate_5y", "export_share", "export_africa_share"):
        assert "—" in kpi(figures, name) and "Not applicable: nothing to divide" in kpi(figures, name)
    assert kpi(figures, "startups_supported_total") == "0"


def test_without_a_recent_snapshot_the_figures_are_todays_computed_live(home_page, site_a, unscoped):
    snapshot(timezone.localdate() - datetime.timedelta(days=3), startups_supported_total=999)  # stale
    AdmissionFactory(site=site_a, starts_on=datetime.date(2022, 1, 1))
    figures = section(home_page(), "home-figures")
    assert kpi(figures, "startups_supported_total") == "1"
    assert kpi(figures, "residents_now") == "1"
    assert 'href="/network/dashboard/#headline"' in figures  # today: the dashboard's default date


# --- Sites needing attention ----------------------------------------------------------------
def _days_ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


def _office(site, *, occupied: bool, admission=None):
    office = OfficeFactory(site=site)
    if occupied:
        admission = admission or AdmissionFactory(site=site)
        OfficeAllocation.objects.create(office=office, admission=admission, site=site, starts_on=admission.starts_on)
    return office


@pytest.fixture
def attention(site_a, site_b, unscoped):
    """Site A: 2 applications waiting over 30 days (one submitted, one under review; a recent
    one, a waitlisted one and a draft are not late), 1 residency ending within 60 days, 2
    admissions without last year's declaration, 1 office of 4 occupied (25 %: low). Site B:
    nothing waiting (its startup has declared, its one office is occupied). A planned site
    with a late application is not an operational site: never listed."""
    today = timezone.localdate()
    call = CallFactory(site=site_a)
    ApplicationFactory(call=call, submitted_at=_days_ago(40))
    ApplicationFactory(call=call, status=ApplicationStatus.UNDER_REVIEW, submitted_at=_days_ago(31))
    ApplicationFactory(call=call, submitted_at=_days_ago(5))
    ApplicationFactory(call=call, status=ApplicationStatus.WAITLISTED, submitted_at=_days_ago(90))
    ApplicationFactory(call=call, status=ApplicationStatus.DRAFT, submitted_at=None)
    ending = AdmissionFactory(site=site_a, planned_end_on=today + datetime.timedelta(days=30))
    AdmissionFactory(site=site_a, planned_end_on=today + datetime.timedelta(days=400))
    _office(site_a, occupied=True, admission=ending)
    for _ in range(3):
        _office(site_a, occupied=False)
    declared = AdmissionFactory(site=site_b, planned_end_on=today + datetime.timedelta(days=400))
    DeclarationFactory(startup=declared.startup, fiscal_year=LAST_YEAR)
    _office(site_b, occupied=True, admission=declared)
    planned = SiteFactory(slug="site-planned", status=SiteStatus.PLANNED)
    ApplicationFactory(call=CallFactory(site=planned), submitted_at=_days_ago(60))


def _cell(panel: str, slug: str, signal: str) -> str:
    row = panel[panel.index(f'data-site="{slug}"') :]
    row = row[: row.index("</tr>")]
    cell = row[row.index(f'data-signal="{signal}"') :]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell[cell.index(">") + 1 : cell.index("</td>")])).strip()


def test_the_sites_needing_attention_with_each_signal_linked_to_the_sites_page(home_page, attention):
    panel = section(home_page(), "home-attention")
    assert 'data-site="site-a"' in panel
    assert 'data-site="site-b"' not in panel and "site-planned" not in panel
    assert _cell(panel, "site-a", "waiting") == "2"
    assert _cell(panel, "site-a", "ending") == "1"
    assert _cell(panel, "site-a", "undeclared") == "2"
    assert _cell(panel, "site-a", "occupancy") == "25.0% (1/4) low"
    assert 'href="/manage/site-a/"' in panel
    assert 'href="/manage/site-a/applications/"' in panel
    assert 'href="/manage/site-a/residents/ending/"' in panel
    assert f'href="/manage/site-a/declarations/?year={LAST_YEAR}&amp;status=missing"' in panel
    assert 'href="/manage/site-a/offices/"' in panel
    assert "1 other operational site has nothing waiting." in panel


def test_a_site_without_offices_shows_a_dash_and_is_not_flagged_for_it(home_page, site_a, unscoped):
    AdmissionFactory(site=site_a)  # no declaration of last year: flagged for that only
    panel = section(home_page(), "home-attention")
    assert _cell(panel, "site-a", "undeclared") == "1"
    assert "—" in _cell(panel, "site-a", "occupancy") and "low" not in _cell(panel, "site-a", "occupancy")
    assert "other operational site" not in panel  # every site is listed: no "0 other sites" line


def test_every_site_in_order_says_so(home_page, site_a, site_b, unscoped):
    assert "Every operational site is in order" in section(home_page(), "home-attention")
    site_a.status = site_b.status = SiteStatus.PLANNED
    site_a.save()
    site_b.save()
    assert "No site is operational yet." in section(home_page(), "home-attention")


# --- Board reports --------------------------------------------------------------------------
def test_the_latest_network_board_reports_with_their_status_and_files(home_page, site_a, unscoped):
    months = [datetime.date(2025, month, 1) for month in (1, 2, 3, 4)]
    reports = [BoardReport.objects.create(scope="network", month=month, status=JobStatus.DONE) for month in months]
    reports[-1].status = JobStatus.RUNNING
    reports[-1].progress = 40
    reports[-1].save()
    site_report = BoardReport.objects.create(scope="site:site-a", site=site_a, month=datetime.date(2025, 5, 1))
    panel = section(home_page(), "home-board-reports")
    assert "April 2025" in panel and "March 2025" in panel and "February 2025" in panel
    assert "January 2025" not in panel  # the 3 latest only
    assert f'data-report="{site_report.pk}"' not in panel  # a site's report is not the network's
    assert "Running" in panel and "40%" in panel
    assert panel.count("French") == 3  # each report says its language: a month may have one per language
    assert f'href="/network/reports/{reports[2].pk}/pdf/"' in panel
    assert f'href="/network/reports/{reports[3].pk}/pdf/"' not in panel  # not done yet
    assert f'href="/network/reports/{reports[3].pk}/"' in panel
    assert 'href="/network/reports/"' in panel


def test_no_board_report_yet(home_page):
    assert "No board report of the network yet" in section(home_page(), "home-board-reports")


# --- The outbox's failures ------------------------------------------------------------------
def _message(subject: str, status=OutboxMessage.Status.FAILED, **fields) -> OutboxMessage:
    return OutboxMessage.objects.create(
        to=["founder@example.ma"], subject=subject, body="…", status=status, attempts=8, **fields
    )


def test_failed_messages_only_the_latest_five_linked_to_the_admin(home_page):
    for index in range(6):
        _message(f"Failed {index}", last_error=f"SMTPRecipientsRefused: refused {index}")
    _message("Delivered fine", status=OutboxMessage.Status.SENT)
    _message("Still trying", status=OutboxMessage.Status.PENDING, last_error="timeout")
    panel = section(home_page(), "home-outbox")
    assert 'data-failed-count="6"' in panel
    shown = re.findall(r"Failed (\d)", panel)
    assert sorted(shown) == ["1", "2", "3", "4", "5"]  # the latest five
    assert "Delivered fine" not in panel and "Still trying" not in panel
    assert "founder@example.ma" in panel and "SMTPRecipientsRefused: refused 5" in panel
    assert 'href="/admin/core/outboxmessage/?status__exact=failed"' in panel


def test_no_failed_message(home_page):
    _message("Delivered fine", status=OutboxMessage.Status.SENT)
    panel = section(home_page(), "home-outbox")
    assert 'data-failed-count="0"' in panel
    assert "Every message was sent or is still being tried." in panel


def test_the_admin_link_needs_the_right_to_view_the_outbox(head_office):
    assert home.outbox_panel(head_office)["admin_url"]  # through the "Head office" group
    Group.objects.get(name=HEAD_OFFICE_GROUP).permissions.remove(
        Permission.objects.get(content_type__app_label="core", codename="view_outboxmessage")
    )
    head_office = User.objects.get(pk=head_office.pk)  # its permissions read afresh
    assert home.outbox_panel(head_office)["admin_url"] is None


# --- Manage links, queries, who gets the page -----------------------------------------------
def test_the_links_to_manage_the_network_stay(home_page):
    manage = section(home_page(), "head-office-manage")
    for url in ("/network/dashboard/", "/network/reports/", "/network/sites/", "/network/regions/", "/accounts/2fa/"):
        assert f'href="{url}' in manage
    assert "audit" in manage.lower()


def test_the_page_stays_constant_in_queries(
    home_page, attention, site_a, site_b, unscoped, django_assert_max_num_queries
):
    snapshot(timezone.localdate() - datetime.timedelta(days=1), startups_supported_total=3)
    BoardReport.objects.create(scope="network", month=datetime.date(2025, 1, 1), status=JobStatus.DONE)
    _message("Failed once", last_error="boom")
    home_page()
    with django_assert_max_num_queries(30) as few:
        home_page()
    for index in range(6):
        site = SiteFactory(slug=f"more-{index}")
        ApplicationFactory(call=CallFactory(site=site), submitted_at=_days_ago(45))
        AdmissionFactory(site=site, planned_end_on=timezone.localdate() + datetime.timedelta(days=10))
        _office(site, occupied=False)
        BoardReport.objects.create(scope="network", month=datetime.date(2024, index + 1, 1), status=JobStatus.DONE)
        _message(f"Failed {index}", last_error="boom")
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = home_page()
    assert body.count("data-site=") == 7


def attention_row(ctx, index: int):
    """An operational site named by the row with every signal raised: a late application, a
    residency ending soon (last year undeclared), a free office."""
    site = site_row(ctx, index)
    ApplicationFactory(call=CallFactory(site=site), submitted_at=_days_ago(40))
    AdmissionFactory(site=site, planned_end_on=timezone.localdate() + datetime.timedelta(days=10))
    _office(site, occupied=False)


def test_the_sites_needing_attention_do_not_add_queries_per_site(client, personas, site_a, site_b):
    route = ListRoute("accounts:landing", "/dashboard/", "staff", attention_row, id="head office")
    check_list_route(route, client=client, personas=personas, site_a=site_a, site_b=site_b)


@pytest.mark.parametrize("persona", ["founder_a", "manager_a"])
def test_no_one_else_gets_head_offices_home(client, persona, request, attention):
    _message("Failed for a founder", last_error="boom")
    user = request.getfixturevalue(persona)
    client.force_login(user)
    response = client.get(URL)
    assert response.status_code == 200
    assert response.templates[0].name != "accounts/landing_head_office.html"
    body = response.content.decode()
    for marker in ("home-figures", "home-attention", "home-board-reports", "home-outbox", "Failed for a founder"):
        assert marker not in body


def test_the_panels_refuse_anyone_but_head_office(founder_a, site_a):
    with user_scope(founder_a):
        for context in (home.figures_panel, home.attention_panel, home.board_reports_panel, home.outbox_panel):
            with pytest.raises(PermissionDenied):
                context(founder_a)
