"""The mentors API, finding a mentor: the public directory (fields, filters, 400 on junk),
free slots in Moroccan time with their UTC offset (Ramadan included), constant query
counts."""

import datetime

import pytest
from django.core.files.base import ContentFile

from mentors.availability import MAX_RANGE_DAYS
from mentors.models import MentorProfile, Tag
from sites.models import Language, Sector, Site
from tests.api_client import ids
from tests.conftest import PNG_1X1
from tests.factories import MentorProfileFactory

from . import api_setup
from .api_setup import ISO_WITH_OFFSET, LOCAL, _booking, _slots, today

# The fixtures shared with the sibling modules: pytest finds a fixture by its name in the module.
mentor = api_setup.mentor

# Every test here uses the world: built once for the module (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_world")]


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
