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
    from rest_framework.authtoken.models import Token

    Authenticator.objects.create(user=manager_a, type=Authenticator.Type.TOTP, data={"secret": "x"})
    client = client_for("manager_a")
    assert client.post("/profile/api-token/").status_code == 302
    first = Token.objects.get(user=manager_a).key
    assert first in client.get("/profile/").content.decode()
    client.post("/profile/api-token/")
    assert Token.objects.get(user=manager_a).key != first
    response = client.get("/api/v1/manage/site-a/members/", HTTP_AUTHORIZATION=f"Token {first}")
    assert response.status_code in (401, 404)
