"""Isolation matrix: monthly board reports. Head office's pages under /network/reports/;
a site's staff list their site's reports under /manage/<site>/reports/.

The `world` fixture has no board report: the routes of one report are requested for an id
that does not exist (head office: 404; site A's staff: the same 404 as for another site's
report). Who sees which existing report (site A's, site B's, the network's) is proven in
tests/reports/test_board_pages.py."""

from tests.matrix import HEAD_OFFICE, SITE_A, Route

#                   anonymous outsider founder_a manager_a manager_b staff
HEAD_OFFICE_MISSING = (302, 403, 403, 403, 403, 404)  # a head-office page of a report that does not exist
SITE_A_MISSING = (302, 404, 404, 404, 404, 404)  # a download under site A of a report that does not exist

MATRIX: dict[str, Route] = {
    "reports:board_reports": Route("/network/reports/", HEAD_OFFICE),
    "reports:board_report": Route("/network/reports/999999/", HEAD_OFFICE_MISSING),
    "reports:board_report_status": Route("/network/reports/999999/status/", HEAD_OFFICE_MISSING),
    "reports:board_report_regenerate": Route("/network/reports/999999/regenerate/", HEAD_OFFICE_MISSING, "post"),
    "reports:board_report_pdf": Route("/network/reports/999999/pdf/", HEAD_OFFICE_MISSING),
    "reports:board_report_xlsx": Route("/network/reports/999999/xlsx/", HEAD_OFFICE_MISSING),
    "reports:site_board_reports": Route("/manage/site-a/reports/", SITE_A),
    "reports:site_board_report_pdf": Route("/manage/site-a/reports/999999/pdf/", SITE_A_MISSING),
    "reports:site_board_report_xlsx": Route("/manage/site-a/reports/999999/xlsx/", SITE_A_MISSING),
}
