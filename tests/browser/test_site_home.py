"""The site manager's day in a real browser (issue 18): the back-office home's "To do" and
the landing page's site cards, with rows in the panels, at 390 px in French and Arabic: no
horizontal overflow, no serious or critical axe violation."""

import datetime

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from accounts.models import User
from services.selectors.home import day_bounds
from startups.models import Call, Review
from tests.factories import (
    ApplicationFactory,
    RegistrationFactory,
    ServiceFactory,
    ServiceSessionFactory,
    StartupFactory,
)

from . import test_layout_widths
from .test_accessibility import describe
from .test_layout_widths import MANAGER_EMAIL, OVERFLOWING, PHONE, signed_in_page, visit
from .test_services_journey import BLOCKING_IMPACTS

# The fixture shared with the layout tests: pytest finds a fixture by its name in the module.
casablanca = test_layout_widths.casablanca
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def busy_day(casablanca):
    """`casablanca` (a residency ending soon, free offices, a startup that has not declared)
    with applications to assign, reviews to score and a session today."""
    site = casablanca["site"]
    today = timezone.localdate()
    with scopes_disabled():
        manager = User.objects.get(email=MANAGER_EMAIL)
        call = Call.objects.create(
            site=site, kind="resident", title="Résidence Casablanca 2027", opens_on=today, closes_on=today
        )
        for n in range(6):
            application = ApplicationFactory(
                call=call, startup=StartupFactory(brand_name=f"Laboratoire d'innovation numéro {n}")
            )
            Review.objects.create(application=application, site=site, reviewer=manager)
        start = day_bounds(today)[0] + datetime.timedelta(hours=10)
        session = ServiceSessionFactory(
            service=ServiceFactory(site=site, title="Atelier : convaincre des investisseurs en dix minutes"),
            starts_at=start,
            registration_deadline=start - datetime.timedelta(hours=1),
        )
        RegistrationFactory.create_batch(3, session=session)
    return casablanca


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_site_home_and_landing_at_390px(live_server, new_context, axe_script, busy_day, language):
    page = signed_in_page(new_context, live_server.url, "manager", language, PHONE, bypass_csp=True)  # to inject axe
    for url in ("/manage/casablanca/", "/dashboard/"):
        visit(page, f"{live_server.url}{url}", language)
        assert page.locator("a[href*='/attendance/']").count() == (1 if url != "/dashboard/" else 0)
        widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1], (url, widths, page.evaluate(OVERFLOWING))
        page.add_script_tag(path=str(axe_script))
        results = page.evaluate("async () => await axe.run(document, { resultTypes: ['violations'] })")
        blocking = [violation for violation in results["violations"] if violation["impact"] in BLOCKING_IMPACTS]
        assert not blocking, f"{url} in {language}:\n{describe(blocking)}"
