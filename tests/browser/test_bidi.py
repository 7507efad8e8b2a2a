"""Latin text inside an Arabic page, measured in a real browser (issue 19).

A service's French description shown on its catalogue page in Arabic (a right-to-left page)
keeps its period at its end: the period's box is to the right of the sentence's last letter.
Without the paragraph's own direction (`dir="auto"`, core/templatetags/bidi.py) the Unicode
bidirectional algorithm puts the period at the start of the line, on the left: the same
sentence in a plain paragraph added to the page shows it, so the measure is not vacuous."""

import datetime

import pytest
from django.conf import settings as django_settings
from django.utils import timezone, translation
from django_scopes import scopes_disabled

from tests.factories import ServiceFactory, ServiceSessionFactory, SiteFactory

from .test_layout_widths import LAPTOP
from .test_services_journey import load_reference_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SENTENCE = "Conférence ouverte à tous les porteurs de projets."

# The boxes of a paragraph's last character (the period) and of the one before (a letter),
# from a Range on its text node; `control`: measure a plain <p> with the same text added to
# the same place instead (the page's direction, no dir="auto").
MEASURE = """([selector, control]) => {
  let block = document.querySelector(selector);
  if (control) {
    const plain = document.createElement('p');
    plain.textContent = block.textContent.trim();
    block.parentElement.append(plain);
    block = plain;
  }
  const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
  let node = null;
  for (let next = walker.nextNode(); next; next = walker.nextNode()) {
    if (next.textContent.trim()) node = next;
  }
  const text = node.textContent.replace(/\\s+$/, '');
  const box = (start) => {
    const range = document.createRange();
    range.setStart(node, start);
    range.setEnd(node, start + 1);
    const rect = range.getBoundingClientRect();
    return {left: rect.left, right: rect.right, top: rect.top};
  };
  return {
    last: text.slice(-1),
    before: text.slice(-2, -1),
    period: box(text.length - 1),
    letter: box(text.length - 2),
    direction: getComputedStyle(block).direction,
    pageDirection: getComputedStyle(document.body).direction,
  };
}"""


@pytest.fixture
def french_service():
    with scopes_disabled(), translation.override("fr"):  # French text: what an Arabic page falls back to
        load_reference_data()
        site = SiteFactory(slug="casablanca", name_fr="Technopark Casablanca", name_ar="تكنوبارك الدار البيضاء")
        service = ServiceFactory(
            site=site, title="Journée d'immersion", eligibility="public", description=SENTENCE, summary=SENTENCE
        )
        ServiceSessionFactory(service=service, starts_at=timezone.now() + datetime.timedelta(days=5))
    return service


def test_a_french_sentence_in_an_arabic_page_keeps_its_period_at_its_end(live_server, new_context, french_service):
    context = new_context(viewport=LAPTOP)
    context.add_cookies([{"name": django_settings.LANGUAGE_COOKIE_NAME, "value": "ar", "url": live_server.url}])
    page = context.new_page()
    response = page.goto(f"{live_server.url}/services/{french_service.pk}/")
    assert response is not None and response.status == 200
    assert page.locator("html").get_attribute("dir") == "rtl"

    for selector in ("#service-description p", "p.lead"):  # the description, the summary
        shown = page.evaluate(MEASURE, [selector, False])
        assert (shown["last"], shown["before"]) == (".", "s"), shown
        assert shown["pageDirection"] == "rtl" and shown["direction"] == "ltr", shown
        assert shown["period"]["top"] == pytest.approx(shown["letter"]["top"], abs=2), shown  # one line
        assert shown["period"]["left"] >= shown["letter"]["right"] - 0.5, (selector, shown)

    plain = page.evaluate(MEASURE, ["#service-description p", True])
    assert plain["direction"] == "rtl"
    assert plain["period"]["right"] <= plain["letter"]["left"] + 0.5, plain  # the defect, without dir="auto"
