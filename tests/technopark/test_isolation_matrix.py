"""The isolation matrix: every route of the portal × every persona → expected status.

Adding a URL pattern without adding it here fails `test_every_route_is_in_the_matrix`.
Site-scoped routes are requested for site A: its manager and head office get in, the
manager of site B and everybody else get the same 404 as for a site that does not exist.
"""

from dataclasses import dataclass

import pytest
from django_scopes import scopes_disabled

from sites.models import SiteMembership
from tests.conftest import PERSONAS
from tests.routes import all_routes


@dataclass(frozen=True)
class Route:
    url: str  # may contain {membership}, filled from the fixtures
    expected: tuple[int, int, int, int, int, int]  # in the order of PERSONAS
    method: str = "get"
    data: dict | None = None


#           anonymous outsider founder_a manager_a manager_b staff
PUBLIC = (200, 200, 200, 200, 200, 200)
SIGNED_IN = (302, 200, 200, 200, 200, 200)
HEAD_OFFICE = (302, 403, 403, 403, 403, 200)
SITE_A = (302, 404, 404, 200, 404, 200)
SITE_A_HEAD_OFFICE_WRITE = (302, 404, 404, 403, 404, 302)
ANONYMOUS_ONLY = (200, 302, 302, 302, 302, 302)
API_PUBLIC = PUBLIC
API_SIGNED_IN = (401, 200, 200, 200, 200, 200)
API_SITE_A = (404, 404, 404, 200, 404, 200)

MATRIX: dict[str, Route] = {
    # Public pages
    "home": Route("/", PUBLIC),
    "sites:list": Route("/sites/", PUBLIC),
    "sites:detail": Route("/sites/site-a/", PUBLIC),
    "set_language": Route("/i18n/setlang/", (302,) * 6, "post", {"language": "ar", "next": "/"}),
    # Signed-in pages
    "accounts:landing": Route("/dashboard/", SIGNED_IN),
    "accounts:profile": Route("/profile/", SIGNED_IN),
    "accounts:api_token": Route("/profile/api-token/", (302,) * 6, "post"),
    # Head office
    "sites:network_regions": Route("/network/regions/", HEAD_OFFICE),
    "sites:network_region_edit": Route("/network/regions/MA-06/edit/", HEAD_OFFICE),
    "sites:network_sites": Route("/network/sites/", HEAD_OFFICE),
    "sites:network_site_new": Route("/network/sites/new/", HEAD_OFFICE),
    "sites:network_site_edit": Route("/network/sites/site-a/edit/", HEAD_OFFICE),
    "audit_list": Route("/network/audit/", HEAD_OFFICE),
    # Site back-office (tenant-scoped)
    "sites:manage_home": Route("/manage/site-a/", SITE_A),
    "sites:manage_team": Route("/manage/site-a/team/", SITE_A),
    "sites:manage_team_remove": Route("/manage/site-a/team/{membership}/remove/", SITE_A_HEAD_OFFICE_WRITE, "post"),
    # API
    "api:token": Route("/api/v1/auth/token/", (400,) * 6, "post", {"email": "x@example.ma", "password": "wrong"}),
    "api:me": Route("/api/v1/me/", API_SIGNED_IN),
    "api:regions": Route("/api/v1/regions/", API_PUBLIC),
    "api:sites": Route("/api/v1/sites/", API_PUBLIC),
    "api:site": Route("/api/v1/sites/site-a/", API_PUBLIC),
    "api:site_members": Route("/api/v1/manage/site-a/members/", API_SITE_A),
    "schema": Route("/api/schema/", PUBLIC),
    "api_docs": Route("/api/docs/", PUBLIC),
    # Accounts (allauth)
    "account_login": Route("/accounts/login/", ANONYMOUS_ONLY),
    "account_logout": Route("/accounts/logout/", (302, 200, 200, 200, 200, 200)),
    "account_inactive": Route("/accounts/inactive/", PUBLIC),
    "account_signup": Route("/accounts/signup/", ANONYMOUS_ONLY),
    "account_reauthenticate": Route("/accounts/reauthenticate/", SIGNED_IN),
    "account_email": Route("/accounts/email/", SIGNED_IN),
    "account_email_verification_sent": Route("/accounts/confirm-email/", PUBLIC),
    "account_change_password": Route("/accounts/password/change/", SIGNED_IN),
    "account_set_password": Route("/accounts/password/set/", (302,) * 6),
    "account_reset_password": Route("/accounts/password/reset/", PUBLIC),
    "account_confirm_login_code": Route("/accounts/login/code/confirm/", (302, 302, 302, 302, 302, 302)),
    "account_confirm_email": Route("/accounts/confirm-email/not-a-key/", PUBLIC),
    "account_reset_password_from_key_done": Route("/accounts/password/reset/key/done/", PUBLIC),
    "account_reset_password_from_key": Route("/accounts/password/reset/key/1-bad-key/", PUBLIC),
    "account_reset_password_done": Route("/accounts/password/reset/done/", PUBLIC),
    "mfa_index": Route("/accounts/2fa/", SIGNED_IN),
    "mfa_authenticate": Route("/accounts/2fa/authenticate/", (302, 302, 302, 302, 302, 302)),
    "mfa_reauthenticate": Route("/accounts/2fa/reauthenticate/", (302,) * 6),
    # Enrolling asks for the password again first.
    "mfa_activate_totp": Route("/accounts/2fa/totp/activate/", (302,) * 6),
    "mfa_deactivate_totp": Route("/accounts/2fa/totp/deactivate/", (302, 404, 404, 404, 404, 404)),
    "mfa_view_recovery_codes": Route("/accounts/2fa/recovery-codes/", (302, 404, 404, 404, 404, 404)),
    "mfa_generate_recovery_codes": Route("/accounts/2fa/recovery-codes/generate/", (302,) * 6),
    "mfa_download_recovery_codes": Route("/accounts/2fa/recovery-codes/download/", (302, 404, 404, 404, 404, 404)),
}

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


def _request(client, route: Route, membership_pk: int):
    url = route.url.format(membership=membership_pk)
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
def test_isolation_matrix(route_name, persona, client_for, manager_a):
    route = MATRIX.get(route_name) or _admin_routes()[route_name]
    with scopes_disabled():
        membership_pk = SiteMembership.objects.get(user=manager_a).pk
    response = _request(client_for(persona), route, membership_pk)
    expected = route.expected[PERSONAS.index(persona)]
    assert response.status_code == expected, f"{persona} on {route_name}: {response.status_code}, expected {expected}"


@pytest.mark.parametrize("persona", ["outsider", "founder_a", "manager_a", "manager_b", "staff"])
def test_missing_site_looks_like_a_foreign_one(persona, client_for, personas):
    client = client_for(persona)
    assert client.get("/manage/no-such-site/").status_code == 404
    response = client.get("/api/v1/manage/no-such-site/members/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."} or "detail" in response.json()
