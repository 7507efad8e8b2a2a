"""Calls and applications, the founder's side: browse, start, draft, submit, follow, withdraw."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_scopes import scopes_disabled

from startups.models import Application, ApplicationEvent, ApplicationStatus, TeamRole
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    SiteFactory,
    StartupMemberFactory,
    UserFactory,
)

QUESTIONS = ["What problem do you solve?", "Who are your customers?"]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def en(client):
    client.cookies["django_language"] = "en"
    return client


def pdf(name="deck.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", content_type="application/pdf"
    )


def html(response) -> str:
    return response.content.decode()


@pytest.fixture
def founder(db):
    """A founder whose startup has applied nowhere yet (an empty tenant scope)."""
    return StartupMemberFactory(startup__legal_name="Oasis Labs SARL", startup__brand_name="Oasis Labs")


@pytest.fixture
def site_c(db):
    return SiteFactory(slug="site-c", name_en="Technopark Tanger", name_fr="Technopark Tanger")


@pytest.fixture
def call_c(site_c):
    with scopes_disabled():
        return CallFactory(site=site_c, title="Résidence Tanger 2026", questions=QUESTIONS)


def answers_data(**answers) -> dict:
    return {f"answer_{index}": answers.get(f"a{index}", "") for index in range(len(QUESTIONS))}


# --- Calls ------------------------------------------------------------------------------------
def test_anyone_browses_open_calls_of_every_site(client, world, en):
    with scopes_disabled():
        CallFactory(
            site=SiteFactory(),
            title="Closed call",
            opens_on=timezone.localdate() - datetime.timedelta(days=60),
            closes_on=timezone.localdate() - datetime.timedelta(days=30),
        )
    page = html(client.get("/calls/"))
    assert "Résidence Casablanca 2026" in page
    assert "Résidence Rabat 2026" in page
    assert "e-Technopark 2026" in page
    assert "Closed call" not in page


def test_calls_filter_by_site_and_kind(client, world):
    page = html(client.get("/calls/?site=site-b"))
    assert "Résidence Rabat 2026" in page and "Résidence Casablanca 2026" not in page
    page = html(client.get("/calls/?site=network"))
    assert "e-Technopark 2026" in page and "Résidence Rabat 2026" not in page
    page = html(client.get("/calls/?kind=e-technopark"))
    assert "e-Technopark 2026" in page and "Résidence Casablanca 2026" not in page


@pytest.mark.parametrize("query", ["?site=nope", "?kind=boss&site=site-a", "?page=abc", "?page=999", "?site[]=1"])
def test_bad_call_filters_are_ignored(client, world, query):
    response = client.get(f"/calls/{query}")
    assert response.status_code == 200


def test_call_list_is_constant_in_queries(client, site_a, django_assert_max_num_queries):
    with scopes_disabled():
        CallFactory(site=site_a)
    client.get("/calls/")
    with django_assert_max_num_queries(8) as one:
        assert client.get("/calls/").status_code == 200
    with scopes_disabled():
        CallFactory.create_batch(30, site=site_a)
        CallFactory.create_batch(5, site=None, kind="e-technopark")
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert client.get("/calls/").status_code == 200


def test_a_call_page_invites_anonymous_visitors_to_sign_in(client, call_c, en):
    page = html(client.get(f"/calls/{call_c.pk}/"))
    assert "Sign in to apply" in page
    assert client.get("/calls/999999/").status_code == 404


def test_a_user_without_startup_is_asked_to_create_one(client, call_c, outsider, en):
    client.force_login(outsider)
    page = html(client.get(f"/calls/{call_c.pk}/"))
    assert 'href="/startups/new/"' in page
    response = client.post(f"/calls/{call_c.pk}/apply/", {"startup": "1"})
    assert response.status_code == 200
    with scopes_disabled():
        assert not Application.objects.exists()


# --- The application workflow -------------------------------------------------------------------
def test_start_save_submit_withdraw(
    client, founder, call_c, site_c, en, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(founder.user)
    assert "Start my application" in html(client.get(f"/calls/{call_c.pk}/"))
    response = client.post(f"/calls/{call_c.pk}/apply/", {"startup": founder.startup.pk})
    assert response.status_code == 302
    with scopes_disabled():
        application = Application.objects.get(startup=founder.startup)
    assert application.site == site_c
    assert application.status == ApplicationStatus.DRAFT
    # The draft's site was not in the request's scope when it was created: the next
    # request recomputes the scope and finds it.
    assert response["Location"] == f"/applications/{application.pk}/edit/"
    edit_url = response["Location"]
    page = html(client.get(edit_url))
    assert QUESTIONS[0] in page and QUESTIONS[1] in page

    # Save a half-done draft.
    response = client.post(edit_url, {**answers_data(a0="Offices are empty at night."), "action": "save"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.answers[QUESTIONS[0]] == "Offices are empty at night."
    assert application.status == ApplicationStatus.DRAFT

    # Submit with everything.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            edit_url,
            {
                **answers_data(a0="Offices are empty at night.", a1="Landlords."),
                "pitch_deck": pdf(),
                "action": "submit",
            },
        )
    assert response.status_code == 302
    assert response["Location"] == f"/applications/{application.pk}/"
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.pitch_deck
    assert len(mailoutbox) == 1  # the founders are told

    detail = html(client.get(response["Location"]))
    assert "Submitted" in detail and "Draft" in detail  # the history of status changes
    # A submitted application can no longer be edited.
    assert client.get(edit_url).status_code == 302
    deck = client.get(f"/applications/{application.pk}/pitch-deck/")
    assert deck.status_code == 200
    assert b"".join(deck.streaming_content).startswith(b"%PDF-")

    response = client.post(f"/applications/{application.pk}/withdraw/")
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN
    with scopes_disabled():
        statuses = list(ApplicationEvent.objects.filter(application=application).values_list("to_status", flat=True))
    assert statuses == ["draft", "submitted", "withdrawn"]
    # Withdrawing twice: a message, not an error.
    response = client.post(f"/applications/{application.pk}/withdraw/", follow=True)
    assert response.status_code == 200
    assert "can no longer be withdrawn" in html(response)


def draft_for(founder, call):
    with scopes_disabled():
        return ApplicationFactory(
            call=call,
            startup=founder.startup,
            status=ApplicationStatus.DRAFT,
            submitted_at=None,
            answers={},
            created_by=founder.user,  # as application_start sets it (the model requires it in full_clean)
        )


def test_submit_without_pitch_deck_is_refused_and_keeps_the_answers(client, founder, call_c, en):
    application = draft_for(founder, call_c)
    client.force_login(founder.user)
    response = client.post(
        f"/applications/{application.pk}/edit/", {**answers_data(a0="Typed answer one."), "action": "submit"}
    )
    assert response.status_code == 200
    page = html(response)
    assert "Attach your pitch deck (PDF) before submitting." in page
    assert "Answer every question before submitting." in page
    assert "Typed answer one." in page  # what was typed stays in the form
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT
    assert application.answers[QUESTIONS[0]] == "Typed answer one."  # and the draft was saved


def test_a_non_pdf_renamed_pdf_is_refused(client, founder, call_c, en):
    application = draft_for(founder, call_c)
    client.force_login(founder.user)
    fake = SimpleUploadedFile("deck.pdf", b"PK\x03\x04 this is a zip, not a PDF", content_type="application/pdf")
    response = client.post(
        f"/applications/{application.pk}/edit/",
        {**answers_data(a0="One.", a1="Two."), "pitch_deck": fake, "action": "submit"},
    )
    assert response.status_code == 200
    assert "This file is not a PDF document." in html(response)
    assert "One." in html(response)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT
    assert not application.pitch_deck


@pytest.mark.parametrize(
    ("action", "message", "not_message"),
    [
        ("save", "Your draft was not saved:", "Your application was not submitted"),
        ("submit", "Your application was not submitted:", "Your draft was not saved"),
    ],
)
def test_a_refused_file_says_what_did_not_happen(client, founder, call_c, en, action, message, not_message):
    """Issue 18: saving a draft with a bad PDF said the application "was not submitted"."""
    application = draft_for(founder, call_c)
    client.force_login(founder.user)
    fake = SimpleUploadedFile("deck.pdf", b"not a PDF at all", content_type="application/pdf")
    response = client.post(f"/applications/{application.pk}/edit/", {"pitch_deck": fake, "action": action})
    assert response.status_code == 200
    assert message in html(response) and not_message not in html(response)


def test_a_network_call_needs_a_home_site(client, founder, world, site_b, en):
    client.force_login(founder.user)
    url = f"/calls/{world['call_network']}/apply/"
    response = client.post(url, {"startup": founder.startup.pk})
    assert response.status_code == 200
    assert "This field is required." in html(response)
    with scopes_disabled():
        planned = SiteFactory(status="planned")
    response = client.post(url, {"startup": founder.startup.pk, "home_site": planned.pk})
    assert response.status_code == 200  # not an operational site: not a choice
    response = client.post(url, {"startup": founder.startup.pk, "home_site": site_b.pk})
    assert response.status_code == 302
    with scopes_disabled():
        application = Application.objects.get(startup=founder.startup)
    assert application.site == site_b
    assert application.call_id == world["call_network"]
    assert client.get(response["Location"]).status_code == 200


def test_applying_twice_to_a_call_shows_a_message(client, founder_a, world, en):
    client.force_login(founder_a)
    response = client.post(f"/calls/{world['call_a']}/apply/", {"startup": world["startup_a"]})
    assert response.status_code == 200
    assert "already has an application to this call" in html(response)


def test_only_founders_apply_with_their_startup(client, founder, world, call_c):
    client.force_login(founder.user)
    # Someone else's startup is not a choice.
    response = client.post(f"/calls/{call_c.pk}/apply/", {"startup": world["startup_a"]})
    assert response.status_code == 200
    with scopes_disabled():
        assert not Application.objects.filter(call=call_c).exists()


def test_a_closed_call_cannot_be_applied_to(client, founder, site_c, en):
    with scopes_disabled():
        closed = CallFactory(
            site=site_c,
            opens_on=timezone.localdate() - datetime.timedelta(days=60),
            closes_on=timezone.localdate() - datetime.timedelta(days=30),
        )
    client.force_login(founder.user)
    response = client.post(f"/calls/{closed.pk}/apply/", {"startup": founder.startup.pk})
    assert response.status_code == 200
    assert "This call is not open." in html(response)


# --- Permissions ----------------------------------------------------------------------------------
def test_another_founder_gets_404_on_someone_elses_application(client, founder, world):
    client.force_login(founder.user)
    for suffix in ["", "edit/", "pitch-deck/"]:
        assert client.get(f"/applications/{world['application_a']}/{suffix}").status_code == 404
    assert client.post(f"/applications/{world['application_a']}/withdraw/").status_code == 404
    with scopes_disabled():
        assert Application.objects.get(pk=world["application_a"]).status == ApplicationStatus.SUBMITTED


def test_team_members_follow_but_do_not_act(client, world):
    member = UserFactory()
    StartupMemberFactory(startup_id=world["startup_a"], user=member, role=TeamRole.MEMBER)
    client.force_login(member)
    assert client.get(f"/applications/{world['application_a']}/").status_code == 200
    assert client.get(f"/applications/{world['application_a']}/edit/").status_code == 403
    assert client.post(f"/applications/{world['application_a']}/withdraw/").status_code == 403
    assert "Résidence Casablanca 2026" in html(client.get("/applications/"))


def test_bad_ids_are_404(client, founder_a, world):
    client.force_login(founder_a)
    assert client.get("/applications/999999/").status_code == 404
    assert client.get("/startups/999999/").status_code == 404


# --- Lists and the landing page ----------------------------------------------------------------------
def test_my_applications_list_is_constant_in_queries(client, founder, site_a, django_assert_max_num_queries):
    with scopes_disabled():
        ApplicationFactory(call=CallFactory(site=site_a), startup=founder.startup)
    client.force_login(founder.user)
    client.get("/applications/")
    with django_assert_max_num_queries(10) as one:
        assert client.get("/applications/").status_code == 200
    with scopes_disabled():
        for _ in range(30):
            ApplicationFactory(call=CallFactory(site=site_a), startup=founder.startup)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get("/applications/")
    assert response.status_code == 200
    assert html(response).count('href="/applications/') >= 25


def test_empty_applications_list(client, outsider, en):
    client.force_login(outsider)
    assert "No application yet" in html(client.get("/applications/"))


def test_founder_landing_shows_startups_residency_applications_and_calls(client, founder_a, world, en):
    client.force_login(founder_a)
    page = html(client.get("/dashboard/"))
    assert "Atlas Data" in page
    assert "office A-101" in page  # the residency and its office
    assert "Résidence Casablanca 2026" in page  # the application (and an open call)
    assert "e-Technopark 2026" in page  # a network-wide open call
    assert "Submitted" in page


def test_founder_landing_without_startup_calls_to_create_one(client, outsider, en):
    client.force_login(outsider)
    page = html(client.get("/dashboard/"))
    assert 'href="/startups/new/"' in page
    assert "No application yet" in page


def test_founder_landing_is_constant_in_queries(client, founder, site_a, django_assert_max_num_queries):
    with scopes_disabled():
        ApplicationFactory(call=CallFactory(site=site_a), startup=founder.startup)
    client.force_login(founder.user)
    client.get("/dashboard/")
    with django_assert_max_num_queries(20) as one:
        client.get("/dashboard/")
    with scopes_disabled():
        for _ in range(10):
            StartupMemberFactory(user=founder.user)
            ApplicationFactory(call=CallFactory(site=site_a), startup=founder.startup)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert client.get("/dashboard/").status_code == 200
