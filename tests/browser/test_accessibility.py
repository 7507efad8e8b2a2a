"""axe-core (from npm, see package.json) on the public pages, in French and in Arabic.

Any violation of impact "serious" or "critical" fails the test. axe is injected as a
script tag, which our CSP (nonces, no unsafe-inline) rightly blocks: only these tests'
browser contexts bypass CSP.
"""

import pytest

from tests.factories import MentorProfileFactory, SiteFactory, WeeklyRuleFactory

pytestmark = [
    pytest.mark.browser,
    # live_server needs a transactional database; the serialized rollback brings back the
    # regions of the data migration that the previous transactional test flushed away.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PAGES = {"home": "/", "login": "/accounts/login/", "signup": "/accounts/signup/", "mentors": "/mentors/"}
LANGUAGES = {"fr": "ltr", "ar": "rtl"}
BLOCKING_IMPACTS = {"serious", "critical"}


@pytest.fixture
def published_sites(db):
    """Real content: sites of two statuses in two regions (home page), a published mentor
    serving one of them (directory)."""
    sites = [
        SiteFactory(slug="casablanca", city="Casablanca"),
        SiteFactory(slug="tanger", city="Tanger", region__code="MA-01", status="planned", opened_on=None),
    ]
    WeeklyRuleFactory(mentor=MentorProfileFactory(sites=sites[:1], dimensions=["market", "skills"]))
    return sites


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- [{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})")
        for node in violation["nodes"][:5]:
            lines.append(f"    {' '.join(map(str, node['target']))}: {node['html'][:160]}")
            if node.get("failureSummary"):
                lines.append("      " + node["failureSummary"].replace("\n", "\n      "))
    return "\n".join(lines)


@pytest.mark.parametrize("language", list(LANGUAGES))
@pytest.mark.parametrize("page_name", list(PAGES))
def test_no_serious_accessibility_violation(live_server, new_context, axe_script, published_sites, page_name, language):
    context = new_context(bypass_csp=True)  # only to inject axe; the portal's CSP stays untouched
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()

    response = page.goto(f"{live_server.url}{PAGES[page_name]}")
    assert response is not None and response.status == 200
    html = page.locator("html")
    assert html.get_attribute("lang") == language
    assert html.get_attribute("dir") == LANGUAGES[language]

    page.add_script_tag(path=str(axe_script))
    results = page.evaluate("async () => await axe.run(document, { resultTypes: ['violations'] })")

    blocking = [violation for violation in results["violations"] if violation["impact"] in BLOCKING_IMPACTS]
    assert not blocking, (
        f"axe-core {results['testEngine']['version']} found serious/critical violations on "
        f"{page_name} ({PAGES[page_name]}) in {language}:\n{describe(blocking)}"
    )
