"""The demo's history looks like a real network over time (issue 18): exits spread over
the years rather than falling on one day, and exporters to Africa, elsewhere or both, so
that the export share and the share to Africa differ; and every site's pipeline has
applications at every stage, with the manager and committee reviewing and scoring them."""

import collections
import datetime
import itertools
import random

import pytest
from django_scopes import scopes_disabled

from accounts.demo import DOMAIN, seed_accounts
from sites.demo import seed_sites
from sites.models import Site, SiteStatus
from startups import demo
from startups.countries import includes_africa
from startups.demo_applications import ADMITTED_PER_SITE, STAGES, seed_applications
from startups.models import Application, ApplicationStatus, Criterion, Review
from startups.scoring import weighted_totals
from startups.selectors.calls import reviews_assigned
from tests.factories import AdmissionFactory, StartupFactory


def test_past_admissions_end_on_days_spread_over_time():
    rng = random.Random(7)
    starts = [demo.TODAY - datetime.timedelta(days=rng.randint(400, 9000)) for _ in range(3000)]
    ends = [demo._exit_day(rng, start) for start in starts]
    last = demo.TODAY - datetime.timedelta(days=30)
    assert all(start + datetime.timedelta(days=30) <= end <= last for start, end in zip(starts, ends, strict=True))
    busiest_day, busiest = collections.Counter(ends).most_common(1)[0]
    assert busiest < 30, f"{busiest} admissions end on {busiest_day}"  # it was hundreds on one day
    assert len({end.year for end in ends}) >= 20


def test_exporters_sell_to_africa_elsewhere_or_both():
    rng = random.Random(7)
    markets = [demo._export_markets(rng) for _ in range(2000)]
    africa = sum(includes_africa(countries) for countries in markets)
    elsewhere = sum(any(code in demo.ELSEWHERE for code in countries) for countries in markets)
    assert all(markets)  # an exporter exports somewhere
    assert 0.55 < africa / len(markets) < 0.75  # the share to Africa is not the export share
    assert 0.5 < elsewhere / len(markets) < 0.7


# --- The application pipeline: every stage at every site, with reviewers and scores ------------
@pytest.fixture
def demo_pipeline(db):
    """The demo sites and accounts, then the demo pipeline on a few factory startups
    (instead of the 3,000 of the full seed): len(STAGES) applicants per site and four
    residents per site, some of them admitted through last year's call."""
    with scopes_disabled():
        seed_sites()
        accounts = seed_accounts()
        sites = {site.slug: site for site in Site.objects.filter(status=SiteStatus.OPERATIONAL)}
        pipeline = [(StartupFactory(), slug) for slug in sites for _stage in STAGES]
        residents = []
        for site in sites.values():
            for n in range(4):
                admission = AdmissionFactory(site=site, starts_on=demo.TODAY - datetime.timedelta(days=60 + 50 * n))
                residents.append((admission.startup, admission))
        created = seed_applications(random.Random(2028), sites, pipeline, residents)
    return {"sites": sites, "managers": accounts["managers"], "created": created}


def test_every_stage_is_at_every_site_across_its_calls(demo_pipeline):
    with scopes_disabled():
        for site in demo_pipeline["sites"].values():
            applications = Application.objects.filter(site=site)
            assert set(applications.values_list("status", flat=True)) == set(ApplicationStatus.values), site.slug
            assert applications.values("call").distinct().count() == 3  # this year's, last year's, the network's
            assert applications.filter(status=ApplicationStatus.ADMITTED).count() == ADMITTED_PER_SITE
            for application in applications.exclude(status=ApplicationStatus.DRAFT):
                assert application.submitted_at and application.answers
            assert not applications.filter(status=ApplicationStatus.DRAFT, submitted_at__isnull=False).exists()
        assert demo_pipeline["created"] == Application.objects.count()


def test_reviews_have_scores_pending_under_review_complete_once_decided(demo_pipeline):
    criteria = set(Criterion.objects.filter(is_active=True).values_list("pk", flat=True))
    assert criteria  # from the data migration
    decided = [ApplicationStatus.WAITLISTED, ApplicationStatus.ADMITTED, ApplicationStatus.REJECTED]
    with scopes_disabled():
        for review in Review.objects.prefetch_related("scores"):
            scores = list(review.scores.all())
            if review.submitted_at is None:
                assert not scores and not review.comment
            else:
                assert {score.criterion_id for score in scores} == criteria
                assert all(0 <= score.value <= 5 for score in scores)
                assert review.assigned_at <= review.submitted_at
        for site in demo_pipeline["sites"].values():
            applications = Application.objects.filter(site=site)
            for application in applications.filter(status__in=decided).prefetch_related("reviews"):
                reviews = list(application.reviews.all())
                assert len(reviews) >= 2 and all(review.submitted_at for review in reviews)
                assert weighted_totals([application])[application.pk] is not None
                assert application.decision and application.decided_at > max(r.submitted_at for r in reviews)
            mixed = 0
            for application in applications.filter(status=ApplicationStatus.UNDER_REVIEW).prefetch_related("reviews"):
                scored = [review.submitted_at is not None for review in application.reviews.all()]
                assert scored  # under review: somebody is assigned
                mixed += any(scored) and not all(scored)
            assert mixed >= 2, site.slug
            assert not Review.objects.filter(
                application__in=applications.filter(
                    status__in=[ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED, ApplicationStatus.WITHDRAWN]
                )
            ).exists()
            assert applications.get(status=ApplicationStatus.REJECTED, call__closes_on__gt=demo.TODAY).decision_reason


def test_each_sites_manager_has_reviews_to_score_and_scored(demo_pipeline):
    with scopes_disabled():
        for manager, site in zip(demo_pipeline["managers"], demo_pipeline["sites"].values(), strict=True):
            assert manager.email == f"manager.{site.slug}@{DOMAIN}"
            mine = reviews_assigned(site=site, reviewer=manager)
            assert mine.filter(submitted_at__isnull=True, application__status=ApplicationStatus.UNDER_REVIEW).exists()
            assert mine.filter(submitted_at__isnull=False).exists()
            committee = Review.objects.filter(site=site).exclude(reviewer=manager)
            assert committee.values("reviewer").distinct().count() == 2  # the two committee members


def test_admitted_applications_are_residencies_that_started_after_the_decision(demo_pipeline):
    with scopes_disabled():
        admitted = Application.objects.filter(status=ApplicationStatus.ADMITTED).select_related("admission", "call")
        assert admitted
        for application in admitted:
            assert application.call.closes_on < demo.TODAY  # last year's call
            assert application.admission.startup_id == application.startup_id
            assert application.admission.starts_on > application.decided_at.date()


def test_status_changes_tell_each_applications_story_in_order(demo_pipeline):
    with scopes_disabled():
        for application in Application.objects.prefetch_related("events"):
            events = list(application.events.all())
            assert events[0].from_status == "" and events[0].to_status == ApplicationStatus.DRAFT
            assert events[-1].to_status == application.status
            assert all(one.to_status == other.from_status for one, other in itertools.pairwise(events))
            times = [event.created_at for event in events]
            assert times == sorted(times)


def test_the_managers_my_reviews_page_lists_them(client, demo_pipeline):
    manager = demo_pipeline["managers"][0]
    client.force_login(manager)
    client.cookies["django_language"] = "en"
    slug = manager.email.split("@")[0].removeprefix("manager.")
    response = client.get(f"/manage/{slug}/reviews/")
    assert response.status_code == 200
    with scopes_disabled():
        names = [review.application.startup.brand_name for review in Review.objects.filter(reviewer=manager)]
    assert names and all(name in response.content.decode() for name in names)
