"""Services, sessions, programmes, partners and incubators in French, Arabic and English
(issue 19, core.multilingual): pages show the reader's version or the French one with a
note, the back-office forms take each language (French required), the API serves the
language of `?lang=` or Accept-Language, searches and sorts see every language, and the
data migration kept what was written before as the French version."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django_scopes import scopes_disabled

from core.multilingual import shown_in_default
from services.models import Programme, Service, ServiceSession
from sites.models import Incubator, Language, Partner, Site
from tests.factories import IncubatorFactory, PartnerFactory, ServiceFactory, ServiceSessionFactory

from . import backoffice_setup

# The fixtures shared with the sibling modules: pytest finds a fixture by its name in the module.
head_office = backoffice_setup.head_office
manager = backoffice_setup.manager

pytestmark = pytest.mark.django_db

NOTE = "fallback-note"
NOTE_EN = "Not available in English yet: shown in French."


def _in(client, language: str):
    client.cookies["django_language"] = language
    return client


@pytest.fixture
def translated(world, site_a):
    """A published service of site A in French and Arabic (no English), with a session
    whose place is in the three languages."""
    with scopes_disabled():
        service = ServiceFactory(
            site=site_a,
            title="Formation pitch",
            title_ar="تكوين في تقديم المشاريع",
            summary="Structurer un pitch de trois minutes.",
            summary_ar="بناء عرض تقديمي من ثلاث دقائق.",
            description="Avec un jury.",
            description_ar="أمام لجنة تحكيم.",
        )
        session = ServiceSessionFactory(
            service=service, location="Salle A", location_ar="القاعة A", location_en="Room A"
        )
    return {"service": service, "session": session}


# --- Pages ----------------------------------------------------------------------------------
def test_an_arabic_reader_sees_the_arabic_version_without_a_note(client, translated):
    service = translated["service"]
    page = _in(client, "ar").get(f"/services/{service.pk}/").content.decode()
    assert "تكوين في تقديم المشاريع" in page and "بناء عرض تقديمي من ثلاث دقائق." in page
    assert "أمام لجنة تحكيم." in page and "القاعة A" in page
    assert "Formation pitch" not in page and "Salle A" not in page
    assert NOTE not in page


def test_without_the_readers_version_the_french_one_is_shown_with_a_note(client, translated):
    service = translated["service"]
    page = _in(client, "en").get(f"/services/{service.pk}/").content.decode()
    assert "Formation pitch" in page and "Avec un jury." in page
    assert NOTE_EN in page
    assert "Room A" in page  # the session's place has its English version
    assert page.count(NOTE) == 1
    # French readers never get the note.
    assert NOTE not in _in(client, "fr").get(f"/services/{service.pk}/").content.decode()


def test_catalogue_cards_follow_the_reader(client, translated):
    page = _in(client, "ar").get("/services/").content.decode()
    card = page[page.index(f'id="service-{translated["service"].pk}-title"') :]
    card = card[: card.index("</article>")]
    assert "تكوين في تقديم المشاريع" in card and NOTE not in card
    # world's services are in French only: their cards say so.
    other = page[page.index("Pitch training A") :]
    assert NOTE in other[: other.index("</article>")]


def test_the_site_page_shows_its_services_in_the_readers_language(client, translated, site_a):
    page = _in(client, "ar").get(f"/sites/{site_a.slug}/").content.decode()
    services = page[page.index('id="site-services-title"') :]
    assert "تكوين في تقديم المشاريع" in services
    assert NOTE in services  # "Pitch training A" and "Immersion day A" are in French only


def test_partner_and_incubator_lists(client, world):
    with scopes_disabled():
        PartnerFactory(name="Banque Verte", description="Financement vert.", description_en="Green financing.")
        IncubatorFactory(name="Green Hub", description="Incubateur vert.", description_ar="حاضنة خضراء.")
    page = _in(client, "en").get("/partners/").content.decode()
    card = page[page.index("Banque Verte") :]
    card = card[: card.index("</article>")]
    assert "Green financing." in card and NOTE not in card
    page = _in(client, "ar").get("/incubators/").content.decode()
    row = page[page.index("Green Hub") :]
    row = row[: row.index("</tr>")]
    assert "حاضنة خضراء." in row and NOTE not in row
    page = _in(client, "en").get("/incubators/").content.decode()
    row = page[page.index("Green Hub") :]
    assert "Incubateur vert." in row[: row.index("</tr>")] and NOTE_EN in row[: row.index("</tr>")]


def test_a_founder_reads_the_programme_in_english_with_the_note_where_missing(client_for, world, unscoped):
    Programme.objects.filter(pk=world["programme_a"]).update(
        title_en="Acceleration A", description_fr="Six mois de coaching."
    )
    client = _in(client_for("founder_a"), "en")
    page = client.get(f"/programmes/{world['programme_a']}/").content.decode()
    assert "Acceleration A" in page and "Six mois de coaching." in page
    assert NOTE_EN in page  # the description has no English version
    assert "Pitch training A" in page  # its service, in French only: noted too
    listing = client.get("/programmes/").content.decode()
    assert "Acceleration A" in listing


# --- Back-office forms ------------------------------------------------------------------------
def _service_form(**overrides) -> dict:
    with scopes_disabled():
        french = Language.objects.get(code="fr").pk
    data = {
        "title_fr": "Clinique export",
        "title_ar": "عيادة التصدير",
        "title_en": "Export clinic",
        "summary_fr": "Trente minutes.",
        "summary_ar": "ثلاثون دقيقة.",
        "summary_en": "",
        "description_fr": "Avec un expert.",
        "description_ar": "",
        "description_en": "With an expert.",
        "dimension": "market",
        "service_type": "clinic",
        "provider_kind": "site_team",
        "format": "on_site",
        "eligibility": "site_residents",
        "languages": [french],
        "is_published": "on",
    }
    return {**data, **overrides}


def test_the_service_form_has_one_tab_per_language(manager):
    page = manager.get("/manage/site-a/services/new/").content.decode()
    assert page.count('role="tab"') == 3 and 'class="nav nav-tabs"' in page
    arabic = page[page.index('name="title_ar"') - 200 :][:400]
    assert 'dir="rtl"' in arabic and 'lang="ar"' in arabic
    assert 'lang="fr"' in page[page.index('name="title_fr"') - 200 :][:400]
    assert "[fr]" not in page  # labels are the field's own, the tab names the language


def test_the_service_form_saves_each_language(manager, unscoped):
    response = manager.post("/manage/site-a/services/new/", _service_form())
    assert response.status_code == 302
    service = Service.objects.get(title_fr="Clinique export")
    assert (service.title_ar, service.title_en) == ("عيادة التصدير", "Export clinic")
    assert (service.summary_fr, service.summary_ar) == ("Trente minutes.", "ثلاثون دقيقة.")
    assert not service.summary_en  # empty (NULL)
    assert service.description_en == "With an expert."
    # Saved from an English page, the base column still holds French.
    assert Service.objects.filter(pk=service.pk).raw_values("title")[0]["title"] == "Clinique export"


def test_french_is_required_the_other_languages_are_not(manager, unscoped):
    response = manager.post("/manage/site-a/services/new/", _service_form(title_fr="", title_en="Export clinic"))
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"title_fr"}
    assert not Service.objects.filter(title_en="Export clinic").exists()
    response = manager.post("/manage/site-a/services/new/", _service_form(title_ar="", title_en=""))
    assert response.status_code == 302


def test_the_tab_with_an_error_is_the_one_shown(manager):
    response = manager.post("/manage/site-a/services/new/", _service_form(title_en="x" * 201))
    assert response.status_code == 200
    tabs = response.context["form"].language_tabs
    assert [pane.code for pane in tabs.panes if pane.active] == ["en"]
    assert [pane.code for pane in tabs.panes if pane.has_errors] == ["en"]


def test_editing_from_an_arabic_page_keeps_each_version(client, world, manager_a, unscoped):
    service = Service.objects.get(pk=world["service_a"])
    client.force_login(manager_a)
    data = _service_form(title_fr="Formation pitch A", title_ar="", title_en="Pitch training A")
    response = _in(client, "ar").post(f"/manage/site-a/services/{service.pk}/edit/", data)
    assert response.status_code == 302
    service.refresh_from_db()
    assert (service.title_fr, service.title_en) == ("Formation pitch A", "Pitch training A")
    assert not service.title_ar


def test_the_session_form_takes_the_place_in_each_language(manager, world, unscoped):
    url = f"/manage/site-a/services/{world['service_a']}/sessions/new/"
    data = {
        "starts_at": "2030-05-10T09:00",
        "ends_at": "2030-05-10T12:00",
        "location_fr": "Salle Atlas",
        "location_ar": "قاعة الأطلس",
        "location_en": "Atlas room",
        "join_url": "",
        "seats": "12",
        "registration_deadline": "",
    }
    assert manager.post(url, data).status_code == 302
    session = ServiceSession.objects.get(location_fr="Salle Atlas")
    assert (session.location_ar, session.location_en) == ("قاعة الأطلس", "Atlas room")


def test_partner_programme_and_incubator_forms_take_each_language(head_office, world, site_a, unscoped):
    data = {"name": "Banque Verte", "category": "bank", "description_fr": "Vert.", "description_ar": "أخضر."}
    assert head_office.post("/network/partners/new/", {**data, "is_active": "on"}).status_code == 302
    assert Partner.objects.get(name="Banque Verte").description_ar == "أخضر."
    data = {
        "title_fr": "Accélérateur",
        "title_en": "Accelerator",
        "description_fr": "Six mois.",
        "starts_on": "2026-02-01",
        "ends_on": "2026-07-31",
    }
    assert head_office.post("/network/programmes/new/", data).status_code == 302
    assert Programme.objects.get(title_fr="Accélérateur").title_en == "Accelerator"
    data = {
        "name": "Green Hub",
        "slug": "green-hub",
        "affiliated_site": site_a.pk,
        "description_fr": "Incubateur vert.",
        "description_en": "Green incubator.",
        "is_active": "on",
    }
    assert head_office.post("/network/incubators/new/", data).status_code == 302
    assert Incubator.objects.get(slug="green-hub").description_en == "Green incubator."


# --- API ------------------------------------------------------------------------------------------
def _api_titles(response) -> dict:
    return {row["id"]: row["title"] for row in response.json()["results"]}


def test_the_api_serves_the_language_asked(client, translated):
    service = translated["service"]
    arabic = client.get("/api/v1/services/", HTTP_ACCEPT_LANGUAGE="ar")
    assert arabic.status_code == 200 and arabic["Content-Language"] == "ar"
    assert _api_titles(arabic)[service.pk] == "تكوين في تقديم المشاريع"
    # `?lang=` wins over Accept-Language; without an English version, French.
    english = client.get("/api/v1/services/?lang=en", HTTP_ACCEPT_LANGUAGE="ar")
    assert english["Content-Language"] == "en"
    assert _api_titles(english)[service.pk] == "Formation pitch"
    detail = client.get(f"/api/v1/services/{service.pk}/?lang=ar").json()
    assert detail["summary"] == "بناء عرض تقديمي من ثلاث دقائق." and detail["description"] == "أمام لجنة تحكيم."
    sessions = client.get("/api/v1/sessions/?lang=en").json()["results"]
    assert {row["location"] for row in sessions if row["id"] == translated["session"].pk} == {"Room A"}
    assert client.get("/api/v1/services/").json()["results"]  # no header, no parameter: French


@pytest.mark.parametrize("value", ["xx", "", "AR", "fr-FR"])
def test_an_unknown_lang_is_a_400_naming_the_parameter(client, db, value):
    response = client.get(f"/api/v1/services/?lang={value}")
    assert response.status_code == 400
    assert set(response.json()) == {"lang"}


def test_the_language_asked_beats_a_signed_in_users_preference(client, founder_a, translated):
    founder_a.language = "fr"
    founder_a.save()
    client.force_login(founder_a)
    response = client.get(f"/api/v1/services/{translated['service'].pk}/", HTTP_ACCEPT_LANGUAGE="ar")
    assert response.json()["title"] == "تكوين في تقديم المشاريع"
    assert client.get(f"/api/v1/services/{translated['service'].pk}/").json()["title"] == "Formation pitch"


def test_the_schema_documents_lang_on_every_operation(client, db):
    schema = client.get("/api/schema/?format=json").json()
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            names = {parameter["name"]: parameter for parameter in operation.get("parameters", [])}
            assert "lang" in names, (method, path)
            assert set(names["lang"]["schema"]["enum"]) == {"fr", "ar", "en"}, (method, path)


# --- Search, sort and counts across languages ---------------------------------------------------
def test_search_finds_every_language(client, translated):
    pk = translated["service"].pk
    for query in ("تقديم", "pitch de trois"):
        assert pk in {row["id"] for row in client.get(f"/api/v1/services/?q={query}&lang=en").json()["results"]}
        page = _in(client, "en").get(f"/services/?q={query}")
        assert pk in {service.pk for service in page.context["page"].object_list}


def test_lists_sort_by_the_title_the_reader_sees(client, world, unscoped):
    ServiceFactory(site=None, title="Zèbre", title_ar="أ أول")
    ServiceFactory(site=None, title="Abeille")
    rows = client.get("/api/v1/services/?lang=ar").json()["results"]
    titles = [row["title"] for row in rows]
    # In Arabic, the French-only titles sort among the Arabic ones by the French text.
    assert titles == sorted(titles)
    assert titles.index("أ أول") > titles.index("Abeille")


def test_counts_by_group_are_not_split_by_the_default_ordering(world, unscoped):
    """Django leaves `Meta.ordering` out of GROUP BY; modeltranslation's queryset would make
    it an explicit ordering, one group per title (core.multilingual.TranslatedQuerySet)."""
    ServiceFactory(site=None, title="B", dimension="skills")
    ServiceFactory(site=None, title="A", dimension="skills")
    for rows in (Service.objects.all(), ServiceSession.objects.all(), Programme.objects.all(), Partner.objects.all()):
        grouped = list(rows.values("pk" if rows.model is Partner else "site").annotate(n=Count("pk")))
        assert len(grouped) == len({tuple(row.values())[0] for row in grouped}), rows.model
    counts = dict(Service.objects.values_list("dimension").annotate(n=Count("pk")))
    assert counts["skills"] == Service.objects.filter(dimension="skills").count() >= 2


def test_an_arabic_catalogue_costs_the_same_queries_as_a_french_one(client, translated):
    def queries(language):
        _in(client, language).get("/services/")  # warm what is cached once per process
        with CaptureQueriesContext(connection) as context:
            assert _in(client, language).get("/services/").status_code == 200
        return len(context.captured_queries)

    assert queries("ar") == queries("fr")


# --- What was written before ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("app", "migration", "model", "fields"),
    [
        ("services", "0004_content_in_three_languages", "Service", ["title", "summary", "description"]),
        ("services", "0004_content_in_three_languages", "ServiceSession", ["location"]),
        ("services", "0004_content_in_three_languages", "Programme", ["title", "description"]),
        ("tp_sites", "0008_partners_in_three_languages", "Partner", ["description"]),
        ("tp_sites", "0008_partners_in_three_languages", "Incubator", ["description"]),
    ],
)
def test_the_data_migration_copies_what_was_written_into_french(world, unscoped, app, migration, model, fields):
    real = django_apps.get_model(app, model)
    if model == "Partner":
        PartnerFactory()
    old_row, translated_row = real._base_manager.order_by("pk")[:2]
    languages = ("fr", "ar", "en")
    # One row as it was before the migration (its text in the base columns only), one whose
    # French version is already there.
    old = {field: f"Ancien {field}" for field in fields}
    real._base_manager.filter(pk=old_row.pk).rewrite(False).update(
        **old, **{f"{field}_{language}": None for field in fields for language in languages}
    )
    real._base_manager.filter(pk=translated_row.pk).rewrite(False).update(
        **dict.fromkeys(fields, "Base"), **{f"{field}_fr": "Déjà en français" for field in fields}
    )
    state = MigrationLoader(connection).project_state((app, migration)).apps
    module = importlib.import_module(f"{django_apps.get_app_config(app).name}.migrations.{migration}")
    module.copy_to_french(state, None)
    names = [f"{field}_{language}" for field in fields for language in languages]
    after = real._base_manager.filter(pk=old_row.pk).values(*names)[0]
    for field in fields:
        assert after[f"{field}_fr"] == old[field]
        assert after[f"{field}_ar"] is None and after[f"{field}_en"] is None
    kept = real._base_manager.filter(pk=translated_row.pk).values(*[f"{field}_fr" for field in fields])[0]
    assert set(kept.values()) == {"Déjà en français"}


def test_saving_in_any_language_keeps_french_in_the_base_column(world, unscoped):
    service = Service.objects.get(pk=world["service_a"])
    with translation.override("ar"):
        service.title_ar = "تكوين"
        service.save()
        assert service.title == "تكوين"
        assert not shown_in_default(service, "title")
    assert Service.objects.filter(pk=service.pk).raw_values("title")[0]["title"] == "Pitch training A"
    with translation.override("en"):
        assert service.title == "Pitch training A" and shown_in_default(service, "title")


# --- The demo ---------------------------------------------------------------------------------------
def test_the_demo_offer_and_calls_come_in_three_languages(db, unscoped):
    from services.demo import seed_services
    from sites.demo import seed_sites
    from startups.demo_applications import _calls
    from startups.models import Call

    seed_sites()
    assert seed_services() > 0
    for service in Service.objects.all():
        assert service.title_fr and service.title_ar and service.title_en, service.title_fr
        assert service.summary_ar and service.summary_en and service.description_ar and service.description_en
        assert service.title_ar != service.title_fr
    assert ServiceSession.objects.filter(location_ar__contains="القاعة", location_en__contains="room").exists()
    assert not ServiceSession.objects.filter(location_fr__gt="", location_ar__isnull=True).exists()
    assert all(programme.title_ar and programme.description_en for programme in Programme.objects.all())
    assert all(partner.description_ar for partner in Partner.objects.exclude(description_fr=""))
    assert all(incubator.description_en for incubator in Incubator.objects.all())
    sites = {site.slug: site for site in Site.objects.filter(slug__in=["casablanca", "rabat"])}
    _calls(sites)
    for call in Call.objects.all():
        assert call.title_ar and call.title_en and call.description_ar and call.description_en
        assert len(call.questions_ar) == len(call.questions) == len(call.questions_en)
    seed_services()  # idempotent: nothing more, nothing lost
    assert all(service.title_ar for service in Service.objects.all())
