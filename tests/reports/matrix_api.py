"""Isolation matrix: the KPI API. Site A's figures: its manager and head office; anyone
else gets the 404 of a scope that does not exist (anonymous: 401)."""

from tests.matrix import Route

#            anonymous outsider founder_a manager_a manager_b staff
SITE_A_KPIS = (401, 404, 404, 200, 404, 200)

MATRIX: dict[str, Route] = {
    "api:kpis": Route("/api/v1/kpis/?scope=site:site-a&as_of=2026-06-30", SITE_A_KPIS),
}
