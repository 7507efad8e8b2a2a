"""The site managers' application pipeline: calls, the applications by status, decisions
and who may do what across sites. The committee review and the whole workflow:
test_pipeline_review.py."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from core.models import AuditEntry
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
from tests.factories import ApplicationFactory, CallFactory, StartupFactory
from tests.querycount import settle

from . import pipeline_setup
from .pipeline_setup import REVIEWER_1, _score, _score_data, decide

# The fixtures shared with the sibling modules: pytest finds a fixture by its name in the module.
_english = pipeline_setup._english
_media = pipeline_setup._media
committee_a = pipeline_setup.committee_a


# --- Decisions (two steps: test_decision_confirm.py for the confirmation page) ------------
def test_reject_needs_a_reason(client_for, world, unscoped):
    client = client_for("manager_a")
    url = f"/manage/site-a/applications/{world['application_a']}/decision/"
    response = client.post(url, {"decision": "reject", "reason": "  "})
    assert response.status_code == 200
    assert "Give the reason for the rejection" in response.content.decode()
    assert response.context["decision_form"].errors.keys() == {"reason"}
    application = Application.objects.get(pk=world["application_a"])
    assert application.status == ApplicationStatus.SUBMITTED
    # The same refusal when posted (a forged confirmation): never a decision without reason.
    response = client.post(url, {"decision": "reject", "reason": "  ", "confirm": "1"})
    assert response.status_code == 200
    assert "Give the reason for the rejection" in response.content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED

    response = decide(client, url, {"decision": "reject", "reason": "Outside the site's vocation."})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REJECTED
    assert application.decision_reason == "Outside the site's vocation."
    event = ApplicationEvent.objects.filter(application=application).last()
    assert (event.to_status, event.note) == ("rejected", "Outside the site's vocation.")


def test_waitlist_then_admit_as_etechnopark(client_for, world, unscoped):
    client = client_for("manager_a")
    url = f"/manage/site-a/applications/{world['application_a']}/decision/"
    assert decide(client, url, {"decision": "waitlist", "starts_on": "2026-01-01"}).status_code == 302
    # Waitlisting again: the confirmation page says so and offers no Confirm button…
    page = client.post(url, {"decision": "waitlist"})
    assert page.context["problem"] == "This application is already waitlisted."
    assert 'name="confirm"' not in page.content.decode()
    # …and a forged confirmation gets the action's refusal as a message.
    response = client.post(url, {"decision": "waitlist", "confirm": "1"}, follow=True)
    assert "already waitlisted" in response.content.decode()
    assert decide(client, url, {"decision": "admit_etechnopark"}).status_code == 302
    admission = Admission.objects.get(application_id=world["application_a"])
    assert admission.kind == AdmissionKind.ETECHNOPARK and admission.planned_end_on is None


def test_a_conflicting_admission_is_a_message_not_a_500(client_for, world, unscoped):
    """founder_a's startup is already a resident of site A: admitting it again conflicts."""
    client = client_for("manager_a")
    url = f"/manage/site-a/applications/{world['application_a']}/decision/"
    page = client.post(url, {"decision": "admit_resident"})
    assert page.status_code == 200
    assert "already admitted at this site" in page.content.decode()
    assert 'name="confirm"' not in page.content.decode()
    response = client.post(url, {"decision": "admit_resident", "confirm": "1"}, follow=True)
    assert response.status_code == 200
    assert "already admitted at this site" in response.content.decode()
    assert Application.objects.get(pk=world["application_a"]).status == ApplicationStatus.SUBMITTED
    assert not Admission.objects.filter(application_id=world["application_a"]).exists()


def test_bad_decision_input_is_a_form_error(client_for, world, unscoped):
    client = client_for("manager_a")
    url = f"/manage/site-a/applications/{world['application_a']}/decision/"
    for data in ({}, {"confirm": "1"}):
        response = client.post(url, {"decision": "promote", "starts_on": "not-a-date", **data})
        assert response.status_code == 200
        assert response.context["decision_form"].errors.keys() == {"decision", "starts_on"}
    # A bare reload of the decision URL is never a 405: back to the application page.
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/manage/site-a/applications/{world['application_a']}/"
    assert Application.objects.get(pk=world["application_a"]).status == ApplicationStatus.SUBMITTED


# --- Calls ------------------------------------------------------------------------------
def test_call_form_validation_and_save(client_for, world, site_a, unscoped):
    client = client_for("manager_a")
    data = {
        "title_fr": "Résidence Green Tech 2027",
        "description_fr": "For green tech startups.",
        "kind": "resident",
        "opens_on": "2027-03-01",
        "closes_on": "2027-02-01",
        "questions_text": "What problem do you solve?\n\n  Who are your customers?  \nWhat problem do you solve?\n",
    }
    response = client.post("/manage/site-a/calls/new/", data)
    assert response.status_code == 200
    assert "The call cannot close before it opens." in response.content.decode()
    assert response.context["form"]["title_fr"].value() == "Résidence Green Tech 2027"  # nothing typed is lost
    assert not Call.objects.filter(title_fr=data["title_fr"]).exists()

    response = client.post("/manage/site-a/calls/new/", {**data, "title_fr": "", "opens_on": "31/31/2027"})
    assert response.status_code == 200
    assert {"title_fr", "opens_on"} <= set(response.context["form"].errors)

    response = client.post("/manage/site-a/calls/new/", {**data, "closes_on": "2027-04-30"})
    assert response.status_code == 302
    call = Call.objects.get(title_fr=data["title_fr"])
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
        "title_fr": "e-Technopark 2027",
        "opens_on": "2027-01-01",
        "closes_on": "2027-03-31",
        "kind": "resident",  # ignored: a network call is always e-Technopark
        "questions_text": "Which region are you in?",
    }
    assert client.post("/network/calls/new/", data).status_code == 302
    call = Call.objects.get(title_fr="e-Technopark 2027")
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
            "title_fr": "Hijacked",
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
