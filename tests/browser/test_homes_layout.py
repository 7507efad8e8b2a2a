"""Head office's and a mentor's homes (issue 18) in a real browser, every panel filled with
long content: no wider than the screen at 390 px and 1366 px, in French (left to right) and
Arabic (right to left), and no serious or critical axe violation."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.utils import timezone
from django_scopes import scopes_disabled
from playwright.sync_api import Page

from accounts.models import Role
from core.jobs import JobStatus
from core.models import OutboxMessage
from mentors.models import Attendance
from reports.models import BoardReport, KpiSnapshot
from startups.models import ApplicationStatus
from tests.factories import (
    AdmissionFactory,
    ApplicationFactory,
    BookingFactory,
    CallFactory,
    MentorProfileFactory,
    OfficeFactory,
    SiteFactory,
    StartupFactory,
    UserFactory,
)

from .test_accessibility import describe
from .test_dashboards_journey import sign_in_as
from .test_layout_widths import DIRECTIONS, LAPTOP, OVERFLOWING, PHONE
from .test_services_journey import BLOCKING_IMPACTS, load_reference_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEAD_OFFICE_EMAIL = "leila.bennani@example.ma"
MENTOR_EMAIL = "karim.tazi@example.ma"
EMAILS = {"head office": HEAD_OFFICE_EMAIL, "mentor": MENTOR_EMAIL}
PANELS = {
    "head office": ["#home-figures", "#home-attention", "#home-board-reports", "#home-outbox", "#head-office-manage"],
    "mentor": ["#mentor-profile", "#mentor-next", "#mentor-attendance", "#mentor-notes"],
}


@pytest.fixture
def homes(settings):
    settings.REQUIRE_STAFF_MFA = False  # head office signs in with a password only here
    today = timezone.localdate()
    now = timezone.now()
    with scopes_disabled():
        load_reference_data()
        UserFactory(email=HEAD_OFFICE_EMAIL, full_name="Leila Bennani", role=Role.HEAD_OFFICE)
        KpiSnapshot.objects.create(
            scope="network",
            as_of=today - datetime.timedelta(days=1),
            startups_supported_total=103148,
            residents_total=40211,
            supported_now=20544,
            residents_now=8123,
            survival_rate_5y=Decimal("0.8912"),
            jobs_total=412345,
            annual_revenue_mad=Decimal("98765432109.87"),
            export_share=Decimal("0.2534"),
            export_africa_share=Decimal("0.1"),
        )
        for slug, name in (("casablanca", "Technopark Casablanca"), ("souss-massa", "Technopark Souss-Massa Agadir")):
            site = SiteFactory(slug=slug, name_fr=name, name_en=name, name_ar=f"تكنوبارك {slug}")
            call = CallFactory(site=site)
            ApplicationFactory(call=call, submitted_at=now - datetime.timedelta(days=45))
            ApplicationFactory(
                call=call, status=ApplicationStatus.UNDER_REVIEW, submitted_at=now - datetime.timedelta(days=35)
            )
            AdmissionFactory(site=site, planned_end_on=today + datetime.timedelta(days=20))
            for number in range(4):
                OfficeFactory(site=site, number=f"B-{number}")
        for month in (1, 2, 3):
            BoardReport.objects.create(
                scope="network", month=datetime.date(today.year - 1, month, 1), status=JobStatus.DONE
            )
        for index in range(5):
            OutboxMessage.objects.create(
                to=[f"very.long.recipient.address.number{index}@a-rather-long-domain-name.example.ma", "x@example.ma"],
                subject="Votre candidature au Technopark Casablanca : la décision du comité de sélection est prise",
                body="…",
                status=OutboxMessage.Status.FAILED,
                attempts=8,
                last_error="SMTPRecipientsRefused: {'very.long.recipient.address@a-rather-long-domain-name.example.ma': "
                "(550, b'5.1.1 The email account that you tried to reach does not exist.')}",
            )
        mentor = MentorProfileFactory(user__email=MENTOR_EMAIL, user__full_name="Karim Tazi", user__role=Role.MENTOR)
        site = SiteFactory(slug="rabat", name_fr="Technopark Rabat", name_en="Technopark Rabat")
        startup = StartupFactory(brand_name="Argania Laboratoires et Technologies Avancées")
        for days, attendance in ((-2, Attendance.UNKNOWN), (-3, Attendance.HELD), (-4, Attendance.HELD), (3, "")):
            starts_at = now.replace(minute=0, second=0, microsecond=0) + datetime.timedelta(days=days)
            BookingFactory(
                mentor=mentor,
                startup=startup,
                site=site,
                starts_at=starts_at,
                ends_at=starts_at + datetime.timedelta(hours=1),
                topic="Préparer la levée de fonds de série A auprès des investisseurs de la région",
                attendance=attendance or Attendance.UNKNOWN,
            )


def signed_in(new_context, base: str, person: str, language: str, viewport: dict, **options) -> Page:
    context = new_context(viewport=viewport, **options)
    context.add_cookies([{"name": django_settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base}])
    page = context.new_page()
    sign_in_as(page, base, EMAILS[person])
    return page


def visit_home(page: Page, base: str, person: str, language: str) -> None:
    response = page.goto(f"{base}/dashboard/")
    assert response is not None and response.status == 200
    assert page.locator("html").get_attribute("dir") == DIRECTIONS[language]
    for panel in PANELS[person]:
        assert page.locator(panel).count() == 1, panel


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["390px", "1366px"])
@pytest.mark.parametrize("language", ["fr", "ar"])
@pytest.mark.parametrize("person", ["head office", "mentor"])
def test_the_home_is_no_wider_than_the_screen(live_server, new_context, homes, person, language, viewport):
    page = signed_in(new_context, live_server.url, person, language, viewport)
    visit_home(page, live_server.url, person, language)
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], (widths, page.evaluate(OVERFLOWING))


@pytest.mark.parametrize("language", ["fr", "ar"])
@pytest.mark.parametrize("person", ["head office", "mentor"])
def test_the_home_has_no_serious_accessibility_violation(live_server, new_context, axe_script, homes, person, language):
    page = signed_in(new_context, live_server.url, person, language, PHONE, bypass_csp=True)  # to inject axe
    for viewport in (PHONE, LAPTOP):
        page.set_viewport_size(viewport)
        visit_home(page, live_server.url, person, language)
        page.add_script_tag(path=str(axe_script))
        results = page.evaluate("async () => await axe.run(document, { resultTypes: ['violations'] })")
        blocking = [violation for violation in results["violations"] if violation["impact"] in BLOCKING_IMPACTS]
        assert not blocking, f"{person} at {viewport['width']} px in {language}:\n{describe(blocking)}"
