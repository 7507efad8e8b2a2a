"""The mentors API, the caller's bookings: who sees what, notes included, filters, constant
query counts."""

import datetime

import pytest
from django.utils import timezone

from mentors.models import Booking, BookingStatus, MentorProfile
from sites.models import Site
from startups.models import Startup, StartupMember
from tests.api_client import ids
from tests.factories import BookingFactory, MentorProfileFactory, StartupMemberFactory

from . import api_setup
from .api_setup import ISO_WITH_OFFSET, LOCAL, _booking

# The fixtures shared with the sibling modules: pytest finds a fixture by its name in the module.
mentor = api_setup.mentor
mentor_client = api_setup.mentor_client

# Every test here uses the world: built once for the module (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_world")]


# --- Bookings: who sees what --------------------------------------------------------------
ALL_BOOKINGS = {"booking_a", "booking_a_past", "booking_b"}


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("outsider", set()),
        ("founder_a", {"booking_a", "booking_a_past"}),
        ("manager_a", {"booking_a", "booking_a_past"}),
        ("manager_b", {"booking_b"}),
        ("staff", ALL_BOOKINGS),
    ],
)
def test_booking_list_per_persona(api, world, persona, expected):
    client = api(persona)
    assert ids(client.get("/api/v1/mentor-bookings/")) == {world[name] for name in expected}
    for name in ALL_BOOKINGS:
        response = client.get(f"/api/v1/mentor-bookings/{world[name]}/")
        assert response.status_code == (200 if name in expected else 404), (name, response.content)


def test_the_mentor_sees_their_bookings_across_sites(mentor_client, world):
    assert ids(mentor_client.get("/api/v1/mentor-bookings/")) == {world[name] for name in ALL_BOOKINGS}
    assert mentor_client.get(f"/api/v1/mentor-bookings/{world['booking_b']}/").status_code == 200


def test_a_teammate_sees_the_startups_bookings_and_anonymous_gets_401(api, client, world, unscoped):
    teammate = StartupMember.objects.get(pk=world["member_a"]).user
    client.force_login(teammate)
    assert ids(client.get("/api/v1/mentor-bookings/")) == {world["booking_a"], world["booking_a_past"]}
    client.logout()
    assert client.get("/api/v1/mentor-bookings/").status_code == 401
    assert client.get(f"/api/v1/mentor-bookings/{world['booking_a']}/").status_code == 401


def test_booking_fields_and_notes(api, world):
    row = api("founder_a").get(f"/api/v1/mentor-bookings/{world['booking_a_past']}/").json()
    booking = _booking(world, "booking_a_past")
    assert row["mentor"] == world["mentor"]
    assert row["mentor_name"] == "Nadia Mentor"
    assert row["startup"] == world["startup_a"]
    assert row["startup_name"] == "Atlas Data"
    assert row["site"] == "site-a"
    assert row["start"] == booking.starts_at.astimezone(LOCAL).isoformat()
    assert row["end"] == booking.ends_at.astimezone(LOCAL).isoformat()
    assert ISO_WITH_OFFSET.match(row["start"]) and ISO_WITH_OFFSET.match(row["end"])
    assert row["mode"] == "video"
    assert row["meeting_site"] is None
    assert row["video_url"] == "https://meet.example.ma/mentor"
    assert row["topic"] == "Préparer la levée de fonds"
    assert row["status"] == "confirmed"
    assert row["attendance"] == "held"
    assert row["note"] == "Revoir la valorisation avant le tour de table."
    assert row["rating"] is None
    assert row["can_cancel"] is False  # in the past
    assert api("founder_a").get(f"/api/v1/mentor-bookings/{world['booking_a']}/").json()["can_cancel"] is True


@pytest.mark.parametrize("persona", ["manager_a", "staff"])
def test_the_site_team_reads_the_notes(api, world, persona):
    rows = {row["id"]: row for row in api(persona).get("/api/v1/mentor-bookings/").json()["results"]}
    assert rows[world["booking_a_past"]]["note"] == "Revoir la valorisation avant le tour de table."


def test_another_startup_never_sees_the_notes(client, world, unscoped):
    """A founder of startup B (admitted at B) lists B's booking only: A's notes stay hidden."""
    founder_b = StartupMemberFactory(startup=Startup.objects.get(pk=world["startup_b"])).user
    client.force_login(founder_b)
    response = client.get("/api/v1/mentor-bookings/")
    assert ids(response) == {world["booking_b"]}
    assert "valorisation" not in response.content.decode()
    assert client.get(f"/api/v1/mentor-bookings/{world['booking_a_past']}/").status_code == 404


def test_booking_filters(api, world, mentor, unscoped):
    staff = api("staff")
    Booking.objects.filter(pk=world["booking_b"]).update(status=BookingStatus.CANCELLED)
    assert ids(staff.get("/api/v1/mentor-bookings/?status=cancelled")) == {world["booking_b"]}
    assert ids(staff.get("/api/v1/mentor-bookings/?status=confirmed")) == {world["booking_a"], world["booking_a_past"]}
    assert ids(staff.get("/api/v1/mentor-bookings/?upcoming=false")) == {world["booking_a_past"]}
    assert ids(staff.get("/api/v1/mentor-bookings/?upcoming=true")) == {world["booking_a"], world["booking_b"]}
    assert ids(staff.get(f"/api/v1/mentor-bookings/?startup={world['startup_b']}")) == {world["booking_b"]}
    assert ids(staff.get(f"/api/v1/mentor-bookings/?mentor={world['mentor']}")) == {world[n] for n in ALL_BOOKINGS}
    assert ids(staff.get("/api/v1/mentor-bookings/?mentor=999999")) == set()
    assert ids(staff.get("/api/v1/mentor-bookings/?role=site")) == {world[n] for n in ALL_BOOKINGS}
    assert ids(staff.get("/api/v1/mentor-bookings/?role=mentor")) == set()
    mentor_client = staff  # the same test client, signed in as the mentor now
    mentor_client.force_login(mentor.user)
    assert ids(mentor_client.get("/api/v1/mentor-bookings/?role=startup")) == set()
    assert ids(mentor_client.get("/api/v1/mentor-bookings/?role=mentor")) == {world[n] for n in ALL_BOOKINGS}


def test_the_list_is_newest_first(api, world):
    rows = api("staff").get("/api/v1/mentor-bookings/").json()["results"]
    assert [row["id"] for row in rows] == [world["booking_b"], world["booking_a"], world["booking_a_past"]]


@pytest.mark.parametrize(
    "query", ["status=held", "upcoming=yes", "mentor=0", "mentor=abc", "startup=-1", "role=owner", "role=", "page=0"]
)
def test_junk_booking_filters_are_400(api, world, query):
    response = api("founder_a").get(f"/api/v1/mentor-bookings/?{query}")
    assert response.status_code == 400
    assert query.split("=")[0] in response.json()


def test_booking_list_query_count_is_constant(api, world, django_assert_max_num_queries, unscoped):
    client = api("manager_a")
    with django_assert_max_num_queries(12) as captured:
        assert len(ids(client.get("/api/v1/mentor-bookings/"))) == 2
    first = len(captured)
    mentor = MentorProfile.objects.get(pk=world["mentor"])
    site_a = Site.objects.get(slug="site-a")
    startup_a = Startup.objects.get(pk=world["startup_a"])
    start = timezone.now() + datetime.timedelta(days=20)
    for number in range(15):
        other = MentorProfileFactory(sites=[site_a])
        BookingFactory(
            mentor=other if number % 2 else mentor,
            startup=startup_a,
            site=site_a,
            starts_at=start + datetime.timedelta(hours=number),
            mode="in_person" if number % 3 else "video",
            meeting_site=site_a if number % 3 else None,
        )
    with django_assert_max_num_queries(first):
        assert len(ids(client.get("/api/v1/mentor-bookings/"))) == 17


def test_the_role_filter_costs_no_query(api, world, django_assert_max_num_queries):
    """`?role=` narrows the list in SQL: a site manager's sites are a subquery of the list's
    queries, not read again for the filter (session, user, the request's sites, count, page)."""
    client = api("manager_a")
    with django_assert_max_num_queries(12) as whole:
        assert len(ids(client.get("/api/v1/mentor-bookings/"))) == 2
    with django_assert_max_num_queries(min(5, len(whole))):
        assert ids(client.get("/api/v1/mentor-bookings/?role=site")) == {world["booking_a"], world["booking_a_past"]}
