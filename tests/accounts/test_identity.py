"""A signed-in session's identity served from the cache (accounts.identity): no query on a
hit, and every change of what it is made of seen on the very next request."""

import time
from unittest import mock

import pytest
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from accounts import sessions
from accounts.identity import UsersSessionsBumps, identity_changed
from accounts.models import User, UserSession
from sites.models import SiteMembership
from tests.factories import SiteFactory, SiteMembershipFactory

from .test_sessions import _sign_in, _signed_out

# What a signed-in request reads before its view when the cache cannot answer.
IDENTITY_READS = (
    'FROM "accounts_user" WHERE',
    'FROM "accounts_usersession"',
    '"tp_sites_sitemembership"."user_id" =',
    'FROM "mfa_authenticator"',
)


@pytest.fixture
def cached(settings):
    """The identity cache on, in a cache of this test's own (a per-process cache is enough
    within one process; the settings keep it off without Redis), the sessions' cache on the
    same store, as technopark.cache.redis_caches puts both on REDIS_URL."""
    own = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "identity-tests"}
    settings.CACHES = {**settings.CACHES, "default": own, "sessions": dict(own)}
    settings.IDENTITY_CACHE_SECONDS = 60


@pytest.fixture
def membership(db):
    with scopes_disabled():
        return SiteMembershipFactory(user__email="manager@example.ma", user__language="en")


def _home(site) -> str:
    return f"/manage/{site.slug}/"


def _identity_queries(browser, path, status=200) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert browser.get(path).status_code == status
    return [query["sql"] for query in queries.captured_queries if any(read in query["sql"] for read in IDENTITY_READS)]


def test_a_signed_in_request_reads_its_identity_from_the_cache(cached, membership):
    browser = _sign_in(membership.user)
    assert _identity_queries(browser, _home(membership.site))  # the first one asks the database
    assert _identity_queries(browser, _home(membership.site)) == []  # user, session row, site: cached
    assert _identity_queries(browser, "/health/live/") == []


def test_without_the_cache_every_request_asks_the_database(settings, membership):
    settings.IDENTITY_CACHE_SECONDS = 0  # the embedded default (no shared cache)
    browser = _sign_in(membership.user)
    for _ in range(2):
        assert len(_identity_queries(browser, _home(membership.site))) >= 3


def test_a_cache_that_answers_nothing_costs_queries_not_the_session(settings, membership):
    """Redis down: the default cache fails soft into misses (technopark.cache)."""
    settings.IDENTITY_CACHE_SECONDS = 60
    settings.CACHES = {**settings.CACHES, "default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    browser = _sign_in(membership.user)
    for _ in range(2):
        assert _identity_queries(browser, _home(membership.site))
    sessions.session_revoke(actor=membership.user, session_id=browser.session[sessions.SESSION_ROW])
    assert _signed_out(browser)


def test_a_revoked_session_is_signed_out_on_its_next_request(cached, membership):
    laptop, phone = _sign_in(membership.user), _sign_in(membership.user)
    for browser in (laptop, phone):
        browser.get(_home(membership.site))
    response = phone.post(f"/profile/sessions/{laptop.session[sessions.SESSION_ROW]}/revoke/")
    assert response.status_code == 302
    assert _signed_out(laptop)
    assert _identity_queries(phone, _home(membership.site)) == []  # only the revoked session's stamp moved


def test_a_change_of_the_user_moves_the_stamps_of_all_their_sessions(cached, membership):
    laptop, phone = _sign_in(membership.user), _sign_in(membership.user)
    for browser in (laptop, phone):
        assert browser.get(_home(membership.site)).status_code == 200
        assert _identity_queries(browser, _home(membership.site)) == []
    with scopes_disabled():
        SiteMembership.objects.filter(pk=membership.pk).delete()
    for browser in (laptop, phone):
        assert browser.get(_home(membership.site)).status_code == 404


def test_the_bump_at_the_commit_also_moves_a_session_signed_in_meanwhile(
    cached, membership, django_capture_on_commit_callbacks
):
    """Such a session may have read the rows before the change committed."""
    with django_capture_on_commit_callbacks() as callbacks:
        identity_changed(membership.user.pk)
        browser = _sign_in(membership.user)
    assert browser.get(_home(membership.site)).status_code == 200
    assert _identity_queries(browser, _home(membership.site)) == []  # cached
    bump_at_commit = callbacks[0]
    assert isinstance(bump_at_commit, UsersSessionsBumps)
    bump_at_commit()
    assert _identity_queries(browser, _home(membership.site)) != []


@pytest.fixture
def cached_sessions(cached, settings):
    """Sessions in the cached database store (with REDIS_URL, as settings configure it)."""
    settings.SESSION_CACHE_ALIAS = "sessions"
    settings.SESSION_ENGINE = "technopark.session_store"


def test_the_identity_is_read_with_the_session_in_one_round_trip(cached_sessions, membership):
    browser = _sign_in(membership.user)
    assert browser.get(_home(membership.site)).status_code == 200  # stores the identity
    sessions_cache, default_cache = caches["sessions"], caches["default"]
    with (
        mock.patch.object(sessions_cache, "get_many", wraps=sessions_cache.get_many) as with_session,
        mock.patch.object(default_cache, "get_many", wraps=default_cache.get_many) as apart,
    ):
        assert _identity_queries(browser, "/health/live/") == []
    assert with_session.call_count == 1 and apart.call_count == 0
    [keys] = with_session.call_args.args
    assert len(keys) == 3  # the session, the identity's stamp and the identity


def test_read_with_the_session_a_change_still_counts_at_once(cached_sessions, membership):
    browser = _sign_in(membership.user)
    assert browser.get(_home(membership.site)).status_code == 200
    assert _identity_queries(browser, _home(membership.site)) == []
    with scopes_disabled():
        SiteMembership.objects.filter(pk=membership.pk).delete()
    assert browser.get(_home(membership.site)).status_code == 404
    User.objects.filter(pk=membership.user.pk).update(is_active=False)
    assert _signed_out(browser)


def test_signing_out_elsewhere_every_other_session(cached, membership):
    laptop, phone = _sign_in(membership.user), _sign_in(membership.user)
    laptop.get(_home(membership.site))
    sessions.session_revoke_others(actor=membership.user, current_id=phone.session[sessions.SESSION_ROW])
    assert _signed_out(laptop)
    assert phone.get(_home(membership.site)).status_code == 200


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda user: (setattr(user, "is_active", False), user.save()), id="deactivated"),
        pytest.param(lambda user: User.objects.filter(pk=user.pk).update(is_active=False), id="deactivated-update"),
        pytest.param(lambda user: (user.set_password("an-0ther-Passw0rd"), user.save()), id="password-changed"),
        pytest.param(lambda user: UserSession.objects.filter(user=user).delete(), id="rows-deleted"),
    ],
)
def test_a_change_of_the_user_signs_the_cached_session_out(cached, membership, change):
    browser = _sign_in(membership.user)
    browser.get(_home(membership.site))
    assert _identity_queries(browser, _home(membership.site)) == []
    change(User.objects.get(pk=membership.user.pk))
    assert _signed_out(browser)


def test_a_role_at_a_site_given_or_taken_counts_at_once(cached, membership):
    user, site = membership.user, membership.site
    other_site = SiteFactory()
    browser = _sign_in(user)
    assert browser.get(_home(site)).status_code == 200
    assert browser.get(_home(other_site)).status_code == 404
    with scopes_disabled():
        SiteMembershipFactory(user=user, site=other_site)
    assert browser.get(_home(other_site)).status_code == 200
    with scopes_disabled():
        SiteMembership.objects.filter(user=user, site=site).delete()
    assert browser.get(_home(site)).status_code == 404
    assert f">{site.name_en}<" not in browser.get(_home(other_site)).content.decode()  # nor in the menu


def test_a_renamed_site_shows_its_new_name_at_once(cached, membership):
    browser = _sign_in(membership.user)
    assert membership.site.name_en in browser.get(_home(membership.site)).content.decode()
    membership.site.name_en = "Technopark Renamed"
    membership.site.save()
    assert "Technopark Renamed" in browser.get(_home(membership.site)).content.decode()


def test_enrolling_totp_counts_at_once_for_the_staff_rule(cached, settings, membership):
    settings.REQUIRE_STAFF_MFA = True
    browser = _sign_in(membership.user)
    for _ in range(2):
        response = browser.get(_home(membership.site))
        assert response.status_code == 302
        assert response["Location"] == "/accounts/2fa/totp/activate/"
    Authenticator.objects.create(user=membership.user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    assert browser.get(_home(membership.site)).status_code == 200
    assert _identity_queries(browser, _home(membership.site)) == []


def test_a_change_whose_stamp_was_lost_lasts_no_longer_than_the_expiry(cached, membership, monkeypatch):
    """The cache unreachable when the change committed: nothing moved the stamp."""
    browser = _sign_in(membership.user)
    assert browser.get(_home(membership.site)).status_code == 200
    with scopes_disabled():  # deleted without a signal
        SiteMembership.objects.filter(pk=membership.pk)._raw_delete(connection.alias)
    assert browser.get(_home(membership.site)).status_code == 200  # still the cached identity
    later = time.time() + settings.IDENTITY_CACHE_SECONDS + 1
    monkeypatch.setattr("django.core.cache.backends.locmem.time.time", lambda: later)
    assert browser.get(_home(membership.site)).status_code == 404


def test_a_site_or_region_change_rebuilds_the_identities_of_those_working_there(cached, membership):
    browser = _sign_in(membership.user)
    browser.get(_home(membership.site))
    SiteFactory()  # nobody works there yet: nothing to rebuild
    assert _identity_queries(browser, _home(membership.site)) == []
    membership.site.region.save()
    assert _identity_queries(browser, _home(membership.site)) != []
    assert _identity_queries(browser, _home(membership.site)) == []
