"""Issue 3 end to end in a real browser: a newcomer signs up, creates their startup and
applies to a site's call; the site's manager reviews, scores and admits it as a resident,
then allocates an office; the founder sees the residency and the office.

Two browser contexts (two people, two sessions): the founder's and the site manager's.
Both run under the portal's real Content Security Policy (no bypass_csp) and must log no
CSP violation. Both browse in English (language cookie): the selectors are the English
source strings, which translations do not change.
"""

import datetime
import importlib
import re

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.core import mail
from django.utils import timezone
from django_scopes import scopes_disabled
from playwright.sync_api import Locator, Page, expect

from accounts.models import User
from startups.models import (
    Admission,
    AdmissionKind,
    Application,
    ApplicationStatus,
    Criterion,
    OfficeAllocation,
    Startup,
    StartupMember,
    TeamRole,
)
from tests.factories import CallFactory, OfficeFactory, SiteFactory, SiteMembershipFactory

# live_server needs a transactional database: the live server's thread must see the test's
# data and the on_commit emails must really be sent.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOUNDER_EMAIL = "yasmine.elidrissi@example.ma"
FOUNDER_PASSWORD = "Argan-Souss-2031!"
MANAGER_EMAIL = "karim.alaoui@technopark.ma"
CONFIRM_LINK = re.compile(r"https?://\S+/accounts/confirm-email/[^/\s]+/")
QUESTIONS = ["What problem do you solve?", "Who are your first customers?"]
# Team ×3, innovation ×2, market ×2, fit ×1 → (3·4 + 2·5 + 2·3 + 1·2) / 8 = 3.75.
SCORES = {"team": "4", "innovation": "5", "market": "3", "fit": "2"}
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"

# Reference rows from data migrations (regions and sectors, committee criteria): an earlier
# transactional test may have flushed them away. Both loaders are idempotent.
REFERENCE_LOADERS = [
    ("sites.migrations.0002_regions_and_sectors", "load"),
    ("startups.migrations.0002_office_exclusion_and_criteria", "load_criteria"),
]


def load_reference_data() -> None:
    for module, function in REFERENCE_LOADERS:
        getattr(importlib.import_module(module), function)(django_apps, None)


def label(text: str) -> re.Pattern:
    """A field's whole label, whatever the renderer adds: Django's "Label:" or a required "Label *"."""
    return re.compile(rf"^\s*{re.escape(text)}\s*:?\s*\*?\s*$")


def badge(scope: Locator, text: str) -> Locator:
    """The status badge reading exactly `text` within `scope`."""
    return scope.locator(".badge", has_text=re.compile(rf"^\s*{re.escape(text)}\s*$"))


def watch_console(page: Page) -> list[tuple[str, str]]:
    """Every console message of `page`, as (type, text), plus uncaught page errors."""
    messages: list[tuple[str, str]] = []
    page.on("console", lambda message: messages.append((message.type, message.text)))
    page.on("pageerror", lambda error: messages.append(("pageerror", str(error))))
    return messages


def csp_errors(messages: list[tuple[str, str]]) -> list[str]:
    return [
        text
        for kind, text in messages
        if kind == "error" and ("Content Security Policy" in text or "Content-Security-Policy" in text)
    ]


def english_page(new_context, base: str) -> tuple[Page, list[tuple[str, str]]]:
    context = new_context()
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": base}])
    page = context.new_page()
    return page, watch_console(page)


def submit(page: Page, button) -> None:
    """Click a submit button and wait for the page it leads to."""
    with page.expect_navigation():
        button.click()


def sign_in(page: Page, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/accounts/login/")
    form = page.locator("main form[action='/accounts/login/']")
    form.locator("input[name=login]").fill(email)
    form.locator("input[name=password]").fill(password)
    submit(page, form.locator("button[type=submit]"))
    expect(page).to_have_url(f"{base}/dashboard/")


@pytest.fixture
def casablanca(settings):
    """An operational site with its manager, an open residency call and one free office."""
    # Enrolling TOTP is tested elsewhere; here the manager signs in with a password only.
    settings.REQUIRE_STAFF_MFA = False
    with scopes_disabled():
        load_reference_data()
        site = SiteFactory(
            slug="casablanca",
            name_en="Technopark Casablanca",
            name_fr="Technopark Casablanca",
            name_ar="تكنوبارك الدار البيضاء",
            region__code="MA-06",
        )
        manager = SiteMembershipFactory(
            site=site, user__email=MANAGER_EMAIL, user__full_name="Karim Alaoui", user__language="en"
        ).user
        call = CallFactory(site=site, kind=AdmissionKind.RESIDENT, title="Residency call 2025", questions=QUESTIONS)
        office = OfficeFactory(site=site, number="B-204", floor=2, area_m2="18.50")
    return {"site": site, "manager": manager, "call": call, "office": office}


def test_newcomer_applies_is_admitted_as_resident_and_gets_an_office(live_server, new_context, casablanca):
    base = live_server.url
    site, office = casablanca["site"], casablanca["office"]
    founder_page, founder_console = english_page(new_context, base)
    page = founder_page

    # === 1. The founder signs up, confirms the address, signs in =========================
    page.goto(f"{base}/accounts/signup/")
    signup_form = page.locator("main form[action='/accounts/signup/']")
    signup_form.locator("input[name=full_name]").fill("Yasmine El Idrissi")
    signup_form.locator("input[name=email]").fill(FOUNDER_EMAIL)
    signup_form.locator("input[name=password1]").fill(FOUNDER_PASSWORD)
    signup_form.locator("input[name=password2]").fill(FOUNDER_PASSWORD)
    submit(page, signup_form.locator("button[type=submit]"))
    expect(page).to_have_url(f"{base}/accounts/confirm-email/")

    assert len(mail.outbox) == 1, [message.subject for message in mail.outbox]
    match = CONFIRM_LINK.search(mail.outbox[0].body)
    assert mail.outbox[0].to == [FOUNDER_EMAIL] and match, mail.outbox[0].body
    page.goto(match.group(0))
    submit(page, page.locator("main form[action^='/accounts/confirm-email/'] button[type=submit]"))
    expect(page).to_have_url(f"{base}/accounts/login/")
    founder = User.objects.get(email=FOUNDER_EMAIL)
    assert founder.emailaddress_set.get(email=FOUNDER_EMAIL).verified

    sign_in(page, base, FOUNDER_EMAIL, FOUNDER_PASSWORD)

    # === 2a. They create their startup (from the dashboard's call to action) =============
    submit(page, page.get_by_role("link", name="Create my startup"))
    expect(page).to_have_url(f"{base}/startups/new/")
    page.get_by_label(label("Legal name")).fill("Argania Labs SARL")
    page.get_by_label(label("Brand name")).fill("Argania Labs")
    page.get_by_label(label("ICE")).fill("002 345 678 000 091")  # spaces are typed, then dropped
    page.get_by_label(label("Legal form")).select_option("sarl")
    page.get_by_label(label("Founding date")).fill("2023-03-14")
    page.get_by_label(label("Information technology")).check()
    page.get_by_label(label("Stage")).select_option("prototype")
    page.get_by_label(label("Description")).fill("Traceability of argan oil cooperatives' production.")
    submit(page, page.get_by_role("button", name="Save", exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text("Argania Labs")
    expect(page.get_by_text("Your startup has been created. You are its founder.")).to_be_visible()
    startup = Startup.objects.get(legal_name="Argania Labs SARL")
    assert page.url == f"{base}/startups/{startup.pk}/"
    assert startup.ice == "002345678000091"
    assert list(startup.sectors.values_list("code", flat=True)) == ["ict"]
    assert StartupMember.objects.filter(startup=startup, user=founder, role=TeamRole.FOUNDER).exists()
    expect(page.get_by_text("Not admitted at a site yet.")).to_be_visible()

    # === 2b. The calls list, site A's call, a draft, answers, pitch deck, submission ======
    page.goto(f"{base}/calls/")
    submit(page, page.get_by_role("link", name="Residency call 2025"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Residency call 2025")
    expect(page.get_by_role("link", name="Technopark Casablanca")).to_be_visible()
    expect(page.get_by_label(label("Startup"))).to_have_value(str(startup.pk))
    submit(page, page.get_by_role("button", name="Start my application"))
    with scopes_disabled():
        application = Application.objects.get(startup=startup)
    expect(page).to_have_url(f"{base}/applications/{application.pk}/edit/")
    expect(page.get_by_text("Your draft application has been created")).to_be_visible()

    page.get_by_label(label(QUESTIONS[0])).fill("Cooperatives cannot prove where their oil comes from.")
    page.get_by_label(label(QUESTIONS[1])).fill("Three cooperatives near Essaouira and one exporter.")
    page.get_by_label(label("Pitch deck (PDF)")).set_input_files(
        {"name": "deck.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    submit(page, page.get_by_role("button", name="Submit the application"))
    expect(page).to_have_url(f"{base}/applications/{application.pk}/")
    expect(page.get_by_text("Your application has been submitted. The site will review it.")).to_be_visible()
    expect(badge(page.locator("main"), "Submitted")).to_be_visible()
    expect(page.get_by_role("link", name="download (PDF)")).to_be_visible()
    with scopes_disabled():
        application.refresh_from_db()
        assert application.status == ApplicationStatus.SUBMITTED
        assert application.site_id == site.pk
        assert application.answers == {
            QUESTIONS[0]: "Cooperatives cannot prove where their oil comes from.",
            QUESTIONS[1]: "Three cooperatives near Essaouira and one exporter.",
        }
        assert application.pitch_deck.read().startswith(b"%PDF-1.4")

    # === 3. The site manager, in a second context: review, scores, decision, office =======
    page, manager_console = english_page(new_context, base)
    sign_in(page, base, MANAGER_EMAIL, settings.DEMO_PASSWORD)
    submit(page, page.get_by_role("link", name="Technopark Casablanca", exact=True))
    expect(page).to_have_url(f"{base}/manage/casablanca/")
    submit(page, page.get_by_role("link", name="Application pipeline"))
    expect(page).to_have_url(f"{base}/manage/casablanca/applications/")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name="Argania Labs"))
    expect(badge(row, "Submitted")).to_be_visible()
    submit(page, row.get_by_role("link", name="Argania Labs"))
    detail_url = f"{base}/manage/casablanca/applications/{application.pk}/"
    expect(page).to_have_url(detail_url)
    expect(page.get_by_text(QUESTIONS[0])).to_be_visible()
    expect(page.get_by_role("link", name="Download the pitch deck (PDF)")).to_be_visible()

    # The manager assigns themself as the reviewer…
    page.get_by_label(label("Reviewer")).select_option(label=f"Karim Alaoui <{MANAGER_EMAIL}>")
    submit(page, page.get_by_role("button", name="Assign", exact=True))
    expect(page).to_have_url(detail_url)
    expect(page.get_by_text("Reviewer assigned.")).to_be_visible()
    expect(badge(page.locator("main"), "Under review")).to_be_visible()

    # …scores every criterion…
    submit(page, page.get_by_role("link", name="Score this application"))
    criteria = list(Criterion.objects.filter(is_active=True))
    assert {criterion.code for criterion in criteria} == set(SCORES)
    for criterion in criteria:
        page.get_by_label(label(f"{criterion.name_en}: score (0–5)")).select_option(SCORES[criterion.code])
        page.get_by_label(label(f"{criterion.name_en}: comment")).fill(f"{criterion.name_en}: convincing.")
    page.get_by_label(label("Overall comment")).fill("A strong team with a real problem to solve.")
    submit(page, page.get_by_role("button", name="Save my scores"))
    expect(page).to_have_url(f"{base}/manage/casablanca/reviews/")
    expect(page.get_by_text("Your scores are saved.")).to_be_visible()

    # …sees the weighted total on the application and admits the startup as a resident.
    submit(page, page.get_by_role("link", name="Applications", exact=True))
    submit(page, page.get_by_role("link", name="Argania Labs"))
    expect(page).to_have_url(detail_url)
    expect(page.get_by_text("Weighted total: 3.75 / 5")).to_be_visible()
    page.get_by_label(label("Admit as resident")).check()
    submit(page, page.get_by_role("button", name="Continue"))
    # The confirmation page restates the decision and the email; nothing is decided yet.
    expect(page).to_have_url(f"{detail_url}decision/")
    expect(page.get_by_role("heading", name="Confirm the decision")).to_be_visible()
    expect(page.get_by_text("Congratulations: your startup is admitted as a resident.", exact=False)).to_be_visible()
    with scopes_disabled():
        assert Application.objects.get(pk=application.pk).status == ApplicationStatus.UNDER_REVIEW
    submit(page, page.get_by_role("button", name="Confirm: Admit as resident"))
    expect(page).to_have_url(detail_url)
    expect(page.get_by_text("Decision recorded; the founders are told by email.")).to_be_visible()
    expect(page.get_by_role("heading", name="Decision: Admit as resident")).to_be_visible()
    expect(page.get_by_role("heading", name="Next steps")).to_be_visible()

    with scopes_disabled():
        application.refresh_from_db()
        assert application.status == ApplicationStatus.ADMITTED
        admission = Admission.objects.get(application=application)
        assert (admission.startup_id, admission.site_id) == (startup.pk, site.pk)
        assert admission.kind == AdmissionKind.RESIDENT
        assert admission.starts_on == timezone.localdate()

    # The decision email reached the founder.
    decisions = [message for message in mail.outbox if message.subject.startswith("Decision on your application")]
    assert len(decisions) == 1, [message.subject for message in mail.outbox]
    assert decisions[0].to == [FOUNDER_EMAIL]
    assert "admitted as a resident" in decisions[0].body

    # The next step: allocate B-204 to the new resident, who comes preselected.
    submit(page, page.get_by_role("link", name="Allocate an office"))
    expect(page).to_have_url(f"{base}/manage/casablanca/offices/?startup={startup.pk}")
    expect(page.get_by_text("Finding an office for Argania Labs", exact=False)).to_be_visible()
    office_row = page.get_by_role("row").filter(has=page.get_by_role("link", name="B-204"))
    expect(office_row.get_by_text("Free", exact=True)).to_be_visible()
    submit(page, office_row.get_by_role("link", name=re.compile(r"^Allocate")))
    expect(page).to_have_url(f"{base}/manage/casablanca/offices/{office.pk}/?startup={startup.pk}#allocate")
    resident = page.get_by_role("radio", name=re.compile("Argania Labs"))
    expect(resident).to_be_checked()
    # The search box narrows the list as one types (htmx), keeping the choice.
    page.get_by_label("Find a resident").fill("ARGAN")
    expect(page.get_by_text("1 of 1 residents without an office matches.")).to_be_visible()
    expect(page.get_by_role("radio", name=re.compile("Argania Labs"))).to_be_checked()
    page.get_by_label("Find a resident").fill("nobody by that name")
    expect(page.get_by_text("No resident without an office matches", exact=False)).to_be_visible()
    expect(page.get_by_role("radio", name=re.compile("Argania Labs"))).to_be_checked()  # the choice stays
    page.get_by_label("Find a resident").fill("")
    expect(page.get_by_role("radio", name=re.compile("Argania Labs"))).to_be_checked()
    expect(page.get_by_label(label("From"))).to_have_value(timezone.localdate().isoformat())
    submit(page, page.get_by_role("button", name="Allocate", exact=True))
    expect(page).to_have_url(f"{base}/manage/casablanca/offices/{office.pk}/")
    expect(page.get_by_text("Office B-204 allocated to Argania Labs.")).to_be_visible()
    occupant = page.get_by_role("definition").get_by_role("link", name="Argania Labs", exact=True)
    expect(occupant).to_be_visible()  # "Occupied by"
    with scopes_disabled():
        allocation = OfficeAllocation.objects.get(office=office)
        assert allocation.admission_id == admission.pk
        assert allocation.ends_on is None

    assert csp_errors(manager_console) == [], manager_console

    # === 4. Back to the founder: the residency and the office ==========================
    page = founder_page
    page.goto(f"{base}/startups/{startup.pk}/")
    residency = page.get_by_role("table", name="Admissions of this startup").get_by_role("row").nth(1)
    expect(residency.get_by_role("rowheader")).to_have_text("Technopark Casablanca")
    expect(residency).to_contain_text("Resident")
    expect(residency).to_contain_text("Office B-204 (18.50 m²)")
    expect(residency).to_contain_text("Active")
    applications = page.get_by_role("table", name="Applications of this startup")
    expect(badge(applications, "Admitted")).to_be_visible()

    page.goto(f"{base}/dashboard/")
    mine = page.get_by_role("region", name="My startups")
    expect(mine.get_by_role("link", name="Argania Labs")).to_be_visible()
    assert admission.planned_end_on and admission.planned_end_on > admission.starts_on + datetime.timedelta(days=365)
    expect(mine).to_contain_text("Resident at Technopark Casablanca since")
    expect(mine).to_contain_text("office B-204")
    expect(badge(page.get_by_role("region", name="My applications"), "Admitted")).to_be_visible()

    assert csp_errors(founder_console) == [], founder_console
