"""Issue 18's layout defects, measured in a real browser.

- No page is wider than a phone's screen (390 px): wide tables scroll inside their own box.
- At 1366 px (a common laptop) the signed-in navbar stays on one line in French, Arabic and
  English, and the language box shows the whole name of the language.
- The residents list and an office's page (the current allocation's row is tinted) have no
  serious or critical axe violation: the "ending soon" and "Release…" controls keep 4.5:1.

A founder and a site manager sign in; head office is in the navbar check (its "Network"
menu is the other long item).
"""

import datetime

import pytest
from django.conf import settings as django_settings
from django.utils import timezone
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from accounts.models import Role
from services.models import RegistrationStatus
from startups.models import OfficeAllocation
from tests.factories import (
    AdmissionFactory,
    DeclarationFactory,
    OfficeFactory,
    RegistrationFactory,
    ServiceFactory,
    ServiceSessionFactory,
    SiteFactory,
    SiteMembershipFactory,
    StartupFactory,
    StartupMemberFactory,
    UserFactory,
)

from .test_accessibility import describe
from .test_dashboards_journey import sign_in_as
from .test_services_journey import BLOCKING_IMPACTS, load_reference_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOUNDER_EMAIL = "nadia.berrada@example.ma"
MANAGER_EMAIL = "abderrahmane.alaoui@example.ma"
HEAD_OFFICE_EMAIL = "leila.bennani@example.ma"
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}
DIRECTIONS = {"fr": "ltr", "ar": "rtl", "en": "ltr"}
# One line of navbar is 56 px (brand and links); two lines are 80 px or more.
ONE_LINE_NAVBAR = 70

# What sticks out of the page furthest, to say what overflows when the page is too wide.
OVERFLOWING = """() => [...document.querySelectorAll('body *')]
  .map((element) => [element, element.getBoundingClientRect()])
  .filter(([, box]) => box.right > window.innerWidth + 1 || box.left < -1)
  .sort(([, one], [, other]) => Math.max(other.right - window.innerWidth, -other.left)
    - Math.max(one.right - window.innerWidth, -one.left))
  .slice(0, 5)
  .map(([element, box]) => `${element.tagName.toLowerCase()}.${[...element.classList].join('.')}`
    + ` [${Math.round(box.left)}, ${Math.round(box.right)}] ${(element.textContent || '').trim().slice(0, 60)}`)"""

# The width the language <select> needs for the name of the chosen language, and its room.
LANGUAGE_BOX_FIT = """(select) => {
  const probe = document.createElement('span');
  const style = getComputedStyle(select);
  probe.style.font = style.font;
  probe.style.position = 'absolute';
  probe.style.whiteSpace = 'nowrap';
  probe.textContent = select.selectedOptions[0].textContent;
  document.body.append(probe);
  const needed = probe.getBoundingClientRect().width;
  probe.remove();
  return {needed, room: select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight)};
}"""


@pytest.fixture
def casablanca(settings):
    """A site with a manager; a resident founder with three declared years, registrations
    and an office; other residents (one ending soon), offices and a service with sessions."""
    settings.REQUIRE_STAFF_MFA = False  # head office signs in with a password only here
    today = timezone.localdate()
    with scopes_disabled():
        load_reference_data()
        site = SiteFactory(
            slug="casablanca",
            name_fr="Technopark Casablanca",
            name_en="Technopark Casablanca",
            name_ar="تكنوبارك الدار البيضاء",
        )
        # A long first name: the manager's navbar (with "Back-office") is the widest, in French.
        SiteMembershipFactory(site=site, user__email=MANAGER_EMAIL, user__full_name="Abderrahmane Alaoui")
        UserFactory(email=HEAD_OFFICE_EMAIL, full_name="Leila Bennani", role=Role.HEAD_OFFICE, is_staff=True)
        founder = StartupMemberFactory(
            startup=StartupFactory(brand_name="Argania Labs", legal_name="Argania Laboratoires et Technologies SARL"),
            user=UserFactory(email=FOUNDER_EMAIL, full_name="Nadia Berrada"),
        )
        startup = founder.startup
        admission = AdmissionFactory(startup=startup, site=site, starts_on=datetime.date(2021, 9, 1))
        for year in (today.year - 3, today.year - 2, today.year - 1):
            DeclarationFactory(
                startup=startup,
                fiscal_year=year,
                direct_jobs=12,
                indirect_jobs=4,
                revenue_mad="12500000.00",
                export_revenue_mad="3400000.00",
                export_countries=["SN", "FR", "CI", "US", "AE"],
                funds_raised_mad="8000000.00",
            )
        offices = [OfficeFactory(site=site, number=f"B-{number}") for number in (101, 102, 201)]
        OfficeAllocation.objects.create(
            office=offices[0], admission=admission, site=site, starts_on=today - datetime.timedelta(days=30)
        )
        ending = AdmissionFactory(
            startup=StartupFactory(brand_name="Souss Drones"),
            site=site,
            planned_end_on=today + datetime.timedelta(days=20),
        )
        OfficeAllocation.objects.create(
            office=offices[1], admission=ending, site=site, starts_on=datetime.date(2023, 1, 1)
        )
        AdmissionFactory(startup=StartupFactory(brand_name="Atlas Data"), site=site, kind="e-technopark")
        service = ServiceFactory(site=site, title="Pitch your startup to investors", eligibility="admitted")
        sessions = [
            ServiceSessionFactory(service=service, starts_at=timezone.now() + datetime.timedelta(days=days))
            for days in (7, 14, 21)
        ]
        RegistrationFactory(
            session=sessions[0], user=founder.user, startup=startup, name="Nadia Berrada", email=FOUNDER_EMAIL
        )
        RegistrationFactory(session=sessions[1], status=RegistrationStatus.WAITLISTED)
    return {"site": site, "startup": startup, "service": service, "session": sessions[0], "office": offices[0]}


def pages_of(person: str, world: dict) -> list[str]:
    """The pages of issue 18: the dashboard home, the declarations, a sessions list and, for
    the manager, the residents list."""
    if person == "founder":
        return ["/dashboard/", f"/startups/{world['startup'].pk}/declarations/", "/me/registrations/"]
    return [
        "/dashboard/",
        "/manage/casablanca/",
        "/manage/casablanca/declarations/?status=declared",
        "/manage/casablanca/declarations/?status=missing",
        f"/manage/casablanca/services/{world['service'].pk}/",
        f"/manage/casablanca/sessions/{world['session'].pk}/",
        "/manage/casablanca/residents/",
        f"/manage/casablanca/offices/{world['office'].pk}/",
    ]


EMAILS = {"founder": FOUNDER_EMAIL, "manager": MANAGER_EMAIL, "head office": HEAD_OFFICE_EMAIL}


def signed_in_page(new_context, base: str, person: str, language: str, viewport: dict, **options) -> Page:
    context = new_context(viewport=viewport, **options)
    context.add_cookies([{"name": django_settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base}])
    page = context.new_page()
    sign_in_as(page, base, EMAILS[person])
    return page


def visit(page: Page, url: str, language: str) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 200, (url, response and response.status)
    assert page.locator("html").get_attribute("dir") == DIRECTIONS[language]


def navbar_height(page: Page) -> float:
    return page.locator("header nav.navbar").bounding_box()["height"]


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["390px", "1366px"])
@pytest.mark.parametrize("language", ["fr", "ar"])
@pytest.mark.parametrize("person", ["founder", "manager"])
def test_no_page_is_wider_than_the_screen(live_server, new_context, casablanca, person, language, viewport):
    page = signed_in_page(new_context, live_server.url, person, language, viewport)
    for url in pages_of(person, casablanca):
        visit(page, f"{live_server.url}{url}", language)
        widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1], (url, widths, page.evaluate(OVERFLOWING))
        if viewport is LAPTOP:
            assert navbar_height(page) < ONE_LINE_NAVBAR, (url, navbar_height(page))


@pytest.mark.parametrize("language", ["fr", "ar", "en"])
@pytest.mark.parametrize("person", ["founder", "manager", "head office"])
def test_the_signed_in_navbar_is_one_line_at_1366px(live_server, new_context, casablanca, person, language):
    page = signed_in_page(new_context, live_server.url, person, language, LAPTOP)
    visit(page, f"{live_server.url}/dashboard/", language)
    assert navbar_height(page) < ONE_LINE_NAVBAR, navbar_height(page)
    brand = page.locator("header .navbar-brand").bounding_box()
    tops = page.locator("header #main-nav > *").evaluate_all(
        "items => items.map((item) => item.getBoundingClientRect().top)"
    )
    assert all(abs(top - brand["y"]) < brand["height"] for top in tops), (brand, tops)
    language_box = page.locator("#language-select")
    fit = language_box.evaluate(LANGUAGE_BOX_FIT)
    assert fit["needed"] <= fit["room"], fit
    # The box submits itself when changed; its button appears when the keyboard reaches it,
    # without moving the navbar.
    language_box.focus()
    page.keyboard.press("Tab")
    change = page.locator("header form .language-submit")
    expect(change).to_be_focused()
    assert change.bounding_box()["width"] > 20
    assert navbar_height(page) < ONE_LINE_NAVBAR


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_the_phone_menu_opens_with_the_keyboard(live_server, new_context, casablanca, language):
    page = signed_in_page(new_context, live_server.url, "manager", language, PHONE)
    visit(page, f"{live_server.url}/manage/casablanca/residents/", language)
    menu = page.locator("#main-nav")
    expect(menu).to_be_hidden()
    page.locator("header .navbar-toggler").focus()
    page.keyboard.press("Enter")
    expect(menu).to_be_visible()
    expect(page.locator("#language-select")).to_be_visible()
    expect(page.locator("header form .language-submit")).to_be_visible()
    expect(page.locator("header form[action='/accounts/logout/'] button")).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_the_residents_and_office_pages_have_no_serious_accessibility_violation(
    live_server, new_context, axe_script, casablanca, language
):
    page = signed_in_page(new_context, live_server.url, "manager", language, PHONE, bypass_csp=True)  # to inject axe
    office = f"/manage/casablanca/offices/{casablanca['office'].pk}/"
    for viewport, url in (
        (PHONE, "/manage/casablanca/residents/"),
        (LAPTOP, "/manage/casablanca/residents/"),
        (LAPTOP, office),
    ):
        page.set_viewport_size(viewport)
        visit(page, f"{live_server.url}{url}", language)
        page.add_script_tag(path=str(axe_script))
        results = page.evaluate("async () => await axe.run(document, { resultTypes: ['violations'] })")
        blocking = [violation for violation in results["violations"] if violation["impact"] in BLOCKING_IMPACTS]
        assert not blocking, f"{url} at {viewport['width']} px in {language}:\n{describe(blocking)}"
