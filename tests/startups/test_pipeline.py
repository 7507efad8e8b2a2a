"""The site managers' application pipeline: calls, applications by status, committee review
(reviewers, scores, weighted total), decisions, pitch decks, and who may do what."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope, scopes_disabled

from core.models import AuditEntry
from sites.models import MembershipRole
from startups import actions
from startups.models import (
    Admission,
    AdmissionKind,
    Application,
    ApplicationEvent,
    ApplicationStatus,
    Call,
    Criterion,
    Review,
    Score,
)
from startups.scoring import application_scores, weighted_total, weighted_totals
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    SiteMembershipFactory,
    StartupFactory,
    StartupMemberFactory,
    UserFactory,
)
from tests.querycount import settle

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
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

    # Decision: admitted as a resident from 1 September 2026, founders emailed on commit.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(f"{base}decision/", {"decision": "admit_resident", "starts_on": "2026-09-01"})
    assert response.status_code == 302
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
    response = client.post(f"{base}decision/", {"decision": "reject", "reason": "Too late."}, follow=True)
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


# --- Decisions ----------------------------------------------------------------------------
def test_reject_needs_a_reason(client_for, world, unscoped):
    client = client_for("manager_a")
    url = f"/manage/site-a/applications/{world['application_a']}/decision/"
    response = client.post(url, {"decision": "reject", "reason": "  "})
    assert response.status_code == 200
    assert "Give the reason for the rejection" in response.content.decode()
    application = Application.objects.get(pk=world["application_a"])
    assert application.status == ApplicationStatus.SUBMITTED

    response = client.post(url, {"decision": "reject", "reason": "Outside the site's vocation."})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REJECTED
    assert application.decision_reason == "Outside the site's vocation."
    event = ApplicationEvent.objects.filter(application=application).last()
    assert (event.to_status, event.note) == ("rejected", "Outside the site's vocation.")


def test_waitlist_then_admit_as_etechnopark(client_for, world, unscoped):
    client = client_for("manager_a")
    url = f"/manage/site-a/applications/{world['application_a']}/decision/"
    assert client.post(url, {"decision": "waitlist", "starts_on": "2026-01-01"}).status_code == 302
    response = client.post(url, {"decision": "waitlist"}, follow=True)
    assert "already waitlisted" in response.content.decode()
    assert client.post(url, {"decision": "admit_etechnopark"}).status_code == 302
    admission = Admission.objects.get(application_id=world["application_a"])
    assert admission.kind == AdmissionKind.ETECHNOPARK and admission.planned_end_on is None


def test_a_conflicting_admission_is_a_message_not_a_500(client_for, world, unscoped):
    """founder_a's startup is already a resident of site A: admitting it again conflicts."""
    client = client_for("manager_a")
    url = f"/manage/site-a/applications/{world['application_a']}/decision/"
    response = client.post(url, {"decision": "admit_resident"}, follow=True)
    assert response.status_code == 200
    assert "already admitted at this site" in response.content.decode()
    assert Application.objects.get(pk=world["application_a"]).status == ApplicationStatus.SUBMITTED
    assert not Admission.objects.filter(application_id=world["application_a"]).exists()


def test_bad_decision_input_is_a_form_error(client_for, world):
    client = client_for("manager_a")
    url = f"/manage/site-a/applications/{world['application_a']}/decision/"
    response = client.post(url, {"decision": "promote", "starts_on": "not-a-date"})
    assert response.status_code == 200
    assert response.context["decision_form"].errors.keys() == {"decision", "starts_on"}
    assert client.get(url).status_code == 405


# --- Calls ------------------------------------------------------------------------------
def test_call_form_validation_and_save(client_for, world, site_a, unscoped):
    client = client_for("manager_a")
    data = {
        "title": "Résidence Green Tech 2027",
        "description": "For green tech startups.",
        "kind": "resident",
        "opens_on": "2027-03-01",
        "closes_on": "2027-02-01",
        "questions_text": "What problem do you solve?\n\n  Who are your customers?  \nWhat problem do you solve?\n",
    }
    response = client.post("/manage/site-a/calls/new/", data)
    assert response.status_code == 200
    assert "The call cannot close before it opens." in response.content.decode()
    assert response.context["form"]["title"].value() == "Résidence Green Tech 2027"  # nothing typed is lost
    assert not Call.objects.filter(title=data["title"]).exists()

    response = client.post("/manage/site-a/calls/new/", {**data, "title": "", "opens_on": "31/31/2027"})
    assert response.status_code == 200
    assert {"title", "opens_on"} <= set(response.context["form"].errors)

    response = client.post("/manage/site-a/calls/new/", {**data, "closes_on": "2027-04-30"})
    assert response.status_code == 302
    call = Call.objects.get(title=data["title"])
    assert call.site == site_a and call.kind == "resident"
    assert call.questions == ["What problem do you solve?", "Who are your customers?"]
    assert AuditEntry.objects.filter(object_id=str(call.pk), action=AuditEntry.Action.CREATE, site=site_a).exists()

    response = client.get(f"/manage/site-a/calls/{call.pk}/edit/")
    assert "Who are your customers?" in response.content.decode()
    response = client.post(f"/manage/site-a/calls/{call.pk}/edit/", {**data, "closes_on": "2027-05-31"})
    assert response.status_code == 302
    call.refresh_from_db()
    assert call.closes_on == datetime.date(2027, 5, 31)
    assert AuditEntry.objects.filter(object_id=str(call.pk), action=AuditEntry.Action.UPDATE).exists()


def test_calls_list_shows_only_the_sites_calls(client_for, world, unscoped):
    client = client_for("manager_a")
    page = client.get("/manage/site-a/calls/").content.decode()
    assert "Résidence Casablanca 2026" in page
    assert "Résidence Rabat 2026" not in page
    assert "e-Technopark 2026" not in page
    assert client.get(f"/manage/site-a/calls/{world['call_b']}/edit/").status_code == 404
    assert client.get(f"/manage/site-a/calls/{world['call_network']}/edit/").status_code == 404


def test_calls_list_empty_state(client, site_a, manager_a):
    client.force_login(manager_a)
    assert "No call for applications yet." in client.get("/manage/site-a/calls/").content.decode()


def test_head_office_manages_network_calls(client_for, world, unscoped):
    client = client_for("staff")
    page = client.get("/network/calls/").content.decode()
    assert "e-Technopark 2026" in page and "Résidence Casablanca 2026" not in page
    data = {
        "title": "e-Technopark 2027",
        "opens_on": "2027-01-01",
        "closes_on": "2027-03-31",
        "kind": "resident",  # ignored: a network call is always e-Technopark
        "questions_text": "Which region are you in?",
    }
    assert client.post("/network/calls/new/", data).status_code == 302
    call = Call.objects.get(title="e-Technopark 2027")
    assert call.site is None and call.kind == "e-technopark" and call.questions == ["Which region are you in?"]
    assert AuditEntry.objects.filter(object_id=str(call.pk), content_type__model="call").exists()
    assert client.get(f"/network/calls/{world['call_a']}/edit/").status_code == 404  # a site's call
    response = client.post(f"/network/calls/{call.pk}/edit/", {**data, "closes_on": "2026-12-01"})
    assert response.status_code == 200
    assert "The call cannot close before it opens." in response.content.decode()


# --- Pipeline list --------------------------------------------------------------------------
def test_pipeline_groups_by_status_and_hides_drafts(client_for, world, site_a, unscoped):
    call = Call.objects.get(pk=world["call_a"])
    ApplicationFactory(call=call, startup=StartupFactory(brand_name="Draft Co"), status="draft", submitted_at=None)
    ApplicationFactory(call=call, startup=StartupFactory(brand_name="Zagora Solar"), status="rejected")
    ApplicationFactory(call=call, startup=StartupFactory(brand_name="Fes Fintech"), status="waitlisted")
    draft = Application.objects.get(startup__brand_name="Draft Co")
    client = client_for("manager_a")

    response = client.get("/manage/site-a/applications/")
    page = response.content.decode()
    assert "Draft Co" not in page and "Zagora Solar" in page and "Atlas Data" in page
    counts = {tab["value"]: tab["count"] for tab in response.context["tabs"]}
    assert counts == {
        "": 3,
        "submitted": 1,
        "under_review": 0,
        "waitlisted": 1,
        "admitted": 0,
        "rejected": 1,
        "withdrawn": 0,
    }
    page = client.get("/manage/site-a/applications/?status=rejected").content.decode()
    assert "Zagora Solar" in page and "Atlas Data" not in page
    page = client.get("/manage/site-a/applications/?q=fes").content.decode()
    assert "Fes Fintech" in page and "Zagora Solar" not in page
    page = client.get("/manage/site-a/applications/?q=souss").content.decode()  # site B's startup
    assert "No application matches these filters." in page
    # Bad parameters are ignored, never a 500.
    assert client.get("/manage/site-a/applications/?status=draft&page=zz").status_code == 200
    assert client.get(f"/manage/site-a/applications/{draft.pk}/").status_code == 404
    assert client.get("/manage/site-a/applications/999999/").status_code == 404


def _applications_with_scores(site, call, count: int, reviewers) -> None:
    for _ in range(count):
        application = ApplicationFactory(call=call, startup=StartupFactory())
        for reviewer in reviewers:
            review = Review.objects.create(application=application, site=site, reviewer=reviewer)
            _score(review, REVIEWER_1)


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context)


def test_pipeline_list_queries_do_not_grow(client, site_a, manager_a, committee_a, django_assert_max_num_queries):
    with scopes_disabled():
        call = CallFactory(site=site_a)
        _applications_with_scores(site_a, call, 1, [manager_a, committee_a])
    client.force_login(manager_a)
    url = "/manage/site-a/applications/"
    client.get(url)  # warm caches (content types, session)
    settle(client)
    one = _queries(client, url)
    with scopes_disabled():
        _applications_with_scores(site_a, call, 29, [manager_a, committee_a])
    assert _queries(client, url) == one
    with django_assert_max_num_queries(one):
        response = client.get(url)
    assert len(response.context["rows"]) == 25  # paginated
    # Both reviewers gave REVIEWER_1's scores: (3×4 + 2×3 + 2×5 + 1×2) / 8 = 3.75
    assert all(total == Decimal("3.75") for _, total in response.context["rows"])


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
    assert client.post(f"/manage/site-a/applications/{world['application_a']}/decision/", decision).status_code == 302
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
    response = client.post(f"/manage/site-a/applications/{application}/decision/", {"decision": "waitlist"})
    assert response.status_code == 403
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


# --- Isolation between sites ----------------------------------------------------------------
def test_manager_b_cannot_reach_site_a_rows_through_site_b(client_for, world, unscoped):
    """Through their own site's URLs, site A's ids are 404 for manager_b, on every route."""
    client = client_for("manager_b")
    application, review, call = world["application_a"], world["review_a"], world["call_a"]
    gets = [
        f"/manage/site-b/calls/{call}/edit/",
        f"/manage/site-b/applications/{application}/",
        f"/manage/site-b/applications/{application}/pitch-deck/",
        f"/manage/site-b/reviews/{review}/",
    ]
    for url in gets:
        assert client.get(url).status_code == 404, url
    posts = {
        f"/manage/site-b/calls/{call}/edit/": {
            "title": "Hijacked",
            "opens_on": "2026-01-01",
            "closes_on": "2026-02-01",
        },
        f"/manage/site-b/applications/{application}/reviewers/": {"reviewer": world["membership"]},
        f"/manage/site-b/applications/{application}/decision/": {"decision": "reject", "reason": "Not yours."},
        f"/manage/site-b/reviews/{review}/": _score_data(REVIEWER_1),
    }
    for url, data in posts.items():
        assert client.post(url, data).status_code == 404, url
    # …and through site A's URLs the middleware answers 404 before any view runs.
    for url in gets + list(posts):
        assert client.get(url.replace("site-b", "site-a")).status_code == 404, url
    # Site B's own pages never list site A's rows.
    page = client.get("/manage/site-b/applications/").content.decode()
    assert "Souss Agri" in page and "Atlas Data" not in page
    page = client.get("/manage/site-b/calls/").content.decode()
    assert "Résidence Rabat 2026" in page and "Casablanca" not in page
    assert "Atlas Data" not in client.get("/manage/site-b/reviews/").content.decode()
    assert Application.objects.get(pk=application).status == ApplicationStatus.SUBMITTED
    assert Call.objects.get(pk=call).title == "Résidence Casablanca 2026"
    assert not Score.objects.exists()


def test_questions_are_frozen_once_startups_applied(world, manager_a, unscoped):
    from django.core.exceptions import ValidationError

    from startups import actions
    from startups.models import Call

    call = Call.objects.get(pk=world["call_a"])  # application_a answered its questions
    call.questions = ["A reworded question?"]
    with pytest.raises(ValidationError) as error:
        actions.call_save(actor=manager_a, call=call, target_sectors=[])
    assert "questions" in error.value.message_dict
    call.refresh_from_db()
    call.title = "New title, same questions"
    actions.call_save(actor=manager_a, call=call, target_sectors=[])  # other fields still change
    assert Call.objects.get(pk=call.pk).title == "New title, same questions"
