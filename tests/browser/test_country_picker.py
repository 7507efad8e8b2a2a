"""The export countries of a yearly declaration in a real browser (issue 18), on a phone
(390 px) in French and in Arabic: the founder types in the filter (accents and case aside),
ticks a country, sees the summary change, and saves; Enter in the filter does not submit the
form; the page never gets wider than the screen and logs no CSP violation. axe finds no
serious or critical violation on the page (labels, the fieldset's legend).
"""

import pytest
from django.conf import settings as django_settings
from django.utils import timezone
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from startups.models import Declaration
from tests.factories import AdmissionFactory, DeclarationFactory, SiteFactory, StartupMemberFactory, UserFactory

from .test_accessibility import describe
from .test_dashboards_journey import sign_in_as
from .test_layout_widths import DIRECTIONS, OVERFLOWING, PHONE
from .test_services_journey import BLOCKING_IMPACTS, csp_errors, load_reference_data, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAST_YEAR = timezone.localdate().year - 1
# What the founder types to find Morocco, the name it reads, and one country it hides.
SEARCH = {
    "fr": ("MAROC", "Maroc", "Sénégal"),
    "ar": ("المغرب", "المغرب", "السنغال"),
}


FOUNDER_EMAIL = "salma.tazi@example.ma"


@pytest.fixture
def startup():
    """A resident startup whose founder declared last year's exports to five countries."""
    with scopes_disabled():
        load_reference_data()
        member = StartupMemberFactory(
            startup__brand_name="Zellige Export", user=UserFactory(email=FOUNDER_EMAIL, full_name="Salma Tazi")
        )
        AdmissionFactory(startup=member.startup, site=SiteFactory(slug="casablanca"))
        DeclarationFactory(
            startup=member.startup, fiscal_year=LAST_YEAR, export_countries=["SN", "FR", "CI", "US", "AE"]
        )
    return member.startup


def declarations_page(new_context, base: str, startup, language: str, **options):
    context = new_context(viewport=PHONE, **options)
    context.add_cookies([{"name": django_settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base}])
    page = context.new_page()
    console = []
    page.on("console", lambda message: console.append((message.type, message.text)))
    sign_in_as(page, base, FOUNDER_EMAIL)
    url = f"{base}/startups/{startup.pk}/declarations/?year={LAST_YEAR}"
    response = page.goto(url)
    assert response is not None and response.status == 200
    assert page.locator("html").get_attribute("dir") == DIRECTIONS[language]
    return page, url, console


def no_overflow(page) -> None:
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], (widths, page.evaluate(OVERFLOWING))


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_the_founder_filters_and_ticks_a_country_on_a_phone(live_server, new_context, startup, language):
    page, url, console = declarations_page(new_context, live_server.url, startup, language)
    picker = page.locator("[data-checkbox-picker]")
    summary = picker.locator("[data-picker-summary]")
    expect(summary).to_contain_text("(5)")  # SN, FR, CI, US, AE declared
    no_overflow(page)

    typed, morocco, other = SEARCH[language]
    search = picker.get_by_role("searchbox")  # hidden without JavaScript, shown by the script
    expect(search).to_be_visible()
    search.fill(typed)
    box = picker.get_by_role("checkbox", name=morocco, exact=True)
    expect(box).to_be_visible()
    expect(picker.get_by_role("checkbox", name=other, exact=True)).to_be_hidden()
    expect(picker.locator("[data-picker-shown]")).not_to_be_empty()
    no_overflow(page)
    search.press("Enter")  # must not submit the form
    assert page.url == url

    box.check()
    expect(summary).to_contain_text("(6)")
    expect(summary).to_contain_text(morocco)
    search.fill("")
    expect(picker.get_by_role("checkbox", name=other, exact=True)).to_be_visible()
    no_overflow(page)

    submit(page, page.locator("#declaration-form ~ form button[type=submit]"))
    with scopes_disabled():
        declaration = Declaration.objects.get(startup=startup, fiscal_year=LAST_YEAR)
    assert sorted(country.code for country in declaration.export_countries) == ["AE", "CI", "FR", "MA", "SN", "US"]
    assert csp_errors(console) == [], console
    assert not [text for kind, text in console if kind == "error"], console


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_the_declaration_form_has_no_serious_accessibility_violation(
    live_server, new_context, axe_script, startup, language
):
    # bypass_csp only to inject axe; the picker's own script is the page's, loaded with its nonce.
    page, _url, _console = declarations_page(new_context, live_server.url, startup, language, bypass_csp=True)
    page.locator("[data-picker-filter]").fill("a")
    page.add_script_tag(path=str(axe_script))
    results = page.evaluate("async () => await axe.run(document, { resultTypes: ['violations'] })")
    blocking = [violation for violation in results["violations"] if violation["impact"] in BLOCKING_IMPACTS]
    assert blocking == [], describe(blocking)
