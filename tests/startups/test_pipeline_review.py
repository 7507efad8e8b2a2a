"""The site managers' application pipeline, the committee review: reviewers, scores and
the weighted total, the whole workflow from submission to admission, committee members
who review but never manage, pitch decks. Calls, the list, decisions and isolation:
test_pipeline_decisions.py."""

import datetime
from decimal import Decimal

from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scope

from sites.models import MembershipRole
from startups import actions
from startups.models import (
    Admission,
    AdmissionKind,
    Application,
    ApplicationEvent,
    ApplicationStatus,
    Call,
    Review,
    Score,
)
from startups.scoring import application_scores, weighted_total, weighted_totals
from tests.factories import SiteMembershipFactory, StartupFactory, StartupMemberFactory, UserFactory

from . import pipeline_setup
from .pipeline_setup import EXPECTED_TOTAL, REVIEWER_1, REVIEWER_2, _criteria, _score, _score_data, decide

# The fixtures shared with the sibling modules: pytest finds a fixture by its name in the module.
_english = pipeline_setup._english
_media = pipeline_setup._media
committee_a = pipeline_setup.committee_a

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _client(client, user):
    client.logout()
    client.cookies["django_language"] = "en"
    client.force_login(user)
    return client


# --- Scoring ----------------------------------------------------------------------------
def test_weighted_total_by_hand(world, site_a, manager_a, committee_a, unscoped):
    application = Application.objects.get(pk=world["application_a"])
    review_1 = Review.objects.get(pk=world["review_a"])
    review_2 = Review.objects.create(application=application, site=site_a, reviewer=committee_a)
    _score(review_1, REVIEWER_1)
    _score(review_2, REVIEWER_2)
    # A third reviewer, assigned but not scored yet, counts for nothing.
    pending = SiteMembershipFactory(site=site_a, role=MembershipRole.COMMITTEE).user
    Review.objects.create(application=application, site=site_a, reviewer=pending)

    with scope(site=site_a.pk):
        scores = application_scores(application)
        totals = weighted_totals([application])

    assert scores["weighted_total"] == EXPECTED_TOTAL
    assert totals == {application.pk: EXPECTED_TOTAL}
    assert scores["submitted_count"] == 2
    averages = {row["criterion"].code: row["average"] for row in scores["criteria"]}
    assert averages == {
        "team": Decimal("4.50"),
        "innovation": Decimal("3.50"),
        "market": Decimal("4.00"),
        "fit": Decimal("2.00"),
    }
    assert [line["review"].reviewer for line in scores["reviews"]] == [manager_a, committee_a, pending]
    assert [cell.value for cell in scores["reviews"][0]["cells"]] == [4, 3, 5, 2]
    assert scores["reviews"][2]["cells"] == [None, None, None, None]


def test_weighted_total_edge_cases():
    assert weighted_total({}, {1: 3}) is None
    assert weighted_total({1: [], 2: []}, {1: 3, 2: 1}) is None
    # Only the criteria with scores weigh: (3×4 + 1×1) / 4 = 3.25
    assert weighted_total({1: [4], 2: [1], 3: []}, {1: 3, 2: 1, 3: 2}) == Decimal("3.25")
    # Rounded half up: (2×5 + 1×0 + ... ) → 10/3 = 3.333… → 3.33 ; 5/8 = 0.625 → 0.63
    assert weighted_total({1: [5], 2: [0]}, {1: 2, 2: 1}) == Decimal("3.33")
    assert weighted_total({1: [1, 0], 2: [1]}, {1: 3, 2: 1}) == Decimal("0.63")


# --- The whole workflow -------------------------------------------------------------------
def test_workflow_from_submission_to_admission(
    client, world, site_a, manager_a, committee_a, unscoped, django_capture_on_commit_callbacks
):
    founder = UserFactory(email="founder.c@example.ma", full_name="Karim Founder", language="ar")
    startup = StartupFactory(legal_name="Oasis Robotics SARL", brand_name="Oasis Robotics")
    StartupMemberFactory(startup=startup, user=founder)
    call = Call.objects.get(pk=world["call_a"])
    application = actions.application_start(actor=founder, call=call, startup=startup)
    actions.application_update(
        actor=founder,
        application=application,
        answers=dict.fromkeys(call.questions, "We automate date harvesting."),
        pitch_deck=SimpleUploadedFile("deck.pdf", PDF, content_type="application/pdf"),
    )
    actions.application_submit(actor=founder, application=application)
    base = f"/manage/site-a/applications/{application.pk}/"

    # The manager assigns two reviewers: themself and a committee member.
    client = _client(client, manager_a)
    assert client.post(f"{base}reviewers/", {"reviewer": manager_a.pk}).status_code == 302
    assert client.post(f"{base}reviewers/", {"reviewer": committee_a.pk}).status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.UNDER_REVIEW
    reviews = {review.reviewer: review for review in Review.objects.filter(application=application)}
    assert set(reviews) == {manager_a, committee_a}

    # Each reviewer scores on every criterion from "my reviews".
    response = client.get("/manage/site-a/reviews/")
    assert "Oasis Robotics" in response.content.decode()
    response = client.post(f"/manage/site-a/reviews/{reviews[manager_a].pk}/", _score_data(REVIEWER_1))
    assert response.status_code == 302
    client = _client(client, committee_a)
    response = client.post(f"/manage/site-a/reviews/{reviews[committee_a].pk}/", _score_data(REVIEWER_2, "Go."))
    assert response.status_code == 302
    assert Score.objects.filter(review__application=application).count() == 8
    assert Score.objects.get(review=reviews[committee_a], criterion__code="team").comment == "team: fine"

    # The manager sees the weighted total, computed by hand above, on the list and the page.
    # (Pages are in French by default: decimals are written with a comma.)
    client = _client(client, manager_a)
    response = client.get("/manage/site-a/applications/")
    assert (application, EXPECTED_TOTAL) in response.context["rows"]
    assert "3.81" in response.content.decode()
    response = client.get(base)
    assert response.context["scores"]["weighted_total"] == EXPECTED_TOTAL
    page = response.content.decode()
    assert "3.81" in page and "4.50" in page and "Salma Committee" in page

    # Decision: admitted as a resident from 1 September 2026 (confirmed on its own page),
    # founders emailed on commit.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = decide(client, f"{base}decision/", {"decision": "admit_resident", "starts_on": "2026-09-01"})
    assert response.status_code == 302
    assert response["Location"] == base
    assert callbacks, "the email goes out on commit"
    admission = Admission.objects.get(application=application)
    assert admission.kind == AdmissionKind.RESIDENT
    assert admission.starts_on == datetime.date(2026, 9, 1)
    assert admission.planned_end_on == datetime.date(2031, 9, 1)
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [founder.email]
    assert "تكنوبارك site-a" in email.body  # the site's name in the founder's language (Arabic)

    # The history lists every change with its actor.
    events = list(
        ApplicationEvent.objects.filter(application=application).values_list("from_status", "to_status", "actor")
    )
    assert events == [
        ("", "draft", founder.pk),
        ("draft", "submitted", founder.pk),
        ("submitted", "under_review", manager_a.pk),
        ("under_review", "admitted", manager_a.pk),
    ]
    page = client.get(base).content.decode()
    assert "Karim Founder" in page and manager_a.get_full_name() in page
    assert "Admit as resident" in page  # the decision is shown

    # Deciding twice: a clear message, no second admission, never a 500.
    data = {"decision": "reject", "reason": "Too late.", "confirm": "1"}
    response = client.post(f"{base}decision/", data, follow=True)
    assert response.status_code == 200
    assert "This application is not awaiting a decision." in response.content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.ADMITTED
    assert Admission.objects.filter(application=application).count() == 1

    # The pitch deck downloads as a PDF attachment.
    response = client.get(f"{base}pitch-deck/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == PDF


# --- Reviewers ----------------------------------------------------------------------------
def test_reviewer_choices_are_the_sites_managers_and_committee(
    client_for, world, site_a, site_b, manager_a, manager_b, committee_a, unscoped
):
    team_member = SiteMembershipFactory(site=site_a, role=MembershipRole.TEAM).user
    committee_b = SiteMembershipFactory(site=site_b, role=MembershipRole.COMMITTEE).user
    client = client_for("manager_a")
    url = f"/manage/site-a/applications/{world['application_a']}/"
    choices = set(client.get(url).context["assign_form"].fields["reviewer"].queryset)
    # manager_a already reviews application_a (world), so only the committee member is left.
    assert choices == {committee_a}
    assert not choices & {manager_b, committee_b, team_member}

    response = client.post(f"{url}reviewers/", {"reviewer": manager_b.pk})
    assert response.status_code == 200
    assert "reviewer" in response.context["assign_form"].errors
    response = client.post(f"{url}reviewers/", {"reviewer": "not-a-number"})
    assert response.status_code == 200
    assert not Review.objects.filter(reviewer__in=[manager_b, committee_b, team_member]).exists()


def test_only_the_assigned_reviewer_scores(client, client_for, world, committee_a, unscoped):
    url = f"/manage/site-a/reviews/{world['review_a']}/"
    scores = _score_data(REVIEWER_1)
    assert client_for("staff").post(url, scores).status_code == 404
    assert _client(client, committee_a).post(url, scores).status_code == 404
    assert not Score.objects.exists()
    client = client_for("manager_a")
    response = client.get(url)
    assert response.status_code == 200
    response = client.post(url, {**scores, f"score_{_criteria()['team'].pk}": 6})  # out of range
    assert response.status_code == 200
    assert not Score.objects.exists()
    assert client.post(url, scores).status_code == 302
    assert Score.objects.filter(review_id=world["review_a"]).count() == len(_criteria())


def test_scores_are_frozen_once_decided(client_for, world, unscoped):
    client = client_for("manager_a")
    decision = {"decision": "reject", "reason": "Not innovative enough."}
    assert (
        decide(client, f"/manage/site-a/applications/{world['application_a']}/decision/", decision).status_code == 302
    )
    url = f"/manage/site-a/reviews/{world['review_a']}/"
    assert client.get(url).status_code == 200
    response = client.post(url, _score_data(REVIEWER_1), follow=True)
    assert "A decision was already taken" in response.content.decode()
    assert not Score.objects.exists()


# --- Committee members: review, never manage ----------------------------------------------
def test_committee_member_reviews_but_does_not_manage(client, world, site_a, committee_a, unscoped):
    application = world["application_a"]
    review = Review.objects.create(application_id=application, site=site_a, reviewer=committee_a)
    client = _client(client, committee_a)
    for url in ("/manage/site-a/calls/", "/manage/site-a/applications/", f"/manage/site-a/applications/{application}/"):
        assert client.get(url).status_code == 200, url
    response = client.get(f"/manage/site-a/applications/{application}/")
    assert response.context["decision_form"] is None and response.context["assign_form"] is None
    assert client.get("/manage/site-a/calls/new/").status_code == 403
    assert client.get(f"/manage/site-a/calls/{world['call_a']}/edit/").status_code == 403
    assert client.post("/manage/site-a/calls/new/", {"title": "x"}).status_code == 403
    assert (
        client.post(f"/manage/site-a/applications/{application}/reviewers/", {"reviewer": committee_a.pk}).status_code
        == 403
    )
    decision_url = f"/manage/site-a/applications/{application}/decision/"
    assert client.post(decision_url, {"decision": "waitlist", "confirm": "1"}).status_code == 403
    assert client.get(decision_url, {"decision": "waitlist"}).status_code == 403  # not even the confirmation page
    assert Application.objects.get(pk=application).status == ApplicationStatus.SUBMITTED
    # …but scores what they were assigned.
    assert client.get("/manage/site-a/reviews/").status_code == 200
    assert client.post(f"/manage/site-a/reviews/{review.pk}/", _score_data(REVIEWER_2)).status_code == 302
    assert client.get("/network/calls/").status_code == 403


# --- Pitch deck -------------------------------------------------------------------------------
def test_pitch_deck_download(client, client_for, world, committee_a, unscoped):
    application = Application.objects.get(pk=world["application_a"])
    application.pitch_deck = SimpleUploadedFile("deck.pdf", PDF, content_type="application/pdf")
    application.save()
    url = f"/manage/site-a/applications/{application.pk}/pitch-deck/"
    for persona in ("manager_a", "staff"):
        response = client_for(persona).get(url)
        assert response.status_code == 200, persona
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == 'attachment; filename="pitch-deck-atlas-data.pdf"'
    assert _client(client, committee_a).get(url).status_code == 200
    for persona in ("manager_b", "founder_a", "outsider"):
        assert client_for(persona).get(url).status_code == 404, persona
    # Listed but gone from storage: 404, not 500.
    application.pitch_deck.storage.delete(application.pitch_deck.name)
    assert client_for("manager_a").get(url).status_code == 404
