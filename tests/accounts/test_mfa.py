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
