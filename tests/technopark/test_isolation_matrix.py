"""The isolation matrix: every route of the portal × every persona → expected status.

The routes are listed per app in `tests/<app>/matrix.py`. Adding a URL pattern without
listing it fails `test_every_route_is_in_the_matrix`.
Site-scoped routes are requested for site A: its manager and head office get in, the
manager of site B and everybody else get the same 404 as for a site that does not exist.
"""

import pytest

from tests.conftest import PERSONAS
from tests.matrix import Route, load_matrix
from tests.routes import all_routes

MATRIX = load_matrix()

# The Django admin: every route sits behind `admin_view` (staff only) and its login goes
# through allauth. Checked on the index and on each registered model's list and add pages.
ADMIN_STAFF_ONLY = (302, 302, 302, 302, 302, 200)


def _admin_routes() -> dict[str, Route]:
    from django.contrib import admin

    routes = {"admin:index": Route("/admin/", ADMIN_STAFF_ONLY)}
    for model in admin.site._registry:
        opts = model._meta
        routes[f"admin:{opts.app_label}_{opts.model_name}_changelist"] = Route(
            f"/admin/{opts.app_label}/{opts.model_name}/", ADMIN_STAFF_ONLY
        )
    return routes


def _request(client, route: Route, world: dict):
    url = route.url.format(**world)
    if route.method == "post":
        return client.post(url, route.data or {})
    return client.get(url)


def test_every_route_is_in_the_matrix():
    names = {name for name, route in all_routes() if not route.startswith("admin/")}
    assert None not in names, "every non-admin URL pattern needs a name so the matrix can list it"
    assert names - set(MATRIX) == set(), "add these routes to the isolation matrix"
    assert set(MATRIX) - names == set(), "these matrix entries no longer exist"


@pytest.mark.parametrize("route_name", sorted(MATRIX) + sorted(_admin_routes()))
@pytest.mark.parametrize("persona", PERSONAS)
def test_isolation_matrix(route_name, persona, client_for, world):
    route = MATRIX.get(route_name) or _admin_routes()[route_name]
    response = _request(client_for(persona), route, world)
    expected = route.expected[PERSONAS.index(persona)]
    assert response.status_code == expected, f"{persona} on {route_name}: {response.status_code}, expected {expected}"


@pytest.mark.parametrize("persona", ["outsider", "founder_a", "manager_a", "manager_b", "staff"])
def test_missing_site_looks_like_a_foreign_one(persona, client_for, personas):
    client = client_for(persona)
    assert client.get("/manage/no-such-site/").status_code == 404
    response = client.get("/api/v1/manage/no-such-site/members/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."} or "detail" in response.json()
