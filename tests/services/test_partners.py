"""Partners and programmes: head office's partners (logo, contacts, public page), programmes
of the network and of a site (choices limited to the site's services, incubators and
admitted startups), cohorts, and the participants' programme pages (who sees what)."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scopes_disabled
from PIL import Image

from core.models import AuditEntry
from services.models import Programme, ProgrammeParticipant, ServiceSession
from sites.models import MembershipRole, Partner
from tests.factories import (
    AdmissionFactory,
    IncubatorFactory,
    PartnerFactory,
    ProgrammeFactory,
    ServiceFactory,
    ServiceSessionFactory,
    SiteMembershipFactory,
    StartupFactory,
    StartupMemberFactory,
    UserFactory,
)

# Every test here uses the world: built once for the module (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("shared_world")

TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def _english(client):
    client.cookies["django_language"] = "en"


def audited(**filters) -> bool:
    with scopes_disabled():
        return AuditEntry.objects.filter(**filters).exists()


def html(response) -> str:
    return response.content.decode()


def png(name="logo.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), (11, 85, 99)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def partner_data(**overrides) -> dict:
    data = {
        "name": "Banque Populaire",
        "category": "bank",
        "is_international": "",
        "description_fr": "Financing for innovative startups.",
        "website": "bp.example.ma",
        "contact_name": "Salma Idrissi",
        "contact_email": "salma@bp.example.ma",
        "contact_phone": "05 22 12 34 56",
        "is_active": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def programme_data(**overrides) -> dict:
    data = {
        "title_fr": "Fintech accelerator",
        "description_fr": "Six months to reach the market.",
        "starts_on": "2026-02-01",
        "ends_on": "2026-07-31",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


# --- Partners -----------------------------------------------------------------------------------
def test_head_office_creates_a_partner_with_a_logo_shown_publicly(client, staff, world):
    client.force_login(staff)
    response = client.post("/network/partners/new/", {**partner_data(), "logo": png()})
    assert response.status_code == 302
    partner = Partner.objects.get(name="Banque Populaire")
    assert partner.contact_phone == "+212522123456"
    assert partner.website == "https://bp.example.ma"
    assert audited(object_id=str(partner.pk), action="create")
    client.logout()
    page = html(client.get("/partners/"))
    assert "Banque Populaire" in page
    assert f"/partners/{partner.pk}/logo/" in page
    logo = client.get(f"/partners/{partner.pk}/logo/")
    assert logo.status_code == 200
    assert logo["Content-Type"] == "image/png"
    assert b"".join(logo.streaming_content).startswith(b"\x89PNG")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("contact_phone", "12345", "Enter a Moroccan number"),
        ("contact_email", "not-an-email", "Enter a valid email address"),
        ("name", "", "This field is required"),
        ("category", "casino", "Select a valid choice"),
    ],
)
def test_invalid_partner_fields_re_render_with_messages(client, staff, world, field, value, message):
    client.force_login(staff)
    response = client.post("/network/partners/new/", partner_data(**{field: value}))
    assert response.status_code == 200
    assert message in html(response)
    assert 'value="Salma Idrissi"' in html(response)  # nothing typed is lost
    assert not Partner.objects.filter(contact_name="Salma Idrissi").exists()


def test_a_text_file_renamed_png_is_not_a_logo(client, staff, world):
    client.force_login(staff)
    fake = SimpleUploadedFile("logo.png", b"<svg onload=alert(1)>", content_type="image/png")
    response = client.post("/network/partners/new/", {**partner_data(), "logo": fake})
    assert response.status_code == 200
    assert "Upload a valid image" in html(response)
    assert not Partner.objects.filter(name="Banque Populaire").exists()


def test_a_gif_logo_is_refused(client, staff, world):
    client.force_login(staff)
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, format="GIF")
    gif = SimpleUploadedFile("logo.gif", buffer.getvalue(), content_type="image/gif")
    response = client.post("/network/partners/new/", {**partner_data(), "logo": gif})
    assert response.status_code == 200
    assert "Use a PNG, JPEG or WebP image." in html(response)


def test_a_duplicate_partner_name_is_refused(client, staff, world):
    client.force_login(staff)
    response = client.post("/network/partners/new/", partner_data(name="Banque Atlas"))
    assert response.status_code == 200
    assert "already exists" in html(response)


def test_head_office_edits_a_partner_and_inactive_ones_leave_the_public_page(client, staff, world):
    client.force_login(staff)
    response = client.post(
        f"/network/partners/{world['partner']}/edit/", partner_data(name="Banque Atlas", is_active=None)
    )
    assert response.status_code == 302
    assert Partner.objects.get(pk=world["partner"]).is_active is False
    assert "Banque Atlas" in html(client.get("/network/partners/"))
    assert "Banque Atlas" not in html(client.get("/partners/"))


def test_partner_search_and_empty_states(client, staff, world):
    client.force_login(staff)
    assert "Banque Atlas" in html(client.get("/network/partners/?q=atlas"))
    assert "No partner matches this search." in html(client.get("/network/partners/?q=nothing-like-it"))
    Partner.objects.all().delete()
    assert "No partner is listed yet." in html(client.get("/partners/"))


def test_unknown_partner_is_404(client, staff, world):
    client.force_login(staff)
    assert client.get("/network/partners/999999/edit/").status_code == 404
    assert client.get("/partners/999999/logo/").status_code == 404


def test_partner_pages_are_constant_in_queries(client, staff, world, django_assert_max_num_queries):
    client.force_login(staff)
    for url in ("/partners/", "/network/partners/"):
        with CaptureQueriesContext(connection) as one:
            assert client.get(url).status_code == 200
        PartnerFactory.create_batch(35)
        with django_assert_max_num_queries(len(one)):
            assert client.get(url).status_code == 200
        Partner.objects.exclude(pk=world["partner"]).delete()


# --- Programmes: the site back-office -----------------------------------------------------------
def test_site_programme_choices_are_the_sites_own(client, manager_a, world):
    client.force_login(manager_a)
    form = client.get("/manage/site-a/programmes/new/").context["form"]
    with scopes_disabled():
        services = {service.title for service in form.fields["services"].queryset}
        incubators = {incubator.slug for incubator in form.fields["incubators"].queryset}
    assert services == {"Pitch training A", "Immersion day A"}
    assert incubators == {"incubator-a"}


def test_manager_creates_a_programme_for_their_site(client, manager_a, site_a, world):
    client.force_login(manager_a)
    data = programme_data(partners=[world["partner"]], incubators=[world["incubator_a"]], services=[world["service_a"]])
    response = client.post("/manage/site-a/programmes/new/", data)
    assert response.status_code == 302
    with scopes_disabled():
        programme = Programme.objects.get(title_fr="Fintech accelerator")
        assert programme.site == site_a
        assert list(programme.services.values_list("pk", flat=True)) == [world["service_a"]]
        assert list(programme.incubators.values_list("pk", flat=True)) == [world["incubator_a"]]
    assert response["Location"] == f"/manage/site-a/programmes/{programme.pk}/"
    assert audited(object_id=str(programme.pk), site=site_a)


@pytest.mark.parametrize("field", ["services", "incubators"])
def test_manager_a_cannot_pick_site_b_or_network_pieces(client, manager_a, world, field):
    client.force_login(manager_a)
    foreign = {"services": [world["service_b"], world["service_network"]], "incubators": [world["incubator_b"]]}[field]
    for pk in foreign:
        response = client.post(
            f"/manage/site-a/programmes/{world['programme_a']}/edit/", programme_data(**{field: [pk]})
        )
        assert response.status_code == 200
        assert "Select a valid choice" in html(response)
    with scopes_disabled():
        programme = Programme.objects.get(pk=world["programme_a"])
        assert programme.title == "Accélération A"
        assert set(programme.services.values_list("pk", flat=True)) == {world["service_a"]}
        assert not programme.incubators.exists()


def test_a_programme_cannot_end_before_it_starts(client, manager_a, world):
    client.force_login(manager_a)
    response = client.post("/manage/site-a/programmes/new/", programme_data(ends_on="2026-01-01"))
    assert response.status_code == 200
    assert "The programme cannot end before it starts." in html(response)
    assert 'value="Fintech accelerator"' in html(response)
    with scopes_disabled():
        assert not Programme.objects.filter(title_fr="Fintech accelerator").exists()


def test_the_cohort_offers_only_startups_admitted_at_the_site(client, manager_a, site_a, site_b, world):
    with scopes_disabled():
        newcomer = AdmissionFactory(site=site_a, startup=StartupFactory(brand_name="Cedar Labs")).startup
        AdmissionFactory(
            site=site_a,
            startup=StartupFactory(brand_name="Gone Co"),
            starts_on=datetime.date(2020, 1, 1),
            ended_on=datetime.date(2021, 1, 1),
            exit_reason="graduated",
        )
    client.force_login(manager_a)
    response = client.get(f"/manage/site-a/programmes/{world['programme_a']}/")
    assert response.status_code == 200
    with scopes_disabled():
        offered = set(response.context["form"].fields["startup"].queryset)
    assert offered == {newcomer}  # startup_a is already in; startup_b is at B; Gone Co has left
    response = client.post(f"/manage/site-a/programmes/{world['programme_a']}/", {"startup": newcomer.pk})
    assert response.status_code == 302
    with scopes_disabled():
        participant = ProgrammeParticipant.objects.get(programme=world["programme_a"], startup=newcomer)
        assert participant.site_id == site_a.pk
        assert participant.joined_on == TODAY


def test_manager_b_cannot_add_site_a_startup_to_their_programme(client, manager_b, world):
    client.force_login(manager_b)
    response = client.post(f"/manage/site-b/programmes/{world['programme_b']}/", {"startup": world["startup_a"]})
    assert response.status_code == 200
    assert "Select a valid choice" in html(response)
    with scopes_disabled():
        assert not ProgrammeParticipant.objects.filter(programme=world["programme_b"]).exists()


def test_manager_b_gets_404_on_site_a_programmes_through_site_b(client, manager_b, world):
    client.force_login(manager_b)
    assert client.get(f"/manage/site-b/programmes/{world['programme_a']}/").status_code == 404
    assert client.get(f"/manage/site-b/programmes/{world['programme_a']}/edit/").status_code == 404
    url = f"/manage/site-b/programmes/{world['programme_a']}/participants/{world['startup_a']}/remove/"
    assert client.post(url).status_code == 404
    page = html(client.get("/manage/site-b/programmes/"))
    assert "Accélération B" in page and "Accélération A" not in page
    with scopes_disabled():
        assert ProgrammeParticipant.objects.filter(programme=world["programme_a"]).exists()


def test_manager_removes_a_startup_from_the_cohort(client, manager_a, world):
    client.force_login(manager_a)
    url = f"/manage/site-a/programmes/{world['programme_a']}/participants/{world['startup_a']}/remove/"
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 302
    with scopes_disabled():
        assert not ProgrammeParticipant.objects.filter(programme=world["programme_a"]).exists()
    assert audited(action="delete", content_type__model="programmeparticipant")
    assert client.post(url).status_code == 404  # already gone


def test_committee_members_read_programmes_but_do_not_change_them(client, site_a, world):
    with scopes_disabled():
        committee = SiteMembershipFactory(site=site_a, role=MembershipRole.COMMITTEE).user
    client.force_login(committee)
    assert client.get("/manage/site-a/programmes/").status_code == 200
    detail = client.get(f"/manage/site-a/programmes/{world['programme_a']}/")
    assert detail.status_code == 200
    assert "Add a startup to the cohort" not in html(detail)
    assert client.post("/manage/site-a/programmes/new/", programme_data()).status_code == 403
    assert client.post(f"/manage/site-a/programmes/{world['programme_a']}/", {"startup": 1}).status_code == 403
    url = f"/manage/site-a/programmes/{world['programme_a']}/participants/{world['startup_a']}/remove/"
    assert client.post(url).status_code == 403


# --- Programmes: head office ---------------------------------------------------------------------
def test_head_office_creates_a_network_programme_with_network_services(client, staff, site_b, world):
    client.force_login(staff)
    form = client.get("/network/programmes/new/").context["form"]
    with scopes_disabled():
        assert {service.title for service in form.fields["services"].queryset} == {"Live seminar e-Technopark"}
        assert {incubator.slug for incubator in form.fields["incubators"].queryset} == {"incubator-a", "incubator-b"}
    response = client.post("/network/programmes/new/", programme_data(services=[world["service_a"]]))
    assert response.status_code == 200
    assert "Select a valid choice" in html(response)
    data = programme_data(services=[world["service_network"]], incubators=[world["incubator_a"], world["incubator_b"]])
    response = client.post("/network/programmes/new/", data)
    assert response.status_code == 302
    with scopes_disabled():
        programme = Programme.objects.get(title_fr="Fintech accelerator")
    assert programme.site is None
    # Any admitted startup may join a network programme, whatever its site.
    response = client.post(f"/network/programmes/{programme.pk}/", {"startup": world["startup_b"]})
    assert response.status_code == 302
    with scopes_disabled():
        participant = ProgrammeParticipant.objects.get(programme=programme)
    assert participant.startup_id == world["startup_b"] and participant.site_id is None
    page = html(client.get("/network/programmes/?site=network"))
    assert "Fintech accelerator" in page and "Accélération A" not in page
    page = html(client.get("/network/programmes/?site=site-a"))
    assert "Accélération A" in page and "Fintech accelerator" not in page
    assert "Accélération B" in html(client.get("/network/programmes/?site=bogus"))  # ignored


def test_head_office_manages_a_site_programme_with_that_sites_choices(client, staff, world):
    client.force_login(staff)
    form = client.get(f"/network/programmes/{world['programme_a']}/edit/").context["form"]
    with scopes_disabled():
        assert {service.title for service in form.fields["services"].queryset} == {
            "Pitch training A",
            "Immersion day A",
        }
    response = client.post(f"/network/programmes/{world['programme_a']}/", {"startup": world["startup_b"]})
    assert response.status_code == 200  # startup_b is admitted at B, not at A
    url = f"/network/programmes/{world['programme_a']}/participants/{world['startup_a']}/remove/"
    assert client.post(url).status_code == 302
    with scopes_disabled():
        assert not ProgrammeParticipant.objects.filter(programme=world["programme_a"]).exists()


def test_adding_a_startup_twice_is_a_conflict(client, staff, world):
    from services import actions

    with scopes_disabled():
        programme = Programme.objects.get(pk=world["programme_a"])
        startup = programme.participants.get().startup
        with pytest.raises(actions.Conflict):
            actions.programme_participant_add(actor=staff, programme=programme, startup=startup)


# --- Participants' pages ----------------------------------------------------------------------------
@pytest.fixture
def network_programme(world, site_b):
    """A network programme whose cohort is startup_b (admitted at B), with its founder."""
    with scopes_disabled():
        programme = ProgrammeFactory(site=None, title="e-Technopark Export")
        programme.services.add(world["service_network"])
        ProgrammeParticipant.objects.create(programme=programme, site=None, startup_id=world["startup_b"])
        founder_b = StartupMemberFactory(startup_id=world["startup_b"], user__email="founder.b@example.ma").user
    return programme, founder_b


def test_the_cohort_sees_its_programme_with_services_and_sessions(client, founder_a, world):
    client.force_login(founder_a)
    page = html(client.get("/programmes/"))
    assert "Accélération A" in page and "Atlas Data" in page and "Accélération B" not in page
    response = client.get(f"/programmes/{world['programme_a']}/")
    assert response.status_code == 200
    page = html(response)
    assert "Banque Atlas" in page and "Pitch training A" in page and "Atlas Data" in page
    with scopes_disabled():
        starts = ServiceSession.objects.get(pk=world["session_a"]).starts_at
    assert f'datetime="{timezone.localtime(starts).isoformat()[:16]}' in page
    assert "meet.example.ma" not in page  # join links belong to the registration, not here


def test_team_members_of_the_cohort_see_it_too(client, world):
    with scopes_disabled():
        from startups.models import StartupMember

        teammate = StartupMember.objects.get(pk=world["member_a"]).user
    client.force_login(teammate)
    assert client.get(f"/programmes/{world['programme_a']}/").status_code == 200


def test_others_get_404_on_a_programme_page(client, outsider, manager_b, world, network_programme):
    programme, founder_b = network_programme
    client.force_login(outsider)
    assert client.get(f"/programmes/{world['programme_a']}/").status_code == 404
    client.force_login(founder_b)
    assert client.get(f"/programmes/{world['programme_a']}/").status_code == 404
    assert client.get("/programmes/999999/").status_code == 404
    client.force_login(manager_b)
    assert client.get(f"/programmes/{world['programme_a']}/").status_code == 404


def test_a_network_programme_is_seen_by_its_cohort_and_head_office_only(
    client, founder_a, manager_a, manager_b, staff, network_programme
):
    programme, founder_b = network_programme
    url = f"/programmes/{programme.pk}/"
    client.force_login(founder_b)
    assert "e-Technopark Export" in html(client.get("/programmes/"))
    page = html(client.get(url))
    assert "Live seminar e-Technopark" in page and "Network (e-Technopark)" in page
    for persona in (founder_a, manager_a, manager_b):
        client.force_login(persona)
        assert client.get(url).status_code == 404
        assert "e-Technopark Export" not in html(client.get("/programmes/"))
    client.force_login(staff)
    assert client.get(url).status_code == 200


def test_empty_programme_list(client, outsider, world):
    client.force_login(outsider)
    assert "None of your startups takes part in a programme yet." in html(client.get("/programmes/"))


def _programmes(count, *, site, startup):
    with scopes_disabled():
        partner = PartnerFactory()
        service = ServiceFactory(site=site)
        ServiceSessionFactory(service=service)
        for _index in range(count):
            programme = ProgrammeFactory(site=site)
            programme.partners.add(partner, PartnerFactory())
            programme.services.add(service)
            programme.incubators.add(IncubatorFactory(affiliated_site=site) if site else IncubatorFactory())
            ProgrammeParticipant.objects.create(programme=programme, site=site, startup=startup)


@pytest.mark.parametrize(
    ("persona", "url"),
    [
        ("founder_a", "/programmes/"),
        ("staff", "/network/programmes/"),
        ("manager_a", "/manage/site-a/programmes/"),
    ],
)
def test_programme_lists_are_constant_in_queries(
    client, personas, site_a, world, persona, url, django_assert_max_num_queries
):
    with scopes_disabled():
        startup = personas["founder_a"].startup_memberships.get().startup
    client.force_login(personas[persona])
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    _programmes(30, site=site_a, startup=startup)
    _programmes(30, site=None, startup=startup)
    with django_assert_max_num_queries(len(one)):
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 25


def test_programme_pages_are_constant_in_queries(client, staff, site_a, world, django_assert_max_num_queries):
    client.force_login(staff)
    urls = [f"/programmes/{world['programme_a']}/", f"/manage/site-a/programmes/{world['programme_a']}/"]
    counts = []
    for url in urls:
        with CaptureQueriesContext(connection) as one:
            assert client.get(url).status_code == 200
        counts.append(len(one))
    with scopes_disabled():
        programme = Programme.objects.get(pk=world["programme_a"])
        for _index in range(30):
            startup = AdmissionFactory(site=site_a).startup
            ProgrammeParticipant.objects.create(programme=programme, site=site_a, startup=startup)
            service = ServiceFactory(site=site_a)
            ServiceSessionFactory(service=service)
            programme.services.add(service)
            programme.partners.add(PartnerFactory())
        UserFactory.create_batch(2)
    for url, count in zip(urls, counts, strict=True):
        with django_assert_max_num_queries(count):
            assert client.get(url).status_code == 200
