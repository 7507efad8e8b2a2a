"""Issue 4 end to end in a real browser: a founder finds a training by filtering the
catalogue on its dimension and takes its only seat; a member of another admitted startup
registers and is waitlisted; the first cancels from "my registrations"; the second is
promoted (their page shows it after a reload, and the promotion email went out).

Two browser contexts (two people), both under the portal's real Content Security Policy
(no bypass_csp) and in English (language cookie). A last test runs axe on the catalogue
and a service page, in French and Arabic.
"""

import importlib
import re

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.core import mail
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from services.models import Registration, RegistrationStatus
from sites.models import Language
from tests.factories import (
    AdmissionFactory,
    ServiceFactory,
    ServiceSessionFactory,
    SiteFactory,
    StartupFactory,
    StartupMemberFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIRST_EMAIL = "nadia.berrada@example.ma"
SECOND_EMAIL = "omar.tazi@example.ma"
TRAINING = "Pitch your startup to investors"

# Reference rows from data migrations: an earlier transactional test may have flushed them.
REFERENCE_LOADERS = [
    ("sites.migrations.0002_regions_and_sectors", "load"),
    ("sites.migrations.0005_languages", "load"),
]


def load_reference_data() -> None:
    for module, function in REFERENCE_LOADERS:
        getattr(importlib.import_module(module), function)(django_apps, None)


def watch_console(page: Page) -> list[tuple[str, str]]:
    messages: list[tuple[str, str]] = []
    page.on("console", lambda message: messages.append((message.type, message.text)))
    page.on("pageerror", lambda error: messages.append(("pageerror", str(error))))
    return messages


def csp_errors(messages: list[tuple[str, str]]) -> list[str]:
    return [text for kind, text in messages if kind == "error" and "Content Security Policy" in text]


def english_page(new_context, base: str) -> tuple[Page, list[tuple[str, str]]]:
    context = new_context()
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": base}])
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # data-confirm on destructive forms
    return page, watch_console(page)


def submit(page: Page, button) -> None:
    with page.expect_navigation():
        button.click()


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    form = page.locator("main form[action='/accounts/login/']")
    form.locator("input[name=login]").fill(email)
    form.locator("input[name=password]").fill(settings.DEMO_PASSWORD)
    submit(page, form.locator("button[type=submit]"))
    expect(page).to_have_url(f"{base}/dashboard/")


def badge(scope, text: str):
    return scope.locator(".badge", has_text=re.compile(rf"^\s*{re.escape(text)}\s*$"))


@pytest.fixture
def catalogue():
    """Two admitted startups at two sites; a one-seat financing training at Casablanca open
    to every admitted startup, and a market-access service that the filter must hide."""
    with scopes_disabled():
        load_reference_data()
        casablanca = SiteFactory(slug="casablanca", name_en="Technopark Casablanca", region__code="MA-06")
        rabat = SiteFactory(slug="rabat", name_en="Technopark Rabat", region__code="MA-04")
        first = StartupMemberFactory(
            startup=StartupFactory(brand_name="Argania Labs"),
            user=UserFactory(email=FIRST_EMAIL, full_name="Nadia Berrada"),
        )
        AdmissionFactory(startup=first.startup, site=casablanca, kind="resident")
        second = StartupMemberFactory(
            startup=StartupFactory(brand_name="Souss Drones"),
            user=UserFactory(email=SECOND_EMAIL, full_name="Omar Tazi"),
            role="member",
        )
        AdmissionFactory(startup=second.startup, site=rabat, kind="e-technopark")
        training = ServiceFactory(
            site=casablanca,
            title=TRAINING,
            summary="Build a ten-slide deck and rehearse it in front of business angels.",
            dimension="financing",
            service_type="training",
            format="hybrid",
            eligibility="admitted",
            languages=list(Language.objects.filter(code__in=["fr", "en"])),
        )
        session = ServiceSessionFactory(service=training, seats=1, join_url="https://meet.example.ma/pitch")
        ServiceSessionFactory(service=ServiceFactory(site=rabat, title="Export to West Africa", dimension="market"))
        open_day = ServiceSessionFactory(
            service=ServiceFactory(
                site=casablanca, title="Open day", eligibility="public", service_type="immersion_day"
            )
        )
    return {"training": training, "session": session, "open_day": open_day, "first": first.user, "second": second.user}


def _status(user) -> str:
    with scopes_disabled():
        return Registration.objects.get(user=user).status


def test_a_founder_registers_cancels_and_the_waitlisted_member_is_promoted(live_server, new_context, catalogue):
    base = live_server.url
    training = catalogue["training"]

    # === 1. The founder filters the catalogue on "Access to financing" and registers ======
    page, first_console = english_page(new_context, base)
    sign_in(page, base, FIRST_EMAIL)
    page.goto(f"{base}/services/")
    expect(page.get_by_role("link", name="Export to West Africa")).to_be_visible()
    page.get_by_label("Support dimension").select_option(label="Access to financing")
    submit(page, page.get_by_role("button", name="Filter"))
    assert "dimension=financing" in page.url
    expect(page.get_by_role("link", name="Export to West Africa")).to_have_count(0)
    card = page.locator("article", has=page.get_by_role("link", name=TRAINING))
    expect(card).to_contain_text("Access to financing")
    expect(card).to_contain_text("Technopark Casablanca")
    expect(card).to_contain_text("1 seat left")
    submit(page, page.get_by_role("link", name=TRAINING))
    expect(page).to_have_url(f"{base}/services/{training.pk}/")
    expect(page.get_by_role("link", name="Join link")).to_have_count(0)
    submit(page, page.get_by_role("button", name=re.compile(r"^Register")))
    expect(page.get_by_text("Your seat is confirmed.")).to_be_visible()
    expect(badge(page.locator("main"), "Confirmed")).to_be_visible()
    expect(page.get_by_role("link", name="Join link")).to_have_attribute("href", "https://meet.example.ma/pitch")
    assert _status(catalogue["first"]) == RegistrationStatus.CONFIRMED

    # === 2. A member of another admitted startup finds it full and joins the waitlist ====
    other, second_console = english_page(new_context, base)
    sign_in(other, base, SECOND_EMAIL)
    other.goto(f"{base}/services/?dimension=financing")
    expect(other.locator("article", has_text=TRAINING)).to_contain_text("Full: waitlist open")
    submit(other, other.get_by_role("link", name=TRAINING))
    submit(other, other.get_by_role("button", name=re.compile(r"^Join the waitlist")))
    expect(other.get_by_text("The session is full: you are on the waitlist.")).to_be_visible()
    expect(other.get_by_role("link", name="Join link")).to_have_count(0)
    assert _status(catalogue["second"]) == RegistrationStatus.WAITLISTED

    # === 3. The founder cancels from "my registrations" ====================================
    page.goto(f"{base}/me/registrations/")
    upcoming = page.get_by_role("region", name="Upcoming")
    # exact: the row's "Add to my calendar" link names the session too
    expect(upcoming.get_by_role("link", name=TRAINING, exact=True)).to_be_visible()
    mail.outbox.clear()
    submit(page, upcoming.get_by_role("button", name=re.compile(r"^Cancel")))
    expect(page).to_have_url(f"{base}/me/registrations/")
    expect(page.get_by_text("Your registration is cancelled.")).to_be_visible()
    expect(badge(page.get_by_role("region", name="Upcoming"), "Cancelled")).to_be_visible()
    assert _status(catalogue["first"]) == RegistrationStatus.CANCELLED

    # === 4. The waitlisted member is promoted: their page and their inbox say so ===========
    other.goto(f"{base}/me/registrations/")
    other.reload()
    mine = other.get_by_role("region", name="Upcoming")
    expect(badge(mine, "Confirmed")).to_be_visible()
    expect(mine.get_by_role("link", name="Join link")).to_be_visible()
    assert _status(catalogue["second"]) == RegistrationStatus.CONFIRMED
    promoted = [message for message in mail.outbox if message.to == [SECOND_EMAIL]]
    assert len(promoted) == 1, [(message.to, message.subject) for message in mail.outbox]
    assert promoted[0].subject == f"A seat is yours: {TRAINING}"
    assert [name for name, _content, _type in promoted[0].attachments] == ["session.ics"]

    assert csp_errors(first_console) == [], first_console
    assert csp_errors(second_console) == [], second_console


BLOCKING_IMPACTS = {"serious", "critical"}


@pytest.mark.parametrize(("language", "direction"), [("fr", "ltr"), ("ar", "rtl")])
def test_catalogue_pages_have_no_serious_accessibility_violation(
    live_server, new_context, axe_script, catalogue, language, direction
):
    context = new_context(bypass_csp=True)  # only to inject axe
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
    page = context.new_page()
    for url in (
        "/services/",
        f"/services/{catalogue['training'].pk}/",
        f"/sessions/{catalogue['open_day'].pk}/register/",
    ):
        response = page.goto(f"{live_server.url}{url}")
        assert response is not None
        assert page.locator("html").get_attribute("dir") == direction
        page.add_script_tag(path=str(axe_script))
        results = page.evaluate("async () => await axe.run(document, { resultTypes: ['violations'] })")
        blocking = [v for v in results["violations"] if v["impact"] in BLOCKING_IMPACTS]
        assert blocking == [], (
            url,
            [(v["id"], v["help"], [n["html"][:120] for n in v["nodes"][:3]]) for v in blocking],
        )
