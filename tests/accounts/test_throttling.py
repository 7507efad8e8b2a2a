"""Every path that checks a password or a code, or takes a form from anyone, is limited: the
attempts up to the limit go through, the next one is refused with a message or a 429
(core/throttling.py lists the paths, settings.ACCOUNT_RATE_LIMITS the limits). And the
client's address: X-Forwarded-For is ignored unless TRUSTED_PROXY_COUNT says a proxy of
ours wrote it. Failed passwords are counted in the database, so their limits hold while
Redis is down. (The progressive lock per account and its unlock link: test_login_limits.)"""

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal import auth as totp
from django.conf import settings
from django.test import RequestFactory, override_settings

from core import throttling
from core.cache import redis_caches
from core.models import OutboxMessage
from core.throttling import AnonRateThrottle, client_ip
from tests.factories import UserFactory

PASSWORD = settings.DEMO_PASSWORD
DELETE = "/profile/privacy/delete/"
ACCOUNT_LOCKED = "Too many failed sign-in attempts for this account. Try again in 1 s."
TOO_MANY_FROM_NETWORK = "Too many failed sign-in attempts from your network. Try again in"
LOCK_AFTER = throttling.LOCK_AFTER
UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


def _ip(n: int) -> str:
    # A different address each time: the per-account limits, not the per-IP ones.
    return f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"


@pytest.fixture(autouse=True)
def _frozen_throttle_clock(monkeypatch):
    """The database counters' clock, frozen for every test here: their windows are fixed
    (aligned on the clock), and a slow run — 31 requests each waiting for an unreachable
    Redis — could cross into the next window and start counting again."""
    now = throttling._now()
    monkeypatch.setattr(throttling, "_now", lambda: now)


@pytest.fixture
def en(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def user(db):
    return UserFactory(email="target@example.ma")


def _refused_page(response) -> None:
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()


# --- The login page and MFA codes -------------------------------------------------------------
def test_login_page_refuses_the_31st_submission_from_one_ip(en, user):
    for n in range(30):
        response = en.post("/accounts/login/", {"login": f"nobody{n}@example.ma", "password": "x" * 12})
        assert response.status_code == 200
    _refused_page(en.post("/accounts/login/", {"login": user.email, "password": PASSWORD}))
    assert "_auth_user_id" not in en.session


def test_mfa_codes_are_limited_per_account_from_any_address_even_the_right_code(en, user):
    from accounts.forms import MFA_CODE_FAILURES

    secret = totp.generate_totp_secret()
    totp.TOTP.activate(user, secret)
    response = en.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response["Location"] == "/accounts/2fa/authenticate/"
    for n in range(MFA_CODE_FAILURES):  # each from another address: the limit is the account's
        response = en.post("/accounts/2fa/authenticate/", {"code": "000000"}, REMOTE_ADDR=_ip(n))
        assert response.status_code == 200
        assert "Incorrect code." in response.content.decode()
    code = totp.format_hotp_value(totp.hotp_value(secret, next(totp.yield_hotp_counters_from_time())))
    response = en.post("/accounts/2fa/authenticate/", {"code": code}, REMOTE_ADDR=_ip(MFA_CODE_FAILURES))
    assert "Too many wrong codes for this account" in response.content.decode()
    assert "_auth_user_id" not in en.session


# --- Public account forms --------------------------------------------------------------------
def test_signup_refuses_the_21st_submission_from_one_ip(en, db):
    for n in range(20):
        response = en.post("/accounts/signup/", {"email": f"new{n}@example.ma", "password1": "a", "password2": "b"})
        assert response.status_code == 200  # the form's errors
    _refused_page(en.post("/accounts/signup/", {"email": "new@example.ma", "password1": "a", "password2": "b"}))


def test_password_reset_refuses_the_6th_request_for_one_address(en, user):
    for n in range(5):
        response = en.post("/accounts/password/reset/", {"email": user.email}, REMOTE_ADDR=_ip(n))
        assert response.status_code == 302
    _refused_page(en.post("/accounts/password/reset/", {"email": user.email}, REMOTE_ADDR=_ip(5)))
    assert OutboxMessage.objects.filter(to=[user.email]).count() == 5


def test_password_reset_refuses_the_21st_request_from_one_ip(en, db):
    for n in range(20):
        assert en.post("/accounts/password/reset/", {"email": f"someone{n}@example.ma"}).status_code == 302
    _refused_page(en.post("/accounts/password/reset/", {"email": "someone@example.ma"}))


def test_the_reset_link_form_refuses_the_21st_submission_from_one_ip(en, user):
    url = f"/accounts/password/reset/key/{user.pk}-set-password/"
    data = {"password1": "Another-password-1", "password2": "Another-password-1"}
    for _ in range(20):
        assert en.post(url, data).status_code != 429
    _refused_page(en.post(url, data))


def test_at_most_one_verification_email_per_address_every_3_minutes(en, db):
    user = UserFactory(email="unverified@example.ma", verified=False)
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    for _ in range(3):
        en.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
        assert "_auth_user_id" not in en.session
    assert OutboxMessage.objects.filter(to=[user.email]).count() == 1


# --- Signed-in password checks ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("url", "data", "limit"),
    [
        ("/accounts/password/change/", {"oldpassword": "wrong", "password1": "x", "password2": "x"}, 5),
        ("/accounts/reauthenticate/", {"password": "wrong"}, 10),
        ("/accounts/email/", {"action_add": "", "email": "second@example.ma"}, 10),
    ],
)
def test_signed_in_account_forms(en, user, url, data, limit):
    en.force_login(user)
    for n in range(limit):
        assert en.post(url, data, REMOTE_ADDR=_ip(n)).status_code != 429
    _refused_page(en.post(url, data, REMOTE_ADDR=_ip(limit)))


def test_account_deletion_is_locked_after_5_wrong_passwords(en, user):
    en.force_login(user)
    for _ in range(LOCK_AFTER):
        response = en.post(DELETE, {"password": "not-my-password", "confirm": "on"})
        assert "This is not your password." in response.content.decode()
    response = en.post(DELETE, {"password": PASSWORD, "confirm": "on"})
    assert ACCOUNT_LOCKED in response.content.decode()
    user.refresh_from_db()
    assert user.is_active and user.email == "target@example.ma"


def test_account_deletion_refuses_the_31st_failed_password_from_one_ip(en, user):
    for n in range(30):  # 30 accounts, below their own locks: only the address's count
        en.post("/api/v1/auth/token/", {"email": f"nobody{n}@example.ma", "password": "x" * 12})
    en.force_login(user)
    response = en.post(DELETE, {"password": PASSWORD, "confirm": "on"})
    assert TOO_MANY_FROM_NETWORK in response.content.decode()
    user.refresh_from_db()
    assert user.is_active


def test_a_right_password_does_not_count(en, user):
    for n in range(29):
        en.post("/api/v1/auth/token/", {"email": f"nobody{n}@example.ma", "password": "x" * 12})
    en.force_login(user)
    for _ in range(3):  # form refused for the missing box, the password itself was right
        assert "This is not your password." not in en.post(DELETE, {"password": PASSWORD}).content.decode()
    response = en.post(DELETE, {"password": PASSWORD, "confirm": "on"})
    assert "Your account was deleted" in response.content.decode()


# --- The API token ---------------------------------------------------------------------------
def test_api_token_refuses_the_31st_failure_from_one_ip(client, user):
    for n in range(30):
        response = client.post("/api/v1/auth/token/", {"email": f"nobody{n}@example.ma", "password": "x" * 12})
        assert response.status_code == 400
    response = client.post("/api/v1/auth/token/", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 429
    assert response.json()["detail"]
    assert 1 <= int(response["Retry-After"]) <= 60
    # Another address is not concerned.
    response = client.post("/api/v1/auth/token/", {"email": user.email, "password": PASSWORD}, REMOTE_ADDR=_ip(1))
    assert response.status_code == 200


def test_the_failed_login_limit_per_ip_holds_while_redis_is_down(client, user):
    """The cache fails open while Redis is down (core/cache.py); this count is in the
    database (core/throttling.py)."""
    with override_settings(CACHES={**settings.CACHES, "default": redis_caches(UNREACHABLE_REDIS)["default"]}):
        for n in range(30):
            response = client.post("/api/v1/auth/token/", {"email": f"nobody{n}@example.ma", "password": "x" * 12})
            assert response.status_code == 400
        response = client.post("/api/v1/auth/token/", {"email": user.email, "password": PASSWORD})
        assert response.status_code == 429
        assert response["Retry-After"]


def test_api_token_refuses_the_121st_request_a_minute_whatever_x_forwarded_for_says(client, db):
    for n in range(120):
        response = client.post("/api/v1/auth/token/", {"email": "not an address"}, HTTP_X_FORWARDED_FOR=_ip(n))
        assert response.status_code == 400
    response = client.post("/api/v1/auth/token/", {"email": "not an address"}, HTTP_X_FORWARDED_FOR=_ip(120))
    assert response.status_code == 429
    assert response.json()["detail"]


# --- The client's address --------------------------------------------------------------------
def _request(remote: str, forwarded: str | None = None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    return RequestFactory().post("/", REMOTE_ADDR=remote, **headers)


def test_x_forwarded_for_is_ignored_by_default(settings):
    assert settings.ALLAUTH_TRUSTED_PROXY_COUNT == 0
    assert client_ip(_request("192.0.2.10", "203.0.113.7")) == "192.0.2.10"


def test_behind_one_proxy_the_address_it_saw_counts(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    assert client_ip(_request("10.0.0.1", "203.0.113.7")) == "203.0.113.7"
    # What the client wrote itself comes first and is never believed.
    assert client_ip(_request("10.0.0.1", "198.51.100.1, 203.0.113.7")) == "203.0.113.7"
    assert client_ip(_request("192.0.2.10")) == "192.0.2.10"  # no header: the peer itself
    assert AnonRateThrottle().get_ident(_request("10.0.0.1", "203.0.113.7")) == "203.0.113.7"


def test_an_ipv6_client_counts_as_its_64_network(settings):
    assert client_ip(_request("2001:db8:1:2:aaaa::1")) == "2001:db8:1:2::"
    assert client_ip(_request("2001:db8:1:2:bbbb::9")) == "2001:db8:1:2::"


def test_spoofed_x_forwarded_for_does_not_escape_the_login_limit(en, db):
    for n in range(30):
        en.post("/accounts/login/", {"login": "x@example.ma", "password": "x" * 12}, HTTP_X_FORWARDED_FOR=_ip(n))
    _refused_page(
        en.post("/accounts/login/", {"login": "x@example.ma", "password": "x"}, HTTP_X_FORWARDED_FOR="1.2.3.4")
    )


def test_behind_the_balancer_each_client_has_its_own_login_limit(en, db, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    balancer = {"REMOTE_ADDR": "10.0.0.1"}
    data = {"login": "x@example.ma", "password": "x" * 12}
    for _ in range(30):
        assert en.post("/accounts/login/", data, HTTP_X_FORWARDED_FOR="203.0.113.7", **balancer).status_code == 200
    _refused_page(en.post("/accounts/login/", data, HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.7", **balancer))
    assert en.post("/accounts/login/", data, HTTP_X_FORWARDED_FOR="203.0.113.8", **balancer).status_code == 200
