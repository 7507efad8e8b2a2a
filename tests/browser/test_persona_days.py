"""Issue 18: each person walks their day from their home page, in French and in Arabic, on a
laptop (1366 px) and a phone (390 px).

A founder, a mentor, a site manager and head office sign in, land on `/dashboard/` and follow
the links their home offers for the day's work (the next session, the declaration due, the
application to decide, the attendance to record, the sites needing attention…). Every page
they reach answers 200 in the right direction, is no wider than the screen, and has no
serious or critical axe violation.
"""

import datetime

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled
from playwright.sync_api import Page

from core.models import OutboxMessage
from startups.models import Review
from tests.factories import (
    ApplicationFactory,
    BookingFactory,
    CallFactory,
    MentorProfileFactory,
    ServiceSessionFactory,
    StartupFactory,
    UserFactory,
)

from .test_accessibility import describe
from .test_layout_widths import (
    EMAILS,
    LAPTOP,
    OVERFLOWING,
    PHONE,
    casablanca,  # noqa: F401 (the fixture this module's world builds on)
    signed_in_page,
    visit,
)
from .test_services_journey import BLOCKING_IMPACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MENTOR_EMAIL = "karima.benjelloun@example.ma"
EMAILS.setdefault("mentor", MENTOR_EMAIL)

# From the home page, the links each person follows, in order; a step is a CSS selector
# of a link inside <main> on the page reached by the step before ("home" goes back home).
DAYS = {
    "founder": [
        "a[href^='/me/registrations/']",
        "home",
        "a[href^='/me/mentoring/']",
        "home",
        "a[href$='/declarations/']",
        "home",
        "a[href^='/calls/']",
    ],
    "mentor": [
        "a[href^='/mentor/agenda/'][href*='#attendance']",
        "home",
        "a[href^='/mentor/agenda/'][href*='#notes']",
        "home",
        "a[href='/mentor/availability/']",
    ],
    "manager": [
        "a[href='/manage/casablanca/']",
        "a[href^='/manage/casablanca/applications/']",
        "home",
        "a[href='/manage/casablanca/']",
        "a[href^='/manage/casablanca/sessions/'][href$='/attendance/']",
        "home",
        "a[href='/manage/casablanca/']",
        "a[href^='/manage/casablanca/offices/']",
        "home",
        "a[href^='/manage/casablanca/residents/ending/']",
    ],
    "head office": [
        "a[href^='/network/dashboard/']",
        "home",
        "a[href^='/manage/casablanca/']",
        "home",
        "a[href^='/network/reports/']",
    ],
}


@pytest.fixture
def day_world(casablanca):  # noqa: F811 (pytest's fixture by name)
    """Issue 18's Casablanca (a resident founder with sessions, declarations and an office; a
    manager; head office), plus what each home leads to: a mentor with a session to come and
    two past ones (attendance to record, a note to write) with the founder's startup, an
    application waiting for the manager's review, a session today and a failed email."""
    site, startup = casablanca["site"], casablanca["startup"]
    now = timezone.now()
    with scopes_disabled():
        mentor = MentorProfileFactory(
            user=UserFactory(email=MENTOR_EMAIL, full_name="Karima Benjelloun", role="mentor"), sites=[site]
        )
        founder = startup.members.get().user
        for days, attendance in ((3, "unknown"), (-2, "unknown"), (-9, "held")):
            starts_at = now.replace(minute=0, second=0, microsecond=0) + datetime.timedelta(days=days)
            BookingFactory(
                mentor=mentor,
                startup=startup,
                site=site,
                booked_by=founder,
                starts_at=starts_at,
                ends_at=starts_at + datetime.timedelta(hours=1),
                attendance=attendance,
            )
        call = CallFactory(site=site, title="Résidence Casablanca 2027")
        application = ApplicationFactory(call=call, startup=StartupFactory(brand_name="Cèdre Robotique"))
        manager = site.memberships.get().user
        Review.objects.create(application=application, site=site, reviewer=manager)
        # Today in Casablanca whatever the hour the test runs (now + 1 h is tomorrow after 23:00).
        noon = timezone.localtime(now).replace(hour=12, minute=0, second=0, microsecond=0)
        ServiceSessionFactory(service=casablanca["service"], starts_at=noon)
        OutboxMessage.objects.create(
            to=[EMAILS["founder"]],
            subject="Votre séance de demain",
            body="…",
            status=OutboxMessage.Status.FAILED,
            attempts=5,
            last_error="SMTP 550: mailbox unavailable",
        )
    return casablanca


def check(page: Page, axe_script, url: str, language: str, viewport: dict) -> None:
    visit(page, url, language)
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], (page.url, widths, page.evaluate(OVERFLOWING))
    page.add_script_tag(path=str(axe_script))
    results = page.evaluate("async () => await axe.run(document, { resultTypes: ['violations'] })")
    blocking = [violation for violation in results["violations"] if violation["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"{page.url} at {viewport['width']} px in {language}:\n{describe(blocking)}"


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1366px", "390px"])
@pytest.mark.parametrize("language", ["fr", "ar"])
@pytest.mark.parametrize("person", list(DAYS))
def test_a_persons_day_from_their_home(live_server, new_context, axe_script, day_world, person, language, viewport):
    base = live_server.url
    page = signed_in_page(new_context, base, person, language, viewport, bypass_csp=True)  # to inject axe
    home = f"{base}/dashboard/"
    check(page, axe_script, home, language, viewport)
    walked = ["/dashboard/"]
    for step in DAYS[person]:
        if step == "home":
            check(page, axe_script, home, language, viewport)
            continue
        link = page.locator(f"main {step}").first
        assert link.count(), f"{person}: no link {step} on {page.url}"
        href = link.get_attribute("href")
        walked.append(href)
        # Follow it as a click would (a link may sit in a collapsed part on a phone).
        check(page, axe_script, f"{base}{href}", language, viewport)
    assert len(walked) > 3, walked
