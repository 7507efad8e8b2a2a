"""Demo answers to the yearly survey (surveys/demo.py): last year's campaign and this year's
once open, about two in three startups answering with a spread of scores and comments in
French and Arabic; seeding again creates nothing."""

import datetime

import pytest

from surveys.demo import seed_surveys
from surveys.models import SurveyAnswer, SurveyInvitation
from tests.factories import AdmissionFactory, SiteFactory, StartupFactory, StartupMemberFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]


def _network():
    sites = [SiteFactory(slug="casablanca"), SiteFactory(slug="rabat")]
    for number in range(60):
        startup = StartupFactory(brand_name=f"S{number}")
        if number % 3:
            StartupMemberFactory(startup=startup)
        AdmissionFactory(
            startup=startup,
            site=sites[number % 2],
            starts_on=datetime.date(2024, 1, 1) if number < 50 else datetime.date(2026, 9, 1),
        )


def test_two_campaigns_with_a_realistic_spread_once():
    _network()
    created = seed_surveys(today=datetime.date(2026, 11, 15))
    assert created == SurveyAnswer.objects.count() > 0
    assert set(SurveyInvitation.objects.values_list("year", flat=True)) == {2025, 2026}
    assert SurveyInvitation.objects.filter(year=2025).count() == 50  # the 10 admitted in 2026 were not there
    assert SurveyInvitation.objects.filter(year=2026).count() == 60
    assert 0.5 < created / SurveyInvitation.objects.count() < 0.8
    scores = set(SurveyAnswer.objects.values_list("score", flat=True))
    assert scores & {9, 10} and scores & {7, 8} and scores & set(range(7))
    comments = list(SurveyAnswer.objects.exclude(comment="").values_list("comment", flat=True))
    assert any("\u0600" <= letter <= "\u06ff" for comment in comments for letter in comment)
    assert any("é" in comment for comment in comments)
    latest = SurveyAnswer.objects.filter(year=2026).order_by("-answered_at").first()
    assert latest.answered_at.date() < datetime.date(2026, 11, 15)
    assert SurveyAnswer.objects.filter(answered_by__isnull=False).exists()
    assert seed_surveys(today=datetime.date(2026, 11, 15)) == 0


def test_before_the_campaign_only_last_years_is_seeded():
    _network()
    seed_surveys(today=datetime.date(2026, 6, 1))
    assert set(SurveyInvitation.objects.values_list("year", flat=True)) == {2025}
