"""Issue 5 end to end in a real browser: a founder finds a mentor by expertise (the
directory's dimension filter), books one of her free slots with a topic; the mentor sees
the session in her agenda; once it has taken place she writes her notes, which the
founder then reads on the booking's page.

Two browser contexts (two people), in English, under the portal's real Content Security
Policy. Time does not pass in a test: "the session takes place" moves the booking's times
into the past in the database, as the clock would.
"""

import datetime
import re

import pytest
from django.core import mail
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from mentors.models import Booking, BookingStatus
from tests.factories import (
    AdmissionFactory,
    MentorProfileFactory,
    SiteFactory,
    StartupFactory,
    StartupMemberFactory,
    UserFactory,
    WeeklyRuleFactory,
)

from .test_services_journey import csp_errors, english_page, load_reference_data, sign_in, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOUNDER_EMAIL = "salma.idrissi@example.ma"
MENTOR_EMAIL = "karima.benjelloun@example.ma"
TOPIC = "Entering the Senegalese market"
NOTE = "Start with one distributor in Dakar; budget six months of working capital."


@pytest.fixture
def network():
    """A startup admitted at Casablanca; two published mentors: an export expert (market
    access) with video slots every day, and a financing mentor the filter must hide."""
    with scopes_disabled():
        load_reference_data()
        casablanca = SiteFactory(slug="casablanca", name_en="Technopark Casablanca")
        member = StartupMemberFactory(
            startup=StartupFactory(brand_name="Dakar Logistics"),
            user=UserFactory(email=FOUNDER_EMAIL, full_name="Salma Idrissi"),
        )
        AdmissionFactory(startup=member.startup, site=casablanca, kind="e-technopark")
        expert = MentorProfileFactory(
            user=UserFactory(email=MENTOR_EMAIL, full_name="Karima Benjelloun", role="mentor"),
            kind="expert",
            headline="Export to West Africa",
            dimensions=["market"],
            min_notice_hours=24,
        )
        for weekday in range(7):
            WeeklyRuleFactory(mentor=expert, weekday=weekday, starts_at=datetime.time(9), ends_at=datetime.time(12))
        other = MentorProfileFactory(user__full_name="Youssef Alami", dimensions=["financing"])
        WeeklyRuleFactory(mentor=other, weekday=0)
    return {"expert": expert, "founder": member.user}


def test_a_founder_books_a_mentor_who_then_writes_her_notes(live_server, new_context, network):
    base = live_server.url
    expert = network["expert"]

    # === 1. The founder filters the directory on "Access to market" and opens the expert ===
    page, founder_console = english_page(new_context, base)
    sign_in(page, base, FOUNDER_EMAIL)
    page.goto(f"{base}/mentors/")
    expect(page.get_by_role("link", name="Youssef Alami")).to_be_visible()
    page.get_by_label("Support dimension").select_option(label="Access to market")
    submit(page, page.get_by_role("button", name="Filter"))
    assert "dimension=market" in page.url
    expect(page.get_by_role("link", name="Youssef Alami")).to_have_count(0)
    card = page.locator("article", has=page.get_by_role("link", name="Karima Benjelloun"))
    expect(card).to_contain_text("Export to West Africa")
    submit(page, card.get_by_role("link", name="Karima Benjelloun"))
    expect(page).to_have_url(f"{base}/mentors/{expert.pk}/")

    # === 2. She books the first free slot (at least 24 hours ahead) with a topic ==========
    slots = page.get_by_role("region", name=re.compile("Free slots")).locator("a[href*='/book/']")
    expect(slots.first).to_be_visible()
    submit(page, slots.first)
    expect(page.get_by_role("heading", name="Book a session with Karima Benjelloun")).to_be_visible()
    page.get_by_label("Topic").fill(TOPIC)
    page.get_by_label("Questions for the mentor").fill("Which incoterms should we quote?")
    mail.outbox.clear()
    submit(page, page.get_by_role("button", name="Confirm the booking"))
    expect(page.get_by_text("Your session is booked.")).to_be_visible()
    with scopes_disabled():
        booking = Booking.objects.get(mentor=expert)
    assert booking.status == BookingStatus.CONFIRMED and booking.topic == TOPIC
    assert booking.starts_at >= datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=24)
    expect(page).to_have_url(f"{base}/me/mentoring/{booking.pk}/")
    assert sorted(message.to[0] for message in mail.outbox) == sorted([FOUNDER_EMAIL, MENTOR_EMAIL])
    assert all([name for name, *_ in message.attachments] == ["mentoring.ics"] for message in mail.outbox)

    # === 3. The mentor sees it in her agenda =================================================
    mentor_page, mentor_console = english_page(new_context, base)
    sign_in(mentor_page, base, MENTOR_EMAIL)
    mentor_page.goto(f"{base}/mentor/agenda/")
    row = mentor_page.locator("tr", has_text="Dakar Logistics")
    expect(row).to_contain_text(TOPIC)
    submit(mentor_page, row.get_by_role("link").first)
    expect(mentor_page).to_have_url(f"{base}/mentor/agenda/{booking.pk}/")
    expect(mentor_page.get_by_text("You can write notes once the session has started.")).to_be_visible()

    # === 4. The session takes place; she writes her notes ====================================
    shift = booking.ends_at - datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=5)
    with scopes_disabled():
        Booking.objects.filter(pk=booking.pk).update(
            starts_at=booking.starts_at - shift, ends_at=booking.ends_at - shift
        )
    mentor_page.reload()
    mentor_page.locator("textarea[name=note]").fill(NOTE)
    submit(mentor_page, mentor_page.get_by_role("button", name="Save my notes"))
    expect(mentor_page.locator("textarea[name=note]")).to_have_value(NOTE)
    with scopes_disabled():
        booking.refresh_from_db()
    assert booking.note == NOTE and booking.attendance == "held"

    # === 5. The founder reads them on the booking's page ======================================
    page.reload()
    expect(page.get_by_role("region", name="The mentor's notes")).to_contain_text(NOTE)

    assert csp_errors(founder_console) == [], founder_console
    assert csp_errors(mentor_console) == [], mentor_console
