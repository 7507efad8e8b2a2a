"""Who a signed-in request is and what it may see are read from the database on every
request (issue 16): nothing about a user is cached, so a revoked membership, a deactivated
user, a revoked session or "sign out other sessions" take effect on the very next request,
with the production session engine (cached_db, sessions copied in the cache) as with the
embedded default. The authorization reads cost a bounded, small number of queries."""

import pytest
from allauth.mfa.models import Authenticator
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from accounts import sessions
from accounts.actions import api_token_create
from accounts.models import User, UserSession
from sites.models import SiteMembership
from tests.factories import SiteFactory, SiteMembershipFactory

from .test_sessions import _sign_in, _signed_out

# What a signed-in request reads of who the user is and may see, before its view.
USER_READ = 'FROM "accounts_user" '
SESSION_ROW_READ = '"accounts_usersession"'
MEMBERSHIPS_READ = '"tp_sites_sitemembership"."user_id" ='
TOTP_READ = '"mfa_authenticator"'
AUTHORIZATION_READS = (USER_READ, SESSION_ROW_READ, MEMBERSHIPS_READ, TOTP_READ)


@pytest.fixture(params=["db", "cached_db"])
def engine(request, settings):
    """The embedded default's sessions, and production's: cached_db with the sessions copied
    in a cache (a per-process one here, standing for Redis)."""
    if request.param == "cached_db":
        own = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "fresh-authorization"}
        settings.CACHES = {**settings.CACHES, "sessions": own}
        settings.SESSION_CACHE_ALIAS = "sessions"
        settings.SESSION_ENGINE = "core.session_store"
        # What production set for the identity cache this replaced (read by nothing now).
        settings.IDENTITY_CACHE_SECONDS = 60
    return request.param


@pytest.fixture
def membership(db):
    with scopes_disabled():
        return SiteMembershipFactory(user__email="manager@example.ma", user__language="en")


def _home(site) -> str:
    return f"/manage/{site.slug}/"


def _reads(browser, path, status=200) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert browser.get(path).status_code == status
    return [query["sql"] for query in queries.captured_queries]


def test_a_revoked_membership_takes_effect_on_the_next_request(engine, membership):
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
    assert browser.get(f"/api/v1/manage/{site.slug}/members/").status_code in (403, 404)


def test_a_changed_role_takes_effect_on_the_next_request(engine, membership):
    browser = _sign_in(membership.user)
    assert browser.get(f"{_home(membership.site)}services/new/").status_code == 200
    with scopes_disabled():
        SiteMembership.objects.filter(pk=membership.pk).update(role="team")
    assert browser.get(f"{_home(membership.site)}services/new/").status_code == 403


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda user: (setattr(user, "is_active", False), user.save()), id="deactivated"),
        pytest.param(lambda user: User.objects.filter(pk=user.pk).update(is_active=False), id="deactivated-update"),
        pytest.param(lambda user: (user.set_password("an-0ther-Passw0rd"), user.save()), id="password-changed"),
        pytest.param(lambda user: UserSession.objects.filter(user=user).delete(), id="rows-deleted"),
    ],
)
def test_a_deactivated_user_is_signed_out_on_the_next_request(engine, membership, change):
    browser = _sign_in(membership.user)
    assert browser.get(_home(membership.site)).status_code == 200
    change(User.objects.get(pk=membership.user.pk))
    assert _signed_out(browser)
    assert browser.get(_home(membership.site)).status_code == 302  # to the login page


def test_signing_out_other_sessions_takes_effect_on_their_next_request(engine, membership):
    laptop, phone = _sign_in(membership.user), _sign_in(membership.user)
    for browser in (laptop, phone):
        assert browser.get(_home(membership.site)).status_code == 200
    response = phone.post("/profile/sessions/revoke-others/")
    assert response.status_code == 302
    assert _signed_out(laptop)
    assert laptop.get(_home(membership.site)).status_code == 302
    assert phone.get(_home(membership.site)).status_code == 200


def test_a_revoked_session_is_signed_out_on_its_next_request(engine, membership):
    laptop, phone = _sign_in(membership.user), _sign_in(membership.user)
    for browser in (laptop, phone):
        browser.get(_home(membership.site))
    response = phone.post(f"/profile/sessions/{laptop.session[sessions.SESSION_ROW]}/revoke/")
    assert response.status_code == 302
    assert _signed_out(laptop)
    assert phone.get(_home(membership.site)).status_code == 200


def test_a_renamed_site_shows_its_new_name_at_once(engine, membership):
    browser = _sign_in(membership.user)
    assert membership.site.name_en in browser.get(_home(membership.site)).content.decode()
    with scopes_disabled():
        membership.site.name_en = "Technopark Renamed"
        membership.site.save()
    assert "Technopark Renamed" in browser.get(_home(membership.site)).content.decode()


def test_enrolling_totp_counts_at_once_for_the_staff_rule(engine, settings, membership):
    settings.REQUIRE_STAFF_MFA = True
    browser = _sign_in(membership.user)
    for _ in range(2):
        response = browser.get(_home(membership.site))
        assert response.status_code == 302
        assert response["Location"] == "/accounts/2fa/totp/activate/"
    Authenticator.objects.create(user=membership.user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    assert browser.get(_home(membership.site)).status_code == 200


def _full_scans(sql: str) -> list[str]:
    """The steps of `sql`'s plan that read a whole table instead of an index."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Tables of a few rows: a sequential scan would be cheaper, so forbid it to see
            # whether an index can serve the query at all.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}")
            plan = [row[0] for row in cursor.fetchall()]
            cursor.execute("RESET enable_seqscan")
            return [step for step in plan if "Seq Scan" in step]
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        return [row[-1] for row in cursor.fetchall() if row[-1].startswith("SCAN ")]


def test_every_request_reads_the_user_and_their_memberships_once(engine, settings, membership):
    """Read on every request (nothing kept from the previous one), in at most two indexed
    queries with the staff MFA rule on: the user's row with their session's row and their
    TOTP state, then their memberships with their sites (shared by the tenancy check, the
    role, the menu and the MFA rule)."""
    settings.REQUIRE_STAFF_MFA = True
    browser = _sign_in(membership.user)
    Authenticator.objects.create(user=membership.user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    browser.get(_home(membership.site))
    for _ in range(2):
        reads = [sql for sql in _reads(browser, _home(membership.site)) if any(r in sql for r in AUTHORIZATION_READS)]
        assert len(reads) <= 2, reads
        for read in AUTHORIZATION_READS:
            assert sum(read in sql for sql in reads) == 1, (read, reads)
        (who,) = (sql for sql in reads if USER_READ in sql)
        assert SESSION_ROW_READ in who and TOTP_READ in who, who
        for sql in reads:
            assert not _full_scans(sql), (sql, _full_scans(sql))


def test_nothing_is_planted_on_the_user(engine, settings, membership):
    """The request's memberships are kept on the request, for that request only; the user
    object carries no private copy of them or of the MFA state."""
    settings.REQUIRE_STAFF_MFA = True
    browser = _sign_in(membership.user)
    Authenticator.objects.create(user=membership.user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    response = browser.get(_home(membership.site))
    assert response.status_code == 200
    user = response.wsgi_request.user
    assert not {"_managed_site_list", "_has_totp"} & set(vars(user))
    # Nor the columns read with the user's row (their session's row, their TOTP state).
    assert not [name for name in vars(user) if name.startswith("tp_")], vars(user)


def test_a_token_reads_its_totp_state_with_its_row(settings, membership):
    """An API token's request under the staff MFA rule: whether its user has TOTP is read
    with the token's row, not by a query of its own."""
    settings.REQUIRE_STAFF_MFA = True
    Authenticator.objects.create(user=membership.user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    _token, key = api_token_create(user=membership.user, name="ci")
    with CaptureQueriesContext(connection) as queries:
        response = Client().get(f"/api/v1/manage/{membership.site.slug}/members/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200
    reads = [query["sql"] for query in queries.captured_queries if TOTP_READ in query["sql"]]
    assert len(reads) == 1 and 'FROM "accounts_apitoken"' in reads[0], reads
