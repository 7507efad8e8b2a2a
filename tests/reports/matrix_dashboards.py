"""Isolation matrix: the network dashboard (head office only) and the site dashboard (the
site's staff and head office; anyone else gets the 404 of a site that does not exist),
with their CSV and XLSX exports."""

from tests.matrix import HEAD_OFFICE, SITE_A, Route

MATRIX: dict[str, Route] = {
    "reports:network_dashboard": Route("/network/dashboard/?as_of=2026-06-30", HEAD_OFFICE),
    "reports:network_dashboard_export": Route(
        "/network/dashboard/export/sites/?as_of=2026-06-30&format=csv", HEAD_OFFICE
    ),
    "reports:site_dashboard": Route("/manage/site-a/dashboard/?as_of=2026-06-30", SITE_A),
    "reports:site_dashboard_export": Route(
        "/manage/site-a/dashboard/export/years/?as_of=2026-06-30&format=xlsx", SITE_A
    ),
}
