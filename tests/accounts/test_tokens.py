"""API tokens (accounts.ApiToken, accounts.authentication): stored as a hash, bound to the
role they were issued for, expiring when idle and at the latest after a year, revoked by a
password change, "sign out every other session" and their owner (issue 15, finding 2)."""

import datetime
import hashlib
import json

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scopes_disabled

from accounts.actions import MAX_ACTIVE_TOKENS, api_token_create
from accounts.models import ApiToken, Role, TokenRevocation
from core.models import AuditEntry
from sites.models import MembershipRole, SiteMembership
from tests.factories import SiteMembershipFactory

ME = "/api/v1/me/"


def _me(key: str, client: Client | None = None):
    return (client or Client()).get(ME, HTTP_AUTHORIZATION=f"Token {key}")


@pytest.fixture
def founder_key(founder_a):
    return api_token_create(user=founder_a, name="Founder script")[1]


# --- Storage ---------------------------------------------------------------------------------
def test_the_key_is_not_stored_in_clear(founder_a, unscoped):
    token, key = api_token_create(user=founder_a, name="script")
    row = ApiToken.objects.filter(pk=token.pk).values().get()
    assert key not in json.dumps(row, default=str)
    assert row["key_hash"] == hashlib.sha256(key.encode()).hexdigest()
    assert key.startswith(row["key_prefix"]) and len(key) > 40
    assert key not in str(token)
    changes = json.dumps(list(AuditEntry.objects.values("changes", "object_repr")))
    assert key not in changes and row["key_hash"] not in changes
    assert _me(key).status_code == 200


def test_every_key_is_new(founder_a):
    keys = {api_token_create(user=founder_a, name="x")[1] for _ in range(3)}
    assert len(keys) == 3


def test_an_unknown_or_malformed_token_is_401(db):
    for header in ("Token nope", "Token", "Token a b", "Token " + "x" * 500, "Token é"):
        response = Client().get(ME, HTTP_AUTHORIZATION=header)
        assert response.status_code == 401, header
        assert response["WWW-Authenticate"] == "Token"
        assert set(response.json()) == {"detail"}


def test_the_last_use_is_written_at_most_once_an_hour(founder_a, founder_key):
    token = ApiToken.objects.get(user=founder_a)
    assert token.last_used_at is None
    assert _me(founder_key).status_code == 200
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    with CaptureQueriesContext(connection) as queries:
        assert _me(founder_key).status_code == 200
    assert not [query for query in queries if query["sql"].startswith("UPDATE")]
    token.refresh_from_db()
    assert token.last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - datetime.timedelta(hours=2))
    assert _me(founder_key).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at > first


# --- Expiry (time moved by setting the fields) ------------------------------------------------
def test_a_token_unused_for_the_idle_delay_dies(founder_a, founder_key):
    now = timezone.now()
    ApiToken.objects.update(
        created_at=now - datetime.timedelta(days=40), last_used_at=now - datetime.timedelta(days=29)
    )
    assert _me(founder_key).status_code == 200  # used 29 days ago: still alive (and used now)
    ApiToken.objects.update(last_used_at=now - datetime.timedelta(days=31))
    response = _me(founder_key)
    assert response.status_code == 401
    assert "expired" in response.json()["detail"] or response.json()["detail"]


def test_a_never_used_token_dies_after_the_idle_delay_too(founder_a, founder_key):
    ApiToken.objects.update(created_at=timezone.now() - datetime.timedelta(days=31))
    assert _me(founder_key).status_code == 401


def test_a_token_dies_after_a_year_however_often_it_is_used(founder_a, founder_key):
    now = timezone.now()
    ApiToken.objects.update(created_at=now - datetime.timedelta(days=364), last_used_at=now)
    assert _me(founder_key).status_code == 200
    ApiToken.objects.update(created_at=now - datetime.timedelta(days=366))
    assert _me(founder_key).status_code == 401


def test_the_lifetimes_are_settings(settings, founder_a, founder_key):
    now = timezone.now()
    ApiToken.objects.update(created_at=now - datetime.timedelta(days=3), last_used_at=now - datetime.timedelta(days=2))
    assert _me(founder_key).status_code == 200
    settings.API_TOKEN_IDLE_DAYS = 1
    ApiToken.objects.update(last_used_at=now - datetime.timedelta(days=2))
    assert _me(founder_key).status_code == 401
    settings.API_TOKEN_IDLE_DAYS, settings.API_TOKEN_MAX_DAYS = 30, 2
    assert _me(founder_key).status_code == 401


def test_the_lifetimes_come_from_the_environment(monkeypatch):
    import importlib

    import technopark.settings as module

    monkeypatch.setenv("API_TOKEN_IDLE_DAYS", "7")
    monkeypatch.setenv("API_TOKEN_MAX_DAYS", "90")
    try:
        reloaded = importlib.reload(module)
        assert (reloaded.API_TOKEN_IDLE_DAYS, reloaded.API_TOKEN_MAX_DAYS) == (7, 90)
        monkeypatch.setenv("API_TOKEN_IDLE_DAYS", "100")
        from django.core.exceptions import ImproperlyConfigured

        with pytest.raises(ImproperlyConfigured):
            importlib.reload(module)
    finally:
        monkeypatch.delenv("API_TOKEN_IDLE_DAYS")
        monkeypatch.delenv("API_TOKEN_MAX_DAYS")
        importlib.reload(module)


# --- Revocation ---------------------------------------------------------------------------------
def test_a_password_change_revokes_the_tokens(client, founder_a, founder_key):
    client.force_login(founder_a)
    new = "another-Password-2027"
    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": settings.DEMO_PASSWORD, "password1": new, "password2": new},
    )
    assert response.status_code == 302, response.content
    assert _me(founder_key).status_code == 401
    token = ApiToken.objects.get(user=founder_a)
    assert token.revoked_reason == TokenRevocation.PASSWORD and token.revoked_at is not None


def test_a_password_reset_or_an_admin_set_password_revokes_the_tokens(founder_a, founder_key):
    from allauth.account.internal.flows.password_reset import reset_password

    reset_password(founder_a, "another-Password-2027")  # what the reset link's form does
    assert _me(founder_key).status_code == 401
    _token, key = api_token_create(user=founder_a, name="again")
    founder_a.set_password("yet-another-Password-2027")  # the admin's form, `changepassword`
    founder_a.save()
    assert _me(key).status_code == 401


def test_signing_in_again_does_not_revoke_them(client, founder_a, founder_key):
    assert client.login(email=founder_a.email, password=settings.DEMO_PASSWORD)
    assert client.get("/dashboard/").status_code == 200
    founder_a.refresh_from_db()
    founder_a.full_name = "New name"
    founder_a.save()  # a profile change is no change of role
    assert _me(founder_key).status_code == 200


def test_signing_out_every_other_session_revokes_the_tokens(client, founder_a, founder_key):
    assert client.login(email=founder_a.email, password=settings.DEMO_PASSWORD)
    response = client.post("/profile/sessions/revoke-others/")
    assert response.status_code == 302
    assert _me(founder_key).status_code == 401
    assert ApiToken.objects.get(user=founder_a).revoked_reason == TokenRevocation.SIGNED_OUT
    assert client.get("/profile/").status_code == 200  # this session stays


def test_a_token_minted_without_a_role_dies_when_the_account_becomes_a_manager(client, site_a, founder_a):
    """Finding 1: a token asked for by password while the account had no role kept working
    on the back-office once it became a manager."""
    response = client.post("/api/v1/auth/token/", {"email": founder_a.email, "password": settings.DEMO_PASSWORD})
    key = response.json()["token"]
    assert _me(key).status_code == 200
    with scopes_disabled():
        membership = SiteMembershipFactory(site=site_a, user=founder_a)
    founder_a.role = Role.SITE_MANAGER
    founder_a.save()
    response = Client().get("/api/v1/manage/site-a/members/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 401
    assert ApiToken.objects.get(user=founder_a).revoked_reason == TokenRevocation.ROLE
    # Dead for good: the role coming back does not bring it back.
    with scopes_disabled():
        membership.delete()
    founder_a.role = Role.FOUNDER
    founder_a.save()
    assert _me(key).status_code == 401


def test_a_change_made_without_signals_is_caught_when_the_token_is_used(site_a, founder_a, founder_key):
    from accounts.models import User

    User.objects.filter(pk=founder_a.pk).update(role=Role.HEAD_OFFICE)  # no post_save
    response = _me(founder_key)
    assert response.status_code == 401
    assert ApiToken.objects.get(user=founder_a).revoked_reason == TokenRevocation.ROLE


@pytest.mark.parametrize("change", ["role", "new_site", "left"])
def test_a_change_of_site_membership_revokes_a_managers_token(change, manager_a, site_b, site_a):
    key = api_token_create(user=manager_a, name="script")[1]
    assert _me(key).status_code == 200
    with scopes_disabled():
        if change == "role":
            SiteMembership.objects.filter(user=manager_a).update(role=MembershipRole.COMMITTEE)  # no signal
        elif change == "new_site":
            SiteMembershipFactory(site=site_b, user=manager_a)
        else:
            SiteMembership.objects.filter(user=manager_a).delete()
    assert _me(key).status_code == 401


def test_an_inactive_account_has_no_working_token(founder_a, founder_key):
    founder_a.is_active = False
    founder_a.save()
    assert _me(founder_key).status_code == 401


def test_at_most_20_tokens_work_at_once(founder_a):
    keys = [api_token_create(user=founder_a, name=f"t{index}")[1] for index in range(MAX_ACTIVE_TOKENS + 1)]
    assert ApiToken.objects.active().filter(user=founder_a).count() == MAX_ACTIVE_TOKENS
    assert _me(keys[0]).status_code == 401  # the least recently used one was replaced
    assert _me(keys[-1]).status_code == 200


# --- The owner's list and revocation: API -------------------------------------------------------
def test_the_owner_lists_their_tokens_through_the_api(founder_a, founder_key, outsider):
    api_token_create(user=outsider, name="someone else's")
    response = _me(founder_key)  # a use: last_used_at
    response = Client().get("/api/v1/auth/tokens/", HTTP_AUTHORIZATION=f"Token {founder_key}")
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["name"] == "Founder script" and row["status"] == "active" and row["current"] is True
    assert row["created_at"] and row["last_used_at"] and row["expires_at"]
    assert founder_key not in response.content.decode()
    assert "key_hash" not in row


def test_the_owner_revokes_a_token_through_the_api(client, founder_a, founder_key, unscoped):
    other, other_key = api_token_create(user=founder_a, name="other")
    client.force_login(founder_a)
    assert client.get(f"/api/v1/auth/tokens/{other.pk}/").json()["status"] == "active"
    response = client.delete(f"/api/v1/auth/tokens/{other.pk}/")
    assert response.status_code == 204
    assert _me(other_key).status_code == 401
    assert _me(founder_key).status_code == 200
    assert client.get(f"/api/v1/auth/tokens/{other.pk}/").json()["status"] == "revoked"
    # With its own token: it stops working at once.
    own = ApiToken.objects.get(user=founder_a, name="Founder script")
    api = Client()
    assert api.delete(f"/api/v1/auth/tokens/{own.pk}/", HTTP_AUTHORIZATION=f"Token {founder_key}").status_code == 204
    assert _me(founder_key).status_code == 401
    entry = AuditEntry.objects.filter(
        content_type__model="apitoken", object_id=str(own.pk), action=AuditEntry.Action.UPDATE
    ).get()
    assert entry.actor == founder_a and "revoked_at" in entry.changes


def test_another_user_cannot_see_or_revoke_someone_elses_token(client, founder_a, founder_key, outsider):
    token = ApiToken.objects.get(user=founder_a)
    client.force_login(outsider)
    assert client.get(f"/api/v1/auth/tokens/{token.pk}/").status_code == 404
    response = client.delete(f"/api/v1/auth/tokens/{token.pk}/")
    assert response.status_code == 404
    assert set(response.json()) == {"detail"}
    assert client.post(f"/profile/api-tokens/{token.pk}/revoke/").status_code == 404
    assert _me(founder_key).status_code == 200
    assert "Founder script" not in client.get("/profile/api-tokens/").content.decode()


# --- The owner's page ------------------------------------------------------------------------
def test_the_owner_creates_lists_and_revokes_on_the_page(client, founder_a):
    client.force_login(founder_a)
    response = client.post("/profile/api-token/", {"name": "Reporting script"})
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]
    key = response.context["new_key"]
    assert _me(key).status_code == 200
    page = client.get("/profile/api-tokens/").content.decode()
    assert "Reporting script" in page and key not in page
    token = ApiToken.objects.get(user=founder_a)
    assert client.post(f"/profile/api-tokens/{token.pk}/revoke/").status_code == 302
    assert _me(key).status_code == 401
    assert ApiToken.objects.get(pk=token.pk).revoked_reason == TokenRevocation.OWNER


def test_a_name_too_long_is_refused_on_the_page(client, founder_a):
    client.force_login(founder_a)
    response = client.post("/profile/api-token/", {"name": "x" * 101})
    assert response.status_code == 200
    assert response.context["form"].errors["name"]
    assert not ApiToken.objects.exists()


# --- Data rights --------------------------------------------------------------------------------
def test_the_export_lists_the_tokens_never_their_keys(client, founder_a, founder_key):
    client.force_login(founder_a)
    response = client.get("/profile/privacy/export.json")
    data = json.loads(response.content)
    [token] = data["api_tokens"]
    assert token["name"] == "Founder script" and token["created_at"] and token["expires_at"]
    text = response.content.decode()
    assert founder_key not in text and ApiToken.objects.get().key_hash not in text


# --- The API's documentation --------------------------------------------------------------------
def test_the_schema_documents_the_token_scheme_and_its_lifetimes(client, db):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    scheme = schema["components"]["securitySchemes"]["tokenAuth"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "Authorization")
    assert "30 days" in scheme["description"] and "365 days" in scheme["description"]
    assert "cookieAuth" in schema["components"]["securitySchemes"]
    assert {"get"} <= set(schema["paths"]["/api/v1/auth/tokens/"])
    assert {"get", "delete"} <= set(schema["paths"]["/api/v1/auth/tokens/{id}/"])
    assert "revoked" in schema["info"]["description"]
