"""The startups API, calls and applications: who sees what, the founder's flow and the
manager's decision, validation of filters and bodies (4xx JSON, never a 500). Startups,
admissions, offices, declarations and query counts: test_api_startups.py."""

import datetime

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from sites.models import MembershipRole
from startups.models import Admission, Application, ApplicationStatus, StartupMember
from tests.api_client import ids, post
from tests.factories import ApplicationFactory, CallFactory, SiteFactory, SiteMembershipFactory, UserFactory

TODAY = timezone.localdate()

# Every test here uses the world: built once for the module (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_world")]


# --- Calls --------------------------------------------------------------------------------
@pytest.fixture
def past_call_a(world, site_a):
    with scopes_disabled():
        return CallFactory(
            site=site_a,
            title="Résidence 2020",
            opens_on=datetime.date(2020, 1, 1),
            closes_on=datetime.date(2020, 2, 1),
        ).pk


@pytest.mark.parametrize(
    ("persona", "sees_past_call"),
    [
        ("anonymous", False),
        ("outsider", False),
        ("founder_a", True),
        ("manager_a", True),
        ("manager_b", False),
        ("staff", True),
    ],
)
def test_calls_open_ones_are_public_past_ones_scoped(api, world, past_call_a, persona, sees_past_call):
    client = api(persona)
    open_calls = {world["call_a"], world["call_b"], world["call_network"]}
    expected = open_calls | ({past_call_a} if sees_past_call else set())
    assert ids(client.get("/api/v1/calls/")) == expected
    assert ids(client.get("/api/v1/calls/?open=true")) == open_calls
    assert ids(client.get("/api/v1/calls/?open=false")) == expected - open_calls
    assert client.get(f"/api/v1/calls/{past_call_a}/").status_code == (200 if sees_past_call else 404)
    assert client.get(f"/api/v1/calls/{world['call_b']}/").status_code == 200


def test_call_filters(api, world):
    client = api("staff")
    assert ids(client.get("/api/v1/calls/?site=site-b")) == {world["call_b"]}
    assert ids(client.get("/api/v1/calls/?kind=e-technopark")) == {world["call_network"]}
    row = client.get(f"/api/v1/calls/{world['call_network']}/").json()
    assert row["site"] is None and row["is_open"] is True and row["questions"] == ["What problem do you solve?"]
    for junk in ("open=yes", "open=1", "kind=other", "site=a/b", "site="):
        assert client.get(f"/api/v1/calls/?{junk}").status_code == 400, junk


# --- Applications ------------------------------------------------------------------------
@pytest.fixture
def draft_b(world, site_b, founder_a):
    """A draft of founder_a's startup at site B: private to its founders."""
    with scopes_disabled():
        call = CallFactory(site=site_b, title="Another call at B")
        return ApplicationFactory(
            call=call, startup_id=world["startup_a"], status=ApplicationStatus.DRAFT, submitted_at=None
        ).pk


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("outsider", set()),
        ("founder_a", {"application_a", "draft_b"}),
        ("manager_a", {"application_a"}),
        ("manager_b", {"application_b"}),
        ("staff", {"application_a", "application_b"}),
    ],
)
def test_applications_per_persona(api, world, draft_b, persona, expected):
    world = {**world, "draft_b": draft_b}
    client = api(persona)
    assert ids(client.get("/api/v1/applications/")) == {world[name] for name in expected}
    for name in ("application_a", "application_b", "draft_b"):
        status = client.get(f"/api/v1/applications/{world[name]}/").status_code
        assert status == (200 if name in expected else 404), name


def test_application_filters(api, world):
    client = api("staff")
    assert ids(client.get("/api/v1/applications/?site=site-a")) == {world["application_a"]}
    assert ids(client.get(f"/api/v1/applications/?startup={world['startup_b']}")) == {world["application_b"]}
    assert ids(client.get("/api/v1/applications/?status=draft")) == set()
    for junk in ("status=nope", "startup=abc", "startup=0", "startup=99999999999"):
        assert client.get(f"/api/v1/applications/?{junk}").status_code == 400, junk


def test_founder_flow(api, world, unscoped):
    """Draft → submit refused without a pitch deck → deck attached → submit → withdraw."""
    client = api("founder_a")
    # founder_a's startup has no business with site B yet: the call is open, so it may apply.
    response = post(
        client,
        "/api/v1/applications/",
        {"call": world["call_b"], "startup": world["startup_a"], "answers": {"What problem do you solve?": "Water."}},
    )
    assert response.status_code == 201, response.content
    draft = response.json()
    assert draft["status"] == "draft" and draft["site"] == "site-b" and draft["has_pitch_deck"] is False
    assert draft["answers"] == {"What problem do you solve?": "Water."}
    url = f"/api/v1/applications/{draft['id']}/"
    assert client.get(url).status_code == 200
    assert api("manager_b").get(url).status_code == 404  # drafts stay private

    client = api("founder_a")  # one test client: `api` signs it in as the persona
    response = post(client, url + "submit/")
    assert response.status_code == 400
    assert "pitch_deck" in response.json()

    Application.objects.filter(pk=draft["id"]).update(pitch_deck="applications/pitch-decks/deck.pdf")
    response = post(client, url + "submit/")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "submitted"
    assert post(client, url + "submit/").status_code == 409
    assert api("manager_b").get(url).status_code == 200  # now B reviews it

    client = api("founder_a")
    response = post(client, url + "withdraw/")
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    assert post(client, url + "withdraw/").status_code == 409


def test_network_call_needs_an_operational_home_site(api, world, unscoped):
    client = api("founder_a")
    body = {"call": world["call_network"], "startup": world["startup_a"]}
    response = post(client, "/api/v1/applications/", body)
    assert response.status_code == 400 and "home_site" in response.json()
    assert post(client, "/api/v1/applications/", {**body, "home_site": "no-such-site"}).status_code == 400
    SiteFactory(slug="site-planned", status="planned", opened_on=None)
    response = post(client, "/api/v1/applications/", {**body, "home_site": "site-planned"})
    assert response.status_code == 400 and "home_site" in response.json()
    response = post(client, "/api/v1/applications/", {**body, "home_site": "site-a"})
    assert response.status_code == 201, response.content
    assert response.json()["site"] == "site-a"
    # A second live application to the same call is a conflict.
    assert post(client, "/api/v1/applications/", {**body, "home_site": "site-a"}).status_code == 409


def test_create_application_refusals(api, world, past_call_a, unscoped):
    founder = api("founder_a")
    # application_a already exists for call_a
    body = {"call": world["call_a"], "startup": world["startup_a"]}
    assert post(founder, "/api/v1/applications/", body).status_code == 409
    # a closed call (visible: site A)
    assert post(founder, "/api/v1/applications/", {**body, "call": past_call_a}).status_code == 409
    # someone else's startup (or one that does not exist) is a 403, not a hint
    assert post(founder, "/api/v1/applications/", {**body, "startup": world["startup_b"]}).status_code == 403
    assert post(founder, "/api/v1/applications/", {**body, "startup": 987654}).status_code == 403
    # an unknown call, an answer to a question the call does not ask
    assert post(founder, "/api/v1/applications/", {**body, "call": 987654}).status_code == 400
    response = post(founder, "/api/v1/applications/", {**body, "call": world["call_b"], "answers": {"Other?": "x"}})
    assert response.status_code == 400 and "answers" in response.json()
    # not founders: 403 whatever the body
    for persona in ("outsider", "manager_a", "staff"):
        assert post(api(persona), "/api/v1/applications/", body).status_code == 403, persona
    # a team member who is not a founder
    member = UserFactory(email="member.a@example.ma")
    StartupMember.objects.create(startup_id=world["startup_a"], user=member, role="member")
    client = api("outsider")
    client.force_login(member)
    assert post(client, "/api/v1/applications/", body).status_code == 403
    assert client.get(f"/api/v1/applications/{world['application_a']}/").status_code == 200
    assert post(client, f"/api/v1/applications/{world['application_a']}/withdraw/").status_code == 403


@pytest.mark.parametrize(
    "body",
    [
        [],
        "text",
        {},
        {"call": "x", "startup": 1},
        {"call": 1, "startup": -1},
        {"call": 2**40, "startup": 1},
        {"call": 1, "startup": 1, "answers": "nope"},
        {"call": 1, "startup": 1, "answers": {"q": ["list"]}},
        {"call": 1, "startup": 1, "answers": {"q": "x" * 5001}},
        {"call": 1, "startup": 1, "home_site": "not a slug"},
    ],
)
def test_junk_application_bodies_are_flat_400s(api, body):
    response = post(api("founder_a"), "/api/v1/applications/", body)
    assert response.status_code == 400
    errors = response.json()
    assert isinstance(errors, dict)
    for value in errors.values():
        assert isinstance(value, str) or all(isinstance(message, str) for message in value), errors


def test_malformed_json_is_a_400(api):
    response = api("founder_a").post("/api/v1/applications/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()) == {"detail"}


def test_decide(api, world, unscoped):
    url = f"/api/v1/applications/{world['application_a']}/decide/"
    assert post(api("manager_b"), url, {"decision": "admit_resident"}).status_code == 404
    assert post(api("founder_a"), url, {"decision": "admit_resident"}).status_code == 403
    client = api("manager_a")
    assert post(client, url, {"decision": "maybe"}).status_code == 400
    assert post(client, url, {"decision": "reject"}).status_code == 400  # no reason
    assert post(client, url, {"decision": "admit_etechnopark", "starts_on": "31/12/2026"}).status_code == 400
    response = post(client, url, {"decision": "admit_etechnopark", "starts_on": TODAY.isoformat()})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "admitted" and response.json()["decision"] == "admit_etechnopark"
    admission = Admission.objects.get(application=world["application_a"])
    assert admission.kind == "e-technopark" and admission.starts_on == TODAY
    response = post(client, url, {"decision": "reject", "reason": "Changed our mind."})
    assert response.status_code == 409
    assert set(response.json()) == {"detail"}


def test_decide_needs_a_manager_of_the_site(api, world, site_a, unscoped):
    committee = SiteMembershipFactory(site=site_a, role=MembershipRole.COMMITTEE).user
    client = api("outsider")
    client.force_login(committee)
    url = f"/api/v1/applications/{world['application_a']}/decide/"
    assert client.get(f"/api/v1/applications/{world['application_a']}/").status_code == 200
    assert post(client, url, {"decision": "waitlist"}).status_code == 403
    response = post(api("staff"), url, {"decision": "waitlist"})
    assert response.status_code == 200 and response.json()["status"] == "waitlisted"
    assert post(api("staff"), url, {"decision": "waitlist"}).status_code == 409


def test_manager_b_cannot_act_on_site_a(api, world):
    client = api("manager_b")
    for action in ("submit", "withdraw", "decide"):
        response = post(client, f"/api/v1/applications/{world['application_a']}/{action}/", {"decision": "reject"})
        assert response.status_code == 404, action
    assert client.get(f"/api/v1/admissions/{world['admission_a']}/").status_code == 404
    assert ids(client.get("/api/v1/applications/?site=site-a")) == set()
    assert ids(client.get("/api/v1/admissions/?site=site-a")) == set()
    assert ids(client.get("/api/v1/offices/?site=site-a")) == set()
    assert ids(client.get(f"/api/v1/declarations/?startup={world['startup_a']}")) == set()
