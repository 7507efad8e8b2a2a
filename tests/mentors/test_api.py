"""The mentors API: the public directory (fields, filters, 400 on junk), free slots in
Moroccan time with their UTC offset (Ramadan included), the caller's bookings (who sees
what, notes included), booking (201, 409 when taken or over quota, 403, 400 on a naive
time), one booking and its cancellation (cut-off, 404 for strangers), constant query
counts."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.utils import timezone
from django_scopes import scopes_disabled

from mentors.availability import MAX_RANGE_DAYS
from mentors.models import Booking, BookingStatus, MentorProfile, Tag
from sites.models import Language, Sector, Site
from startups.models import Startup, StartupMember
from tests.conftest import PNG_1X1
from tests.factories import (
    AdmissionFactory,
    BookingFactory,
    MentorProfileFactory,
    SiteMembershipFactory,
    StartupMemberFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LOCAL = ZoneInfo("Africa/Casablanca")
ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?[+-]\d\d:\d\d$")


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def today() -> datetime.date:
    return datetime.datetime.now(LOCAL).date()


@pytest.fixture
def api(client_for, world):
    """`api("manager_a")` → a client signed in as that persona, with the world in place."""
    return client_for


@pytest.fixture
def mentor(world, unscoped) -> MentorProfile:
    return MentorProfile.objects.get(pk=world["mentor"])


@pytest.fixture
def mentor_client(client, world, mentor):
    client.force_login(mentor.user)
    return client


def _booking(world, name: str) -> Booking:
    with scopes_disabled():
        return Booking.objects.select_related("mentor").get(pk=world[name])


def _slots(client, mentor_id: int, first: datetime.date, last: datetime.date | None = None) -> list[dict]:
    response = client.get(f"/api/v1/mentors/{mentor_id}/slots/?from={first}&to={last or first}")
    assert response.status_code == 200, response.content
    return response.json()


def _free_start(client, mentor_id: int, days_ahead: int = 5, index: int = 0) -> str:
    return _slots(client, mentor_id, today() + datetime.timedelta(days=days_ahead))[index]["start"]


# --- Directory ----------------------------------------------------------------------------
@pytest.mark.parametrize("persona", ["anonymous", "outsider", "founder_a", "manager_a", "manager_b", "staff"])
def test_every_persona_sees_the_published_mentors_only(api, world, persona):
    client = api(persona)
    assert ids(client.get("/api/v1/mentors/")) == {world["mentor"]}
    assert client.get(f"/api/v1/mentors/{world['mentor']}/").status_code == 200
    for hidden in ("mentor_pending_a", "mentor_pending_b"):
        response = client.get(f"/api/v1/mentors/{world[hidden]}/")
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."} or set(response.json()) == {"detail"}


def test_suspended_mentors_and_inactive_accounts_are_hidden(api, world, mentor):
    client = api("anonymous")
    MentorProfile.objects.filter(pk=mentor.pk).update(status="suspended")
    assert ids(client.get("/api/v1/mentors/")) == set()
    MentorProfile.objects.filter(pk=mentor.pk).update(status="published")
    mentor.user.is_active = False
    mentor.user.save()
    assert ids(client.get("/api/v1/mentors/")) == set()
    assert client.get(f"/api/v1/mentors/{mentor.pk}/").status_code == 404


def test_mentor_fields(api, world, mentor):
    mentor.organisation = "Atlas Capital"
    mentor.kind = "expert"
    mentor.save()
    mentor.sectors.set(Sector.objects.filter(code__in=["fintech", "ict"]))
    mentor.languages.set(Language.objects.filter(code__in=["fr", "ar"]))
    mentor.tags.set([Tag.objects.create(name="SaaS pricing")])
    mentor.dimension_rows.create(dimension="market")
    row = api("anonymous").get(f"/api/v1/mentors/{mentor.pk}/").json()
    assert row == {
        "id": mentor.pk,
        "name": "Nadia Mentor",
        "kind": "expert",
        "headline": mentor.headline,
        "bio": mentor.bio,
        "organisation": "Atlas Capital",
        "photo_url": None,
        "dimensions": ["financing", "market"],
        "languages": ["ar", "fr"],
        "sectors": ["fintech", "ict"],
        "tags": ["SaaS pricing"],
        "sites": ["site-a"],
        "offers_video": True,
        "session_minutes": 60,
    }
    # Nothing private: no video link, no quota or notice settings, no account details.
    assert "video_url" not in row and "user" not in row


def test_photo_url_is_absolute(api, world, mentor):
    mentor.photo.save("nadia.png", ContentFile(PNG_1X1))
    row = api("anonymous").get(f"/api/v1/mentors/{mentor.pk}/").json()
    assert row["photo_url"] == f"http://testserver/mentors/{mentor.pk}/photo/"


@pytest.fixture
def directory(world, mentor, site_b):
    """Three more published mentors, each different from Nadia (video, financing, fr, site A)."""
    karim = MentorProfileFactory(
        user__full_name="Karim Export",
        kind="expert",
        headline="Export vers l'Afrique de l'Ouest",
        dimensions=["market"],
        languages=Language.objects.filter(code="en"),
        sites=[site_b],
        offers_video=False,
    )
    karim.sectors.set(Sector.objects.filter(code="agritech"))
    karim.tags.set([Tag.objects.create(name="Logistique")])
    salma = MentorProfileFactory(
        user__full_name="Salma Talent",
        organisation="RH Conseil",
        dimensions=["skills"],
        languages=Language.objects.filter(code="zgh"),
    )
    mentor.sectors.set(Sector.objects.filter(code="fintech"))
    return {"nadia": mentor.pk, "karim": karim.pk, "salma": salma.pk}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"nadia", "karim", "salma"}),
        ("q=", {"nadia", "karim", "salma"}),
        ("q=export", {"karim"}),
        ("q=logist", {"karim"}),  # an expertise tag
        ("q=rh conseil", {"salma"}),  # the organisation
        ("q=nadia", {"nadia"}),
        ("dimension=market", {"karim"}),
        ("dimension=financing", {"nadia"}),
        ("sector=fintech", {"nadia"}),
        ("sector=agritech", {"karim"}),
        ("sector=mining", set()),
        ("sector=no-such-sector", set()),
        ("language=zgh", {"salma"}),
        ("language=en", {"karim"}),
        ("language=xx", set()),
        ("site=site-a", {"nadia"}),
        ("site=site-b", {"karim"}),
        ("site=nowhere", set()),
        ("remote=true", {"nadia", "salma"}),
        ("remote=false", {"karim"}),
        ("kind=expert", {"karim"}),
        ("kind=mentor", {"nadia", "salma"}),
        ("tag=logistique", {"karim"}),
        ("tag=logist", set()),  # a whole tag
        ("remote=true&dimension=skills", {"salma"}),
    ],
)
def test_mentor_filters(api, directory, query, expected):
    assert ids(api("anonymous").get(f"/api/v1/mentors/?{query}")) == {directory[name] for name in expected}


@pytest.mark.parametrize(
    "query",
    [
        "dimension=junk",
        "dimension=",
        "kind=coach",
        "remote=yes",
        "remote=1",
        "site=not a slug",
        "sector=" + "x" * 41,
        "language=f%20r",
        "tag=",
        "tag=" + "t" * 41,
        "q=" + "q" * 101,
        "q=%00",
        "page=0",
        "page_size=abc",
    ],
)
def test_junk_mentor_filters_are_400_with_field_errors(api, query):
    response = api("anonymous").get(f"/api/v1/mentors/?{query}")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    field = query.split("=")[0]
    assert field in response.json()


def test_a_tag_in_two_cases_lists_the_mentor_once(api, directory, unscoped):
    karim = MentorProfile.objects.get(pk=directory["karim"])
    karim.tags.add(Tag.objects.create(name="LOGISTIQUE"))
    response = api("anonymous").get("/api/v1/mentors/?tag=logistique")
    assert [row["id"] for row in response.json()["results"]] == [karim.pk]
    assert response.json()["count"] == 1


def test_mentor_list_query_count_is_constant(api, directory, django_assert_max_num_queries, unscoped):
    client = api("anonymous")
    with django_assert_max_num_queries(8):
        assert len(ids(client.get("/api/v1/mentors/"))) == 3
    for number in range(12):
        profile = MentorProfileFactory(dimensions=["financing", "skills"], sites=Site.objects.all())
        profile.tags.set([Tag.objects.get_or_create(name=f"tag {number}")[0]])
    with django_assert_max_num_queries(8):
        assert len(ids(client.get("/api/v1/mentors/"))) == 15


# --- Slots --------------------------------------------------------------------------------
def test_slots_default_to_a_week_from_today(api, world, mentor):
    slots = api("anonymous").get(f"/api/v1/mentors/{mentor.pk}/slots/").json()
    days = {datetime.datetime.fromisoformat(slot["start"]).date() for slot in slots}
    assert min(days) >= today()
    assert max(days) == today() + datetime.timedelta(days=6)
    assert len(days) in (6, 7)  # today may be over already


def test_slots_are_local_times_with_their_offset(api, world, mentor):
    day = today() + datetime.timedelta(days=8)
    while day.weekday() != 1:  # a Tuesday: video 08:00–20:00, and in person at A 20:00–22:00
        day += datetime.timedelta(days=1)
    slots = _slots(api("anonymous"), mentor.pk, day)
    assert len(slots) == 14
    offset = datetime.datetime.combine(day, datetime.time(12), LOCAL).strftime("%z")
    offset = f"{offset[:3]}:{offset[3:]}"
    assert slots[0] == {
        "start": f"{day}T08:00:00{offset}",
        "end": f"{day}T09:00:00{offset}",
        "mode": "video",
        "site": None,
    }
    assert slots[-1] == {
        "start": f"{day}T21:00:00{offset}",
        "end": f"{day}T22:00:00{offset}",
        "mode": "in_person",
        "site": "site-a",
    }
    assert all(ISO_WITH_OFFSET.match(slot["start"]) and ISO_WITH_OFFSET.match(slot["end"]) for slot in slots)


def _next_day_with_offset(hours: int) -> datetime.date:
    day = today() + datetime.timedelta(days=1)
    for _ in range(800):
        if datetime.datetime.combine(day, datetime.time(12), LOCAL).utcoffset() == datetime.timedelta(hours=hours):
            return day
        day += datetime.timedelta(days=1)
    pytest.skip(f"no day at UTC+{hours} in Casablanca in the installed tzdata")


def test_slots_keep_local_wall_clock_during_ramadan(api, world, mentor):
    """Around Ramadan Morocco is at UTC+00:00: the slot still starts at 08:00 local, and the
    offset is written out (`+00:00`, never `Z`)."""
    client = api("anonymous")
    ramadan = _next_day_with_offset(0)
    slots = _slots(client, mentor.pk, ramadan)
    assert slots[0]["start"] == f"{ramadan}T08:00:00+00:00"
    usual = _next_day_with_offset(1)
    assert _slots(client, mentor.pk, usual)[0]["start"] == f"{usual}T08:00:00+01:00"


def test_booked_and_past_slots_are_not_free(api, world, mentor):
    booking = _booking(world, "booking_a")
    local = booking.starts_at.astimezone(LOCAL)
    starts = {slot["start"] for slot in _slots(api("anonymous"), mentor.pk, local.date())}
    if datetime.time(8) <= local.time() < datetime.time(20):
        assert local.isoformat() not in starts
    assert (local + datetime.timedelta(hours=24)).isoformat() not in starts
    # Days in the past have no free slot (and are not even expanded).
    assert (
        _slots(api("anonymous"), mentor.pk, today() - datetime.timedelta(days=30), today() - datetime.timedelta(days=1))
        == []
    )


def test_the_longest_range(api, world, mentor):
    client = api("anonymous")
    first = today() + datetime.timedelta(days=1)
    last = first + datetime.timedelta(days=MAX_RANGE_DAYS - 1)
    slots = _slots(client, mentor.pk, first, last)
    assert datetime.datetime.fromisoformat(slots[-1]["start"]).date() == last
    response = client.get(f"/api/v1/mentors/{mentor.pk}/slots/?from={first}&to={last + datetime.timedelta(days=1)}")
    assert response.status_code == 400
    assert "to" in response.json()


@pytest.mark.parametrize(
    "query",
    [
        "from=2027-02-30",
        "from=tomorrow",
        "to=15/03/2027",
        "from=",
        "from=2027-03-15&to=2027-03-14",
        "to=2000-01-01",  # before today, the default `from`
        "from=2027-01-01&to=2027-12-31",
        "from=%F0%9F%98%80",
        "from=2027-03-15T10:00:00%2B01:00",
        "to=99999-01-01",
        "from=2027-03-15&from=2027-03-16&to=x",
        "to=%00",
    ],
)
def test_bad_slot_ranges_are_400(api, world, query):
    response = api("anonymous").get(f"/api/v1/mentors/{world['mentor']}/slots/?{query}")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) <= {"from", "to"}


@pytest.mark.parametrize("query", ["from=0001-01-01&to=0001-01-07", "from=9999-12-31", "from=9999-12-01&to=9999-12-31"])
def test_calendar_edges_are_no_500(api, world, query):
    response = api("anonymous").get(f"/api/v1/mentors/{world['mentor']}/slots/?{query}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    if query.startswith("from=0001"):
        assert response.json() == []  # the past has no free slot


def test_slots_of_a_hidden_mentor_are_404(api, world):
    client = api("staff")
    assert client.get(f"/api/v1/mentors/{world['mentor_pending_a']}/slots/").status_code == 404
    assert client.get("/api/v1/mentors/999999/slots/").status_code == 404


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
    # `selectors.month_bounds` (the quota's month) cannot reach January 10000: the shared
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
