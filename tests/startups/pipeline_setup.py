"""Shared set-up of the application pipeline's tests (test_pipeline_*.py): English pages,
uploads in a temporary folder, site A's committee member, a hand-computed review example
and the helpers that score a review."""

import datetime
from decimal import Decimal

import pytest
from django_scopes import scopes_disabled

from sites.models import MembershipRole
from startups.models import Criterion, Review, Score
from tests.factories import SiteMembershipFactory

# Hand-computed example with the default criteria (team ×3, innovation ×2, market ×2, fit ×1):
#   reviewer 1: team 4, innovation 3, market 5, fit 2
#   reviewer 2: team 5, innovation 4, market 3, fit 2
#   averages:   team 4.5, innovation 3.5, market 4.0, fit 2.0
#   weighted:   (3×4.5 + 2×3.5 + 2×4.0 + 1×2.0) / (3+2+2+1) = 30.5 / 8 = 3.8125 → 3.81
REVIEWER_1 = {"team": 4, "innovation": 3, "market": 5, "fit": 2}
REVIEWER_2 = {"team": 5, "innovation": 4, "market": 3, "fit": 2}
EXPECTED_TOTAL = Decimal("3.81")


@pytest.fixture(autouse=True)
def _english(client):
    # Assertions read English labels; the portal's default language is French.
    client.cookies["django_language"] = "en"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def committee_a(site_a):
    with scopes_disabled():
        return SiteMembershipFactory(
            site=site_a,
            role=MembershipRole.COMMITTEE,
            user__email="committee.a@example.ma",
            user__full_name="Salma Committee",
        ).user


def _criteria() -> dict[str, Criterion]:
    return {criterion.code: criterion for criterion in Criterion.objects.filter(is_active=True)}


def _score_data(values: dict[str, int], comment: str = "Solid team.") -> dict:
    data = {"comment": comment}
    for code, criterion in _criteria().items():
        data[f"score_{criterion.pk}"] = values[code]
        data[f"comment_{criterion.pk}"] = f"{code}: fine"
    return data


def _score(review: Review, values: dict[str, int]) -> None:
    """Set-up shortcut: a submitted review with these scores."""
    criteria = _criteria()
    for code, value in values.items():
        Score.objects.create(review=review, site=review.site, criterion=criteria[code], value=value)
    review.submitted_at = datetime.datetime.now(datetime.UTC)
    review.save()


def decide(client, url: str, data: dict, **kwargs):
    """A decision in its two steps: the confirmation page (the form's values posted,
    nothing changes), then its Confirm button (the same values posted with `confirm`)."""
    page = client.post(url, data)
    assert page.status_code == 200, page.status_code
    assert "Confirm the decision" in page.content.decode()
    return client.post(url, {**data, "confirm": "1"}, **kwargs)
