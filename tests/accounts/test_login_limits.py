"""Failed logins per account (core/throttling.py, accounts/lockout.py): after 5 in a row
the account is refused for a growing delay (1 s, 2, 4… at most 5 minutes), on every path that
checks a password, with the time to wait; its owner is emailed, once per episode, a signed,
single-use, expiring link that lifts the lock for their browser; nobody else can lift it.
The counters live in the database: they hold while Redis is down."""

import datetime
import re

import pytest
from django.conf import settings
from django.core import signing
from django.test import Client, override_settings
from django.utils import timezone

from accounts import lockout
from core import throttling
from core.cache import redis_caches
from core.models import AccountLock, OutboxMessage
from tests.factories import UserFactory

PASSWORD = settings.DEMO_PASSWORD
LOCK_AFTER = throttling.LOCK_AFTER
DELETE = "/profile/privacy/delete/"
UNLOCK = re.compile(r"http://testserver(/accounts/unlock/[^/\s]+/)")


def _ip(n: int) -> str:
    # A different address each time: this proves the per-account limit, not the per-IP one.
    return f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"


class Clock:
    def __init__(self):
        self.now = timezone.now()

    def __call__(self) -> datetime.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += datetime.timedelta(seconds=seconds)


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """The throttle's clock, frozen for every test here: a lock of 1 s must not run out while a
    loaded machine gets from the fifth failure to the next login (tests advance it on purpose)."""
    clock = Clock()
    monkeypatch.setattr(throttling, "_now", clock)
    return clock


@pytest.fixture
def en(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def user(db):
    return UserFactory(email="target@example.ma")


def _login(client, email: str, password: str, n: int):
    return client.post("/accounts/login/", {"login": email, "password": password}, REMOTE_ADDR=_ip(n))


def _fail(client, email: str, times: int, start: int = 0) -> None:
    for n in range(start, start + times):
        response = _login(client, email, "wrong-password", n)
        assert response.status_code == 200
        assert "_auth_user_id" not in client.session


def _unlock_path(email: str) -> str:
    (message,) = OutboxMessage.objects.filter(to=[email])
    return UNLOCK.search(message.body).group(1)


# --- Progressive delays ------------------------------------------------------------------------
def test_after_5_failures_even_the_right_password_waits_a_growing_delay(en, user, clock):
    _fail(en, user.email, LOCK_AFTER)
    response = _login(en, user.email, PASSWORD, 100)
    assert "_auth_user_id" not in en.session
    page = response.content.decode()
    assert "Too many failed sign-in attempts for this account. Try again in 1 s." in page
    assert "Only its owner can lift this lock sooner, with the link emailed to them." in page
    for wait in (2, 4, 8, 16):  # each failure after the lock's end doubles it
        clock.advance(wait)
        _fail(en, user.email, 1, start=wait)
        response = _login(en, user.email, PASSWORD, 100 + wait)
        assert f"Try again in {wait} s." in response.content.decode()
    clock.advance(32)  # the delay is over: the right password goes through
    assert _login(en, user.email, PASSWORD, 200).status_code == 302
    assert en.session["_auth_user_id"] == str(user.pk)
    assert not AccountLock.objects.exists()  # a success ends the episode


def test_the_delay_is_capped_at_a_few_minutes(db):
    assert [throttling.lock_delay(n) for n in range(1, 8)] == [0, 0, 0, 0, 1, 2, 4]
    assert throttling.lock_delay(1000) == throttling.LOCK_MAX == 300


def test_failures_on_another_account_do_not_lock_this_one(client, user):
    _fail(client, "other@example.ma", 20)
    response = _login(client, user.email, PASSWORD, 100)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_an_unknown_address_gets_the_same_answer_and_nobody_is_emailed(en, db):
    _fail(en, "nobody@example.ma", LOCK_AFTER)
    response = _login(en, "nobody@example.ma", PASSWORD, 100)
    assert "Too many failed sign-in attempts for this account. Try again in 1 s." in response.content.decode()
    assert not OutboxMessage.objects.exists()


# --- Every path that checks a password ---------------------------------------------------------
def test_api_token_path_shares_the_lock_with_a_429_and_retry_after(en, user):
    client = en
    for n in range(LOCK_AFTER):
        response = client.post("/api/v1/auth/token/", {"email": user.email, "password": "wrong"}, REMOTE_ADDR=_ip(n))
        assert response.status_code == 400
    response = client.post("/api/v1/auth/token/", {"email": user.email, "password": PASSWORD}, REMOTE_ADDR=_ip(99))
    assert response.status_code == 429
    assert response["Retry-After"] == "1"
    assert "Try again in 1 s" in response.json()["detail"]


def test_login_page_failures_count_for_the_api_too(client, user):
    _fail(client, user.email, LOCK_AFTER)
    response = client.post("/api/v1/auth/token/", {"email": user.email, "password": PASSWORD}, REMOTE_ADDR=_ip(99))
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1


def test_failed_logins_elsewhere_lock_the_account_deletion_too(en, user):
    """A stolen session cannot go on guessing on the deletion form."""
    _fail(en, user.email, LOCK_AFTER)
    en.force_login(user)
    response = en.post(DELETE, {"password": PASSWORD, "confirm": "on"}, REMOTE_ADDR=_ip(99))
    assert "Too many failed sign-in attempts for this account." in response.content.decode()
    user.refresh_from_db()
    assert user.is_active


def test_admin_login_goes_through_allauth(client, db):
    user = UserFactory(email="admin@example.ma", is_staff=True, is_superuser=True)
    response = client.post("/admin/login/", {"username": user.email, "password": settings.DEMO_PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session


# --- The owner's unlock link -------------------------------------------------------------------
def test_one_unlock_email_per_episode_to_the_owner_only(en, user, clock):
    _fail(en, user.email, LOCK_AFTER - 1)
    assert not OutboxMessage.objects.exists()  # not locked yet
    _fail(en, user.email, 1, start=10)
    for n in range(20):  # the lock goes on and on: still one email
        clock.advance(throttling.LOCK_MAX)
        _fail(en, user.email, 1, start=20 + n)
    (message,) = OutboxMessage.objects.all()
    assert message.to == [user.email]
    assert UNLOCK.search(message.body)


def test_a_few_failures_every_hour_do_not_email_every_hour(en, user, clock):
    for hour in range(5):
        _fail(en, user.email, LOCK_AFTER, start=hour * 10)  # locks it each time
        clock.advance(throttling.FORGET_AFTER.total_seconds() + 60)
    assert OutboxMessage.objects.filter(to=[user.email]).count() == 1


def test_the_owner_unlocks_once_and_signs_in_while_someone_goes_on_guessing(en, user, clock):
    attacker = Client()
    attacker.cookies["django_language"] = "en"
    _fail(attacker, user.email, LOCK_AFTER + 3)  # locked for 8 s
    path = _unlock_path(user.email)
    page = en.get(path)
    assert page.status_code == 200
    assert "Unlock my account" in page.content.decode()
    assert AccountLock.objects.get().locked_until is not None  # a GET changes nothing
    response = en.post(path)
    assert response.status_code == 200
    assert "The lock on" in response.content.decode()
    assert lockout.UNLOCK_COOKIE in response.cookies
    assert en.post(path).status_code == 400  # once only
    # The guessing goes on and locks the account again, but not for the owner's browser.
    clock.advance(1)
    _fail(attacker, user.email, LOCK_AFTER + 3, start=50)
    assert "Try again in" in _login(attacker, user.email, PASSWORD, 90).content.decode()
    assert _login(en, user.email, PASSWORD, 91).status_code == 302
    assert en.session["_auth_user_id"] == str(user.pk)
    en.logout()  # this drops the cookies, the language's too
    en.cookies["django_language"] = "en"
    again = en.get(path)
    assert again.status_code == 400
    assert "not valid" in again.content.decode()


def test_a_new_lock_after_an_unlock_sends_a_new_link(en, user, clock):
    _fail(en, user.email, LOCK_AFTER)
    en.post(_unlock_path(user.email))
    OutboxMessage.objects.all().delete()
    _fail(en, user.email, LOCK_AFTER, start=20)
    assert _unlock_path(user.email)


def test_an_expired_link_is_refused(en, user, monkeypatch):
    past = int(timezone.now().timestamp() - throttling.UNLOCK_LINK_AGE.total_seconds() - 60)
    _fail(en, user.email, LOCK_AFTER)
    lock = AccountLock.objects.get()
    with monkeypatch.context() as patched:
        patched.setattr(signing.TimestampSigner, "timestamp", lambda self: signing.b62_encode(past))
        token = lockout.unlock_token(user=user, login=user.email, nonce=lock.unlock_nonce)
    for method in (en.get, en.post):
        response = method(f"/accounts/unlock/{token}/")
        assert response.status_code == 400
        assert "has expired" in response.content.decode()
    assert AccountLock.objects.get().locked_until is not None


@pytest.mark.parametrize(
    "tamper",
    [
        lambda path: path.replace("/accounts/unlock/", "/accounts/unlock/x"),
        lambda path: path[:-3] + ("A" if path[-3] != "A" else "B") + path[-2:],
        lambda path: "/accounts/unlock/not-a-token/",
        lambda path: "/accounts/unlock/" + "%00" * 40 + "/",
    ],
)
def test_a_tampered_link_is_refused_cleanly(en, user, tamper):
    _fail(en, user.email, LOCK_AFTER)
    response = en.post(tamper(_unlock_path(user.email)))
    assert response.status_code in (400, 404)
    assert AccountLock.objects.get().locked_until is not None


def test_a_token_with_another_nonce_is_refused(en, user):
    _fail(en, user.email, LOCK_AFTER)
    token = lockout.unlock_token(user=user, login=user.email, nonce="0" * 32)
    assert en.post(f"/accounts/unlock/{token}/").status_code == 400


def test_someone_else_signed_in_cannot_use_the_owners_link(en, user, db):
    _fail(en, user.email, LOCK_AFTER)
    path = _unlock_path(user.email)
    en.force_login(UserFactory(email="someone@example.ma"))
    for method in (en.get, en.post):
        response = method(path)
        assert response.status_code == 403
        assert "for another account" in response.content.decode()
    assert AccountLock.objects.get().locked_until is not None
    assert lockout.UNLOCK_COOKIE not in response.cookies


def test_another_users_link_does_not_unlock_this_account(en, user, db):
    client = en
    other = UserFactory(email="other@example.ma")
    _fail(client, user.email, LOCK_AFTER)
    _fail(client, other.email, LOCK_AFTER, start=10)
    assert client.post(_unlock_path(other.email)).status_code == 200  # unlocks the other one only
    response = _login(client, user.email, PASSWORD, 99)
    assert "_auth_user_id" not in client.session
    assert "Try again in" in response.content.decode()
    assert _login(client, other.email, PASSWORD, 98).status_code == 302


def test_a_password_reset_lifts_the_lock(en, user):
    _fail(en, user.email, LOCK_AFTER)
    from allauth.account.adapter import get_adapter
    from django.test import RequestFactory

    get_adapter(RequestFactory().get("/"))._delete_login_attempts_cached_email(
        RequestFactory().get("/"), email=user.email
    )
    assert _login(en, user.email, PASSWORD, 99).status_code == 302


# --- Redis down --------------------------------------------------------------------------------
UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


def test_the_account_lock_holds_while_redis_is_down(client, user):
    """The default cache fails open while Redis is down (core/cache.py): the counters
    are in the database and still count."""
    with override_settings(CACHES={**settings.CACHES, "default": redis_caches(UNREACHABLE_REDIS)["default"]}):
        _fail(client, user.email, LOCK_AFTER)
        response = client.post("/api/v1/auth/token/", {"email": user.email, "password": PASSWORD}, REMOTE_ADDR=_ip(99))
        assert response.status_code == 429
        assert response["Retry-After"] == "1"
        assert OutboxMessage.objects.filter(to=[user.email]).count() == 1
