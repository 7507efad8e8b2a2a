"""List pages of reports — board reports, the public figures' regions, the network
dashboard's table of sites: as many queries for 50 rows as for 1 (tests/querycount.py)."""

import datetime
import re

import pytest
from django.utils import timezone

from reports.models import BoardReport, KpiSnapshot
from sites.models import Region
from tests.factories import AdmissionFactory, UserFactory
from tests.querycount import ListRoute, check_list_route, row_name, startup_row
from tests.sites.test_list_queries import region_row, site_row


def _month(index: int) -> datetime.date:
    return datetime.date(2000 + index // 12, 1 + index % 12, 1)


def board_report_row(ctx, index: int):
    """A finished report of the network, site A or site B in turn, requested by a person
    named by the row."""
    site = [None, ctx.site_a, ctx.site_b][index % 3]
    return BoardReport.objects.create(
        scope="network" if site is None else f"site:{site.slug}",
        site=site,
        month=_month(index),
        status="done",
        pdf="board-reports/report.pdf",
        xlsx="board-reports/report.xlsx",
        requested_by=UserFactory(full_name=row_name(index)),
        finished_at=timezone.now(),
    )


def site_board_report_row(ctx, index: int):
    return BoardReport.objects.create(
        scope="site:site-a",
        site=ctx.site_a,
        month=_month(index),
        status="done",
        pdf="board-reports/report.pdf",
        xlsx="board-reports/report.xlsx",
        finished_at=timezone.now(),
    )


def downloads_seen(text: str) -> set[int]:
    """Site A's reports listed: one PDF link each (the rows name no one)."""
    return set(range(len(set(re.findall(r"/manage/site-a/reports/(\d+)/pdf/", text)))))


FIGURES = {
    "startups_supported_total": 10,
    "residents_total": 6,
    "supported_now": 4,
    "residents_now": 3,
    "survival_rate_5y": "0.8000",
    "jobs_total": 40,
    "annual_revenue_mad": "1000000.00",
    "export_share": "0.2000",
    "export_africa_share": "0.1000",
}


def snapshots_setup(ctx) -> dict:
    """Last night's snapshots of the network, the 12 regions and sites A and B (the
    dashboard's comparison reads them rather than computing each row live)."""
    today = timezone.localdate()
    KpiSnapshot.objects.create(scope="network", as_of=today, **FIGURES)
    for region in Region.objects.all():
        KpiSnapshot.objects.create(scope=f"region:{region.code}", region=region, as_of=today, **FIGURES)
    for site in (ctx.site_a, ctx.site_b):
        KpiSnapshot.objects.create(scope=f"site:{site.slug}", site=site, as_of=today, **FIGURES)
    return {}


def dashboard_site_row(ctx, index: int):
    """A site (named by the row) with a resident startup and its snapshot of the night."""
    site = site_row(ctx, index)
    AdmissionFactory(startup=startup_row(index, name=f"Startup {index}"), site=site)
    KpiSnapshot.objects.create(scope=f"site:{site.slug}", site=site, as_of=timezone.localdate(), **FIGURES)
    return site


ROUTES = [
    ListRoute("reports:board_reports", "/network/reports/", "staff", board_report_row, shown=25),
    ListRoute(
        "reports:site_board_reports",
        "/manage/site-a/reports/",
        "manager_a",
        site_board_report_row,
        shown=25,
        seen=downloads_seen,
    ),
    ListRoute("reports:figures", "/figures/", "anonymous", region_row),
    ListRoute("reports:network_dashboard", "/network/dashboard/", "staff", dashboard_site_row, snapshots_setup),
    ListRoute(
        "reports:network_dashboard_export",
        "/network/dashboard/export/sites/?format=csv",
        "staff",
        dashboard_site_row,
        snapshots_setup,
    ),
]


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.test_id)
def test_list_queries_do_not_grow_with_rows(route, client, personas, site_a, site_b):
    check_list_route(route, client=client, personas=personas, site_a=site_a, site_b=site_b)
