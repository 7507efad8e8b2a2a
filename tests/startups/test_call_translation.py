"""Calls for applications in French, Arabic and English (issue 19): title and description
through modeltranslation, the questions by hand (`questions` in French keys the answers,
`questions_ar` and `questions_en` translate them line for line)."""

import pytest
from django_scopes import scopes_disabled

from startups.models import Application, ApplicationStatus, Call
from tests.factories import ApplicationFactory, CallFactory, StartupMemberFactory

pytestmark = pytest.mark.django_db

NOTE = "fallback-note"
NOTE_EN = "Not available in English yet: shown in French."
QUESTIONS = ["Quel problème résolvez-vous ?", "Qui sont vos clients ?"]
QUESTIONS_AR = ["ما المشكلة التي تحلّونها؟", "من هم زبناؤكم؟"]


def _in(client, language: str):
    client.cookies["django_language"] = language
    return client


@pytest.fixture
def call(site_a):
    with scopes_disabled():
        return CallFactory(
            site=site_a,
            title="Résidence Casablanca 2027",
            title_ar="الإقامة في تكنوبارك الدار البيضاء 2027",
            description="Bureaux et accompagnement.",
            description_ar="مكاتب ومواكبة.",
            questions=QUESTIONS,
            questions_ar=QUESTIONS_AR,
        )


@pytest.fixture
def founder(db):
    return StartupMemberFactory(startup__legal_name="Oasis Labs SARL", startup__brand_name="Oasis Labs")


# --- Pages ------------------------------------------------------------------------------------
def test_an_arabic_reader_sees_the_call_and_its_questions_in_arabic(client, call):
    page = _in(client, "ar").get(f"/calls/{call.pk}/").content.decode()
    assert "الإقامة في تكنوبارك الدار البيضاء 2027" in page and "مكاتب ومواكبة." in page
    assert all(question in page for question in QUESTIONS_AR)
    assert "Qui sont vos clients" not in page and NOTE not in page
    listing = _in(client, "ar").get("/calls/").content.decode()
    assert "الإقامة في تكنوبارك الدار البيضاء 2027" in listing


def test_an_english_reader_gets_french_with_a_note(client, call, site_a):
    page = _in(client, "en").get(f"/calls/{call.pk}/").content.decode()
    assert "Résidence Casablanca 2027" in page and "Qui sont vos clients ?" in page
    assert page.count(NOTE_EN) == 1
    assert NOTE_EN in _in(client, "en").get("/calls/").content.decode()
    panel = _in(client, "en").get(f"/sites/{site_a.slug}/").content.decode()
    panel = panel[panel.index('id="site-calls-title"') :]
    assert "Résidence Casablanca 2027" in panel and NOTE_EN in panel
    assert NOTE not in _in(client, "fr").get(f"/calls/{call.pk}/").content.decode()


def test_answers_stay_keyed_by_the_french_questions(client, call, founder):
    client.force_login(founder.user)
    _in(client, "ar")
    response = client.post(f"/calls/{call.pk}/apply/", {"startup": founder.startup.pk})
    assert response.status_code == 302
    with scopes_disabled():
        application = Application.objects.get(call=call)
    form = client.get(f"/applications/{application.pk}/edit/").context["form"]
    assert [field.label for field in form] == [*QUESTIONS_AR, form["pitch_deck"].label]
    data = {"answer_0": "ندرّب الفلاحين.", "answer_1": "التعاونيات."}
    assert client.post(f"/applications/{application.pk}/edit/", data).status_code == 302
    with scopes_disabled():
        application.refresh_from_db()
    assert application.answers == {QUESTIONS[0]: "ندرّب الفلاحين.", QUESTIONS[1]: "التعاونيات."}
    # Read in English: the French questions (not translated into English) with the answers.
    page = _in(client, "en").get(f"/applications/{application.pk}/").content.decode()
    assert "Qui sont vos clients ?" in page and "التعاونيات." in page


def test_the_reviewing_site_reads_the_answers_under_the_translated_questions(client_for, call, founder, unscoped):
    application = ApplicationFactory(
        call=call, startup=founder.startup, status=ApplicationStatus.SUBMITTED, answers={QUESTIONS[0]: "Le stock."}
    )
    page = _in(client_for("manager_a"), "ar").get(f"/manage/site-a/applications/{application.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert QUESTIONS_AR[0] in html and "Le stock." in html


# --- The back-office form ----------------------------------------------------------------------------
def _call_data(**overrides) -> dict:
    data = {
        "title_fr": "Résidence Green Tech 2027",
        "title_ar": "إقامة التكنولوجيا الخضراء 2027",
        "title_en": "Green Tech residency 2027",
        "description_fr": "Pour les startups vertes.",
        "kind": "resident",
        "opens_on": "2027-03-01",
        "closes_on": "2027-04-30",
        "questions_text": "Quel problème résolvez-vous ?\nQui sont vos clients ?",
        "questions_text_ar": "\n".join(QUESTIONS_AR),
        "questions_text_en": "",
    }
    return {**data, **overrides}


def test_the_call_form_has_a_tab_per_language_and_saves_them(client_for, world, unscoped):
    client = _in(client_for("manager_a"), "en")
    page = client.get("/manage/site-a/calls/new/").content.decode()
    assert page.count('role="tab"') == 3
    arabic = page[page.index('name="questions_text_ar"') - 200 :][:400]
    assert 'dir="rtl"' in arabic and 'lang="ar"' in arabic
    assert client.post("/manage/site-a/calls/new/", _call_data()).status_code == 302
    call = Call.objects.get(title_fr="Résidence Green Tech 2027")
    assert (call.title_ar, call.title_en) == ("إقامة التكنولوجيا الخضراء 2027", "Green Tech residency 2027")
    assert call.questions == QUESTIONS and call.questions_ar == QUESTIONS_AR and call.questions_en == []


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title_fr": ""}, "title_fr"),
        ({"questions_text_ar": "سؤال واحد فقط"}, "questions_text_ar"),
        ({"questions_text_en": "One\nTwo\nThree"}, "questions_text_en"),
    ],
)
def test_french_is_required_and_translated_questions_go_line_for_line(client_for, world, overrides, field):
    response = _in(client_for("manager_a"), "en").post("/manage/site-a/calls/new/", _call_data(**overrides))
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {field}


def test_questions_can_be_translated_once_startups_applied(client_for, world, unscoped):
    call = Call.objects.get(pk=world["call_a"])
    assert call.applications.exists()
    data = _call_data(
        title_fr=call.title_fr,
        questions_text="\n".join(call.questions),
        questions_text_ar="ما المشكلة التي تحلّونها؟",
        questions_text_en="What problem do you solve?",
    )
    response = _in(client_for("manager_a"), "en").post(f"/manage/site-a/calls/{call.pk}/edit/", data)
    assert response.status_code == 302
    call.refresh_from_db()
    assert call.questions_en == ["What problem do you solve?"]
    # The French questions themselves stay frozen.
    data["questions_text"] = "Une autre question ?"
    data["questions_text_ar"] = data["questions_text_en"] = ""
    response = _in(client_for("manager_a"), "en").post(f"/manage/site-a/calls/{call.pk}/edit/", data)
    assert response.status_code == 200
    assert "the questions can no longer change" in response.content.decode()


# --- API ------------------------------------------------------------------------------------
def test_the_api_gives_the_questions_as_keys_and_as_labels(client, call):
    row = client.get(f"/api/v1/calls/{call.pk}/?lang=ar").json()
    assert row["title"] == "الإقامة في تكنوبارك الدار البيضاء 2027" and row["description"] == "مكاتب ومواكبة."
    assert row["questions"] == QUESTIONS and row["question_labels"] == QUESTIONS_AR
    row = client.get(f"/api/v1/calls/{call.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert row["title"] == "Résidence Casablanca 2027" and row["question_labels"] == QUESTIONS
    assert client.get("/api/v1/calls/?lang=xx").status_code == 400


def test_an_api_application_in_arabic_still_answers_the_french_questions(client, call, founder):
    client.force_login(founder.user)
    body = {"call": call.pk, "startup": founder.startup.pk, "answers": {QUESTIONS[0]: "المخزون."}}
    response = client.post("/api/v1/applications/?lang=ar", body, content_type="application/json")
    assert response.status_code == 201, response.json()
    assert response.json()["answers"] == {QUESTIONS[0]: "المخزون."}
    assert response.json()["call_title"] == "الإقامة في تكنوبارك الدار البيضاء 2027"
