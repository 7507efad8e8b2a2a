"""TOTP is required for site managers and head office whenever REQUIRE_STAFF_MFA is on
(its default when DEBUG is off); everybody else may enrol but does not have to."""

import pytest
from allauth.mfa.models import Authenticator


@pytest.fixture
def mfa_required(settings):
    settings.REQUIRE_STAFF_MFA = True


@pytest.mark.parametrize("persona", ["manager_a", "staff"])
def test_staff_without_totp_are_sent_to_enrol(mfa_required, client_for, persona):
    client = client_for(persona)
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"
    # The MFA pages themselves stay reachable (activation asks for the password first).
    assert client.get("/accounts/2fa/").status_code == 200


def test_manager_with_totp_gets_in(mfa_required, client_for, manager_a):
    Authenticator.objects.create(user=manager_a, type=Authenticator.Type.TOTP, data={"secret": "x"})
    assert client_for("manager_a").get("/manage/site-a/").status_code == 200


@pytest.mark.parametrize("persona", ["founder_a", "outsider"])
def test_founders_are_not_forced(mfa_required, client_for, persona):
    assert client_for(persona).get("/dashboard/").status_code == 200


def test_off_by_default_in_debug(client_for, settings):
    assert settings.REQUIRE_STAFF_MFA is False  # the embedded default: demo logins with the password alone
    assert client_for("manager_a").get("/manage/site-a/").status_code == 200


def test_password_alone_gives_no_token_to_mfa_accounts(mfa_required, client, manager_a):
    from django.conf import settings

    response = client.post(
        "/api/v1/auth/token/",
        {"email": manager_a.email, "password": settings.DEMO_PASSWORD},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 403
    assert "profile" in response.json()["detail"]


def test_token_from_the_profile_page_after_signing_in(mfa_required, client_for, manager_a):
    from accounts.models import ApiToken

    Authenticator.objects.create(user=manager_a, type=Authenticator.Type.TOTP, data={"secret": "x"})
    client = client_for("manager_a")
    response = client.post("/profile/api-token/", {"name": "reporting"})
    assert response.status_code == 200
    token = ApiToken.objects.get(user=manager_a)
    key = response.context["new_key"]
    assert key.startswith(token.key_prefix) and key in response.content.decode()
    assert key not in client.get("/profile/api-tokens/").content.decode()  # shown once
    response = client.get("/api/v1/manage/site-a/members/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200


# --- One gate for pages and the API (issue 15, finding 1) ----------------------------------
def _password_only_session(client, user):
    """A browser signed in with the password alone (what the login page gives an account
    that has not set up TOTP yet)."""
    from django.conf import settings

    assert client.login(email=user.email, password=settings.DEMO_PASSWORD)
    return client


def test_a_manager_without_totp_cannot_use_the_api_with_their_session(mfa_required, client, manager_a, world):
    client = _password_only_session(client, manager_a)
    client.cookies["django_language"] = "en"  # the account's own language (French) otherwise
    assert client.get("/manage/site-a/").status_code == 302  # pages: to TOTP enrolment
    response = client.get("/api/v1/applications/?site=site-a")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert "Two-factor authentication is required" in response.json()["detail"]
    response = client.post(
        f"/api/v1/applications/{world['application_a']}/decide/",
        {"decision": "rejected"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert set(response.json()) == {"detail"}


def test_staff_without_totp_cannot_read_kpis_with_their_session(mfa_required, client, staff):
    client = _password_only_session(client, staff)
    for url in ("/api/v1/kpis/?scope=network", "/api/v1/startups/", "/api/v1/me/"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert set(response.json()) == {"detail"}


def test_with_totp_the_session_opens_the_api(mfa_required, client, staff):
    Authenticator.objects.create(user=staff, type=Authenticator.Type.TOTP, data={"secret": "x"})
    client = _password_only_session(client, staff)
    assert client.get("/api/v1/kpis/?scope=network").status_code == 200


def test_drf_itself_applies_the_gate_without_the_middleware(mfa_required, settings, client, staff):
    """The MFA rule does not depend on the middleware: DRF's session authentication (the
    default of every API view) refuses too."""
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != "accounts.middleware.RequireStaffMFAMiddleware"]
    client = _password_only_session(client, staff)
    response = client.get("/api/v1/kpis/?scope=network")
    assert response.status_code == 403
    assert "detail" in response.json()


def test_a_token_of_an_account_that_lost_its_totp_is_refused(mfa_required, client, manager_a):
    from accounts.actions import api_token_create

    totp = Authenticator.objects.create(user=manager_a, type=Authenticator.Type.TOTP, data={"secret": "x"})
    _token, key = api_token_create(user=manager_a, name="script")
    totp.delete()
    response = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 403
    assert set(response.json()) == {"detail"}


def test_no_token_for_an_account_without_totp(mfa_required, client, manager_a):
    from django.core.exceptions import PermissionDenied

    from accounts.actions import api_token_create

    with pytest.raises(PermissionDenied):
        api_token_create(user=manager_a, name="script")


@pytest.fixture
def totp_manager(manager_a):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    secret = generate_totp_secret()
    TOTP.activate(manager_a, secret)
    return manager_a, secret


def _code_stage(client, user):
    from django.conf import settings

    client.cookies["django_language"] = "en"
    response = client.post("/accounts/login/", {"login": user.email, "password": settings.DEMO_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/authenticate/"


def _right_code(secret: str) -> str:
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time

    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


@pytest.mark.parametrize("cache_down", [False, True], ids=["redis-up", "redis-down"])
def test_wrong_codes_are_limited_per_account_even_while_the_cache_is_down(
    mfa_required, settings, client, totp_manager, cache_down
):
    """Ten wrong codes in a window: then even the right code waits. The count lives in the
    database: with a cache that keeps nothing (Redis down, failing open), the limit holds."""
    if cache_down:
        settings.CACHES = {**settings.CACHES, "default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    user, secret = totp_manager
    _code_stage(client, user)
    wrong = "000000" if _right_code(secret) != "000000" else "111111"
    for _ in range(10):
        response = client.post("/accounts/2fa/authenticate/", {"code": wrong})
        assert response.status_code == 200 and "Incorrect code" in response.content.decode()
    response = client.post("/accounts/2fa/authenticate/", {"code": _right_code(secret)})
    assert response.status_code == 200
    assert "Too many wrong codes for this account" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_right_code_after_a_few_wrong_ones_signs_in(mfa_required, client, totp_manager):
    user, secret = totp_manager
    _code_stage(client, user)
    for _ in range(3):
        client.post("/accounts/2fa/authenticate/", {"code": "abcdef"})
    response = client.post("/accounts/2fa/authenticate/", {"code": _right_code(secret)})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
