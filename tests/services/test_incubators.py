"""Partner incubators: a tenant of their own, as strict as a site.

Two incubator managers (incubator A's and incubator B's) prove that each runs only its own
back-office (404 on the other's, on every route and method, as for one that does not exist),
sees no site back-office and no other incubator's startups through any list; head office
sees both; site A's staff read incubator A's startups (not B's) from their back-office.
Also: head office's incubator pages and manager grants, adding and ending incubations,
and query counts.
"""

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scopes_disabled

from accounts.models import Role
from core.models import AuditEntry
from services.models import IncubatedStartup, Programme, ProgrammeParticipant
from sites.models import Incubator, IncubatorMembership
from tests.factories import (
    AdmissionFactory,
    IncubatorFactory,
    ProgrammeFactory,
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


def html(response) -> str:
    return response.content.decode()


@pytest.fixture
def incubators(world, site_b):
    """Incubator A (site A) incubates startup_a (the world's); incubator B (site B) incubates
    "Souss Agri" (startup_b) and a startup of its own, "Argan Robotics"."""
    with scopes_disabled():
        incubator_a = Incubator.objects.get(slug="incubator-a")
        incubator_b = Incubator.objects.get(slug="incubator-b")
        argan = StartupFactory(legal_name="Argan Robotics SARL", brand_name="Argan Robotics", ice="900000000000777")
        IncubatedStartup.objects.create(
            incubator=incubator_b, startup_id=world["startup_b"], since=datetime.date(2024, 3, 1)
        )
        IncubatedStartup.objects.create(incubator=incubator_b, startup=argan, since=datetime.date(2025, 1, 1))
    return incubator_a, incubator_b


@pytest.fixture
def incubator_manager_a(incubators):
    with scopes_disabled():
        user = UserFactory(email="incubator.a@example.ma", role=Role.PARTNER)
        IncubatorMembership.objects.create(incubator=incubators[0], user=user)
    return user


@pytest.fixture
def incubator_manager_b(incubators):
    with scopes_disabled():
        user = UserFactory(email="incubator.b@example.ma", role=Role.PARTNER)
        IncubatorMembership.objects.create(incubator=incubators[1], user=user)
    return user


def incubator_routes(slug: str, world: dict) -> list[tuple[str, str, dict]]:
    """Every route of an incubator's back-office: (method, url, data)."""
    base = f"/incubators/{slug}/manage/"
    return [
        ("get", base, {}),
        ("get", base + "?status=all", {}),
        ("post", base, {"startup": "900000000000777", "since": "2025-06-01"}),
        ("get", base + "programmes/", {}),
        ("post", base + f"startups/{world['startup_a']}/end/", {}),
        ("post", base + f"startups/{world['startup_b']}/end/", {}),
    ]


def _request(client, method, url, data):
    return client.post(url, data) if method == "post" else client.get(url)


# --- Isolation ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("mine", "theirs"), [("a", "b"), ("b", "a")])
def test_each_incubator_manager_runs_their_own_back_office_only(
    client, world, incubator_manager_a, incubator_manager_b, incubators, mine, theirs
):
    manager = {"a": incubator_manager_a, "b": incubator_manager_b}[mine]
    client.force_login(manager)
    for method, url, data in incubator_routes(f"incubator-{theirs}", world):
        assert _request(client, method, url, data).status_code == 404, (method, url)
    for method, url, data in incubator_routes("no-such-incubator", world):
        assert _request(client, method, url, data).status_code == 404, (method, url)
    with scopes_disabled():
        # Nothing changed at the other incubator.
        assert IncubatedStartup.objects.filter(incubator__slug=f"incubator-{theirs}", until__isnull=True).count() == (
            1 if theirs == "a" else 2
        )
    statuses = [
        _request(client, method, url, data).status_code
        for method, url, data in incubator_routes(f"incubator-{mine}", world)
    ]
    # Adding Argan Robotics: done at A, a form error at B (already incubated there); ending
    # an incubation: done for the incubator's own startup, 404 for the other's.
    assert statuses == {"a": [200, 200, 302, 200, 302, 404], "b": [200, 200, 200, 200, 404, 302]}[mine]


def test_anonymous_visitors_are_sent_to_sign_in(client, world, incubators):
    for method, url, data in incubator_routes("incubator-a", world):
        response = _request(client, method, url, data)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_incubator_manager_sees_no_site_back_office(client, world, incubator_manager_a):
    client.force_login(incubator_manager_a)
    for url in (
        "/manage/site-a/",
        "/manage/site-a/incubators/",
        "/manage/site-a/programmes/",
        f"/manage/site-a/programmes/{world['programme_a']}/",
        "/manage/site-b/incubators/",
    ):
        assert client.get(url).status_code == 404, url
    for url in ("/network/incubators/", "/network/programmes/", "/network/partners/"):
        assert client.get(url).status_code == 403, url
    assert client.get(f"/programmes/{world['programme_a']}/").status_code == 404


def test_an_incubator_manager_sees_no_other_incubators_startups_in_any_list(client, world, incubator_manager_a):
    client.force_login(incubator_manager_a)
    pages = [
        html(client.get(url))
        for url in (
            "/incubators/incubator-a/manage/",
            "/incubators/incubator-a/manage/?status=all",
            "/incubators/incubator-a/manage/?status=ended",
            "/incubators/incubator-a/manage/programmes/",
            "/incubators/",
            "/programmes/",
            "/partners/",
        )
    ]
    assert "Atlas Data" in pages[0]
    for page in pages:
        assert "Argan Robotics" not in page and "Souss Agri" not in page


def test_head_office_sees_both_incubators(client, staff, world, incubators):
    client.force_login(staff)
    page_a = html(client.get("/incubators/incubator-a/manage/"))
    page_b = html(client.get("/incubators/incubator-b/manage/"))
    assert "Atlas Data" in page_a and "Argan Robotics" not in page_a
    assert "Argan Robotics" in page_b and "Souss Agri" in page_b and "Atlas Data" not in page_b
    page = html(client.get("/network/incubators/"))
    assert "Incubateur A" in page and "Incubateur B" in page


def test_site_a_staff_read_incubator_a_only(client, manager_a, world, incubators):
    client.force_login(manager_a)
    response = client.get("/manage/site-a/incubators/")
    assert response.status_code == 200
    page = html(response)
    assert "Incubateur A" in page and "Atlas Data" in page
    assert "Incubateur B" not in page and "Argan Robotics" not in page and "Souss Agri" not in page
    assert 'method="post"' not in page.split("<main", 1)[1]  # read-only
    # Asking for B's slug is ignored, not a way in.
    page = html(client.get("/manage/site-a/incubators/?incubator=incubator-b&status=all"))
    assert "Argan Robotics" not in page and "Souss Agri" not in page
    # The incubator's own back-office is its managers' (and head office's), not the site's.
    for method, url, data in incubator_routes("incubator-a", world):
        assert _request(client, method, url, data).status_code == 404, (method, url)
    assert client.get("/manage/site-b/incubators/").status_code == 404


def test_site_b_manager_reads_incubator_b(client, manager_b, world, incubators):
    client.force_login(manager_b)
    page = html(client.get("/manage/site-b/incubators/?incubator=incubator-b"))
    assert "Argan Robotics" in page and "Souss Agri" in page and "Atlas Data" not in page


# --- The incubator's back-office ------------------------------------------------------------------------
def test_manager_adds_a_startup_by_ice_or_by_name(client, world, incubator_manager_a):
    client.force_login(incubator_manager_a)
    response = client.post("/incubators/incubator-a/manage/", {"startup": "900 000 000 000 777", "since": "2025-02-01"})
    assert response.status_code == 302
    with scopes_disabled():
        StartupFactory(legal_name="Oasis Cloud SARL", brand_name="Oasis Cloud")
    response = client.post("/incubators/incubator-a/manage/", {"startup": "oasis  cloud", "since": "2025-02-01"})
    assert response.status_code == 302
    with scopes_disabled():
        names = set(
            IncubatedStartup.objects.filter(incubator__slug="incubator-a", until__isnull=True).values_list(
                "startup__brand_name", flat=True
            )
        )
        assert names == {"Atlas Data", "Argan Robotics", "Oasis Cloud"}
        assert AuditEntry.objects.filter(content_type__model="incubatedstartup", action="create").count() == 2
    page = html(client.get("/incubators/incubator-a/manage/"))
    assert "Argan Robotics" in page and "Oasis Cloud" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"startup": "Nobody Here", "since": "2025-01-01"}, "No startup of the portal has this ICE or name."),
        ({"startup": "123456789012345", "since": "2025-01-01"}, "No startup of the portal has this ICE or name."),
        ({"startup": "Twin", "since": "2025-01-01"}, "Several startups have this name: use the ICE instead."),
        ({"startup": "Atlas Data", "since": "2025-01-01"}, "is already incubated here."),
        ({"startup": "Argan Robotics", "since": "2999-01-01"}, "The incubation cannot start in the future."),
        ({"startup": "Argan Robotics", "since": "not a date"}, "Enter a valid date."),
        ({"startup": "", "since": ""}, "This field is required."),
    ],
)
def test_invalid_incubations_re_render_with_messages(client, world, incubator_manager_a, data, message):
    with scopes_disabled():
        StartupFactory(legal_name="Twin SARL", brand_name="Twin")
        StartupFactory(legal_name="Twin", brand_name="Twin Two")
    client.force_login(incubator_manager_a)
    response = client.post("/incubators/incubator-a/manage/", data)
    assert response.status_code == 200
    assert message in html(response)
    with scopes_disabled():
        assert IncubatedStartup.objects.filter(incubator__slug="incubator-a").count() == 1


def test_manager_ends_an_incubation(client, world, incubator_manager_a):
    client.force_login(incubator_manager_a)
    url = f"/incubators/incubator-a/manage/startups/{world['startup_a']}/end/"
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    with scopes_disabled():
        incubation = IncubatedStartup.objects.get(incubator__slug="incubator-a")
    assert incubation.until == TODAY
    assert client.post(url).status_code == 404  # no running incubation left
    assert "Atlas Data" not in html(client.get("/incubators/incubator-a/manage/"))
    assert "Atlas Data" in html(client.get("/incubators/incubator-a/manage/?status=ended"))
    assert "Atlas Data" not in html(client.get("/incubators/incubator-a/manage/?status=bogus&page=x"))


def test_ending_and_restarting_an_incubation(client, world, incubator_manager_a):
    client.force_login(incubator_manager_a)
    client.post(f"/incubators/incubator-a/manage/startups/{world['startup_a']}/end/")
    response = client.post("/incubators/incubator-a/manage/", {"startup": "Atlas Data", "since": TODAY.isoformat()})
    assert response.status_code == 302
    with scopes_disabled():
        assert IncubatedStartup.objects.filter(incubator__slug="incubator-a", until__isnull=True).count() == 1
        assert IncubatedStartup.objects.filter(incubator__slug="incubator-a").count() == 2


def test_an_incubators_programmes_include_network_ones_and_no_others(client, world, incubator_manager_a, incubators):
    with scopes_disabled():
        Programme.objects.get(pk=world["programme_a"]).incubators.add(incubators[0])
        Programme.objects.get(pk=world["programme_b"]).incubators.add(incubators[1])
        network = ProgrammeFactory(site=None, title="Réseau Export")
        network.incubators.add(incubators[0], incubators[1])
        ProgrammeFactory(site=None, title="Sans incubateur")
    client.force_login(incubator_manager_a)
    page = html(client.get("/incubators/incubator-a/manage/programmes/"))
    assert "Accélération A" in page and "Réseau Export" in page
    assert "Accélération B" not in page and "Sans incubateur" not in page


# --- Head office: incubators and managers -------------------------------------------------------------
def test_head_office_creates_and_edits_an_incubator(client, staff, site_a, world):
    client.force_login(staff)
    data = {
        "name": "Incubateur Casa Green",
        "slug": "casa-green",
        "affiliated_site": site_a.pk,
        "partner": world["partner"],
        "description_fr": "Green tech.",
        "website": "green.example.ma",
        "is_active": "on",
    }
    assert client.post("/network/incubators/new/", data).status_code == 302
    incubator = Incubator.objects.get(slug="casa-green")
    assert incubator.website == "https://green.example.ma" and incubator.partner_id == world["partner"]
    response = client.post("/network/incubators/new/", {**data, "name": "Other"})
    assert response.status_code == 200 and "already exists" in html(response)
    response = client.post(f"/network/incubators/{incubator.pk}/edit/", {**data, "slug": "not a slug!"})
    assert response.status_code == 200 and "valid" in html(response)
    response = client.post(f"/network/incubators/{incubator.pk}/edit/", {**data, "is_active": ""})
    assert response.status_code == 302
    incubator.refresh_from_db()
    assert incubator.is_active is False
    assert "Incubateur Casa Green" not in html(client.get("/incubators/"))
    assert "Incubateur Casa Green" in html(client.get("/manage/site-a/incubators/"))
    assert client.get("/network/incubators/999999/edit/").status_code == 404


def test_public_incubators_page_lists_name_site_region_website(client, world):
    with scopes_disabled():
        Incubator.objects.filter(slug="incubator-a").update(website="https://inc-a.example.ma")
    page = html(client.get("/incubators/"))
    assert "Incubateur A" in page and "Incubateur B" in page
    assert "https://inc-a.example.ma" in page and "Casablanca-Settat" in page
    assert "Atlas Data" not in page


def test_head_office_grants_and_revokes_an_incubator_manager(
    client, staff, world, incubators, django_capture_on_commit_callbacks
):
    person = UserFactory(email="nadia@example.ma", role=Role.FOUNDER)
    client.force_login(staff)
    url = f"/network/incubators/{incubators[0].pk}/managers/"
    response = client.post(url, {"email": "nobody@example.ma"})
    assert response.status_code == 200 and "No active account uses this address" in html(response)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"email": "Nadia@Example.ma"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.role == Role.PARTNER  # a plain founder account lands on the partner space now
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["nadia@example.ma"]
    assert "/incubators/incubator-a/manage/" in mail.outbox[0].body
    response = client.post(url, {"email": "nadia@example.ma"})
    assert response.status_code == 200 and "already manages this incubator" in html(response)
    assert "nadia@example.ma" in html(client.get(url))

    client.force_login(person)
    assert client.get("/incubators/incubator-a/manage/").status_code == 200
    assert client.get("/incubators/incubator-b/manage/").status_code == 404

    client.force_login(staff)
    with scopes_disabled():
        membership = IncubatorMembership.objects.get(user=person)
    assert client.post(f"/network/incubators/{incubators[1].pk}/managers/{membership.pk}/remove/").status_code == 404
    assert client.post(f"{url}{membership.pk}/remove/").status_code == 302
    person.refresh_from_db()
    assert person.role == Role.FOUNDER
    with scopes_disabled():
        assert not IncubatorMembership.objects.filter(user=person).exists()
        assert AuditEntry.objects.filter(content_type__model="incubatormembership", action="delete").exists()
    client.force_login(person)
    assert client.get("/incubators/incubator-a/manage/").status_code == 404


def test_a_founder_with_a_startup_keeps_their_role_when_granted(client, staff, world, incubators, founder_a):
    client.force_login(staff)
    response = client.post(f"/network/incubators/{incubators[0].pk}/managers/", {"email": founder_a.email})
    assert response.status_code == 302
    founder_a.refresh_from_db()
    assert founder_a.role == Role.FOUNDER
    client.force_login(founder_a)
    assert client.get("/incubators/incubator-a/manage/").status_code == 200


# --- Query counts -------------------------------------------------------------------------------------------
def _more_incubations(site_a, site_b, count=30):
    with scopes_disabled():
        incubator_a = Incubator.objects.get(slug="incubator-a")
        for index in range(count):
            startup = StartupFactory()
            StartupMemberFactory(startup=startup)
            IncubatedStartup.objects.create(incubator=incubator_a, startup=startup, since=datetime.date(2024, 1, 2))
            extra = IncubatorFactory(affiliated_site=site_a if index % 2 else site_b)
            IncubatedStartup.objects.create(incubator=extra, startup=startup, since=datetime.date(2024, 1, 2))
            IncubatorMembership.objects.create(incubator=extra, user=UserFactory())
            programme = ProgrammeFactory(site=site_a if index % 2 else None)
            programme.incubators.add(incubator_a)
            admission = AdmissionFactory(site=site_a, startup=startup)
            ProgrammeParticipant.objects.create(programme=programme, site=programme.site, startup=admission.startup)


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("incubator_manager_a", "/incubators/incubator-a/manage/"),
        ("incubator_manager_a", "/incubators/incubator-a/manage/programmes/"),
        ("staff", "/network/incubators/"),
        ("manager_a", "/manage/site-a/incubators/"),
        ("outsider", "/incubators/"),
    ],
)
def test_incubator_lists_are_constant_in_queries(
    client, request, personas, site_a, site_b, world, who, url, django_assert_max_num_queries
):
    user = request.getfixturevalue(who) if who == "incubator_manager_a" else personas[who]
    with scopes_disabled():  # one row of everything before counting
        Programme.objects.get(pk=world["programme_a"]).incubators.add(Incubator.objects.get(slug="incubator-a"))
    client.force_login(user)
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    _more_incubations(site_a, site_b)
    with django_assert_max_num_queries(len(one)):
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["page"].object_list) >= 25
