"""The UI shell: languages, CSP, no external assets, pages stay O(1) in queries."""

import re

import pytest
from django.utils import translation

from tests.factories import SiteFactory

KEY_PAGES = ["/", "/sites/", "/accounts/login/", "/accounts/signup/", "/api/docs/"]


@pytest.mark.parametrize("url", KEY_PAGES)
@pytest.mark.parametrize("language", ["fr", "ar", "en"])
def test_key_pages_load_nothing_from_another_host(client, db, url, language):
    client.cookies["django_language"] = language
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    external = re.findall(r"""(?:src|href)=["'](?:https?:)?//(?!testserver)[^"']+""", html)
    assert external == [], f"{url} loads from another host: {external}"


@pytest.mark.parametrize("url", KEY_PAGES)
def test_csp_uses_nonces_and_no_unsafe_inline(client, db, url):
    response = client.get(url)
    policy = response["Content-Security-Policy"]
    assert "unsafe-inline" not in policy
    assert "default-src 'self'" in policy
    if not url.startswith("/api/"):  # our own layout; the API docs only load script files
        assert re.search(r"'nonce-[^']+'", policy), policy
    scripts = re.findall(r"<script\b[^>]*>", response.content.decode())
    assert scripts
    for tag in scripts:
        assert 'src="' in tag, f"inline script on {url}: {tag}"


def test_french_is_the_default_language(client, db):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="")
    html = response.content.decode()
    assert '<html lang="fr" dir="ltr">' in html
    assert "Le réseau en chiffres" in html


def test_arabic_is_right_to_left_with_bootstrap_rtl(client, db):
    client.cookies["django_language"] = "ar"
    html = client.get("/").content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert "bootstrap.rtl.min.css" in html
    assert "الشبكة بالأرقام" in html


def test_region_names_follow_the_language(client, db):
    with translation.override("ar"):
        client.cookies["django_language"] = "ar"
        assert "الدار البيضاء - سطات" in client.get("/sites/").content.decode()
    client.cookies["django_language"] = "en"
    assert "Marrakesh-Safi" in client.get("/sites/").content.decode()


def test_home_and_site_list_are_constant_in_queries(client, db, django_assert_max_num_queries):
    SiteFactory()
    with django_assert_max_num_queries(7):
        client.get("/")
    SiteFactory.create_batch(30)
    with django_assert_max_num_queries(7):
        client.get("/")
    with django_assert_max_num_queries(6):
        client.get("/sites/")


def test_unknown_page_is_a_friendly_404(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode() or "introuvable" in response.content.decode()


def test_back_office_menu_lists_only_the_sites_one_works_at(client, world, founder_a, manager_a):
    # founder_a's startup is admitted at site A: that opens site A's scope for their own
    # pages, not its back-office.
    client.force_login(founder_a)
    assert "/manage/site-a/" not in client.get("/dashboard/").content.decode()
    client.force_login(manager_a)
    assert "/manage/site-a/" in client.get("/dashboard/").content.decode()


def test_home_counts_startups_network_wide(client, world):
    # world: startup_a admitted at site A, startup_b at site B, both residents since 2022.
    response = client.get("/")
    assert response.context["startups"] == {"supported_total": 2, "residents_total": 2, "supported_now": 2}
