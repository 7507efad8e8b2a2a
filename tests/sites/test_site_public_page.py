"""The public page of a site (/sites/<slug>/): its address and contact, its figures in the
visitor's language (grouped surface, dates not in ISO), and what the feature apps show of it
through sites.extensions.SITE_PUBLIC_PANELS — its published services and its open calls,
read for anyone (anonymous visitors included), never another site's, a draft or a closed
call — in a bounded number of queries."""

import datetime
import re

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from sites.models import Region, Sector, Site
from tests.factories import CallFactory, ServiceFactory, ServiceSessionFactory, SiteFactory, SiteMembershipFactory

pytestmark = pytest.mark.django_db

OPENED = datetime.date(2001, 10, 1)


@pytest.fixture
def casa(db):
    site = SiteFactory(
        slug="casa",
        name_fr="Technopark Casablanca",
        name_en="Technopark Casablanca",
        region=Region.objects.get(code="MA-06"),
        city="Casablanca",
        address="Route de Nouaceur, angle RS 114",
        contact_email="contact.casa@example.ma",
        contact_phone="+212522000101",
        area_m2=30000,
        capacity_startups=220,
        opened_on=OPENED,
    )
    site.vocations.set(Sector.objects.all()[:2])
    return site


@pytest.fixture
def other(db):
    return SiteFactory(slug="rabat-x", region=Region.objects.get(code="MA-04"))


def _text(response) -> str:
    """What the page shows: its body without the markup."""
    html = response.content.decode()
    html = html[html.index("<main") :]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _in_french(client):
    client.cookies["django_language"] = "fr"
    return client


def _in_english(client):
    client.cookies["django_language"] = "en"
    return client


# --- Address, contact and figures ------------------------------------------------------
def test_the_page_shows_address_contact_and_figures_in_french(client, casa):
    response = _in_french(client).get("/sites/casa/")
    assert response.status_code == 200
    text = _text(response)
    assert "Route de Nouaceur, angle RS 114" in text
    assert "Casablanca" in text and casa.region.name_fr in text
    html = response.content.decode()
    assert 'href="mailto:contact.casa@example.ma"' in html
    assert 'href="tel:+212522000101"' in html
    # Grouped the French way, with a non-breaking space, in the figure and before the unit.
    assert "30\xa0000\xa0m²" in html
    assert "30000" not in text
    assert "1er octobre 2001" in text  # French writes the first "1er"
    assert "2001-10-01" not in text  # only in the <time datetime="…"> attribute
    for sector in casa.vocations.all():
        assert sector.name_fr in text


def test_figures_follow_the_language(client, casa):
    text = _text(_in_english(client).get("/sites/casa/"))
    assert "30,000" in text
    assert "Oct. 1, 2001" in text
    assert "220 startups" in text


def test_a_site_without_contact_says_so(client, other):
    text = _text(_in_english(client).get("/sites/rabat-x/"))
    assert "This site has not published a contact yet." in text


def test_an_unknown_site_is_404(client, casa):
    assert client.get("/sites/nowhere/").status_code == 404


# --- Services and open calls (the feature apps' panels) --------------------------------
@pytest.fixture
def offer(casa, other):
    """Casa's published services (one with an upcoming session), and everything the page
    must not show: a draft, another site's service, the network's, closed or future calls."""
    today = timezone.localdate()
    with scopes_disabled():
        soon = ServiceFactory(site=casa, title="Pitch clinic Casa", eligibility="public")
        ServiceSessionFactory(service=soon)
        ServiceFactory(site=casa, title="Export training Casa", eligibility="site_residents")
        ServiceFactory(site=casa, title="Draft service Casa", is_published=False)
        ServiceFactory(site=other, title="Rabat workshop")
        ServiceFactory(site=None, title="Network seminar")
        open_call = CallFactory(site=casa, title="Résidence Casa 2026", closes_on=today + datetime.timedelta(days=9))
        CallFactory(
            site=casa,
            title="Closed call Casa",
            opens_on=today - datetime.timedelta(days=30),
            closes_on=today - datetime.timedelta(days=1),
        )
        CallFactory(
            site=casa,
            title="Future call Casa",
            opens_on=today + datetime.timedelta(days=3),
            closes_on=today + datetime.timedelta(days=30),
        )
        CallFactory(site=other, title="Rabat call")
        CallFactory(site=None, kind="e-technopark", title="Network call")
    return {"open_call": open_call, "soon": soon}


@pytest.mark.parametrize("persona", ["anonymous", "outsider", "manager_b", "staff"])
def test_services_and_open_calls_of_the_site_only_for_anyone(client_for, casa, offer, persona):
    client = _in_english(client_for(persona))
    response = client.get("/sites/casa/")
    assert response.status_code == 200
    text = _text(response)
    html = response.content.decode()
    assert "Services at this site" in text
    assert "Pitch clinic Casa" in text and "Export training Casa" in text
    assert text.index("Pitch clinic Casa") < text.index("Export training Casa")  # the next session first
    assert "Open to: Everyone" in text
    assert "Open to: Residents of Technopark Casablanca" in text
    assert 'href="/services/?site=casa"' in html
    assert "See this site's 2 services in the catalogue" in text
    for absent in ["Draft service Casa", "Rabat workshop", "Network seminar"]:
        assert absent not in text
    assert "Open calls for applications" in text
    assert "Résidence Casa 2026" in text
    deadline = offer["open_call"].closes_on
    assert f"apply by {deadline:%b}" in text  # the deadline, in words (DATE_FORMAT)
    assert deadline.isoformat() not in text
    assert f'href="/calls/{offer["open_call"].pk}/"' in html
    for absent in ["Closed call Casa", "Future call Casa", "Rabat call", "Network call"]:
        assert absent not in text


def test_a_site_manager_sees_their_sites_public_page_like_anyone(client_for, casa, offer):
    with scopes_disabled():
        manager = SiteMembershipFactory(site=casa).user
    client = _in_english(client_for("anonymous"))
    client.force_login(manager)
    text = _text(client.get("/sites/casa/"))
    assert "Pitch clinic Casa" in text and "Résidence Casa 2026" in text
    assert "Draft service Casa" not in text


def test_panels_say_when_there_is_nothing(client, other):
    text = _text(_in_english(client).get("/sites/rabat-x/"))
    assert "This site has no published service yet." in text
    assert "No call for applications is open at this site right now." in text


def test_at_most_five_services_and_the_count_of_all(client, casa):
    with scopes_disabled():
        for n in range(7):
            ServiceFactory(site=casa, title=f"Service Q{n}")
    response = _in_english(client).get("/sites/casa/")
    text = _text(response)
    assert len(re.findall(r"Service Q\d", text)) == 5
    assert "See this site's 7 services in the catalogue" in text


# --- Queries ----------------------------------------------------------------------------
def _count(client, django_assert_max_num_queries, url, limit=6):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm up (content types, session)
    with django_assert_max_num_queries(limit), CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_queries_do_not_grow_with_services_and_calls(client, casa, django_assert_max_num_queries):
    client = _in_english(client)
    with scopes_disabled():
        ServiceSessionFactory(service=ServiceFactory(site=casa))
        CallFactory(site=casa)
    few = _count(client, django_assert_max_num_queries, "/sites/casa/")
    with scopes_disabled():
        for _ in range(6):
            ServiceSessionFactory(service=ServiceFactory(site=casa, eligibility="site_residents"))
            CallFactory(site=casa)
    assert _count(client, django_assert_max_num_queries, "/sites/casa/") == few


# --- Head office edits the public contact ------------------------------------------------
def _site_form(site, **changes) -> dict:
    data = {
        "slug": site.slug,
        "name_fr": site.name_fr,
        "name_ar": site.name_ar,
        "name_en": site.name_en,
        "region": site.region_id,
        "status": site.status,
        "opened_on": site.opened_on.isoformat(),
        "city": site.city,
        "address": site.address,
        "contact_email": "",
        "contact_phone": "",
        "area_m2": site.area_m2,
        "capacity_startups": site.capacity_startups,
        "residency_max_years": site.residency_max_years,
        "vocations": [sector.pk for sector in site.vocations.all()],
    }
    return {**data, **changes}


def test_head_office_sets_the_public_contact_phone_normalised(client, staff, casa):
    client.force_login(staff)
    response = client.post(
        "/network/sites/casa/edit/",
        _site_form(casa, contact_email="accueil@example.ma", contact_phone="05 22 12 34 56"),
    )
    assert response.status_code == 302, response.context["form"].errors
    site = Site.objects.get(pk=casa.pk)
    assert (site.contact_email, site.contact_phone) == ("accueil@example.ma", "+212522123456")


@pytest.mark.parametrize(("field", "value"), [("contact_phone", "+33 6 12 34 56 78"), ("contact_email", "nope")])
def test_an_invalid_public_contact_is_refused(client, staff, casa, field, value):
    client.force_login(staff)
    response = client.post("/network/sites/casa/edit/", _site_form(casa, **{field: value}))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert Site.objects.get(pk=casa.pk).contact_phone == "+212522000101"
