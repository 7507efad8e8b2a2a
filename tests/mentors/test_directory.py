"""The startup side of mentoring: the directory and its filters, a mentor's page with a
week of free slots, booking a slot, and the startup's own bookings (details, notes,
cancel, move, rate, attendance)."""

import datetime
from urllib.parse import urlencode

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.core.files.base import ContentFile
from django.utils import timezone
from django_scopes import scopes_disabled

from mentors.availability import LOCAL, MAX_RANGE_DAYS
from mentors.models import Booking, MentorProfile, Tag
from mentors.selectors import free_slots
from sites.models import Language, Sector
from startups.models import Startup
from tests.conftest import PNG_1X1
from tests.factories import (
    AdmissionFactory,
    BookingFactory,
    MentorProfileFactory,
    StartupFactory,
    StartupMemberFactory,
    UserFactory,
    WeeklyRuleFactory,
)
from tests.querycount import settle

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


@pytest.fixture
def en(client):
    client.cookies["django_language"] = "en"
    return client


def as_user(client, user):
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def texts(response) -> list[str]:
    """The messages this request added (not those left over from earlier requests)."""
    return [str(message) for message in get_messages(response.wsgi_request)._queued_messages]


def bookings(**filters) -> list[Booking]:
    with scopes_disabled():
        return list(Booking.objects.filter(**filters).order_by("pk"))


def booking(pk) -> Booking:
    with scopes_disabled():
        return Booking.objects.get(pk=pk)


def mentor_of(world) -> MentorProfile:
    return MentorProfile.objects.get(pk=world["mentor"])


def slot_on(mentor, days_ahead: int, index: int = 0):
    """The `index`-th free slot of the local day `days_ahead` from today."""
    day = timezone.localdate() + datetime.timedelta(days=days_ahead)
    return free_slots(mentor, date_from=day, date_to=day)[index]


def book_url(mentor_pk: int, start: datetime.datetime | str) -> str:
    value = start if isinstance(start, str) else start.isoformat()
    return f"/mentors/{mentor_pk}/book/?" + urlencode({"start": value})


def names(response) -> set[str]:
    return {mentor.name for mentor in response.context["page"].object_list}


def tuesday_in_a_week() -> datetime.date:
    """A Tuesday 7 to 13 days ahead: clear of the world's upcoming bookings (3 days ahead)."""
    today = timezone.localdate()
    return today + datetime.timedelta(days=(1 - today.weekday()) % 7 + 7)


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


# --- Booking -----------------------------------------------------------------------------
def test_booking_happy_path(client, world, founder_a, site_a, django_capture_on_commit_callbacks, unscoped):
    mentor = mentor_of(world)
    slot = slot_on(mentor, 5, index=2)  # 10:00 local
    client = as_user(client, founder_a)
    page = client.get(book_url(mentor.pk, slot.start))
    assert page.status_code == 200
    assert "10:00–11:00" in page.content.decode() and "Morocco time" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            book_url(mentor.pk, slot.start),
            {"topic": "  Préparer   notre seed  ", "questions": "Quelle valorisation ?"},
        )
    [new] = bookings(starts_at=slot.start)
    assert response.status_code == 302
    assert response["Location"] == f"/me/mentoring/{new.pk}/"
    assert new.startup_id == world["startup_a"] and new.site == site_a and new.booked_by == founder_a
    assert new.status == "confirmed" and new.mode == "video" and new.ends_at == slot.start + HOUR
    assert new.topic == "Préparer notre seed" and new.questions == "Quelle valorisation ?"
    assert any("Your session is booked" in text for text in texts(response))
    assert sorted(message.to[0] for message in mail.outbox) == ["founder.a@example.ma", "mentor@example.ma"]
    for message in mail.outbox:
        [(filename, content, mimetype)] = message.attachments
        assert filename.endswith(".ics") and mimetype == "text/calendar"
        assert "BEGIN:VEVENT" in content
    detail = client.get(response["Location"]).content.decode()
    assert "Préparer notre seed" in detail and "Join the video call" in detail


def test_booking_an_in_person_slot_records_the_meeting_site(client, world, founder_a, site_a, unscoped):
    tuesday = tuesday_in_a_week()
    mentor = mentor_of(world)
    slot = next(s for s in free_slots(mentor, date_from=tuesday, date_to=tuesday) if s.mode == "in_person")
    client = as_user(client, founder_a)
    page = client.get(book_url(mentor.pk, slot.start)).content.decode()
    assert f"In person at {site_a.name}" in page
    client.post(book_url(mentor.pk, slot.start), {"topic": "Visite"})
    [new] = bookings(starts_at=slot.start)
    assert new.mode == "in_person" and new.meeting_site == site_a


def test_booking_a_taken_slot_says_so_and_makes_no_row(client, world, founder_a, unscoped):
    mentor = mentor_of(world)
    slot = slot_on(mentor, 5, index=1)
    BookingFactory(
        mentor=mentor,
        startup=Startup.objects.get(pk=world["startup_b"]),
        site_id=booking(world["booking_b"]).site_id,
        starts_at=slot.start,
    )
    client = as_user(client, founder_a)
    week = slot.local_start.date().isoformat()
    response = client.get(book_url(mentor.pk, slot.start))
    assert response.status_code == 302 and response["Location"] == f"/mentors/{mentor.pk}/?week={week}"
    assert texts(response) == ["This slot is no longer free: choose another one."]
    response = client.post(book_url(mentor.pk, slot.start), {"topic": "Too late"})
    assert response.status_code == 302 and response["Location"] == f"/mentors/{mentor.pk}/?week={week}"
    assert texts(response) == ["This slot is no longer free: choose another one."]
    assert bookings(topic="Too late") == []
    assert len(bookings(starts_at=slot.start)) == 1


def test_the_monthly_quota_is_a_conflict_message(client, world, founder_a, unscoped):
    mentor = MentorProfileFactory(max_bookings_per_startup_month=1)
    for weekday in range(7):
        WeeklyRuleFactory(mentor=mentor, weekday=weekday, starts_at=datetime.time(9), ends_at=datetime.time(12))
    first, second = slot_on(mentor, 5, 0), slot_on(mentor, 5, 1)  # the same local day: the same month
    client = as_user(client, founder_a)
    assert client.post(book_url(mentor.pk, first.start), {"topic": "One"}).status_code == 302
    response = client.post(book_url(mentor.pk, second.start), {"topic": "Two"})
    assert response.status_code == 302 and response["Location"].startswith(f"/mentors/{mentor.pk}/?week=")
    assert texts(response) == ["Atlas Data already has 1 session(s) with this mentor that month, the most allowed."]
    assert [b.topic for b in bookings(mentor=mentor)] == ["One"]


def test_anonymous_is_sent_to_sign_in(client, world, unscoped):
    slot = slot_on(mentor_of(world), 5)
    response = client.get(book_url(world["mentor"], slot.start))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/mentors/")
    response = client.post(book_url(world["mentor"], slot.start), {"topic": "x"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert bookings(topic="x") == []


@pytest.mark.parametrize("persona", ["outsider", "manager_a", "staff"])
def test_users_without_an_admitted_startup_get_a_403_page(client_for, world, persona, unscoped):
    slot = slot_on(mentor_of(world), 5)
    client = client_for(persona)
    client.cookies["django_language"] = "en"
    response = client.post(book_url(world["mentor"], slot.start), {"topic": "x"})
    assert response.status_code == 403
    assert "Only the teams of startups admitted" in response.content.decode()
    assert bookings(topic="x") == []


def test_a_member_of_a_startup_whose_admission_ended_gets_the_403_page(client, world, site_b, unscoped):
    user = UserFactory()
    startup = StartupFactory()
    StartupMemberFactory(startup=startup, user=user)
    AdmissionFactory(startup=startup, site=site_b, ended_on=timezone.localdate() - DAY, exit_reason="graduated")
    response = as_user(client, user).get(book_url(world["mentor"], slot_on(mentor_of(world), 5).start))
    assert response.status_code == 403
    assert "None of your startups is admitted today" in response.content.decode()


@pytest.mark.parametrize(
    "start",
    [
        None,
        "",
        "garbage",
        "2026-01-01T10:00:00",  # naive: no offset
        "2999-01-01T10:00:00+00:00",  # beyond the horizon
        "0001-01-01T00:00:00+01:00",  # out of range in UTC
        "9999-12-31T23:59:59-05:00",
        "2026-02-30T10:00:00+00:00",
        "x" * 500,
        "\x00",
        "{past}",
        "{off_grid}",
    ],
)
def test_an_invalid_start_goes_back_to_the_mentor_page(client, world, founder_a, start, unscoped):
    mentor = mentor_of(world)
    slot = slot_on(mentor, 5)
    start = {
        "{past}": (timezone.now() - DAY).replace(minute=0, second=0, microsecond=0).isoformat(),
        "{off_grid}": (slot.start + datetime.timedelta(minutes=30)).isoformat(),
    }.get(start, start)
    url = f"/mentors/{mentor.pk}/book/" + ("" if start is None else "?" + urlencode({"start": start}))
    client = as_user(client, founder_a)
    for response in (client.get(url), client.post(url, {"topic": "Nope"})):
        assert response.status_code == 302
        assert response["Location"].startswith(f"/mentors/{mentor.pk}/")
        assert texts(response)
    assert bookings(topic="Nope") == []


def test_an_unencoded_plus_in_the_start_is_understood(client, world, founder_a, unscoped):
    mentor = mentor_of(world)
    slot = slot_on(mentor, 5, 3)
    raw = slot.start.astimezone(LOCAL).isoformat()  # "…T11:00:00+01:00" (or +00:00)
    response = as_user(client, founder_a).get(f"/mentors/{mentor.pk}/book/?start={raw}")  # "+" arrives as a space
    assert response.status_code == 200
    assert response.context["slot"].start == slot.start


def test_topic_is_required_and_at_most_200_characters(client, world, founder_a, unscoped):
    mentor = mentor_of(world)
    slot = slot_on(mentor, 5)
    client = as_user(client, founder_a)
    for topic, error in [("   ", "This field is required."), ("x" * 201, "at most 200 characters")]:
        response = client.post(book_url(mentor.pk, slot.start), {"topic": topic})
        assert response.status_code == 200
        assert error in " ".join(response.context["form"].errors["topic"])
    assert bookings(mentor=mentor, starts_at=slot.start) == []


def test_with_several_startups_the_founder_chooses_and_only_admitted_ones(client, world, founder_a, site_b, unscoped):
    second = StartupFactory(brand_name="Second Co")
    StartupMemberFactory(startup=second, user=founder_a)
    AdmissionFactory(startup=second, site=site_b, kind="e-technopark")
    not_admitted = StartupFactory(brand_name="Not Admitted Co")
    StartupMemberFactory(startup=not_admitted, user=founder_a)
    mentor = mentor_of(world)
    slot = slot_on(mentor, 5)
    client = as_user(client, founder_a)
    page = client.get(book_url(mentor.pk, slot.start)).content.decode()
    assert "Second Co" in page and "Atlas Data" in page and "Not Admitted Co" not in page
    response = client.post(book_url(mentor.pk, slot.start), {"topic": "x", "startup": not_admitted.pk})
    assert response.status_code == 200 and "startup" in response.context["form"].errors
    response = client.post(book_url(mentor.pk, slot.start), {"topic": "x", "startup": "abc"})
    assert response.status_code == 200 and "startup" in response.context["form"].errors
    client.post(book_url(mentor.pk, slot.start), {"topic": "For second", "startup": second.pk})
    [new] = bookings(topic="For second")
    assert new.startup == second and new.site == site_b


# --- My mentoring: the list ---------------------------------------------------------------
def test_my_bookings_lists_my_startups_bookings_only(en, client_for, world):
    response = client_for("founder_a").get("/me/mentoring/")
    assert response.status_code == 200
    assert [b.pk for b in response.context["upcoming"]] == [world["booking_a"]]
    assert [b.pk for b in response.context["page"].object_list] == [world["booking_a_past"]]
    page = response.content.decode()
    assert f"/me/mentoring/{world['booking_b']}/" not in page
    assert "Nadia Mentor" in page and "notes from the mentor" in page


def test_my_bookings_empty_state_links_to_the_directory(client_for, world):
    client = client_for("outsider")
    client.cookies["django_language"] = "en"
    page = client.get("/me/mentoring/").content.decode()
    assert "No session coming up" in page and 'href="/mentors/"' in page
    assert "No past session yet." in page


def test_cancelled_bookings_go_to_the_history(client_for, world, unscoped):
    Booking.objects.filter(pk=world["booking_a"]).update(status="cancelled")
    response = client_for("founder_a").get("/me/mentoring/")
    assert response.context["upcoming"] == []
    assert [b.pk for b in response.context["page"].object_list] == [world["booking_a"], world["booking_a_past"]]


def test_my_bookings_is_paginated_and_O1(client_for, world, founder_a, site_a, django_assert_max_num_queries, unscoped):
    client = client_for("founder_a")
    with django_assert_max_num_queries(20) as few:
        assert client.get("/me/mentoring/").status_code == 200
    startup_a = Startup.objects.get(pk=world["startup_a"])
    start = timezone.now().replace(minute=0, second=0, microsecond=0)
    for number in range(30):
        mentor = MentorProfileFactory(sites=[site_a])
        BookingFactory(mentor=mentor, startup=startup_a, site=site_a, starts_at=start - (number + 20) * DAY)
        BookingFactory(
            mentor=mentor,
            startup=startup_a,
            site=site_a,
            starts_at=start + (number + 5) * DAY,
            mode="in_person",
            meeting_site=site_a,
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/me/mentoring/")
    assert len(response.context["upcoming"]) == 31
    assert len(response.context["page"].object_list) == 25
    assert len(client.get("/me/mentoring/?page=2").context["page"].object_list) == 6


# --- My mentoring: one booking ------------------------------------------------------------
def test_the_notes_of_a_past_booking_are_visible_to_its_team(client, world, founder_a, unscoped):
    for user in (founder_a, StartupMemberFactory._meta.model.objects.get(pk=world["member_a"]).user):
        page = as_user(client, user).get(f"/me/mentoring/{world['booking_a_past']}/").content.decode()
        assert "Revoir la valorisation avant le tour de table." in page


@pytest.fixture
def member_b(world, unscoped):
    """A team member of startup B (whose bookings are at site B)."""
    return StartupMemberFactory(
        startup=Startup.objects.get(pk=world["startup_b"]), user__email="member.b@example.ma"
    ).user


def test_another_startup_cannot_see_or_change_booking_a(client, world, member_b):
    client = as_user(client, member_b)
    for pk in (world["booking_a"], world["booking_a_past"]):
        assert client.get(f"/me/mentoring/{pk}/").status_code == 404
        assert client.get(f"/me/mentoring/{pk}/reschedule/").status_code == 404
        assert client.post(f"/me/mentoring/{pk}/cancel/", {"reason": "mine now"}).status_code == 404
        assert client.post(f"/me/mentoring/{pk}/rate/", {"rating": "1"}).status_code == 404
        assert client.post(f"/me/mentoring/{pk}/attendance/", {"attendance": "mentor_no_show"}).status_code == 404
    a, a_past = booking(world["booking_a"]), booking(world["booking_a_past"])
    assert a.status == "confirmed" and a_past.rating is None and a_past.attendance == "held"
    page = client.get("/me/mentoring/").content.decode()
    assert "Revoir la valorisation" not in page
    # …while its own booking (at site B) is theirs.
    assert client.get(f"/me/mentoring/{world['booking_b']}/").status_code == 200


def test_founder_a_cannot_see_booking_b(client_for, world):
    client = client_for("founder_a")
    assert client.get(f"/me/mentoring/{world['booking_b']}/").status_code == 404
    assert client.post(f"/me/mentoring/{world['booking_b']}/cancel/").status_code == 404
    assert booking(world["booking_b"]).status == "confirmed"


def test_the_mentor_themselves_does_not_use_these_pages(client, world, unscoped):
    mentor_user = mentor_of(world).user
    assert as_user(client, mentor_user).get(f"/me/mentoring/{world['booking_a']}/").status_code == 404


def test_the_booking_page_shows_details_video_link_and_forms(client, world, founder_a):
    client = as_user(client, founder_a)
    page = client.get(f"/me/mentoring/{world['booking_a']}/").content.decode()
    assert "https://meet.example.ma/mentor" in page and "Join the video call" in page
    assert "Préparer la levée de fonds" in page and "Morocco time" in page
    assert f"/me/mentoring/{world['booking_a']}/cancel/" in page
    assert f"/me/mentoring/{world['booking_a']}/reschedule/" in page
    assert "Rate the session" not in page and "Did the session take place?" not in page
    assert "The mentor writes notes after the session" in page
    past = client.get(f"/me/mentoring/{world['booking_a_past']}/").content.decode()
    assert "Join the video call" not in past and "/cancel/" not in past
    assert "Rate the session" in past and "Did the session take place?" in past


# Cancel
def test_cancel_before_the_cutoff(client, world, founder_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(client, founder_a).post(
            f"/me/mentoring/{world['booking_a']}/cancel/", {"reason": "Conflit d'agenda"}
        )
    assert response.status_code == 302 and response["Location"] == f"/me/mentoring/{world['booking_a']}/"
    cancelled = booking(world["booking_a"])
    assert cancelled.status == "cancelled" and cancelled.cancel_reason == "Conflit d'agenda"
    assert cancelled.cancelled_by == founder_a
    assert [message.to for message in mail.outbox] == [["mentor@example.ma"]]  # the other side is told
    assert any("cancelled" in text for text in texts(response))
    page = client.get(response["Location"]).content.decode()
    assert "Join the video call" not in page and "/cancel/" not in page
    # Cancelling twice is a message, not an error.
    again = client.post(f"/me/mentoring/{world['booking_a']}/cancel/")
    assert again.status_code == 302 and texts(again) == ["This booking is already cancelled."]


def test_cancel_after_the_cutoff_is_refused(client, world, founder_a, unscoped):
    soon = timezone.now() + 6 * HOUR
    Booking.objects.filter(pk=world["booking_a"]).update(starts_at=soon, ends_at=soon + HOUR)
    client = as_user(client, founder_a)
    page = client.get(f"/me/mentoring/{world['booking_a']}/").content.decode()
    assert "/cancel/" not in page and "It is too late to cancel or move" in page
    response = client.post(f"/me/mentoring/{world['booking_a']}/cancel/", {"reason": "late"})
    assert response.status_code == 302
    assert texts(response) == ["Bookings can be cancelled or moved until 12 hours before they start."]
    assert booking(world["booking_a"]).status == "confirmed"


def test_a_cancel_reason_longer_than_300_characters_is_a_form_error(client, world, founder_a):
    response = as_user(client, founder_a).post(f"/me/mentoring/{world['booking_a']}/cancel/", {"reason": "x" * 301})
    assert response.status_code == 200
    assert "reason" in response.context["cancel_form"].errors
    assert booking(world["booking_a"]).status == "confirmed"


# Rate
def test_rate_a_past_session(client, world, founder_a):
    client = as_user(client, founder_a)
    response = client.post(f"/me/mentoring/{world['booking_a_past']}/rate/", {"rating": "4", "comment": " Très utile "})
    assert response.status_code == 302 and texts(response) == ["Thank you for rating this session."]
    rated = booking(world["booking_a_past"])
    assert rated.rating == 4 and rated.rating_comment == "Très utile" and rated.rated_at is not None
    page = client.get(f"/me/mentoring/{world['booking_a_past']}/").content.decode()
    assert "Your rating: 4/5" in page
    client.post(f"/me/mentoring/{world['booking_a_past']}/rate/", {"rating": "5"})
    assert booking(world["booking_a_past"]).rating == 5  # may be revised


@pytest.mark.parametrize("rating", ["", "0", "6", "abc", "4.5"])
def test_a_bad_rating_is_a_form_error(client, world, founder_a, rating):
    response = as_user(client, founder_a).post(f"/me/mentoring/{world['booking_a_past']}/rate/", {"rating": rating})
    assert response.status_code == 200
    assert "rating" in response.context["rating_form"].errors
    assert booking(world["booking_a_past"]).rating is None


def test_an_upcoming_or_missed_session_cannot_be_rated(client, world, founder_a, unscoped):
    client = as_user(client, founder_a)
    response = client.post(f"/me/mentoring/{world['booking_a']}/rate/", {"rating": "5"})
    assert response.status_code == 302 and texts(response) == ["You can rate the session once it is over."]
    assert booking(world["booking_a"]).rating is None
    Booking.objects.filter(pk=world["booking_a_past"]).update(attendance="mentor_no_show")
    response = client.post(f"/me/mentoring/{world['booking_a_past']}/rate/", {"rating": "1"})
    assert texts(response) == ["This session did not take place: there is nothing to rate."]
    assert booking(world["booking_a_past"]).rating is None


# Attendance
def test_mark_the_mentor_did_not_come(client, world, founder_a):
    client = as_user(client, founder_a)
    response = client.post(f"/me/mentoring/{world['booking_a_past']}/attendance/", {"attendance": "mentor_no_show"})
    assert response.status_code == 302 and texts(response) == ["Thank you: attendance recorded."]
    marked = booking(world["booking_a_past"])
    assert marked.attendance == "mentor_no_show" and marked.attendance_marked_by == founder_a
    page = client.get(f"/me/mentoring/{world['booking_a_past']}/").content.decode()
    assert "Rate the session" not in page  # a missed session is not rated
    client.post(f"/me/mentoring/{world['booking_a_past']}/attendance/", {"attendance": "held"})
    assert booking(world["booking_a_past"]).attendance == "held"


@pytest.mark.parametrize("value", ["startup_no_show", "unknown", "", "nonsense"])
def test_the_startup_may_only_record_held_or_mentor_no_show(client, world, founder_a, value):
    response = as_user(client, founder_a).post(
        f"/me/mentoring/{world['booking_a_past']}/attendance/", {"attendance": value}
    )
    assert response.status_code == 302
    assert texts(response) == ["Choose whether the session took place or the mentor did not come."]
    assert booking(world["booking_a_past"]).attendance == "held"


def test_attendance_of_an_upcoming_session_is_refused(client, world, founder_a):
    response = as_user(client, founder_a).post(
        f"/me/mentoring/{world['booking_a']}/attendance/", {"attendance": "held"}
    )
    assert texts(response) == ["Attendance can be recorded once the session has started."]
    assert booking(world["booking_a"]).attendance == "unknown"


def test_the_post_routes_refuse_get(client, world, founder_a):
    client = as_user(client, founder_a)
    for action in ("cancel", "rate", "attendance"):
        assert client.get(f"/me/mentoring/{world['booking_a']}/{action}/").status_code == 405


# Reschedule
def test_reschedule_lists_two_weeks_of_free_slots(client, world, founder_a):
    client = as_user(client, founder_a)
    response = client.get(f"/me/mentoring/{world['booking_a']}/reschedule/")
    assert response.status_code == 200
    week = response.context["week"]
    today = timezone.localdate()
    assert week["start"] == today and week["end"] == today + 13 * DAY and week["next"] == today + 14 * DAY
    starts = {item["start"] for day in week["days"] for item in day["slots"]}
    assert booking(world["booking_a"]).starts_at.isoformat() not in starts
    later = client.get(f"/me/mentoring/{world['booking_a']}/reschedule/?week={(today + 14 * DAY).isoformat()}")
    assert later.context["week"]["start"] == today + 14 * DAY and later.context["week"]["previous"] == today


def test_reschedule_moves_the_booking(client, world, founder_a, django_capture_on_commit_callbacks, unscoped):
    mentor = mentor_of(world)
    slot = slot_on(mentor, 6, 4)
    old_pk = world["booking_a"]
    client = as_user(client, founder_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/me/mentoring/{old_pk}/reschedule/", {"start": slot.start.isoformat()})
    [new] = bookings(starts_at=slot.start)
    assert response.status_code == 302 and response["Location"] == f"/me/mentoring/{new.pk}/"
    assert any("moved" in text for text in texts(response))
    old = booking(old_pk)
    assert old.status == "cancelled" and new.status == "confirmed" and new.rescheduled_from_id == old_pk
    assert new.topic == old.topic and new.site_id == old.site_id and new.startup_id == old.startup_id
    assert sorted(message.to[0] for message in mail.outbox) == ["founder.a@example.ma", "mentor@example.ma"]
    assert all(message.attachments for message in mail.outbox)
    page = client.get(f"/me/mentoring/{old_pk}/").content.decode()
    assert f"/me/mentoring/{new.pk}/" in page and "This booking was moved" in page


def test_reschedule_to_a_taken_or_invalid_slot_changes_nothing(client, world, founder_a, unscoped):
    taken = booking(world["booking_b"]).starts_at
    client = as_user(client, founder_a)
    url = f"/me/mentoring/{world['booking_a']}/reschedule/"
    response = client.post(url, {"start": taken.isoformat()})
    assert response.status_code == 302 and response["Location"] == url
    assert texts(response) == ["This slot is no longer free: choose another one."]
    for bad in ["", "garbage", "2026-01-01T10:00:00", "2999-01-01T10:00:00+00:00"]:
        response = client.post(url, {"start": bad})
        assert response.status_code == 302 and texts(response) == ["Choose one of the free slots."]
    assert booking(world["booking_a"]).status == "confirmed"
    assert len(bookings(startup=world["startup_a"])) == 2


def test_reschedule_after_the_cutoff_or_of_a_cancelled_booking_is_refused(client, world, founder_a, unscoped):
    client = as_user(client, founder_a)
    slot = slot_on(mentor_of(world), 6)
    soon = timezone.now() + 2 * HOUR
    Booking.objects.filter(pk=world["booking_a"]).update(starts_at=soon, ends_at=soon + HOUR)
    url = f"/me/mentoring/{world['booking_a']}/reschedule/"
    for response in (client.get(url), client.post(url, {"start": slot.start.isoformat()})):
        assert response.status_code == 302 and response["Location"] == f"/me/mentoring/{world['booking_a']}/"
        assert texts(response) == ["Bookings can be cancelled or moved until 12 hours before they start."]
    Booking.objects.filter(pk=world["booking_a"]).update(status="cancelled")
    response = client.get(url)
    assert response.status_code == 302 and "cancelled" in texts(response)[0]
    assert bookings(starts_at=slot.start) == []
