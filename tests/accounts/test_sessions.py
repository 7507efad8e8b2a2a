"""Signed-in sessions: a user sees theirs and signs them out (accounts.sessions, and the
pages and actions built on it)."""

import datetime
from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scopes_disabled

from accounts import sessions
from accounts.models import UserSession
from accounts.selectors import user_sessions_live
from core.models import AuditEntry
from tests.factories import UserFactory

FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
CHROME_ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Mobile Safari/537.36"
)
EDGE_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0"
)


@pytest.fixture
def user(db):
    return UserFactory(email="founder@example.ma", language="en")  # pages read in English


def _sign_in(user, *, ip="198.51.100.77", agent=FIREFOX_WINDOWS) -> Client:
    """A separate browser signing in through the real login page."""
    browser = Client(REMOTE_ADDR=ip, HTTP_USER_AGENT=agent)
    response = browser.post("/accounts/login/", {"login": user.email, "password": settings.DEMO_PASSWORD})
    assert response.status_code == 302, response.content[:300]
    assert browser.session[SESSION_KEY] == str(user.pk)
    return browser


def _row(browser: Client) -> UserSession:
    return UserSession.objects.get(pk=browser.session[sessions.SESSION_ROW])


def _signed_out(browser: Client) -> bool:
    response = browser.get("/profile/sessions/")
    return response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def _store_has(session_key: str) -> bool:
    return import_module(settings.SESSION_ENGINE).SessionStore().exists(session_key)


ENGINES = [
    "django.contrib.sessions.backends.db",
    "django.contrib.sessions.backends.cache",
    "django.contrib.sessions.backends.cached_db",
]


@pytest.fixture(params=ENGINES)
def engine(request, settings):
    """Nothing here lists the session store, so every server-side engine behaves the same."""
    settings.SESSION_ENGINE = request.param
    return request.param


@pytest.fixture
def clock(monkeypatch):
    """The sessions module's clock, moved by hand."""

    class Clock:
        now = timezone.now().replace(microsecond=0)

        def advance(self, **delta):
            self.now += datetime.timedelta(**delta)

    clock = Clock()
    monkeypatch.setattr(sessions, "_now", lambda: clock.now)
    return clock


def test_two_sign_ins_show_two_rows_the_current_one_marked(user):
    laptop = _sign_in(user, ip="198.51.100.77", agent=FIREFOX_WINDOWS)
    phone = _sign_in(user, ip="2001:db8:abcd:12::1", agent=SAFARI_IPHONE)
    assert UserSession.objects.filter(user=user).count() == 2

    response = phone.get("/profile/sessions/")
    assert response.status_code == 200
    listed = response.context["sessions"]
    assert [row["is_current"] for row in listed] == [True, False]  # this one first
    assert listed[0]["pk"] == _row(phone).pk
    assert listed[0]["device"] == "Safari on iOS"
    assert listed[0]["place"] == "2001:db8:abcd::/48"
    assert listed[1]["device"] == "Firefox on Windows"
    assert listed[1]["place"] == "198.51.100.0/24"
    content = response.content.decode()
    assert f"/profile/sessions/{_row(laptop).pk}/revoke/" in content
    assert f"/profile/sessions/{_row(phone).pk}/revoke/" not in content  # "Sign out" instead
    assert "/profile/sessions/revoke-others/" in content


def test_the_profile_page_links_to_the_sessions(user):
    assert 'href="/profile/sessions/"' in _sign_in(user).get("/profile/").content.decode()


def test_revoking_the_other_session_signs_that_browser_out_only(engine, user, unscoped):
    laptop, phone = _sign_in(user), _sign_in(user, agent=SAFARI_IPHONE)
    laptop_row = _row(laptop)

    response = phone.post(f"/profile/sessions/{laptop_row.pk}/revoke/")
    assert response.status_code == 302
    assert response["Location"] == "/profile/sessions/"
    assert not UserSession.objects.filter(pk=laptop_row.pk).exists()
    # The stored session is deleted only after the commit, which the test transaction never
    # reaches: the laptop is signed out by the middleware alone, as with any session engine.
    assert _store_has(laptop_row.session_key)
    assert _signed_out(laptop)
    assert not _store_has(laptop_row.session_key)  # its logout flushed it
    assert phone.get("/profile/sessions/").status_code == 200
    assert UserSession.objects.filter(user=user).count() == 1

    entry = AuditEntry.objects.get(object_id=str(laptop_row.pk), content_type__model="usersession")
    assert entry.action == "delete"
    assert entry.actor == user
    assert laptop_row.session_key not in str(entry.changes)
    assert "session_key" not in entry.changes
    assert entry.changes["ip"] == ["198.51.100.0/24", None]


def test_revoking_deletes_the_stored_session_once_committed(engine, user, django_capture_on_commit_callbacks):
    laptop, phone = _sign_in(user), _sign_in(user)
    key = _row(laptop).session_key
    with django_capture_on_commit_callbacks(execute=True):
        phone.post(f"/profile/sessions/{_row(laptop).pk}/revoke/")
    assert not _store_has(key)
    assert _signed_out(laptop)


def test_someone_elses_session_is_not_found(user):
    other = UserFactory(email="other@example.ma")
    theirs = _row(_sign_in(other))
    mine = _sign_in(user)
    assert mine.post(f"/profile/sessions/{theirs.pk}/revoke/").status_code == 404
    assert mine.post("/profile/sessions/999999/revoke/").status_code == 404
    assert UserSession.objects.filter(pk=theirs.pk).exists()


def test_revoke_is_post_only(user):
    browser = _sign_in(user)
    assert browser.get(f"/profile/sessions/{_row(browser).pk}/revoke/").status_code == 405
    assert browser.get("/profile/sessions/revoke-others/").status_code == 405


def test_revoking_the_current_session_signs_out(user):
    browser = _sign_in(user)
    response = browser.post(f"/profile/sessions/{_row(browser).pk}/revoke/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert SESSION_KEY not in browser.session
    assert not UserSession.objects.filter(user=user).exists()


def test_sign_out_every_other_session_keeps_only_the_current(engine, user, unscoped):
    browsers = [_sign_in(user) for _ in range(3)]
    other_user = _sign_in(UserFactory(email="other@example.ma"))
    current = browsers[0]

    response = current.post("/profile/sessions/revoke-others/")
    assert response.status_code == 302
    assert list(UserSession.objects.filter(user=user)) == [_row(current)]
    assert all(_signed_out(browser) for browser in browsers[1:])
    assert current.get("/profile/sessions/").status_code == 200
    assert other_user.get("/profile/sessions/").status_code == 200  # somebody else's: untouched
    assert AuditEntry.objects.filter(content_type__model="usersession", action="delete").count() == 2


def test_signing_out_deletes_the_row(user):
    browser = _sign_in(user)
    browser.post("/accounts/logout/")
    assert SESSION_KEY not in browser.session
    assert not UserSession.objects.exists()


def test_last_activity_is_written_at_most_every_five_minutes(user, clock):
    signed_in_at = clock.now
    browser = _sign_in(user)
    assert _row(browser).last_seen_at == signed_in_at

    def request_writes() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert browser.get("/profile/sessions/").status_code == 200
        return sum('UPDATE "accounts_usersession"' in query["sql"] for query in queries.captured_queries)

    clock.advance(minutes=1)
    assert request_writes() == 0
    clock.advance(minutes=3, seconds=59)  # 4:59 after signing in
    assert request_writes() == 0
    assert _row(browser).last_seen_at == signed_in_at
    clock.advance(seconds=1)  # 5:00
    assert request_writes() == 1
    assert _row(browser).last_seen_at == clock.now
    assert request_writes() == 0
    clock.advance(minutes=4)
    assert request_writes() == 0
    clock.advance(minutes=1)
    assert request_writes() == 1
    assert _row(browser).last_seen_at == signed_in_at + datetime.timedelta(minutes=10)


@pytest.mark.parametrize(
    ("address", "network"),
    [
        ("192.0.2.123", "192.0.2.0/24"),
        ("10.1.2.255", "10.1.2.0/24"),
        ("2001:db8:abcd:12:1:2:3:4", "2001:db8:abcd::/48"),
        ("[2001:db8:1:2::5]", "2001:db8:1::/48"),
        ("::ffff:192.0.2.9", "192.0.2.0/24"),
        ("", ""),
        (None, ""),
        ("not an address", ""),
    ],
)
def test_addresses_are_cut_to_their_network(address, network):
    assert sessions.anonymise_ip(address) == network


def test_only_the_network_is_stored(user):
    row = _row(_sign_in(user, ip="203.0.113.45"))
    assert row.ip == "203.0.113.0/24"
    assert "203.0.113.45" not in str(UserSession.objects.filter(pk=row.pk).values().get())


def test_the_user_agent_is_truncated(user):
    row = _row(_sign_in(user, agent="Firefox/1 " + "x" * 1000))
    assert len(row.user_agent) == 255


@pytest.mark.parametrize(
    ("agent", "device"),
    [
        (FIREFOX_WINDOWS, "Firefox on Windows"),
        (SAFARI_IPHONE, "Safari on iOS"),
        (CHROME_ANDROID, "Chrome on Android"),
        (EDGE_WINDOWS, "Edge on Windows"),
        ("Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/128.0", "Firefox on Linux"),
        ("python-requests/2.32", "Unknown browser or program"),
        ("", "Unknown browser or program"),
    ],
)
def test_devices_are_named_in_plain_words(agent, device, settings):
    from django.utils import translation

    with translation.override("en"):
        assert sessions.describe_user_agent(agent) == device


def test_api_token_requests_create_no_row(user):
    api = Client(REMOTE_ADDR="198.51.100.1")
    token = api.post("/api/v1/auth/token/", {"email": user.email, "password": settings.DEMO_PASSWORD}).json()["token"]
    response = api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 200
    assert response.json()["email"] == user.email
    assert not UserSession.objects.exists()
    assert "sessionid" not in api.cookies or not api.cookies["sessionid"].value


def test_a_session_from_before_this_feature_is_adopted(user):
    browser = _sign_in(user)
    session = browser.session
    del session[sessions.SESSION_ROW]
    session.save()
    UserSession.objects.all().delete()

    assert browser.get("/profile/sessions/").status_code == 200  # still signed in
    row = UserSession.objects.get(user=user)
    assert row.session_key == browser.session.session_key
    assert browser.session[sessions.SESSION_ROW] == row.pk


def test_the_row_follows_a_new_session_key(engine, user):
    browser = _sign_in(user)
    row, old_key = _row(browser), browser.session.session_key
    new_password = "another-Password-2027"
    response = browser.post(
        "/accounts/password/change/",
        {"oldpassword": settings.DEMO_PASSWORD, "password1": new_password, "password2": new_password},
    )
    assert response.status_code == 302
    assert browser.session.session_key != old_key  # the password change cycled it
    assert browser.get("/profile/sessions/").status_code == 200
    row.refresh_from_db()
    assert row.session_key == browser.session.session_key
    assert UserSession.objects.filter(user=user).count() == 1


def test_force_login_tracks_the_session_too(client, user):
    client.force_login(user)
    assert _row(client).user == user
    with scopes_disabled():
        assert client.get("/profile/sessions/").status_code == 200


def test_expired_sessions_are_hidden_then_purged(user, clock):
    old = _row(_sign_in(user))
    clock.advance(seconds=settings.SESSION_COOKIE_AGE, minutes=6)
    current = _sign_in(user)
    assert [row["pk"] for row in current.get("/profile/sessions/").context["sessions"]] == [_row(current).pk]
    assert not UserSession.objects.filter(pk=old.pk).exists()


def test_the_list_hides_an_expired_session_before_any_purge(user, clock):
    row = _row(_sign_in(user))
    assert list(user_sessions_live(user=user)) == [row]
    clock.advance(seconds=settings.SESSION_COOKIE_AGE, minutes=6)  # on the sessions module's clock
    assert list(user_sessions_live(user=user)) == []
    assert UserSession.objects.filter(pk=row.pk).exists()  # only the next sign-in deletes it


def test_signing_in_as_somebody_else_in_the_same_browser_tracks_the_new_session(client, user):
    other = UserFactory(email="other@example.ma")
    client.force_login(other)
    client.force_login(user)  # the session is flushed: its new key comes with the first save
    row = _row(client)
    assert row.user == user
    assert row.session_key == client.session.session_key
