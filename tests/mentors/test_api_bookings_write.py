"""The mentors API, writes: booking (201, 409 when taken or over quota, 403, 400 on a naive
time), one booking and its cancellation (cut-off, 404 for strangers)."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone
from django_scopes import scopes_disabled

from mentors.models import Booking, BookingStatus
from sites.models import Site
from startups.models import Startup
from tests.api_client import ids, post
from tests.factories import AdmissionFactory, SiteMembershipFactory, StartupMemberFactory, UserFactory

from . import api_setup
from .api_setup import ISO_WITH_OFFSET, LOCAL, _booking, _slots, today

# The fixtures shared with the sibling modules: pytest finds a fixture by its name in the module.
mentor = api_setup.mentor
mentor_client = api_setup.mentor_client

# Every test here uses the world: built once for the module (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_world")]


def _free_start(client, mentor_id: int, days_ahead: int = 5, index: int = 0) -> str:
    return _slots(client, mentor_id, today() + datetime.timedelta(days=days_ahead))[index]["start"]


# --- Booking ------------------------------------------------------------------------------
def test_founder_books_a_free_slot(api, world, mentor, django_capture_on_commit_callbacks):
    client = api("founder_a")
    start = _free_start(client, mentor.pk)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            client,
            "/api/v1/mentor-bookings/",
            {"mentor": mentor.pk, "start": start, "topic": "  Valorisation  ", "questions": "Quel multiple ?"},
        )
    assert response.status_code == 201, response.content
    row = response.json()
    assert row["start"] == start
    assert row["status"] == "confirmed"
    assert row["topic"] == "Valorisation"
    assert row["questions"] == "Quel multiple ?"
    assert row["startup"] == world["startup_a"]
    assert row["site"] == "site-a"
    assert row["can_cancel"] is True
    with scopes_disabled():
        booking = Booking.objects.get(pk=row["id"])
    assert booking.starts_at == datetime.datetime.fromisoformat(start)
    assert booking.booked_by.email == "founder.a@example.ma"
    assert booking.site.slug == "site-a"
    assert sorted(message.to[0] for message in mail.outbox) == ["founder.a@example.ma", "mentor@example.ma"]
    assert all(message.attachments and message.attachments[0][2] == "text/calendar" for message in mail.outbox)
    # The slot is gone from the free ones, and in the founder's list.
    assert start not in {
        slot["start"] for slot in _slots(client, mentor.pk, booking.starts_at.astimezone(LOCAL).date())
    }
    assert row["id"] in ids(client.get("/api/v1/mentor-bookings/"))


def test_the_same_instant_in_utc_books_the_same_slot(api, world, mentor):
    client = api("founder_a")
    local = datetime.datetime.fromisoformat(_free_start(client, mentor.pk))
    utc = local.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    response = post(client, "/api/v1/mentor-bookings/", {"mentor": mentor.pk, "start": utc, "topic": "Export"})
    assert response.status_code == 201, response.content
    assert response.json()["start"] == local.isoformat()


def test_a_taken_slot_is_a_409(api, world, mentor, unscoped):
    client = api("founder_a")
    start = _free_start(client, mentor.pk)
    assert (
        post(client, "/api/v1/mentor-bookings/", {"mentor": mentor.pk, "start": start, "topic": "A"}).status_code == 201
    )
    again = post(client, "/api/v1/mentor-bookings/", {"mentor": mentor.pk, "start": start, "topic": "A"})
    assert again.status_code == 409
    assert set(again.json()) == {"detail"}
    # Another startup, at another site, for the same slot.
    founder_b = StartupMemberFactory(startup=Startup.objects.get(pk=world["startup_b"])).user
    client.force_login(founder_b)
    response = post(client, "/api/v1/mentor-bookings/", {"mentor": mentor.pk, "start": start, "topic": "B"})
    assert response.status_code == 409
    assert Booking.objects.filter(mentor=mentor, starts_at=datetime.datetime.fromisoformat(start)).count() == 1


@pytest.mark.parametrize("minutes", [30, 1])
def test_a_time_that_is_not_a_slot_start_is_a_409(api, world, mentor, minutes):
    client = api("founder_a")
    start = datetime.datetime.fromisoformat(_free_start(client, mentor.pk)) + datetime.timedelta(minutes=minutes)
    response = post(client, "/api/v1/mentor-bookings/", {"mentor": mentor.pk, "start": start.isoformat(), "topic": "A"})
    assert response.status_code == 409
    assert set(response.json()) == {"detail"}


def test_the_monthly_quota_is_a_409(api, world, mentor, unscoped):
    mentor.max_bookings_per_startup_month = 1
    mentor.save()
    client = api("founder_a")
    day = today() + datetime.timedelta(days=40)
    slots = _slots(client, mentor.pk, day)
    Booking.objects.filter(startup=world["startup_a"], starts_at__gte=timezone.now()).delete()
    first = post(client, "/api/v1/mentor-bookings/", {"mentor": mentor.pk, "start": slots[0]["start"], "topic": "A"})
    assert first.status_code == 201, first.content
    second = post(client, "/api/v1/mentor-bookings/", {"mentor": mentor.pk, "start": slots[2]["start"], "topic": "B"})
    assert second.status_code == 409
    assert "1" in second.json()["detail"]


def test_an_unpublished_or_unknown_mentor_is_a_400(api, world):
    client = api("founder_a")
    start = (timezone.now() + datetime.timedelta(days=5)).astimezone(LOCAL).replace(minute=0, second=0, microsecond=0)
    for mentor_id in (world["mentor_pending_a"], 999999):
        response = post(
            client, "/api/v1/mentor-bookings/", {"mentor": mentor_id, "start": start.isoformat(), "topic": "A"}
        )
        assert response.status_code == 400
        assert "mentor" in response.json()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"start": "2027-03-15T10:00:00+01:00", "topic": "A"}, "mentor"),
        ({"mentor": "abc", "start": "2027-03-15T10:00:00+01:00", "topic": "A"}, "mentor"),
        ({"mentor": 0, "start": "2027-03-15T10:00:00+01:00", "topic": "A"}, "mentor"),
        ({"mentor": 2**40, "start": "2027-03-15T10:00:00+01:00", "topic": "A"}, "mentor"),
        ({"mentor": "{mentor}", "topic": "A"}, "start"),
        ({"mentor": "{mentor}", "start": "2027-03-15T10:00:00", "topic": "A"}, "start"),  # naive
        ({"mentor": "{mentor}", "start": "2027-03-15 10:00", "topic": "A"}, "start"),  # naive
        ({"mentor": "{mentor}", "start": "2027-03-15", "topic": "A"}, "start"),
        ({"mentor": "{mentor}", "start": "15/03/2027 10:00", "topic": "A"}, "start"),
        ({"mentor": "{mentor}", "start": "2027-02-30T10:00:00+01:00", "topic": "A"}, "start"),
        ({"mentor": "{mentor}", "start": 1773568800, "topic": "A"}, "start"),
        ({"mentor": "{mentor}", "start": "0001-01-01T00:00:00+01:00", "topic": "A"}, "start"),
        ({"mentor": "{mentor}", "start": "2027-03-15T10:00:00+01:00"}, "topic"),
        ({"mentor": "{mentor}", "start": "2027-03-15T10:00:00+01:00", "topic": "   "}, "topic"),
        ({"mentor": "{mentor}", "start": "2027-03-15T10:00:00+01:00", "topic": "x" * 201}, "topic"),
        (
            {"mentor": "{mentor}", "start": "2027-03-15T10:00:00+01:00", "topic": "A", "questions": "q" * 3001},
            "questions",
        ),
        ({"mentor": "{mentor}", "start": "2027-03-15T10:00:00+01:00", "topic": "A", "startup": "x"}, "startup"),
    ],
)
def test_invalid_bookings_are_400_with_field_errors(api, world, body, field, unscoped):
    body = {key: world["mentor"] if value == "{mentor}" else value for key, value in body.items()}
    response = post(api("founder_a"), "/api/v1/mentor-bookings/", body)
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert Booking.objects.filter(startup=world["startup_a"]).count() == 2


def test_a_malformed_body_is_a_400(api, world):
    response = api("founder_a").post("/api/v1/mentor-bookings/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()) == {"detail"}


def test_the_year_9999_is_no_500(api, world):
    response = post(
        api("founder_a"),
        "/api/v1/mentor-bookings/",
        {"mentor": world["mentor"], "start": "9999-12-31T10:00:00+01:00", "topic": "A"},
    )
    # `selectors.slots.month_bounds` (the quota's month) cannot reach January 10000: the shared
    # exception handler makes that a 400, never a 500.
    assert response.status_code in (201, 400, 409)
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize("persona", ["outsider", "manager_a", "manager_b", "staff"])
def test_without_an_admitted_startup_booking_is_403(api, world, persona):
    client = api(persona)
    start = _free_start(client, world["mentor"])
    response = post(client, "/api/v1/mentor-bookings/", {"mentor": world["mentor"], "start": start, "topic": "A"})
    assert response.status_code == 403
    assert set(response.json()) == {"detail"}


def test_anonymous_booking_is_401(api, world):
    response = post(api("anonymous"), "/api/v1/mentor-bookings/", {"mentor": world["mentor"], "topic": "A"})
    assert response.status_code == 401


def test_a_startup_no_longer_admitted_cannot_book(api, world, unscoped):
    from startups.models import Admission

    Admission.objects.filter(startup=world["startup_a"]).update(
        ended_on=today() - datetime.timedelta(days=1), exit_reason="graduated"
    )
    client = api("founder_a")
    start = _free_start(client, world["mentor"])
    response = post(client, "/api/v1/mentor-bookings/", {"mentor": world["mentor"], "start": start, "topic": "A"})
    assert response.status_code == 403


def test_with_several_startups_the_founder_says_which(api, world, founder_a, site_b, unscoped):
    second = StartupMemberFactory(user=founder_a, startup__legal_name="Zagora Solar SARL").startup
    AdmissionFactory(startup=second, site=site_b)
    client = api("founder_a")
    start = _free_start(client, world["mentor"])
    body = {"mentor": world["mentor"], "start": start, "topic": "Solaire"}
    response = post(client, "/api/v1/mentor-bookings/", body)
    assert response.status_code == 400
    assert "startup" in response.json()
    # Not one of theirs: 403, whether it exists or not.
    for startup_id in (world["startup_b"], 999999):
        assert post(client, "/api/v1/mentor-bookings/", {**body, "startup": startup_id}).status_code == 403
    response = post(client, "/api/v1/mentor-bookings/", {**body, "startup": second.pk})
    assert response.status_code == 201, response.content
    assert response.json()["startup"] == second.pk
    assert response.json()["site"] == "site-b"  # the startup's home site follows it


def test_form_encoded_bookings_work_too(api, world):
    client = api("founder_a")
    start = _free_start(client, world["mentor"])
    response = client.post("/api/v1/mentor-bookings/", {"mentor": world["mentor"], "start": start, "topic": "A"})
    assert response.status_code == 201, response.content


def test_token_authentication(client, world, founder_a):
    from accounts.actions import api_token_create

    _token, key = api_token_create(user=founder_a, name="script")
    start = _free_start(client, world["mentor"])
    response = client.post(
        "/api/v1/mentor-bookings/",
        {"mentor": world["mentor"], "start": start, "topic": "A"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {key}",
    )
    assert response.status_code == 201, response.content


# --- Cancelling ---------------------------------------------------------------------------
@pytest.mark.parametrize("persona", ["founder_a", "manager_a", "staff"])
def test_cancel_by_the_startup_or_the_site_team(api, world, persona, django_capture_on_commit_callbacks):
    client = api(persona)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, f"/api/v1/mentor-bookings/{world['booking_a']}/cancel/", {"reason": "Imprévu"})
    assert response.status_code == 200, response.content
    row = response.json()
    assert row["status"] == "cancelled"
    assert row["cancel_reason"] == "Imprévu"
    assert row["can_cancel"] is False
    assert ISO_WITH_OFFSET.match(row["cancelled_at"])
    booking = _booking(world, "booking_a")
    assert booking.status == BookingStatus.CANCELLED
    assert (
        booking.cancelled_by.email
        == {
            "founder_a": "founder.a@example.ma",
            "manager_a": "manager.a@example.ma",
            "staff": "staff@example.ma",
        }[persona]
    )
    recipients = sorted(message.to[0] for message in mail.outbox)
    assert "mentor@example.ma" in recipients
    assert ("founder.a@example.ma" in recipients) == (persona != "founder_a")
    # Twice: a 409, and the slot is free again.
    again = post(client, f"/api/v1/mentor-bookings/{world['booking_a']}/cancel/")
    assert again.status_code == 409
    assert set(again.json()) == {"detail"}
    local = booking.starts_at.astimezone(LOCAL)
    if datetime.time(8) <= local.time() < datetime.time(19):
        assert local.isoformat() in {slot["start"] for slot in _slots(client, world["mentor"], local.date())}


def test_the_mentor_cancels(mentor_client, world):
    response = post(mentor_client, f"/api/v1/mentor-bookings/{world['booking_b']}/cancel/")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert response.json()["cancel_reason"] == ""


@pytest.mark.parametrize("persona", ["outsider", "manager_b"])
def test_strangers_get_a_404_and_nothing_changes(api, world, persona):
    response = post(api(persona), f"/api/v1/mentor-bookings/{world['booking_a']}/cancel/")
    assert response.status_code == 404
    assert set(response.json()) == {"detail"}
    assert _booking(world, "booking_a").status == BookingStatus.CONFIRMED
    assert post(api(persona), "/api/v1/mentor-bookings/999999/cancel/").status_code == 404


def test_after_the_cut_off_it_is_a_409(api, world, unscoped):
    Booking.objects.filter(pk=world["booking_a"]).update(
        starts_at=timezone.now() + datetime.timedelta(hours=2), ends_at=timezone.now() + datetime.timedelta(hours=3)
    )
    response = post(api("founder_a"), f"/api/v1/mentor-bookings/{world['booking_a']}/cancel/")
    assert response.status_code == 409
    assert "12" in response.json()["detail"]
    assert _booking(world, "booking_a").status == BookingStatus.CONFIRMED
    assert post(api("founder_a"), f"/api/v1/mentor-bookings/{world['booking_a_past']}/cancel/").status_code == 409


def test_a_too_long_reason_is_a_400(api, world):
    response = post(api("founder_a"), f"/api/v1/mentor-bookings/{world['booking_a']}/cancel/", {"reason": "r" * 301})
    assert response.status_code == 400
    assert "reason" in response.json()
    assert _booking(world, "booking_a").status == BookingStatus.CONFIRMED


def test_any_member_of_the_site_sees_its_bookings(client, world, unscoped):
    """Site staff other than the manager persona: any membership of the startup's site reads
    (cancelling needs a manager: tests/sites/test_roles.py)."""
    user = UserFactory(email="coach.a@example.ma")
    SiteMembershipFactory(site=Site.objects.get(slug="site-a"), user=user, role="team")
    client.force_login(user)
    assert ids(client.get("/api/v1/mentor-bookings/")) == {world["booking_a"], world["booking_a_past"]}
