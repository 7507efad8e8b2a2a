"""The survey's form behind its one-click signed link (surveys/campaign.py, surveys/views.py):
the link's round trip, the answer saved and changed (audited), the form's validation, every
refused link answered alike (400) without telling anything, the rate limit, and the
founder's landing page that leads to it while the invitation takes answers."""

import datetime
import re

import pytest
from django.core import signing
from django.utils import timezone, translation
from django.utils.html import escape

from core.models import AuditEntry
from startups.models import StartupMember
from surveys import campaign
from surveys.models import QUESTION, SurveyAnswer
from surveys.selectors import link_of
from surveys.views import LIMIT
from tests.factories import StartupMemberFactory, UserFactory

from .survey_setup import answer, founded_startup, invite, link

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]


@pytest.fixture
def invited(site_a, founder_a):
    startup, _user = founded_startup(site_a, founder=founder_a, name="Atlas Data")
    return invite(startup, site_a)


def _text(response) -> str:
    return response.content.decode()


# --- Round trip ------------------------------------------------------------------------------
def test_a_link_names_its_invitation_and_founder_and_nothing_else(invited, founder_a):
    token = campaign.answer_token(invitation_id=invited.pk, user_id=founder_a.pk)
    assert campaign.read_token(token) == (invited.pk, founder_a.pk)
    # Ids only (the link is signed, not secret: it says nothing of the startup or the site).
    assert signing.loads(token, salt=campaign.LINK_SALT) == {"i": invited.pk, "u": founder_a.pk}
    found = link_of(token)
    assert found.invitation == invited and found.founder.user == founder_a
    # Each founder has their own link.
    assert campaign.answer_token(invitation_id=invited.pk, user_id=founder_a.pk + 1) != token


def test_the_link_opens_the_form_without_signing_in(client, invited, founder_a):
    response = client.get(link(invited, founder_a))
    assert response.status_code == 200
    page = _text(response)
    assert "Atlas Data" in page and invited.site.name in page
    with translation.override("fr"):  # the page's language: French, the default
        assert escape(str(QUESTION)) in page
    assert "no-store" in response["Cache-Control"] and 'name="robots" content="noindex' in page


def test_an_answer_is_saved_then_changed_and_audited(client, invited, founder_a, site_a):
    url = link(invited, founder_a)
    data = {"score": "9", "helped_most": "Le mentorat", "to_improve": "", "comment": "Très bien"}
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"] == url
    saved = SurveyAnswer.objects.get()
    assert (saved.score, saved.comment, saved.helped_most, saved.answered_by) == (
        9,
        "Très bien",
        "Le mentorat",
        founder_a,
    )
    assert (saved.site, saved.startup_id, saved.year, saved.invitation) == (
        site_a,
        invited.startup_id,
        invited.year,
        invited,
    )
    assert "9" in _text(client.get(url))  # shown again, to be changed

    assert client.post(url, {"score": "4", "comment": "Moins bien"}).status_code == 302
    changed = SurveyAnswer.objects.get()
    assert (changed.pk, changed.score, changed.comment, changed.helped_most) == (saved.pk, 4, "Moins bien", "")
    entries = AuditEntry.objects.filter(object_id=str(saved.pk), content_type__app_label="surveys").order_by("pk")
    assert [(entry.action, entry.actor, entry.site_id) for entry in entries] == [
        ("create", founder_a, site_a.pk),
        ("update", founder_a, site_a.pk),
    ]
    assert entries[1].changes["score"] == [9, 4]


def test_a_second_founder_changes_the_same_answer(client, invited, founder_a):
    other = StartupMemberFactory(startup=invited.startup).user
    client.post(link(invited, founder_a), {"score": "10"})
    client.post(link(invited, other), {"score": "6"})
    assert list(SurveyAnswer.objects.values_list("score", "answered_by")) == [(6, other.pk)]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "score"),
        ({"score": ""}, "score"),
        ({"score": "11"}, "score"),
        ({"score": "-1"}, "score"),
        ({"score": "7.5"}, "score"),
        ({"score": "dix"}, "score"),
        ({"score": "8", "comment": "x" * 2001}, "comment"),
    ],
)
def test_the_score_from_0_to_10_is_required(client, invited, founder_a, data, field):
    response = client.post(link(invited, founder_a), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not SurveyAnswer.objects.exists()


@pytest.mark.parametrize("score", [0, 10])
def test_the_ends_of_the_scale_are_scores(client, invited, founder_a, score):
    assert client.post(link(invited, founder_a), {"score": str(score)}).status_code == 302
    assert SurveyAnswer.objects.get().score == score


# --- Refused links ---------------------------------------------------------------------------
def _refused_tokens(invited, founder_a) -> dict[str, str]:
    good = campaign.answer_token(invitation_id=invited.pk, user_id=founder_a.pk)
    payload = {"i": invited.pk, "u": founder_a.pk}
    return {
        "altered": good[:-1] + ("A" if good[-1] != "A" else "B"),
        "truncated": good[: len(good) // 2],
        "made up": "not-a-survey-link",
        "another salt": signing.dumps(payload, salt="accounts.lockout.unlock"),
        "not a dict": signing.dumps([invited.pk, founder_a.pk], salt=campaign.LINK_SALT),
        "text ids": signing.dumps({"i": str(invited.pk), "u": str(founder_a.pk)}, salt=campaign.LINK_SALT),
        "extra key": signing.dumps({**payload, "admin": True}, salt=campaign.LINK_SALT),
        "no such invitation": campaign.answer_token(invitation_id=invited.pk + 1000, user_id=founder_a.pk),
        "not a founder": campaign.answer_token(invitation_id=invited.pk, user_id=UserFactory().pk),
    }


def test_every_refused_link_gets_the_same_page_that_tells_nothing(client, invited, founder_a):
    pages = set()
    for case, token in _refused_tokens(invited, founder_a).items():
        url = f"/surveys/{token}/"
        for response in (client.get(url), client.post(url, {"score": "9"})):
            assert response.status_code == 400, case
            page = _text(response)
            assert "Atlas" not in page and invited.site.name not in page, case
            # Word for word the same but for what every page varies: its nonce, its CSRF
            # token and its own address (the language switcher's `next`).
            pages.add(re.sub(r'(nonce|value)="[^"]*"', "", page))
    assert len(pages) == 1
    assert not SurveyAnswer.objects.exists()


def test_an_expired_link_is_refused(client, invited, founder_a, monkeypatch):
    past = int((timezone.now() - campaign.LINK_MAX_AGE - datetime.timedelta(minutes=1)).timestamp())
    with monkeypatch.context() as patched:
        patched.setattr(signing.TimestampSigner, "timestamp", lambda self: signing.b62_encode(past))
        token = campaign.answer_token(invitation_id=invited.pk, user_id=founder_a.pk)
    assert campaign.read_token(token) is None
    assert client.get(f"/surveys/{token}/").status_code == 400


def test_an_invitation_past_its_days_refuses_its_link(client, site_a, founder_a):
    startup, _user = founded_startup(site_a, founder=founder_a)
    old = invite(startup, site_a, sent_at=timezone.now() - datetime.timedelta(days=campaign.ANSWER_DAYS + 1))
    assert client.get(link(old, founder_a)).status_code == 400
    assert client.post(link(old, founder_a), {"score": "9"}).status_code == 400
    assert not SurveyAnswer.objects.exists()


def test_a_founder_who_left_the_team_or_whose_account_is_closed_is_refused(client, invited, founder_a):
    url = link(invited, founder_a)
    founder_a.is_active = False
    founder_a.save(update_fields=["is_active"])
    assert client.get(url).status_code == 400
    founder_a.is_active = True
    founder_a.save(update_fields=["is_active"])
    assert client.get(url).status_code == 200
    StartupMember.objects.filter(user=founder_a).update(role="member")
    assert client.get(url).status_code == 400


def test_a_wrong_signature_reads_nothing(invited, founder_a, django_assert_num_queries):
    for token in list(_refused_tokens(invited, founder_a).values())[:5]:
        with django_assert_num_queries(0):
            assert link_of(token) is None


def test_each_address_may_open_the_form_so_many_times(client, invited, founder_a):
    url = link(invited, founder_a)
    for _attempt in range(LIMIT):
        assert client.get("/surveys/made-up/").status_code == 400
    response = client.get(url)
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert client.post(url, {"score": "9"}).status_code == 429
    assert not SurveyAnswer.objects.exists()


def test_the_form_page_reads_a_bounded_number_of_queries(client, invited, founder_a, django_assert_max_num_queries):
    url = link(invited, founder_a)
    client.get(url)
    with django_assert_max_num_queries(8):
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(20):  # the checks of full_clean, the lock, the audit row
        assert client.post(url, {"score": "8", "comment": "Bien"}).status_code == 302


# --- The founder's landing page -------------------------------------------------------------
def test_the_founders_landing_page_leads_to_the_survey_while_it_takes_answers(client_for, invited, founder_a, site_a):
    page = _text(client_for("founder_a").get("/dashboard/"))
    match = re.search(r'href="(/surveys/[^"]+/)"', page)
    assert match and "Atlas Data" in page
    client = client_for("founder_a")
    assert client.post(match.group(1), {"score": "9"}).status_code == 302
    assert "9/10" in _text(client.get("/dashboard/"))

    # Past its days, or not a founder: no survey on the page.
    SurveyAnswer.objects.all().delete()
    invited.__class__.objects.filter(pk=invited.pk).update(
        sent_at=timezone.now() - datetime.timedelta(days=campaign.ANSWER_DAYS + 2)
    )
    assert "/surveys/" not in _text(client.get("/dashboard/"))


def test_a_team_member_who_is_not_a_founder_is_not_asked(client, invited, site_a):
    member = StartupMemberFactory(startup=invited.startup, role="member").user
    client.force_login(member)
    assert "/surveys/" not in _text(client.get("/dashboard/"))


def test_the_landing_panel_shows_the_answer_of_another_founder(client_for, invited, founder_a):
    other = StartupMemberFactory(startup=invited.startup).user
    answer(invited, 7, answered_by=other)
    assert "7/10" in _text(client_for("founder_a").get("/dashboard/"))
