"""Who a service is open to, in the public catalogue: an "Open to: …" badge on every card
and on the service's page, an "Open to" filter combinable with the others and kept across
pages (an invalid value is ignored with a message, never a 500), the API's `eligibility`
parameter, and query counts that do not grow with the rows."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from tests.api_client import ids
from tests.factories import ServiceFactory, ServiceSessionFactory, SiteFactory

# Every test here uses the world: built once for the module (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_world")]


@pytest.fixture
def en(client):
    client.cookies["django_language"] = "en"
    return client


def _titles(response) -> list[str]:
    return [service.title for service in response.context["page"].object_list]


def _card(page: str, title: str) -> str:
    start = page.rindex("<article", 0, page.index(f">{title}</a>"))
    return page[start : page.index("</article>", start)]


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# --- The badge ------------------------------------------------------------------------------
def test_every_card_says_who_the_service_is_open_to(en, world, site_a):
    page = en.get("/services/").content.decode()
    assert _text(_card(page, "Immersion day A")).count("Open to: Everyone") == 1
    assert "Open to: Admitted startups" in _text(_card(page, "Pitch training A"))
    assert "Open to: Admitted startups" in _text(_card(page, "Live seminar e-Technopark"))
    with scopes_disabled():
        ServiceFactory(site=site_a, title="Residents only A", eligibility="site_residents")
    page = en.get("/services/?q=Residents").content.decode()
    assert "Open to: Residents of Technopark site-a" in _text(_card(page, "Residents only A"))
    assert len(re.findall(r"<article", page)) == len(re.findall(r"Open to:", page))


def test_the_badge_keeps_aa_contrast_colours(en, world):
    page = en.get("/services/").content.decode()
    badge = re.search(r'<span class="badge[^"]*"[^>]*>\s*Open to:', page).group(0)
    # Bootstrap's subtle background with its emphasis text (7:1 and more), never white on a
    # light colour.
    assert "-subtle" in badge and "-emphasis" in badge
    assert "text-bg-" not in badge


def test_the_service_page_shows_the_badge(en, world):
    with scopes_disabled():
        service = ServiceFactory(site=None, title="Open seminar", eligibility="public")
    text = _text(en.get(f"/services/{service.pk}/").content.decode())
    assert "Open to: Everyone" in text
    assert "Open to the public" in text  # and in its details


# --- The filter -----------------------------------------------------------------------------
def test_the_filter_narrows_to_one_audience(en, world):
    assert _titles(en.get("/services/?eligibility=public")) == ["Immersion day A"]
    admitted = set(_titles(en.get("/services/?eligibility=admitted")))
    assert admitted == {"Pitch training A", "Export clinic B", "Live seminar e-Technopark"}
    assert _titles(en.get("/services/?eligibility=site_residents")) == []


def test_the_filter_combines_with_the_others(en, world, site_a):
    with scopes_disabled():
        site = SiteFactory(slug="site-z")
        ServiceFactory(site=site, title="Public Z", eligibility="public", dimension="financing")
        ServiceFactory(site=site_a, title="Public A financing", eligibility="public", dimension="financing")
    assert _titles(en.get("/services/?eligibility=public&site=site-z")) == ["Public Z"]
    assert set(_titles(en.get("/services/?eligibility=public&dimension=financing"))) == {
        "Public Z",
        "Public A financing",
    }
    assert _titles(en.get("/services/?eligibility=admitted&site=site-z")) == []


def test_the_filter_is_kept_across_pages(en, world):
    with scopes_disabled():
        for n in range(30):
            ServiceFactory(site=None, title=f"Public P{n:02d}", eligibility="public")
    first = en.get("/services/?eligibility=public")
    assert first.context["page"].paginator.count == 31  # with Immersion day A
    assert "eligibility=public&amp;page=2" in first.content.decode()
    second = en.get("/services/?eligibility=public&page=2")
    assert len(_titles(second)) == 7
    assert all(title.startswith("Public P") or title == "Immersion day A" for title in _titles(second))


@pytest.mark.parametrize("value", ["everyone", "PUBLIC", "x" * 500, "public'--", "\x00"])
def test_an_invalid_value_is_ignored_with_a_message(en, world, value):
    response = en.get("/services/", {"eligibility": value})
    assert response.status_code == 200
    assert "Some filters were not understood and were ignored." in response.content.decode()
    assert len(_titles(response)) == 4  # the whole catalogue


def test_the_filter_form_offers_the_audiences(en, world):
    page = en.get("/services/?eligibility=admitted").content.decode()
    select = page[page.index('name="eligibility"') : page.index("</select>", page.index('name="eligibility"'))]
    assert '<option value="admitted" selected>Admitted startups</option>' in select
    assert '<option value="public">Everyone</option>' in select
    assert '<option value="site_residents">Residents of the site</option>' in select
    assert 'for="id_eligibility">Open to</label>' in page


# --- Queries --------------------------------------------------------------------------------
def _queries(client, url) -> int:
    client.get(url)  # warm up
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_queries_do_not_grow_with_the_rows(client, world, site_a, site_b, settings, django_assert_max_num_queries):
    settings.CATALOGUE_CACHE_SECONDS = 0
    url = "/services/?eligibility=site_residents"
    with scopes_disabled():
        ServiceSessionFactory(service=ServiceFactory(site=site_a, eligibility="site_residents"))
    few = _queries(client, url)
    with scopes_disabled():
        for _ in range(20):
            ServiceSessionFactory(service=ServiceFactory(site=site_b, eligibility="site_residents"))
    with django_assert_max_num_queries(few):
        response = client.get(url)
    assert len(_titles(response)) == 21
    assert _queries(client, url) == few


# --- The API --------------------------------------------------------------------------------
def test_the_api_filters_by_eligibility(api, world):
    client = api("anonymous")
    public = {world["service_public"]}
    assert ids(client.get("/api/v1/services/?eligibility=public")) == public
    admitted = ids(client.get("/api/v1/services/?eligibility=admitted"))
    assert admitted and not admitted & public
    assert ids(client.get("/api/v1/services/?eligibility=public&site=site-a")) == public
    assert ids(client.get("/api/v1/services/?eligibility=public&site=site-b")) == set()


@pytest.mark.parametrize("value", ["", "everyone", "PUBLIC"])
def test_the_api_rejects_an_invalid_eligibility(api, world, value):
    response = api("anonymous").get("/api/v1/services/", {"eligibility": value})
    assert response.status_code == 400
    assert list(response.json()) == ["eligibility"]
