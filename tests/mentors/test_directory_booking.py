"""The startup side of mentoring, booking a slot from a mentor's page: the happy path,
taken slots, the quota, who may book and the validation of the request."""

import datetime
from urllib.parse import urlencode

import pytest
from django.core import mail
from django.utils import timezone

from mentors.availability import LOCAL
from mentors.selectors.slots import free_slots
from startups.models import Startup
from tests.factories import (
    AdmissionFactory,
    BookingFactory,
    MentorProfileFactory,
    StartupFactory,
    StartupMemberFactory,
    UserFactory,
    WeeklyRuleFactory,
)

from .directory_setup import (
    DAY,
    HOUR,
    as_user,
    book_url,
    booking,
    bookings,
    mentor_of,
    slot_on,
    texts,
    tuesday_in_a_week,
)

# Every test here uses the world: built once for the module (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_world")]


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
