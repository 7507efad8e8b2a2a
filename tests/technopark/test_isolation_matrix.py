"""The isolation matrix: every route of the portal × every persona → expected status.

The routes are listed per app in `tests/<app>/matrix.py`. Adding a URL pattern without
listing it fails `test_every_route_is_in_the_matrix`.
Site-scoped routes are requested for site A: its manager and head office get in, the
manager of site B and everybody else get the same 404 as for a site that does not exist.

Site A's committee and team members (ROLE_PERSONAS) read what its manager reads and write
nothing (403), but for what their role allows (the committee's reviews): their statuses are
derived (`Route.role_expected`). Besides the matrix's one request per route, every
site-scoped route is also POSTed by them (a form page is listed with GET: its POST is a
write too) and must be refused, as must the POST of every other page; the views' declared
permissions must be the matrix's; every write operation of the API must be in the matrix
with its method (a second method of the same URL is listed as `"<name> [<method>]"`).
"""

import re

import pytest
from django.urls import resolve

from sites.roles import required_action
from tests.conftest import PERSONAS, ROLE_PERSONAS
from tests.matrix import ROLE_ACTIONS, Route, load_matrix
from tests.routes import all_routes

# About 2,500 requests on the same world: built once for the module (tests/conftest.py), for
# the tests that use the database only (the others run after pytest-django's transactional
# tests, whose flushes empty the migrations' rows the world reads).
SHARED_WORLD = pytest.mark.usefixtures("shared_world")

MATRIX = load_matrix()
UNSAFE = ("post", "put", "patch", "delete")
SITE_ROUTE = re.compile(r"^(api/v1/)?manage/<slug:site_slug>/")


def _name(key: str) -> str:
    """The URL name of a matrix key (`"api:mentor_bookings [post]"` → `"api:mentor_bookings"`)."""
    return key.split(" [", 1)[0]


def _site_routes() -> list[str]:
    """The matrix keys of every route under one site (`/manage/<site>/`, `/api/v1/manage/<site>/`)."""
    patterns = {name for name, route in all_routes() if SITE_ROUTE.match(route)}
    return sorted(key for key in MATRIX if _name(key) in patterns)


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


def _request(client, route: Route, world: dict, method: str | None = None):
    url = route.url.format(**world)
    method = method or route.method
    if method == "post":
        return client.post(url, route.data or {})
    if method == "get":
        return client.get(url)
    return getattr(client, method)(url, route.data or {}, content_type="application/json")


def test_every_route_is_in_the_matrix():
    names = {name for name, route in all_routes() if not route.startswith("admin/")}
    assert None not in names, "every non-admin URL pattern needs a name so the matrix can list it"
    listed = {_name(key) for key in MATRIX}
    assert names - listed == set(), "add these routes to the isolation matrix"
    assert listed - names == set(), "these matrix entries no longer exist"


def test_every_api_write_operation_is_in_the_matrix():
    """Each unsafe method of an API view is requested by the matrix (so by the read-only
    roles too): as the route's method, or in a `"<name> [<method>]"` entry."""
    listed = {(_name(key), route.method) for key, route in MATRIX.items()}
    missing = []
    for name, pattern in all_routes():
        if not pattern.startswith("api/"):
            continue
        view = resolve("/" + re.sub(r"<(?:\w+:)?(\w+)>", "1", pattern)).func
        view_class = getattr(view, "cls", None) or getattr(view, "view_class", None)
        for method in UNSAFE:
            if view_class is not None and hasattr(view_class, method) and (name, method) not in listed:
                missing.append(f"{name} [{method}]")
    assert not missing, f"add these API write operations to the isolation matrix: {missing}"


@pytest.mark.parametrize("key", _site_routes())
def test_site_routes_declare_the_matrix_permission(key):
    """What the view declares (`sites.roles.required_action`) for the matrix's method and
    for POST is what the matrix expects: a view cannot lower a write unnoticed."""
    route = MATRIX[key]
    view = resolve(re.sub(r"\{\w+\}", "1", route.url.split("?")[0])).func
    assert required_action(view, route.method.upper()) == route.needs, key
    assert required_action(view, "POST") == (route.action or "manage"), key


@SHARED_WORLD
@pytest.mark.parametrize("route_name", sorted(MATRIX) + sorted(_admin_routes()))
@pytest.mark.parametrize("persona", PERSONAS + ROLE_PERSONAS)
def test_isolation_matrix(route_name, persona, client_for, world):
    route = MATRIX.get(route_name) or _admin_routes()[route_name]
    response = _request(client_for(persona), route, world)
    expected = route.status(persona)
    assert response.status_code == expected, f"{persona} on {route_name}: {response.status_code}, expected {expected}"


@SHARED_WORLD
@pytest.mark.parametrize("persona", ROLE_PERSONAS)
def test_read_only_roles_write_nothing_at_their_site(persona, client_for, world):
    """Every route under site A POSTed (empty) by a committee or team member: 403 (JSON on
    the API), refused before the view runs; a route that declares what the role may do
    (the committee's review) answers as in the matrix."""
    wrong = []
    for key in _site_routes():
        route = MATRIX[key]
        allowed = route.action is not None and route.action in ROLE_ACTIONS[persona]
        expected = route.status(persona) if allowed else 403
        response = _request(client_for(persona), route, world, method="post")
        if response.status_code != expected:
            wrong.append(f"{key}: {response.status_code}, expected {expected}")
        elif not allowed and route.url.startswith("/api/"):
            assert list(response.json()) == ["detail"], key  # JSON, as every API error
    assert not wrong, wrong


@SHARED_WORLD
@pytest.mark.parametrize("persona", ["outsider", "founder_a", "manager_a", "manager_b", "staff", *ROLE_PERSONAS])
def test_missing_site_looks_like_a_foreign_one(persona, client_for, personas):
    client = client_for(persona)
    assert client.get("/manage/no-such-site/").status_code == 404
    response = client.get("/api/v1/manage/no-such-site/members/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."} or "detail" in response.json()


def _flat_page_routes() -> list[str]:
    """The matrix's page routes listed with GET outside one site (allauth's and the admin's
    aside): a form page's POST is a write the matrix does not request."""
    patterns = {name for name, route in all_routes() if not SITE_ROUTE.match(route) and not route.startswith("api/")}
    return sorted(
        key
        for key, route in MATRIX.items()
        if _name(key) in patterns and route.method == "get" and not key.startswith(("account_", "mfa_"))
    )


@SHARED_WORLD
@pytest.mark.parametrize("persona", ROLE_PERSONAS)
def test_read_only_roles_write_nothing_elsewhere(persona, client_for, world):
    """Every other page POSTed (empty) by a committee or team member answers as for an
    outsider (a role at a site gives no other write), or 403 where the outsider does not
    even see the object (404), or as to the GET of a page they read (a view that ignores
    the method; an empty form re-rendered with its errors)."""
    wrong = []
    for key in _flat_page_routes():
        route = MATRIX[key]
        outsider = _request(client_for("outsider"), route, world, method="post").status_code
        status = _request(client_for(persona), route, world, method="post").status_code
        if status not in (outsider, route.status(persona)) and not (status == 403 and outsider == 404):
            wrong.append(f"{key}: {status}, the outsider gets {outsider}")
    assert not wrong, wrong
