"""The services API: the public catalogue and sessions across the network, registration
(eligibility, seats, waitlist, conflicts), the caller's registrations and cancellation
(with promotion), programmes per persona, partners and incubators, validation of filters
(4xx JSON, never a 500) and constant query counts."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scopes_disabled

from services.models import (
    Attendance,
    Eligibility,
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
from tests.factories import (
    AdmissionFactory,
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

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


@pytest.fixture
def api(client_for, world):
    """`api("manager_a")` → a client signed in as that persona, with the world in place."""
    return client_for


@pytest.fixture
def teammate(world, unscoped):
    """founder_a's teammate: a member of startup_a (admitted at site A), not registered yet."""
    return StartupMember.objects.get(pk=world["member_a"]).user


def _session(world, name: str) -> ServiceSession:
    with scopes_disabled():
        return ServiceSession.objects.get(pk=world[name])


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


# --- Registration -------------------------------------------------------------------------
def test_register_confirms_then_conflicts(api, world, teammate, client, mailoutbox, django_capture_on_commit_callbacks):
    client.force_login(teammate)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, f"/api/v1/sessions/{world['session_a']}/register/")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "confirmed"
    assert body["session"] == world["session_a"]
    assert body["startup"] == world["startup_a"]
    assert body["email"] == teammate.email
    assert body["join_url"] == "https://meet.example.ma/a"
    assert body["waitlist_position"] is None
    assert len(mailoutbox) == 1 and mailoutbox[0].attachments  # the .ics
    again = post(client, f"/api/v1/sessions/{world['session_a']}/register/")
    assert again.status_code == 409
    assert set(again.json()) == {"detail"}
    assert client.get(f"/api/v1/sessions/{world['session_a']}/").json()["seats_left"] == 8


def test_a_full_session_waitlists_in_order(api, world, unscoped, client):
    session = ServiceSession.objects.get(pk=world["session_a"])
    session.seats = 1  # founder_a holds it
    session.save()
    startup_a = StartupMember.objects.get(pk=world["member_a"]).startup
    users = [StartupMemberFactory(startup=startup_a).user for _ in range(3)]
    positions = []
    for user in users:
        client.force_login(user)
        response = post(client, f"/api/v1/sessions/{session.pk}/register/")
        assert response.status_code == 201
        assert response.json()["status"] == "waitlisted"
        assert response.json()["join_url"] is None
        positions.append(response.json()["waitlist_position"])
    assert positions == [1, 2, 3]
    assert client.get(f"/api/v1/sessions/{session.pk}/").json()["seats_left"] == 0


def test_network_and_public_sessions(api, world, unscoped):
    # founder_a's startup is admitted at A: the e-Technopark offer is open to it.
    response = post(api("founder_a"), f"/api/v1/sessions/{world['session_network']}/register/")
    assert response.status_code == 201, response.content
    assert response.json()["site"] is None
    assert Registration.objects.get(pk=response.json()["id"]).site is None
    # Public events: any signed-in user, with no startup.
    response = post(api("outsider"), f"/api/v1/sessions/{world['session_public']}/register/")
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "confirmed"
    assert response.json()["startup"] is None
    # …or naming one of their startups, not someone else's.
    response = post(api("manager_b"), f"/api/v1/sessions/{world['session_public']}/register/", {"startup": 1})
    assert response.status_code == 403


@pytest.mark.parametrize("persona", ["outsider", "manager_a", "manager_b", "staff"])
def test_not_eligible_is_403(api, world, persona):
    response = post(api(persona), f"/api/v1/sessions/{world['session_a']}/register/")
    assert response.status_code == 403
    assert set(response.json()) == {"detail"}


def test_residents_only_services_are_for_the_sites_residents(api, world, unscoped):
    site_b_service = Service.objects.get(pk=world["service_b"])
    residents_b = ServiceFactory(site=site_b_service.site, eligibility=Eligibility.SITE_RESIDENTS)
    session = ServiceSessionFactory(service=residents_b)
    assert post(api("founder_a"), f"/api/v1/sessions/{session.pk}/register/").status_code == 403
    # Any admitted startup: founder_a may register at site B's export clinic.
    assert post(api("founder_a"), f"/api/v1/sessions/{world['session_b']}/register/").status_code == 201


def test_several_eligible_startups_choose_one(api, world, unscoped, client):
    site_a = Service.objects.get(pk=world["service_a"]).site
    user = UserFactory()
    first, second, foreign = StartupFactory(), StartupFactory(), StartupFactory()
    for startup in (first, second):
        StartupMemberFactory(startup=startup, user=user)
        AdmissionFactory(startup=startup, site=site_a)
    AdmissionFactory(startup=foreign, site=site_a)
    client.force_login(user)
    url = f"/api/v1/sessions/{world['session_a']}/register/"
    response = post(client, url)
    assert response.status_code == 400
    assert list(response.json()) == ["startup"]
    assert post(client, url, {"startup": foreign.pk}).status_code == 403
    assert post(client, url, {"startup": "abc"}).status_code == 400
    response = post(client, url, {"startup": second.pk})
    assert response.status_code == 201
    assert response.json()["startup"] == second.pk
    assert response.json()["organisation"] == str(second)


def test_closed_sessions_are_409(api, world, teammate, unscoped, client):
    session = ServiceSession.objects.get(pk=world["session_a"])
    session.registration_deadline = NOW - datetime.timedelta(minutes=1)
    session.save()
    client.force_login(teammate)
    assert post(client, f"/api/v1/sessions/{session.pk}/register/").status_code == 409
    cancelled = ServiceSessionFactory(service=session.service, status=SessionStatus.CANCELLED)
    assert post(client, f"/api/v1/sessions/{cancelled.pk}/register/").status_code == 409


def test_register_to_a_missing_or_unpublished_session_is_404(api, world, unscoped):
    hidden = ServiceSessionFactory(service=ServiceFactory(is_published=False))
    client = api("founder_a")
    assert post(client, f"/api/v1/sessions/{hidden.pk}/register/").status_code == 404
    assert post(client, "/api/v1/sessions/999999/register/").status_code == 404


# --- My registrations and cancellation ----------------------------------------------------
@pytest.mark.parametrize(
    ("persona", "expected"),
    [("outsider", set()), ("founder_a", {"registration_a"}), ("manager_a", set()), ("staff", set())],
)
def test_registrations_are_the_callers_own(api, world, persona, expected):
    assert ids(api(persona).get("/api/v1/registrations/")) == {world[name] for name in expected}


def test_registration_filters(api, world, unscoped):
    client = api("founder_a")
    past = RegistrationFactory(
        session=ServiceSessionFactory(starts_at=NOW - datetime.timedelta(days=10)),
        user=Registration.objects.get(pk=world["registration_a"]).user,
        status=RegistrationStatus.CONFIRMED,
        attendance=Attendance.PRESENT,
        rating=5,
    )
    assert ids(client.get("/api/v1/registrations/?upcoming=true")) == {world["registration_a"]}
    assert ids(client.get("/api/v1/registrations/?upcoming=false")) == {past.pk}
    assert ids(client.get("/api/v1/registrations/?status=waitlisted")) == set()
    assert client.get("/api/v1/registrations/?status=maybe").status_code == 400
    assert client.get("/api/v1/registrations/?upcoming=1").status_code == 400


def test_cancel_promotes_the_next_waitlisted(
    api, world, teammate, unscoped, client, mailoutbox, django_capture_on_commit_callbacks
):
    session = ServiceSession.objects.get(pk=world["session_a"])
    session.seats = 1
    session.save()
    client.force_login(teammate)
    waitlisted = post(client, f"/api/v1/sessions/{session.pk}/register/").json()
    assert waitlisted["status"] == "waitlisted"
    founder = api("founder_a")
    with django_capture_on_commit_callbacks(execute=True):
        response = post(founder, f"/api/v1/registrations/{world['registration_a']}/cancel/")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "cancelled"
    assert response.json()["cancelled_at"]
    assert Registration.objects.get(pk=waitlisted["id"]).status == RegistrationStatus.CONFIRMED
    assert [message.to for message in mailoutbox] == [[teammate.email]]  # promoted, with the .ics
    # Cancelling again is a conflict.
    assert post(founder, f"/api/v1/registrations/{world['registration_a']}/cancel/").status_code == 409


@pytest.mark.parametrize("persona", ["outsider", "manager_a", "manager_b", "staff"])
def test_cancel_someone_elses_registration_is_404(api, world, persona, unscoped):
    response = post(api(persona), f"/api/v1/registrations/{world['registration_a']}/cancel/")
    assert response.status_code == 404
    assert Registration.objects.get(pk=world["registration_a"]).status == RegistrationStatus.CONFIRMED


def test_cancel_after_the_start_is_409(api, world, unscoped):
    session = ServiceSession.objects.get(pk=world["session_a"])
    session.starts_at = NOW - datetime.timedelta(minutes=5)
    session.registration_deadline = NOW - datetime.timedelta(minutes=10)
    session.save()
    assert post(api("founder_a"), f"/api/v1/registrations/{world['registration_a']}/cancel/").status_code == 409


def test_cancel_a_network_registration(api, world):
    client = api("founder_a")
    registration = post(client, f"/api/v1/sessions/{world['session_network']}/register/").json()
    response = post(client, f"/api/v1/registrations/{registration['id']}/cancel/")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"


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
