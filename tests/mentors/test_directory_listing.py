"""The startup side of mentoring, finding a mentor: the directory and its filters, a
mentor's page with a week of free slots."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from django_scopes import scopes_disabled

from mentors.availability import LOCAL, MAX_RANGE_DAYS
from mentors.models import MentorProfile, Tag
from sites.models import Language, Sector
from startups.models import Startup
from tests.conftest import PNG_1X1
from tests.factories import (
    BookingFactory,
    MentorProfileFactory,
    StartupFactory,
    StartupMemberFactory,
    UserFactory,
    WeeklyRuleFactory,
)
from tests.querycount import settle

from . import directory_setup
from .directory_setup import DAY, as_user, book_url, booking, mentor_of, slot_on, tuesday_in_a_week

# The fixtures shared with the sibling modules: pytest finds a fixture by its name in the module.
en = directory_setup.en

pytestmark = pytest.mark.django_db


def names(response) -> set[str]:
    return {mentor.name for mentor in response.context["page"].object_list}


def next_monday() -> datetime.date:
    today = timezone.localdate()
    return today + datetime.timedelta(days=(7 - today.weekday()) or 7)


# --- Directory ---------------------------------------------------------------------------
def test_the_directory_lists_published_mentors_only(en, world):
    with scopes_disabled():
        MentorProfileFactory(status="suspended", user__full_name="Suspended Sam")
        MentorProfileFactory(status="draft", user__full_name="Draft Dina")
        MentorProfileFactory(user__full_name="Gone Gaby", user__is_active=False)
    response = en.get("/mentors/")
    assert response.status_code == 200
    assert names(response) == {"Nadia Mentor"}
    page = response.content.decode()
    assert "Suspended Sam" not in page and "Draft Dina" not in page and "Gone Gaby" not in page
    assert "1 mentor" in page


def test_a_card_shows_initials_headline_dimensions_languages_and_modes(en, world, site_a):
    page = en.get("/mentors/").content.decode()
    card = page[page.index(f'id="mentor-{world["mentor"]}-name"') - 1200 :]
    card = card[: card.index("</article>")]
    assert ">NM</text>" in card  # initials: no photo
    assert "Levée de fonds et finance d&#x27;entreprise" in card
    assert "Access to financing" in card
    assert "French" in card
    assert "In person:" in card and site_a.name in card and "Video calls (remote)" in card
    assert f'href="/mentors/{world["mentor"]}/"' in card


def test_a_card_shows_the_photo_served_by_the_photo_route(en, world, unscoped):
    mentor = mentor_of(world)
    mentor.photo.save("nadia.png", ContentFile(PNG_1X1))
    page = en.get("/mentors/").content.decode()
    assert f'src="/mentors/{mentor.pk}/photo/"' in page
    response = en.get(f"/mentors/{mentor.pk}/photo/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == PNG_1X1


def test_the_photo_of_an_unpublished_mentor_is_not_served(en, world, unscoped):
    pending = MentorProfile.objects.get(pk=world["mentor_pending_a"])
    pending.photo.save("pending.png", ContentFile(PNG_1X1))
    assert en.get(f"/mentors/{pending.pk}/photo/").status_code == 404
    assert en.get(f"/mentors/{world['mentor']}/photo/").status_code == 404  # published, no photo
    assert en.get("/mentors/999999/photo/").status_code == 404


@pytest.fixture
def filters_world(world, site_b, unscoped):
    amal = MentorProfileFactory(
        user__full_name="Amal Export",
        kind="expert",
        headline="Export to West Africa",
        organisation="Atlas Trade",
        offers_video=False,
        sites=[site_b],
        dimensions=["market"],
        languages=Language.objects.filter(code="ar"),
    )
    amal.sectors.set(Sector.objects.filter(code="agritech"))
    amal.tags.set([Tag.objects.create(name="export")])
    bilal = MentorProfileFactory(
        user__full_name="Bilal Code",
        headline="SaaS pricing and growth",
        bio="Built three B2B products.",
        dimensions=["skills"],
        languages=Language.objects.filter(code="en"),
    )
    bilal.tags.set([Tag.objects.create(name="saas")])
    bilal.sectors.set(Sector.objects.filter(code="fintech"))
    return {"amal": amal, "bilal": bilal}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"Nadia Mentor", "Amal Export", "Bilal Code"}),
        ("q=amal", {"Amal Export"}),  # name
        ("q=west+africa", {"Amal Export"}),  # headline
        ("q=B2B", {"Bilal Code"}),  # biography
        ("q=atlas+trade", {"Amal Export"}),  # organisation
        ("q=SAAS", {"Bilal Code"}),  # tag (and headline), case-insensitive
        ("dimension=market", {"Amal Export"}),
        ("dimension=financing", {"Nadia Mentor"}),
        ("sector=agritech", {"Amal Export"}),
        ("sector=fintech", {"Bilal Code"}),
        ("language=ar", {"Amal Export"}),
        ("language=fr", {"Nadia Mentor"}),
        ("site=site-a", {"Nadia Mentor"}),
        ("site=site-b", {"Amal Export"}),
        ("remote=on", {"Nadia Mentor", "Bilal Code"}),
        ("kind=expert", {"Amal Export"}),
        ("kind=mentor", {"Nadia Mentor", "Bilal Code"}),
        ("tag=Export", {"Amal Export"}),
        ("tag=expo", set()),  # a tag is matched whole
        ("language=en&remote=on&dimension=skills", {"Bilal Code"}),
        ("language=ar&remote=on", set()),
    ],
)
def test_each_filter(en, filters_world, query, expected):
    response = en.get(f"/mentors/?{query}")
    assert response.status_code == 200
    assert names(response) == expected
    assert not response.context["form"].errors


def test_no_match_shows_the_empty_state(en, filters_world):
    page = en.get("/mentors/?q=nobody+at+all").content.decode()
    assert "No mentor matches these filters" in page
    assert "0 mentors" in page


def test_an_empty_directory_says_so(en, db):
    page = en.get("/mentors/").content.decode()
    assert "No mentor is listed yet" in page


@pytest.mark.parametrize(
    "query",
    [
        "dimension=nope",
        "sector=no-such-sector",
        "language=xx",
        "site=nowhere",
        "kind=alien",
        "q=" + "x" * 101,
        "tag=" + "t" * 41,
        "q=%00",
        "sector=%00&language=%27%3B--",
    ],
)
def test_bad_filter_values_are_form_errors_never_a_500(en, filters_world, query):
    response = en.get(f"/mentors/?{query}&page=abc")
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "Some filters were not understood" in response.content.decode()
    # The bad filter is left out; the others (none here) still apply.
    assert names(response) == {"Nadia Mentor", "Amal Export", "Bilal Code"}


def test_a_bad_filter_leaves_the_good_ones_applied(en, filters_world):
    response = en.get("/mentors/?dimension=market&language=xx")
    assert names(response) == {"Amal Export"}
    assert list(response.context["form"].errors) == ["language"]


def test_the_directory_is_paginated_by_24(en, world, unscoped):
    for number in range(30):
        MentorProfileFactory(user__full_name=f"Mentor {number:02d}")
    first = en.get("/mentors/")
    assert len(first.context["page"].object_list) == 24
    assert "31 mentors" in first.content.decode()
    second = en.get("/mentors/?page=2")
    assert len(second.context["page"].object_list) == 7
    assert en.get("/mentors/?page=999").context["page"].number == 2


@pytest.mark.parametrize("persona", ["anonymous", "founder_a"])
def test_the_directory_is_O1_in_queries(client_for, world, site_a, site_b, persona, django_assert_max_num_queries):
    client = client_for(persona)
    settle(client)
    # 16: a signed-in request also reads its session-activity row (accounts.UserSession).
    with django_assert_max_num_queries(16) as one:
        response = client.get("/mentors/")
    assert len(response.context["page"].object_list) == 1
    with scopes_disabled():
        tags = [Tag.objects.create(name=f"tag {n}") for n in range(3)]
        for number in range(30):
            mentor = MentorProfileFactory(
                sites=[site_a, site_b],
                dimensions=["financing", "market"],
                languages=Language.objects.filter(code__in=["fr", "ar"]),
                user__full_name=f"Mentor {number:02d}",
            )
            mentor.tags.set(tags)
            mentor.sectors.set(Sector.objects.all()[:2])
    with django_assert_max_num_queries(len(one.captured_queries)) as many:
        response = client.get("/mentors/?language=fr")
    assert len(response.context["page"].object_list) == 24
    assert len(many.captured_queries) == len(one.captured_queries)


# --- Mentor page and free slots -----------------------------------------------------------
def test_a_monday_rule_shows_monday_slots_at_10_local(client_for, world, unscoped):
    mentor = MentorProfileFactory(user__full_name="Monday Mona")
    WeeklyRuleFactory(mentor=mentor)  # Mondays 10:00–12:00, video
    monday = next_monday()
    client = client_for("founder_a")
    client.cookies["django_language"] = "en"
    response = client.get(f"/mentors/{mentor.pk}/?week={monday.isoformat()}")
    assert response.status_code == 200
    week = response.context["week"]
    assert week["start"] == monday
    by_day = {day["date"]: [item["slot"].local_start.time() for item in day["slots"]] for day in week["days"]}
    assert by_day[monday] == [datetime.time(10), datetime.time(11)]
    assert all(times == [] for day, times in by_day.items() if day != monday)
    first = week["days"][0]["slots"][0]["slot"]
    assert first.local_start == datetime.datetime.combine(monday, datetime.time(10), tzinfo=LOCAL)
    page = response.content.decode()
    assert "10:00" in page and "11:00" in page and "Morocco time" in page
    assert book_url(mentor.pk, first.start).replace("&", "&amp;") in page


def test_the_week_starts_today_and_is_clamped_to_the_horizon(en, world):
    today = timezone.localdate()
    last_start = today + datetime.timedelta(days=MAX_RANGE_DAYS - 6)
    url = f"/mentors/{world['mentor']}/"
    for week, expected in [
        ("", today),
        ("?week=garbage", today),
        ("?week=2026-13-45", today),
        ("?week=" + "9" * 500, today),
        ("?week=2000-01-01", today),
        ("?week=9999-12-31", last_start),
        (f"?week={(today + 10 * DAY).isoformat()}", today + 10 * DAY),
    ]:
        response = en.get(url + week)
        assert response.status_code == 200
        assert response.context["week"]["start"] == expected, week
        assert len(response.context["week"]["days"]) == 7
    first = en.get(url).context["week"]
    assert first["previous"] is None and first["next"] == today + 7 * DAY
    later = en.get(f"{url}?week={(today + 10 * DAY).isoformat()}").context["week"]
    assert later["previous"] == today + 3 * DAY and later["next"] == today + 17 * DAY
    last = en.get(f"{url}?week=9999-12-31").context["week"]
    assert last["next"] is None and last["end"] == today + MAX_RANGE_DAYS * DAY


def test_the_mentor_page_shows_profile_and_in_person_slots(en, world, site_a, unscoped):
    mentor = mentor_of(world)
    mentor.tags.set([Tag.objects.create(name="levée de fonds")])
    mentor.sectors.set(Sector.objects.filter(code="fintech"))
    tuesday = tuesday_in_a_week()
    response = en.get(f"/mentors/{mentor.pk}/?week={tuesday.isoformat()}")
    page = response.content.decode()
    assert "Nadia Mentor" in page and "Vingt ans de capital-risque" in page
    assert "Access to financing" in page and "levée de fonds" in page and "Fintech" in page
    assert "French" in page and "Video calls (remote)" in page and "60 minutes" in page
    tuesday_slots = response.context["week"]["days"][0]["slots"]
    in_person = [item for item in tuesday_slots if item["slot"].mode == "in_person"]
    assert [item["slot"].local_start.time() for item in in_person] == [datetime.time(20), datetime.time(21)]
    assert in_person[0]["site"] == site_a
    assert f"in person at {site_a.name}" in page


def test_booked_slots_are_not_offered(en, world, unscoped):
    mentor = mentor_of(world)
    before, taken, after = slot_on(mentor, 5, 1), slot_on(mentor, 5, 2), slot_on(mentor, 5, 3)
    BookingFactory(
        mentor=mentor,
        startup=Startup.objects.get(pk=world["startup_b"]),
        site=booking(world["booking_b"]).site,
        starts_at=taken.start,
    )
    day = taken.local_start.date()
    response = en.get(f"/mentors/{world['mentor']}/?week={day.isoformat()}")
    starts = {item["slot"].start for d in response.context["week"]["days"] for item in d["slots"]}
    assert taken.start not in starts
    assert {before.start, after.start} <= starts


@pytest.mark.parametrize("which", ["mentor_pending_a", "mentor_pending_b", "missing"])
def test_only_published_mentors_have_a_page(client_for, world, which):
    pk = world.get(which, 999999)
    for persona in ("anonymous", "founder_a", "staff"):
        assert client_for(persona).get(f"/mentors/{pk}/").status_code == 404
        # Anonymous visitors sign in first; then an unpublished mentor is not found.
        expected = 302 if persona == "anonymous" else 404
        assert client_for(persona).get(f"/mentors/{pk}/book/?start=x").status_code == expected


def test_who_may_book_is_explained_on_the_mentor_page(client, world, outsider, founder_a, unscoped):
    url = f"/mentors/{world['mentor']}/"
    client.cookies["django_language"] = "en"
    anonymous = client.get(url)
    assert "Sign in to book one" in anonymous.content.decode()
    assert "/book/?start=" not in anonymous.content.decode()
    assert anonymous.context["week"]["count"] > 0  # the slots are shown, not bookable
    page = as_user(client, outsider).get(url).content.decode()
    assert "Only the teams of startups admitted" in page and "/book/?start=" not in page
    not_admitted = UserFactory()
    StartupMemberFactory(startup=StartupFactory(), user=not_admitted)
    page = as_user(client, not_admitted).get(url).content.decode()
    assert "Your startup is not admitted yet" in page and "/book/?start=" not in page
    page = as_user(client, founder_a).get(url).content.decode()
    assert "/book/?start=" in page and "Sign in to book" not in page
