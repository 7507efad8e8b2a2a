"""The services API, registration: eligibility, seats, waitlist and conflicts, the
caller's registrations and cancellation (with promotion). The catalogue itself:
test_api_catalogue.py."""

import datetime

import pytest
from django.utils import timezone

from services.models import (
    Attendance,
    Eligibility,
    Registration,
    RegistrationStatus,
    Service,
    ServiceSession,
    SessionStatus,
)
from startups.models import StartupMember
from tests.api_client import ids, post
from tests.factories import (
    AdmissionFactory,
    RegistrationFactory,
    ServiceFactory,
    ServiceSessionFactory,
    StartupFactory,
    StartupMemberFactory,
    UserFactory,
)

NOW = timezone.now()

# Every test here uses the world: built once for the module (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_world")]


@pytest.fixture
def teammate(world, unscoped):
    """founder_a's teammate: a member of startup_a (admitted at site A), not registered yet."""
    return StartupMember.objects.get(pk=world["member_a"]).user


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
