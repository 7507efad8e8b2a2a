"""The services API, the catalogue: services and sessions, public across the network,
programmes per persona, partners and incubators, validation of filters (4xx JSON, never a
500), constant query counts of every list and the demo data. Registering and cancelling:
test_api_registrations.py."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scopes_disabled

from services.models import (
    Programme,
    ProgrammeParticipant,
    Registration,
    RegistrationStatus,
    Service,
    ServiceSession,
    SessionStatus,
)
from sites.models import Partner
from startups.models import StartupMember
from tests.api_client import ids
from tests.factories import (
    IncubatorFactory,
    PartnerFactory,
    ProgrammeFactory,
    RegistrationFactory,
    ServiceFactory,
    ServiceSessionFactory,
    SiteMembershipFactory,
    StartupFactory,
    StartupMemberFactory,
    UserFactory,
)

NOW = timezone.now()

pytestmark = pytest.mark.django_db


# --- Services -----------------------------------------------------------------------------
ALL_SERVICES = {"service_a", "service_b", "service_network", "service_public"}


@pytest.mark.parametrize("persona", ["anonymous", "outsider", "founder_a", "manager_a", "manager_b", "staff"])
def test_every_persona_sees_the_whole_published_catalogue(api, world, persona, unscoped):
    hidden = ServiceFactory(site=Service.objects.get(pk=world["service_a"]).site, is_published=False)
    client = api(persona)
    assert ids(client.get("/api/v1/services/")) == {world[name] for name in ALL_SERVICES}
    # The network's e-Technopark offer too, although the site scope hides it.
    row = client.get(f"/api/v1/services/{world['service_network']}/").json()
    assert row["site"] is None
    assert row["format"] == "live_stream"
    assert client.get(f"/api/v1/services/{hidden.pk}/").status_code == 404


def test_service_fields(api, world):
    row = api("anonymous").get(f"/api/v1/services/{world['service_a']}/").json()
    assert row["site"] == "site-a"
    assert row["title"] == "Pitch training A"
    assert row["dimension"] == "financing"
    assert row["type"] == "training"
    assert row["eligibility"] == "admitted"
    assert row["languages"] == ["fr"]
    assert row["partner"] is None and row["partner_name"] is None


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("site=site-a", {"service_a", "service_public"}),
        ("site=site-b", {"service_b"}),
        ("site=network", {"service_network"}),
        ("site=nowhere", set()),
        ("dimension=financing", {"service_a"}),
        ("dimension=market", {"service_b"}),
        ("format=live_stream", {"service_network"}),
        ("type=immersion_day", {"service_public"}),
        ("language=fr", ALL_SERVICES),
        ("language=ar", set()),
        ("q=pitch", {"service_a"}),
        ("q=", ALL_SERVICES),
        ("site=site-a&dimension=networking", {"service_public"}),
    ],
)
def test_service_filters(api, world, query, expected):
    assert ids(api("anonymous").get(f"/api/v1/services/?{query}")) == {world[name] for name in expected}


@pytest.mark.parametrize(
    "query",
    ["dimension=junk", "format=", "type=talk", "site=not a slug", "language=f%20r", "page_size=abc", "page=0"],
)
def test_junk_service_filters_are_400(api, query):
    response = api("staff").get(f"/api/v1/services/?{query}")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"


# --- Sessions -----------------------------------------------------------------------------
ALL_SESSIONS = {"session_a", "session_b", "session_network", "session_public"}


@pytest.mark.parametrize("persona", ["anonymous", "outsider", "manager_b", "staff"])
def test_sessions_are_public_and_the_link_is_for_participants(api, world, persona):
    client = api(persona)
    assert ids(client.get("/api/v1/sessions/")) == {world[name] for name in ALL_SESSIONS}
    row = client.get(f"/api/v1/sessions/{world['session_a']}/").json()
    assert row["join_url"] is None
    assert row["seats"] == 10
    assert row["seats_left"] == 9  # founder_a holds a seat
    assert row["status"] == "scheduled"
    assert row["is_open"] is True
    assert row["site"] == "site-a"
    assert row["registration_deadline"]


def test_confirmed_participants_get_the_join_link(api, world, unscoped):
    client = api("founder_a")
    rows = {row["id"]: row for row in client.get("/api/v1/sessions/").json()["results"]}
    assert rows[world["session_a"]]["join_url"] == "https://meet.example.ma/a"
    assert rows[world["session_network"]]["join_url"] is None  # not registered there
    Registration.objects.filter(pk=world["registration_a"]).update(status=RegistrationStatus.WAITLISTED)
    assert client.get(f"/api/v1/sessions/{world['session_a']}/").json()["join_url"] is None


def test_session_list_shows_upcoming_scheduled_sessions_and_details_any(api, world, unscoped):
    session_a = ServiceSession.objects.get(pk=world["session_a"])
    past = ServiceSessionFactory(
        service=session_a.service,
        starts_at=NOW - datetime.timedelta(days=30),
        status=SessionStatus.HELD,
    )
    old_scheduled = ServiceSessionFactory(service=session_a.service, starts_at=NOW - datetime.timedelta(days=20))
    cancelled = ServiceSessionFactory(service=session_a.service, status=SessionStatus.CANCELLED)
    hidden = ServiceSessionFactory(service=ServiceFactory(site=session_a.site, is_published=False))
    client = api("anonymous")
    listed = ids(client.get("/api/v1/sessions/"))
    assert listed == {world[name] for name in ALL_SESSIONS}
    # An explicit date range reaches back in time (scheduled sessions only).
    day = timezone.localdate(old_scheduled.starts_at)
    assert ids(client.get(f"/api/v1/sessions/?from={day}&to={day}")) == {old_scheduled.pk}
    assert client.get(f"/api/v1/sessions/{past.pk}/").json()["status"] == "held"
    assert client.get(f"/api/v1/sessions/{cancelled.pk}/").json()["is_open"] is False
    assert client.get(f"/api/v1/sessions/{hidden.pk}/").status_code == 404


def test_session_filters(api, world, unscoped):
    client = api("anonymous")
    session_b = ServiceSession.objects.get(pk=world["session_b"])
    later = ServiceSessionFactory(service=session_b.service, starts_at=NOW + datetime.timedelta(days=40))
    assert ids(client.get("/api/v1/sessions/?site=site-b")) == {world["session_b"], later.pk}
    assert ids(client.get("/api/v1/sessions/?site=network")) == {world["session_network"]}
    assert ids(client.get("/api/v1/sessions/?dimension=financing")) == {world["session_a"]}
    assert ids(client.get(f"/api/v1/sessions/?service={world['service_b']}")) == {world["session_b"], later.pk}
    day = timezone.localdate(later.starts_at)
    assert ids(client.get(f"/api/v1/sessions/?from={day}")) == {later.pk}
    assert ids(client.get(f"/api/v1/sessions/?to={day - datetime.timedelta(days=1)}&site=site-b")) == {
        world["session_b"]
    }
    assert ids(client.get(f"/api/v1/sessions/?from={day}&to={day}")) == {later.pk}
    # The edges of the calendar are valid dates: nothing to bound, no 500.
    assert ids(client.get("/api/v1/sessions/?from=0001-01-01&to=9999-12-31")) >= {later.pk}


def test_dates_are_moroccan_days(api, world, unscoped):
    """A session at 00:30 in Casablanca is on that day, although it is the day before in UTC
    in winter or summer alike (Morocco is UTC+1 most of the year)."""
    session_a = ServiceSession.objects.get(pk=world["session_a"])
    day = timezone.localdate() + datetime.timedelta(days=60)
    starts = timezone.make_aware(datetime.datetime.combine(day, datetime.time(0, 30)))
    night = ServiceSessionFactory(service=session_a.service, starts_at=starts)
    client = api("anonymous")
    assert night.pk in ids(client.get(f"/api/v1/sessions/?from={day}&to={day}"))
    assert night.pk not in ids(client.get(f"/api/v1/sessions/?to={day - datetime.timedelta(days=1)}"))


@pytest.mark.parametrize(
    "query",
    [
        "from=2026-03-10&to=2026-03-01",
        "from=yesterday",
        "to=2026-02-30",
        "from=",
        "site=%C3%A9",
        "dimension=junk",
        "service=abc",
        "service=0",
        "service=99999999999",
    ],
)
def test_junk_session_filters_are_400(api, query):
    response = api("anonymous").get(f"/api/v1/sessions/?{query}")
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/json"


def test_from_after_to_says_so(api):
    response = api("anonymous").get("/api/v1/sessions/?from=2026-03-10&to=2026-03-01")
    assert list(response.json()) == ["to"]


# --- Programmes, partners, incubators -----------------------------------------------------
@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("outsider", set()),
        ("founder_a", {"programme_a", "programme_network"}),
        ("manager_a", {"programme_a"}),
        ("manager_b", {"programme_b"}),
        ("staff", {"programme_a", "programme_b", "programme_network", "programme_other"}),
    ],
)
def test_programmes_per_persona(api, world, persona, expected, unscoped):
    startup_a = StartupMember.objects.get(pk=world["member_a"]).startup
    network = ProgrammeFactory(site=None, title="e-Technopark Scale")
    ProgrammeParticipant.objects.create(programme=network, site=None, startup=startup_a)
    other = ProgrammeFactory(site=None, title="Another network programme")
    known = {**world, "programme_network": network.pk, "programme_other": other.pk}
    assert ids(api(persona).get("/api/v1/programmes/")) == {known[name] for name in expected}


def test_programme_fields_and_filters(api, world, unscoped):
    client = api("staff")
    row = next(row for row in client.get("/api/v1/programmes/").json()["results"] if row["id"] == world["programme_a"])
    assert row["site"] == "site-a"
    assert row["partners"] == [world["partner"]]
    assert row["services"] == [world["service_a"]]
    assert row["participants"] == 1
    assert ids(client.get("/api/v1/programmes/?site=site-b")) == {world["programme_b"]}
    assert ids(client.get("/api/v1/programmes/?site=network")) == set()
    assert client.get("/api/v1/programmes/?site=%20").status_code == 400


def test_partners_are_public_and_active(api, world, unscoped):
    gone = PartnerFactory(name="Old partner", is_active=False)
    fund = PartnerFactory(name="Fonds Sud", category="fund", is_international=True)
    client = api("anonymous")
    listed = ids(client.get("/api/v1/partners/"))
    assert gone.pk not in listed and {world["partner"], fund.pk} <= listed
    assert ids(client.get("/api/v1/partners/?category=fund")) == {fund.pk}
    assert ids(client.get("/api/v1/partners/?international=true")) == {fund.pk}
    assert ids(client.get("/api/v1/partners/?q=atlas")) == {world["partner"]}
    assert client.get("/api/v1/partners/?category=spy").status_code == 400
    row = client.get("/api/v1/partners/?q=atlas").json()["results"][0]
    assert "contact_email" not in row and row["name"] == "Banque Atlas"


def test_incubators_are_public(api, world, unscoped):
    IncubatorFactory(slug="closed", is_active=False)
    client = api("anonymous")
    rows = {row["slug"]: row for row in client.get("/api/v1/incubators/").json()["results"]}
    assert set(rows) == {"incubator-a", "incubator-b"}
    assert rows["incubator-a"]["affiliated_site"] == "site-a"
    assert rows["incubator-a"]["region"] == "MA-06"
    assert rows["incubator-b"]["region"] == "MA-04"
    assert ids(client.get("/api/v1/incubators/?region=MA-04")) == {world["incubator_b"]}
    assert ids(client.get("/api/v1/incubators/?site=site-a")) == {world["incubator_a"]}
    assert client.get("/api/v1/incubators/?region=Casablanca").status_code == 400


# --- Constant queries ---------------------------------------------------------------------
def _populate(kind: str, count: int, site, user, startup) -> None:
    partner = Partner.objects.filter(is_active=False).first() or PartnerFactory(is_active=False)
    for _ in range(count):
        if kind in ("services", "partners", "incubators"):
            if kind == "services":
                ServiceFactory(site=site, partner=partner, provider_kind="partner")
            elif kind == "partners":
                PartnerFactory()
            else:
                IncubatorFactory(affiliated_site=site)
        elif kind == "sessions":
            ServiceSessionFactory(service__site=site)
        elif kind == "registrations":
            session = ServiceSessionFactory(service__site=site)
            RegistrationFactory(session=session, user=user, startup=startup, status=RegistrationStatus.WAITLISTED)
        else:
            programme = ProgrammeFactory(site=site)
            programme.partners.add(partner)
            programme.services.add(ServiceFactory(site=site))
            ProgrammeParticipant.objects.create(programme=programme, site=site, startup=startup)


@pytest.mark.parametrize("kind", ["services", "sessions", "registrations", "programmes", "partners", "incubators"])
def test_lists_are_constant_in_queries(client, site_a, kind, django_assert_max_num_queries):
    with scopes_disabled():
        user = UserFactory()
        startup = StartupFactory()
        StartupMemberFactory(startup=startup, user=user)
        SiteMembershipFactory(site=site_a, user=user)  # sees site A's programmes
        _populate(kind, 1, site_a, user, startup)
    client.force_login(user)
    url = f"/api/v1/{kind}/"
    with CaptureQueriesContext(connection) as one_row:
        response = client.get(url)
    assert response.json()["count"] == 1
    with scopes_disabled():
        _populate(kind, 29, site_a, user, startup)
    with django_assert_max_num_queries(len(one_row)):
        response = client.get(url)
    assert response.json()["count"] == 30


# --- Demo data ----------------------------------------------------------------------------
def test_seed_demo_with_services_is_idempotent(settings):
    from django.core.management import call_command

    settings.DEBUG = True
    call_command("seed_demo")
    with scopes_disabled():
        counts = (
            Service.objects.count(),
            ServiceSession.objects.count(),
            Registration.objects.count(),
            Programme.objects.count(),
            Partner.objects.count(),
        )
    call_command("seed_demo")
    with scopes_disabled():
        assert (
            Service.objects.count(),
            ServiceSession.objects.count(),
            Registration.objects.count(),
            Programme.objects.count(),
            Partner.objects.count(),
        ) == counts
        # The four dimensions at every operational site and in the e-Technopark offer.
        for slug in ("casablanca", "rabat", "tanger", "agadir", None):
            services = Service.objects.filter(site__slug=slug) if slug else Service.objects.filter(site=None)
            assert set(services.values_list("dimension", flat=True)) == {"financing", "market", "networking", "skills"}
        assert ServiceSession.objects.filter(status=SessionStatus.HELD, registrations__rating__isnull=False).exists()
        assert Registration.objects.filter(status=RegistrationStatus.WAITLISTED, session__starts_at__gt=NOW).exists()
        assert Registration.objects.filter(user__email__startswith="founder.", startup__isnull=False).exists()
        assert Registration.objects.filter(user=None, session__service__eligibility="public").exists()
        assert Programme.objects.count() == 2
        assert Partner.objects.filter(name="Tamwilcom").exists()
        from services.models import IncubatedStartup
        from sites.models import Incubator

        assert Incubator.objects.count() == 2
        assert IncubatedStartup.objects.count() >= 4
