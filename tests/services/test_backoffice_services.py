"""Services back-office, the services: a site's services (/manage/<site>/services/…) and
head office's e-Technopark offer (/network/services/…): the list, its filters and rates,
CRUD and validation, tenant isolation and read-only committee members. Sessions,
attendance and the check-in CSV: test_backoffice_sessions.py."""

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from services import stats
from services.models import Registration, RegistrationStatus, Service, ServiceSession, SessionStatus
from sites.models import Language, MembershipRole
from tests.factories import (
    PartnerFactory,
    RegistrationFactory,
    ServiceFactory,
    ServiceSessionFactory,
    SiteMembershipFactory,
)

from . import backoffice_setup
from .backoffice_setup import HOUR, LIST, _audited, _get

# The fixtures shared with the sibling modules: pytest finds a fixture by its name in the module.
head_office = backoffice_setup.head_office
manager = backoffice_setup.manager

# Every test here uses the world: built once for the module (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_world")]


@pytest.fixture
def committee(client, world, site_a):
    with scopes_disabled():
        user = SiteMembershipFactory(site=site_a, role=MembershipRole.COMMITTEE).user
    client.cookies["django_language"] = "en"
    client.force_login(user)
    return client


def _service_data(**overrides) -> dict:
    with scopes_disabled():
        french = Language.objects.get(code="fr").pk
    data = {
        "title_fr": "Investor readiness clinic",
        "summary_fr": "Get ready for your first round.",
        "description_fr": "Three hours with a fund manager.",
        "dimension": "financing",
        "service_type": "clinic",
        "provider_kind": "site_team",
        "partner": "",
        "expert_name": "",
        "format": "on_site",
        "eligibility": "site_residents",
        "languages": [french],
        "is_published": "on",
    }
    data.update(overrides)
    return data


def _titles(response) -> list[str]:
    return [service.title for service in response.context["page"]]


# --- Service list: scope, filters, figures ----------------------------------------------------
def test_service_list_shows_only_this_sites_services(manager):
    response = manager.get(LIST)
    assert response.status_code == 200
    assert _titles(response) == ["Immersion day A", "Pitch training A"]
    html = response.content.decode()
    assert "Export clinic B" not in html  # site B's
    assert "Live seminar e-Technopark" not in html  # the network's


def test_service_list_filters_by_dimension_type_format_and_published(manager, site_a):
    with scopes_disabled():
        ServiceFactory(
            site=site_a, title="Remote coaching", service_type="coaching", format="remote", is_published=False
        )
    assert _titles(manager.get(LIST, {"dimension": "financing"})) == ["Pitch training A"]
    assert _titles(manager.get(LIST, {"service_type": "immersion_day"})) == ["Immersion day A"]
    assert _titles(manager.get(LIST, {"format": "remote"})) == ["Remote coaching"]
    assert _titles(manager.get(LIST, {"published": "no"})) == ["Remote coaching"]
    assert _titles(manager.get(LIST, {"q": "pitch"})) == ["Pitch training A"]
    # Nonsense values are ignored, never a 500.
    response = manager.get(LIST, {"dimension": "nope", "format": "<script>", "page": "x"})
    assert response.status_code == 200
    assert len(_titles(response)) == 3


def test_network_list_shows_only_the_networks_services(head_office):
    response = head_office.get("/network/services/")
    assert response.status_code == 200
    assert _titles(response) == ["Live seminar e-Technopark"]
    # Head office on a site's back-office sees that site's services only.
    assert _titles(head_office.get(LIST)) == ["Immersion day A", "Pitch training A"]


def test_rates_computed_by_hand(manager, site_a, world):
    """Two held sessions (3 present + 1 no-show, 1 present + 2 no-show), a scheduled one
    whose marks do not count yet, ratings 5, 4 and 3: attendance 4/7, satisfaction 4.0."""
    now = timezone.now()
    with scopes_disabled():
        service = ServiceFactory(site=site_a, title="Rated training")
        held_1 = ServiceSessionFactory(service=service, starts_at=now - 48 * HOUR, status=SessionStatus.HELD)
        held_2 = ServiceSessionFactory(service=service, starts_at=now - 24 * HOUR, status=SessionStatus.HELD)
        not_held = ServiceSessionFactory(service=service, starts_at=now - 5 * HOUR)
        ServiceSessionFactory(service=service)  # upcoming
        ServiceSessionFactory(service=service, status=SessionStatus.CANCELLED)  # not upcoming
        for attendance, rating in [("present", 5), ("present", 4), ("present", None), ("no_show", None)]:
            RegistrationFactory(session=held_1, attendance=attendance, rating=rating)
        for attendance, rating in [("present", 3), ("no_show", None), ("no_show", None)]:
            RegistrationFactory(session=held_2, attendance=attendance, rating=rating)
        RegistrationFactory(session=not_held, attendance="present")
        RegistrationFactory(session=held_1, status=RegistrationStatus.CANCELLED, attendance="present", rating=1)

    response = manager.get(LIST, {"q": "Rated"})
    [row] = response.context["page"]
    assert row.upcoming_sessions == 1
    assert row.rating_count == 3
    assert row.rating_average == pytest.approx(4.0)
    assert (row.present_count, row.no_show_count) == (4, 3)
    assert row.attendance_percent == round(100 * 4 / 7) == 57
    html = response.content.decode()
    assert "4.0/5" in html and "57 %" in html

    detail = manager.get(f"/manage/site-a/services/{service.pk}/")
    assert detail.context["attendance_percent"] == 57
    assert stats.attendance_rate(0, 0) == 0.0  # an empty denominator gives 0


def test_an_attendance_rate_of_nobody_is_a_dash_not_0_percent(manager, site_a):
    """Held sessions where nobody was marked present or absent: nothing to divide. The
    service's page and the session's show "—" and why, never "0 %"."""
    with scopes_disabled():
        service = ServiceFactory(site=site_a, title="Unmarked training")
        held = ServiceSessionFactory(service=service, starts_at=timezone.now() - 24 * HOUR, status=SessionStatus.HELD)
        RegistrationFactory(session=held)  # confirmed, attendance not taken
    dash = '<span aria-hidden="true" title="Not applicable: nothing to divide">—</span>'
    for url in (f"/manage/site-a/services/{service.pk}/", f"/manage/site-a/sessions/{held.pk}/"):
        html = manager.get(url).content.decode()
        rate = html[html.index("Attendance rate") :][:400]
        assert dash in rate and "0 %" not in rate, url


# --- Services: create and edit ----------------------------------------------------------------
def test_create_a_service_of_the_site(manager, site_a, manager_a):
    response = manager.post("/manage/site-a/services/new/", _service_data())
    with scopes_disabled():
        service = Service.objects.get(title_fr="Investor readiness clinic")
    assert response.status_code == 302
    assert response["Location"] == f"/manage/site-a/services/{service.pk}/"
    assert service.site == site_a
    assert [language.code for language in service.languages.all()] == ["fr"]
    assert _audited(object_id=str(service.pk), action="create", actor=manager_a)


def test_partner_is_required_for_a_partner_service_and_expert_name_for_an_expert(manager, world):
    response = manager.post("/manage/site-a/services/new/", _service_data(provider_kind="partner"))
    assert response.status_code == 200
    assert "Choose the partner organisation" in response.content.decode()
    assert response.context["form"].data["title_fr"] == "Investor readiness clinic"  # nothing typed is lost

    response = manager.post("/manage/site-a/services/new/", _service_data(provider_kind="expert", expert_name="  "))
    assert response.status_code == 200
    assert "expert_name" in response.context["form"].errors

    with scopes_disabled():
        assert not Service.objects.filter(title_fr="Investor readiness clinic").exists()
    response = manager.post(
        "/manage/site-a/services/new/", _service_data(provider_kind="partner", partner=world["partner"])
    )
    assert response.status_code == 302
    with scopes_disabled():
        assert Service.objects.get(title_fr="Investor readiness clinic").partner_id == world["partner"]


def test_other_provider_clears_partner_and_expert(manager, world):
    response = manager.post(
        "/manage/site-a/services/new/",
        _service_data(provider_kind="site_team", partner=world["partner"], expert_name="Dr X"),
    )
    assert response.status_code == 302
    with scopes_disabled():
        service = Service.objects.get(title_fr="Investor readiness clinic")
    assert service.partner is None and service.expert_name == ""


def test_partner_choices_are_the_active_partners(manager, world):
    with scopes_disabled():
        PartnerFactory(name="Old Partner", is_active=False)
        PartnerFactory(name="Fonds Souss")
    choices = manager.get("/manage/site-a/services/new/").context["form"].fields["partner"].queryset
    assert [partner.name for partner in choices] == ["Banque Atlas", "Fonds Souss"]
    response = manager.post("/manage/site-a/services/new/", _service_data(provider_kind="partner", partner="999999"))
    assert response.status_code == 200 and "partner" in response.context["form"].errors


def test_languages_are_required(manager):
    response = manager.post("/manage/site-a/services/new/", _service_data(languages=[]))
    assert response.status_code == 200
    assert "languages" in response.context["form"].errors


def test_edit_a_service(manager, world):
    url = f"/manage/site-a/services/{world['service_a']}/edit/"
    assert manager.get(url).status_code == 200
    response = manager.post(url, _service_data(title_fr="Pitch training A+", is_published=""))
    assert response.status_code == 302
    service = _get(Service, world["service_a"])
    assert service.title == "Pitch training A+" and not service.is_published


def test_head_office_creates_a_network_service(head_office):
    # One site's residents is not an option for the network's services.
    response = head_office.post("/network/services/new/", _service_data())
    assert response.status_code == 200 and "eligibility" in response.context["form"].errors
    response = head_office.post("/network/services/new/", _service_data(eligibility="admitted"))
    assert response.status_code == 302
    with scopes_disabled():
        service = Service.objects.get(title_fr="Investor readiness clinic")
    assert service.site is None
    assert response["Location"] == f"/network/services/{service.pk}/"


def test_network_routes_never_reach_a_sites_rows(head_office, world):
    for url in [
        f"/network/services/{world['service_a']}/",
        f"/network/services/{world['service_a']}/edit/",
        f"/network/services/sessions/{world['session_a']}/",
        f"/network/services/sessions/{world['session_public']}/checkin.csv",
    ]:
        assert head_office.get(url).status_code == 404, url


# --- Isolation --------------------------------------------------------------------------------
SITE_A_ROUTES = [
    ("get", "/manage/site-a/services/"),
    ("get", "/manage/site-a/services/new/"),
    ("post", "/manage/site-a/services/new/"),
    ("get", "/manage/site-a/services/{service_a}/"),
    ("get", "/manage/site-a/services/{service_a}/edit/"),
    ("post", "/manage/site-a/services/{service_a}/edit/"),
    ("get", "/manage/site-a/services/{service_a}/sessions/new/"),
    ("post", "/manage/site-a/services/{service_a}/sessions/new/"),
    ("get", "/manage/site-a/sessions/{session_a}/"),
    ("get", "/manage/site-a/sessions/{session_a}/edit/"),
    ("post", "/manage/site-a/sessions/{session_a}/edit/"),
    ("get", "/manage/site-a/sessions/{session_a}/cancel/"),
    ("post", "/manage/site-a/sessions/{session_a}/cancel/"),
    ("post", "/manage/site-a/sessions/{session_a}/held/"),
    ("get", "/manage/site-a/sessions/{session_a}/attendance/"),
    ("post", "/manage/site-a/sessions/{session_a}/attendance/"),
    ("get", "/manage/site-a/sessions/{session_public}/checkin.csv"),
]
WRITES = [(method, url) for method, url in SITE_A_ROUTES if method == "post" or url.endswith(("/new/", "/edit/"))]


@pytest.mark.parametrize(("method", "url"), SITE_A_ROUTES)
def test_manager_b_gets_404_on_every_site_a_route(client, world, manager_b, method, url):
    client.force_login(manager_b)
    response = getattr(client, method)(url.format(**world), {})
    assert response.status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/manage/site-a/services/{service_b}/",
        "/manage/site-a/services/{service_b}/edit/",
        "/manage/site-a/services/{service_network}/",
        "/manage/site-a/services/{service_network}/edit/",
        "/manage/site-a/services/{service_network}/sessions/new/",
        "/manage/site-a/sessions/{session_b}/",
        "/manage/site-a/sessions/{session_b}/edit/",
        "/manage/site-a/sessions/{session_b}/cancel/",
        "/manage/site-a/sessions/{session_b}/attendance/",
        "/manage/site-a/sessions/{session_network}/",
        "/manage/site-a/sessions/{session_network}/attendance/",
        "/manage/site-a/sessions/{session_a}/checkin.csv",  # not a public event
    ],
)
def test_site_a_pages_never_show_other_sites_or_network_rows(manager, world, url):
    assert manager.get(url.format(**world)).status_code == 404


def test_attendance_of_another_sessions_registration_is_404(manager, world, unscoped):
    other = RegistrationFactory(session=ServiceSession.objects.get(pk=world["session_public"]))
    url = f"/manage/site-a/sessions/{world['session_a']}/attendance/"
    for registration in (world["registration_b"], other.pk):
        response = manager.post(url, {"registration": registration, "attendance": "present"})
        assert response.status_code == 404
    assert Registration.objects.get(pk=world["registration_b"]).attendance == ""


@pytest.mark.parametrize(("method", "url"), WRITES)
def test_committee_member_reads_but_cannot_write(committee, world, method, url):
    response = getattr(committee, method)(url.format(**world), {})
    assert response.status_code == 403


def test_committee_member_reads_the_pages(committee, world):
    for url in [
        "/manage/site-a/services/",
        "/manage/site-a/services/{service_a}/",
        "/manage/site-a/sessions/{session_a}/",
    ]:
        response = committee.get(url.format(**world))
        assert response.status_code == 200
        assert "New service" not in response.content.decode()
    response = committee.get(f"/manage/site-a/sessions/{world['session_a']}/attendance/")
    assert response.status_code == 200
    assert 'name="attendance"' not in response.content.decode()
