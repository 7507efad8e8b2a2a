"""The site back-office home's "To do" (startups.home: applications, reviews, residencies
ending, free offices, missing declarations; services.home: today's sessions, in
tests/services/test_home_sessions.py) and the site manager's landing cards: each panel shows
this site's work only, its empty state, a constant number of queries."""

import datetime
import itertools

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from sites.models import MembershipRole
from startups.forms.declarations import last_fiscal_year
from startups.models import Admission, AdmissionKind, ApplicationStatus, Call, OfficeAllocation, Review
from tests.factories import (
    AdmissionFactory,
    ApplicationFactory,
    DeclarationFactory,
    OfficeFactory,
    SiteFactory,
    SiteMembershipFactory,
    StartupFactory,
    UserFactory,
)

HOME = "/manage/site-a/"
TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)
_names = itertools.count()


@pytest.fixture
def manager(client, world, manager_a):
    client.cookies["django_language"] = "en"
    client.force_login(manager_a)
    return client


def _panels(response) -> dict[str, dict]:
    return {panel["key"]: panel for _template, panel in response.context["panels"] if "key" in panel}


def _startup(name: str):
    return StartupFactory(legal_name=f"{name} SARL", brand_name=name)


def _scored_review(application, reviewer) -> Review:
    return Review.objects.create(
        application=application, site=application.site, reviewer=reviewer, submitted_at=timezone.now()
    )


def _work(site, prefix: str, *, manager, copies: int = 1) -> None:
    """`copies` of each kind of work at `site`, named `<prefix> <kind> <n>`, and what must not
    show; `manager` has a review to score on each application awaiting reviews."""
    with scopes_disabled():
        reviewer = UserFactory()
        call = Call.objects.filter(site=site).first()
        for n in range(copies):
            decide = ApplicationFactory(
                call=call, startup=_startup(f"{prefix} Decide {n}"), status=ApplicationStatus.UNDER_REVIEW
            )
            _scored_review(decide, reviewer)
            waiting = ApplicationFactory(
                call=call, startup=_startup(f"{prefix} Waiting {n}"), status=ApplicationStatus.UNDER_REVIEW
            )
            _scored_review(waiting, reviewer)
            Review.objects.create(application=waiting, site=site, reviewer=manager)  # the manager's, to score
            ApplicationFactory(call=call, startup=_startup(f"{prefix} Assign {n}"))  # submitted, no reviewer
            ending = AdmissionFactory(
                site=site,
                startup=_startup(f"{prefix} Ending {n}"),
                starts_on=TODAY - 400 * DAY,
                planned_end_on=TODAY + (10 + n) * DAY,
            )
            DeclarationFactory(startup=ending.startup, fiscal_year=last_fiscal_year())
            AdmissionFactory(
                site=site,
                startup=_startup(f"{prefix} Silent {n}"),
                kind=AdmissionKind.ETECHNOPARK,
                starts_on=TODAY - 400 * DAY,
                planned_end_on=TODAY + 900 * DAY,
            )  # has not declared last year
            OfficeFactory(site=site, number=f"{prefix}-Free-{n}")
        # Never in the queues: a decided application, a draft, an inactive office, one taken
        # today, a residency ending later.
        ApplicationFactory(call=call, startup=_startup(f"{prefix} Decided"), status=ApplicationStatus.ADMITTED)
        ApplicationFactory(
            call=call, startup=_startup(f"{prefix} Draft"), status=ApplicationStatus.DRAFT, submitted_at=None
        )
        OfficeFactory(site=site, number=f"{prefix}-Closed", is_active=False)
        later = AdmissionFactory(
            site=site, startup=_startup(f"{prefix} Later"), starts_on=TODAY - 400 * DAY, planned_end_on=TODAY + 90 * DAY
        )
        DeclarationFactory(startup=later.startup, fiscal_year=last_fiscal_year())
        OfficeAllocation.objects.create(
            office=OfficeFactory(site=site, number=f"{prefix}-Taken"), admission=later, site=site, starts_on=TODAY
        )


def _item_names(panel) -> list[str]:
    names = []
    for item in panel["items"]:
        startup = getattr(item, "startup", None) or getattr(getattr(item, "application", None), "startup", None)
        names.append(str(startup) if startup else item.number)
    return names


def test_each_panel_shows_this_sites_work_only(manager, manager_a, manager_b, site_a, site_b, world):
    _work(site_a, "Alpha", manager=manager_a)
    _work(site_b, "Beta", manager=manager_b)
    with scopes_disabled():  # the world's own rows: startup_a is under way, office A-101 is taken
        Admission.objects.filter(pk=world["admission_a"]).update(planned_end_on=TODAY + 400 * DAY)
        DeclarationFactory(startup_id=world["startup_a"], fiscal_year=last_fiscal_year())
    response = manager.get(HOME)
    assert response.status_code == 200
    panels = _panels(response)
    assert _item_names(panels["applications-to-decide"]) == ["Alpha Decide 0"]
    # To assign first (submitted: the world's Atlas Data, which has a review not scored, then
    # Alpha Assign), then those awaiting a score.
    assert _item_names(panels["applications-awaiting-reviews"]) == ["Atlas Data", "Alpha Assign 0", "Alpha Waiting 0"]
    assert _item_names(panels["reviews-to-score"]) == ["Atlas Data", "Alpha Waiting 0"]
    assert _item_names(panels["residencies-ending"]) == ["Alpha Ending 0"]
    assert _item_names(panels["offices-free"]) == ["Alpha-Free-0"]
    assert _item_names(panels["not-declared"]) == ["Alpha Silent 0"]
    assert {key: panel["count"] for key, panel in panels.items()} == {
        "applications-to-decide": 1,
        "applications-awaiting-reviews": 3,
        "reviews-to-score": 2,
        "residencies-ending": 1,
        "offices-free": 1,
        "not-declared": 1,
        "sessions-today": 0,
    }
    html = response.content.decode()
    assert "Beta" not in html  # nothing of site B
    assert "Alpha Decided" not in html and "Alpha Draft" not in html and "Alpha-Closed" not in html
    assert "Alpha-Taken" not in html and "Alpha Later" not in html
    # Each row links to where the work is done, each panel to its whole list.
    with scopes_disabled():
        decide = panels["applications-to-decide"]["items"][0]
        review = Review.objects.get(reviewer=manager_a, application__startup__brand_name="Alpha Waiting 0")
    assert f'href="/manage/site-a/applications/{decide.pk}/"' in html
    assert f'href="/manage/site-a/reviews/{review.pk}/"' in html
    assert f'href="/manage/site-a/offices/{panels["offices-free"]["items"][0].pk}/"' in html
    assert f'href="/manage/site-a/residents/{panels["not-declared"]["items"][0].pk}/"' in html
    assert 'href="/manage/site-a/applications/?status=under_review"' in html
    assert f'href="/manage/site-a/declarations/?year={last_fiscal_year()}&amp;status=missing"' in html
    assert 'href="/manage/site-a/residents/ending/"' in html
    assert "1 of 1 review scored" in html and "No reviewer yet" in html


def test_reviews_to_score_are_the_users_own(client, manager_a, committee_a, site_a, world):
    with scopes_disabled():
        application = ApplicationFactory(call_id=world["call_a"], startup=_startup("Committee Pick"))
        Review.objects.create(application=application, site=site_a, reviewer=committee_a)
    client.force_login(committee_a)
    panels = _panels(client.get(HOME))
    assert _item_names(panels["reviews-to-score"]) == ["Committee Pick"]
    client.force_login(manager_a)
    panels = _panels(client.get(HOME))
    assert _item_names(panels["reviews-to-score"]) == ["Atlas Data"]  # the world's review_a


def test_empty_states(client, db):
    site = SiteFactory(slug="site-empty")
    with scopes_disabled():
        user = SiteMembershipFactory(site=site).user
    client.cookies["django_language"] = "en"
    client.force_login(user)
    response = client.get("/manage/site-empty/")
    assert all(panel["count"] == 0 and panel["items"] == [] for panel in _panels(response).values())
    html = response.content.decode()
    for text in [
        "Nothing to decide: no application has all its reviews scored.",
        "Nothing to assign: every application has its reviewers and their scores.",
        "Nothing to score: no review waits for your scores.",
        "Nothing to renew: no residency ends within 60 days.",
        "Nothing to let: every office in service is taken today.",
        f"Nothing to chase: every startup has declared {last_fiscal_year()}.",
        "Nothing to check in: no session of the site starts today.",
    ]:
        assert text in html, text


def test_a_panel_shows_five_and_counts_all(manager, site_a):
    with scopes_disabled():
        for n in range(7):
            OfficeFactory(site=site_a, number=f"Z-{n}")
    response = manager.get(HOME)
    panel = _panels(response)["offices-free"]
    assert _item_names(panel) == [f"Z-{n}" for n in range(5)]
    assert panel["count"] == 7
    assert "See all 7" in response.content.decode()


def test_home_reads_in_a_constant_number_of_queries(manager, manager_a, manager_b, site_a, world, settings):
    def count_queries() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert manager.get(HOME).status_code == 200
        return len(queries)

    # Five of each: every panel is full (a panel with fewer rows than it shows skips its count).
    _work(site_a, "One", manager=manager_a, copies=5)
    manager.get(HOME)  # warm up
    few = count_queries()
    _work(site_a, "Many", manager=manager_a, copies=6)
    many = count_queries()
    assert few == many
    panels = _panels(manager.get(HOME))
    assert all(panel["count"] > len(panel["items"]) == 5 for key, panel in panels.items() if key != "sessions-today")


def test_home_query_bound(manager, manager_a, manager_b, site_a, world, django_assert_max_num_queries):
    _work(site_a, "Many", manager=manager_a, copies=6)
    manager.get(HOME)
    with django_assert_max_num_queries(20):
        manager.get(HOME)


# --- The site manager's landing page ----------------------------------------------------------------
def test_landing_cards_count_each_sites_work(client, manager_a, manager_b, site_a, site_b, world):
    other = SiteFactory(slug="site-c", name_en="Technopark Gamma")
    with scopes_disabled():
        SiteMembershipFactory(site=other, user=manager_a, role=MembershipRole.COMMITTEE)
        Call.objects.create(site=other, kind="resident", title="Gamma call", opens_on=TODAY, closes_on=TODAY + DAY)
    with scopes_disabled():  # the world's residency at A does not end soon
        Admission.objects.filter(pk=world["admission_a"]).update(planned_end_on=TODAY + 400 * DAY)
    _work(site_a, "Alpha", manager=manager_a, copies=2)
    _work(other, "Gamma", manager=manager_a)
    _work(site_b, "Beta", manager=manager_b, copies=3)  # not manager_a's site
    client.cookies["django_language"] = "en"
    client.force_login(manager_a)
    response = client.get("/dashboard/")
    assert response.status_code == 200
    [(_template, panel)] = response.context["panels"]
    cards = {card["site"].slug: {figure.key: figure.count for figure in card["counts"]} for card in panel["cards"]}
    assert set(cards) == {"site-a", "site-c"}
    assert cards["site-a"] == {
        "applications-to-decide": 2,
        "applications-awaiting-reviews": 5,  # 2 to assign, 2 awaiting a score, and the world's Atlas Data
        "reviews-to-score": 3,
        "residencies-ending": 2,
        "offices-free": 2,
        "not-declared": 3,  # 2 e-Technopark members and the world's Atlas Data
        "sessions-today": 0,
    }
    assert cards["site-c"] == {
        "applications-to-decide": 1,
        "applications-awaiting-reviews": 2,
        "reviews-to-score": 1,
        "residencies-ending": 1,
        "offices-free": 1,
        "not-declared": 1,
        "sessions-today": 0,
    }
    html = response.content.decode()
    for link in [
        'href="/manage/site-a/"',
        'href="/manage/site-c/"',
        'href="/manage/site-a/applications/?status=under_review"',
        'href="/manage/site-c/reviews/"',
        'href="/manage/site-a/offices/"',
        'href="/manage/site-c/residents/ending/"',
        'href="/manage/site-a/services/"',
    ]:
        assert link in html, link
    assert "/manage/site-b/" not in html
    assert "Technopark Gamma" in html


def test_landing_reads_in_a_constant_number_of_queries(client, manager_a, manager_b, site_a, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(manager_a)

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/dashboard/").status_code == 200
        return len(queries)

    client.get("/dashboard/")
    few = count_queries()
    for n in range(3):
        site = SiteFactory(slug=f"more-{n}")
        with scopes_disabled():
            SiteMembershipFactory(site=site, user=manager_a)
            Call.objects.create(site=site, kind="resident", title="Call", opens_on=TODAY, closes_on=TODAY + DAY)
        _work(site, f"More{n}", manager=manager_a, copies=2)
    assert count_queries() == few


def test_landing_without_a_site(client, db):
    client.cookies["django_language"] = "en"
    client.force_login(UserFactory(role="site_manager"))
    response = client.get("/dashboard/")
    assert response.context["panels"][0][1] == {"cards": []}
    assert "You do not have a role at any site yet; head office grants it." in response.content.decode()
