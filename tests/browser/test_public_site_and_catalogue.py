"""A site's public page and the catalogue's "Open to" badge and filter in a real browser, as
an anonymous visitor: no horizontal overflow at 390 px, in French and in Arabic (RTL), and no
serious or critical axe violation (the badges keep AA contrast)."""

import datetime

import pytest
from django.conf import settings as django_settings
from django.utils import timezone
from django_scopes import scopes_disabled

from tests.factories import CallFactory, ServiceFactory, ServiceSessionFactory, SiteFactory

from .test_accessibility import describe
from .test_layout_widths import OVERFLOWING, PHONE
from .test_services_journey import BLOCKING_IMPACTS, load_reference_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DIRECTIONS = {"fr": "ltr", "ar": "rtl"}


@pytest.fixture
def casablanca():
    """A site with its address, contact and figures; services open to each audience (long
    titles), and an open call."""
    with scopes_disabled():
        load_reference_data()
        site = SiteFactory(
            slug="casablanca",
            name_fr="Technopark Casablanca",
            name_en="Technopark Casablanca",
            name_ar="تكنوبارك الدار البيضاء",
            address="Route de Nouaceur, angle RS 114 et CT 1029, Sidi Maârouf",
            contact_email="contact.casablanca@technopark-demo.example.ma",
            contact_phone="+212522000101",
            area_m2=30000,
            capacity_startups=220,
            opened_on=datetime.date(2001, 10, 1),
        )
        for eligibility, title in (
            ("public", "Journée d'immersion ouverte au grand public et aux étudiants"),
            ("admitted", "Préparer sa levée de fonds auprès des investisseurs"),
            ("site_residents", "Atelier réservé aux résidents du site de Casablanca"),
        ):
            ServiceSessionFactory(
                service=ServiceFactory(site=site, title=title, eligibility=eligibility),
                starts_at=timezone.now() + datetime.timedelta(days=5),
            )
        CallFactory(site=site, title="Appel à candidatures résidence Technopark Casablanca 2026")
    return site


PAGES = ["/sites/casablanca/", "/services/", "/services/?eligibility=public&site=casablanca"]


@pytest.mark.parametrize("language", list(DIRECTIONS))
def test_public_pages_fit_a_phone_and_pass_axe(live_server, new_context, axe_script, casablanca, language):
    context = new_context(viewport=PHONE, bypass_csp=True)  # bypass only to inject axe
    context.add_cookies([{"name": django_settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
    page = context.new_page()
    for url in PAGES:
        response = page.goto(f"{live_server.url}{url}")
        assert response is not None and response.status == 200, url
        assert page.locator("html").get_attribute("dir") == DIRECTIONS[language]
        widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1], (url, widths, page.evaluate(OVERFLOWING))
        page.add_script_tag(path=str(axe_script))
        results = page.evaluate("async () => await axe.run(document, { resultTypes: ['violations'] })")
        blocking = [violation for violation in results["violations"] if violation["impact"] in BLOCKING_IMPACTS]
        assert not blocking, f"{url} in {language}:\n{describe(blocking)}"
