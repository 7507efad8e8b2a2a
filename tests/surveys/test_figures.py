"""The survey's figures worked out by hand (surveys.selectors.NpsRow, nps_by_site_year,
nps_total): answers, response rate, promoters, passives, detractors and the NPS per site and
year, in one query; the NPS of no answer is None, never 0; halves round away from zero."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django_scopes import scope, scopes_disabled

from sites.scoping import network_scope
from surveys.models import SurveyAnswer, SurveyInvitation, category
from surveys.selectors import NpsRow, latest_comments, nps_by_site_year, nps_total

from .survey_setup import answer, founded_startup, invite

pytestmark = pytest.mark.django_db


@pytest.fixture
def answers(site_a, site_b):
    """Site A, 2026: six startups asked, five answered 10, 9, 9, 7, 3 → promoters 3, passives
    1, detractors 1; NPS (3 − 1) / 5 = +40; response 5/6.
    Site B, 2026: three asked, all answered 2, 5, 8 → 0 promoters, 1 passive, 2 detractors;
    NPS −2/3 = −66.7 → −67. Site B, 2025: two asked, none answered → NPS None, response 0.
    Both sites, 2026: 9 asked, 8 answers, 3 promoters, 3 detractors → NPS 0, response 8/9."""
    with scopes_disabled():
        for index, score in enumerate([10, 9, 9, 7, 3, None]):
            startup, _user = founded_startup(site_a, name=f"A{index}")
            invitation = invite(startup, site_a, year=2026)
            if score is not None:
                answer(invitation, score, comment=f"Commentaire A{index}")
        for index, score in enumerate([2, 5, 8]):
            startup, _user = founded_startup(site_b, name=f"B{index}")
            answer(invite(startup, site_b, year=2026), score, comment="Commentaire du site B")
            if index < 2:
                invite(startup, site_b, year=2025)


def _rows(site_ids, years) -> dict[tuple[str, int], NpsRow]:
    with network_scope():
        return {(row.site_name, row.year): row for row in nps_by_site_year(site_ids=site_ids, years=years)}


def test_nps_per_site_and_year_by_hand(answers, site_a, site_b):
    rows = _rows(None, [2025, 2026])
    a, b, b_2025 = rows[(site_a.name, 2026)], rows[(site_b.name, 2026)], rows[(site_b.name, 2025)]
    assert (a.invited, a.answers, a.promoters, a.passives, a.detractors, a.nps) == (6, 5, 3, 1, 1, 40)
    assert a.response_rate == Decimal("0.8333")
    assert (b.invited, b.answers, b.promoters, b.passives, b.detractors, b.nps) == (3, 3, 0, 1, 2, -67)
    assert b.response_rate == Decimal("1.0000")
    assert (b_2025.invited, b_2025.answers, b_2025.nps, b_2025.response_rate) == (2, 0, None, Decimal("0.0000"))
    assert len(rows) == 3  # no row for A in 2025: nobody was asked

    total = nps_total(list(rows.values()), year=2026, label="Réseau")
    assert (total.site_id, total.site_name, total.invited, total.answers, total.nps) == (None, "Réseau", 9, 8, 0)
    assert total.response_rate == Decimal("0.8889")


def test_a_scope_reads_its_sites_only_in_one_query(answers, site_a, site_b):
    with CaptureQueriesContext(connection) as queries:
        rows = _rows([site_a.pk], [2026])
    assert len(queries) == 1
    assert list(rows) == [(site_a.name, 2026)]
    # In a site's scope, another site's rows are not there even when asked for.
    with scope(site=[site_a.pk]):
        assert {row.site_id for row in nps_by_site_year(site_ids=None, years=[2025, 2026])} == {site_a.pk}
        assert {answer.site_id for answer in SurveyAnswer.objects.all()} == {site_a.pk}


@pytest.mark.parametrize(
    ("promoters", "detractors", "answers", "nps"),
    [(1, 0, 8, 13), (0, 1, 8, -13), (2, 2, 4, 0), (4, 0, 4, 100), (0, 3, 3, -100), (0, 0, 0, None)],
)
def test_the_nps_is_a_whole_number_rounded_away_from_zero(promoters, detractors, answers, nps):
    row = NpsRow(None, "", 2026, answers, answers, promoters, detractors)
    assert row.nps == nps


def test_categories():
    assert [category(score) for score in range(11)] == ["detractor"] * 7 + ["passive"] * 2 + ["promoter"] * 2


def test_latest_comments_are_the_sites_newest_in_the_period(answers, site_a):
    with scope(site=[site_a.pk]):
        comments = latest_comments(
            site=site_a, date_from=datetime.date(2020, 1, 1), date_to=datetime.date.today(), limit=3
        )
        assert len(comments) == 3 and {comment.site_id for comment in comments} == {site_a.pk}
        assert comments == sorted(comments, key=lambda comment: (comment.answered_at, comment.pk), reverse=True)
        assert (
            latest_comments(site=site_a, date_from=datetime.date(2020, 1, 1), date_to=datetime.date(2020, 1, 2)) == []
        )


def test_one_answer_per_startup_site_and_year(answers, site_a):
    with scopes_disabled():
        invitation = SurveyInvitation.objects.filter(site=site_a, answer__isnull=False).first()
        saved = invitation.answer.pk
        with pytest.raises(IntegrityError), transaction.atomic():
            invite(invitation.startup, site_a, year=2026)
        with pytest.raises(IntegrityError), transaction.atomic():
            answer(invitation, 5)
        with pytest.raises(IntegrityError), transaction.atomic():
            SurveyAnswer.objects.filter(pk=saved).update(score=11)
