"""The mentor's own space (/mentor/…): creating and editing a profile with its validation,
submitting it to the reviewers, availability (add, validate, delete, preview of the free
slots), the agenda (own bookings only, across sites), notes, attendance and cancelling
after or before a session, the landing page, and query counts."""

import datetime
import io
import os

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone
from django_scopes import scopes_disabled
from PIL import Image

from accounts.models import User
from core.models import AuditEntry
from mentors.models import (
    Attendance,
    BlockedPeriod,
    Booking,
    BookingStatus,
    ExtraWindow,
    MentorDimension,
    MentorProfile,
    WeeklyRule,
)
from mentors.views import mentor_space
from sites.models import Language, Sector
from sites.scoping import user_scope
from tests.factories import BookingFactory, MentorProfileFactory, UserFactory, WeeklyRuleFactory

pytestmark = pytest.mark.django_db

PROFILE = "/mentor/profile/"
SUBMIT = "/mentor/profile/submit/"
AVAILABILITY = "/mentor/availability/"
AGENDA = "/mentor/agenda/"
HOUR = datetime.timedelta(hours=1)


def png(size=(32, 32), *, noise=False) -> SimpleUploadedFile:
    if noise:
        image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    else:
        image = Image.new("RGB", size, (11, 85, 99))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return SimpleUploadedFile("me.png", buffer.getvalue(), content_type="image/png")


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _get(model, **lookup):
    with scopes_disabled():
        return model.objects.get(**lookup)


def _login(client, user):
    client.cookies["django_language"] = "en"
    client.force_login(user)
    return client


@pytest.fixture
def mentor_user(world):
    return User.objects.get(pk=world["mentor_user"])


@pytest.fixture
def mentor(world):
    return MentorProfile.objects.get(pk=world["mentor"])


@pytest.fixture
def as_mentor(client, mentor_user):
    return _login(client, mentor_user)


@pytest.fixture
def other_mentor(world, site_b):
    with scopes_disabled():
        profile = MentorProfileFactory(user__email="other.mentor@example.ma", sites=[site_b])
        WeeklyRuleFactory(mentor=profile)
    return profile


def _profile_data(**overrides) -> dict:
    data = {
        "kind": "expert",
        "headline": "Export to West Africa",
        "bio": "Fifteen years selling software in Dakar and Abidjan.",
        "organisation": "Atlas Export",
        "linkedin_url": "",
        "dimensions": ["market", "networking"],
        "languages": [Language.objects.get(code="fr").pk, Language.objects.get(code="en").pk],
        "sectors": [],
        "tags": " Export, export ,  West   Africa,, pricing",
        "sites": [],
        "offers_video": "on",
        "video_url": "https://meet.example.ma/export",
        "session_minutes": "45",
        "buffer_minutes": "15",
        "min_notice_hours": "24",
        "max_bookings_per_startup_month": "2",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


# --- Profile: create, validate, edit ---------------------------------------------------------
def test_a_signed_in_user_without_profile_is_invited_to_become_a_mentor(client_for, world):
    client = client_for("outsider")
    client.cookies["django_language"] = "en"
    response = client.get(PROFILE)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Become a mentor or expert" in page
    assert 'id="profile-status"' not in page
    assert response.context["profile"] is None


def test_creating_a_profile_saves_it_as_a_draft_with_its_expertise(client, world, outsider, site_a, unscoped):
    _login(client, outsider)
    sector = Sector.objects.first()
    data = _profile_data(sectors=[sector.pk], sites=[site_a.pk])
    data["photo"] = png()
    response = client.post(PROFILE, data)
    assert response.status_code == 302
    assert response.url == PROFILE
    profile = MentorProfile.objects.get(user=outsider)
    assert profile.status == "draft"
    assert profile.kind == "expert"
    assert profile.headline == "Export to West Africa"
    assert profile.session_minutes == 45
    assert profile.photo
    assert sorted(MentorDimension.objects.filter(mentor=profile).values_list("dimension", flat=True)) == [
        "market",
        "networking",
    ]
    # Trimmed, inner spaces collapsed, duplicates (whatever their case) dropped.
    assert sorted(profile.tags.values_list("name", flat=True)) == ["Export", "West Africa", "pricing"]
    assert sorted(profile.languages.values_list("code", flat=True)) == ["en", "fr"]
    assert list(profile.sectors.all()) == [sector]
    assert list(profile.sites.all()) == [site_a]
    assert AuditEntry.objects.filter(object_id=str(profile.pk), action=AuditEntry.Action.CREATE).exists()
    assert any("Your profile is created" in message for message in _messages(response))
    # The page now shows the status and the mentor's own photo.
    page = client.get(PROFILE).content.decode()
    assert "Draft" in page and 'id="profile-status"' in page
    photo = client.get("/mentor/profile/photo/")
    assert photo.status_code == 200
    assert photo["Content-Type"] == "image/png"


def test_every_profile_error_shows_at_once(client, world, outsider, unscoped):
    _login(client, outsider)
    data = _profile_data(
        headline="   ",
        dimensions=None,
        languages=None,
        video_url="",
        tags="fine, " + "x" * 41,
        session_minutes="5",
        max_bookings_per_startup_month="0",
    )
    data["photo"] = SimpleUploadedFile("me.png", b"not an image at all", content_type="image/png")
    response = client.post(PROFILE, data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {
        "headline",
        "dimensions",
        "languages",
        "video_url",
        "tags",
        "session_minutes",
        "max_bookings_per_startup_month",
        "photo",
    }
    assert errors["dimensions"] == ["Choose at least one support dimension."]
    assert errors["video_url"] == ["Give the link of your video meeting room, or untick video calls."]
    assert "under 40 characters" in errors["tags"][0]
    page = response.content.decode()
    assert "Choose at least one support dimension." in page
    assert "Your profile was not saved" in page
    assert not MentorProfile.objects.filter(user=outsider).exists()


def test_a_photo_over_2_mb_is_refused(client, world, outsider, unscoped):
    _login(client, outsider)
    data = _profile_data()
    data["photo"] = png((1000, 1000), noise=True)
    response = client.post(PROFILE, data)
    assert response.status_code == 200
    assert response.context["form"].errors["photo"] == ["The image is larger than 2 MB."]
    assert not MentorProfile.objects.filter(user=outsider).exists()


def test_without_video_a_served_site_is_needed(client, world, outsider, site_a, unscoped):
    _login(client, outsider)
    response = client.post(PROFILE, _profile_data(offers_video=None, video_url=""))
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "sites": ["Offer video calls or choose at least one site where you meet in person."]
    }
    response = client.post(PROFILE, _profile_data(offers_video=None, video_url="", sites=[site_a.pk]))
    assert response.status_code == 302
    profile = MentorProfile.objects.get(user=outsider)
    assert profile.offers_video is False
    assert list(profile.sites.all()) == [site_a]


def test_only_operational_sites_are_offered(client, world, outsider, unscoped):
    from tests.factories import SiteFactory

    planned = SiteFactory(slug="site-planned", status="planned")
    _login(client, outsider)
    response = client.post(PROFILE, _profile_data(sites=[planned.pk]))
    assert response.status_code == 200
    assert "sites" in response.context["form"].errors


def test_action_errors_land_on_the_form(client, world, outsider, monkeypatch, unscoped):
    from django.core.exceptions import ValidationError

    def refuse(**kwargs):
        raise ValidationError({"dimensions": "Refused by the action.", "elsewhere": "Not a field."})

    monkeypatch.setattr(mentor_space.actions, "profile_save", refuse)
    _login(client, outsider)
    response = client.post(PROFILE, _profile_data())
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["dimensions"] == ["Refused by the action."]
    assert form.non_field_errors() == ["Not a field."]


def test_the_mentor_edits_their_profile_and_it_stays_published(as_mentor, mentor, unscoped):
    assert "Published" in as_mentor.get(PROFILE).content.decode()
    response = as_mentor.post(
        PROFILE,
        _profile_data(
            headline="Fundraising, ex-VC", dimensions=["skills"], tags="", video_url="https://meet.example.ma/n"
        ),
    )
    assert response.status_code == 302
    mentor.refresh_from_db()
    assert mentor.status == "published"
    assert mentor.headline == "Fundraising, ex-VC"
    assert list(MentorDimension.objects.filter(mentor=mentor).values_list("dimension", flat=True)) == ["skills"]
    assert mentor.tags.count() == 0
    assert any("Your profile is saved" in message for message in _messages(response))


def test_the_form_shows_the_saved_dimensions_and_tags(as_mentor, mentor, unscoped):
    from mentors.models import Tag

    mentor.tags.set([Tag.objects.create(name="SaaS"), Tag.objects.create(name="pricing")])
    form = as_mentor.get(PROFILE).context["form"]
    assert form.initial["dimensions"] == ["financing"]
    assert form.initial["tags"] == "SaaS, pricing"


def test_the_photo_can_be_removed(client, world, outsider, unscoped):
    _login(client, outsider)
    data = _profile_data()
    data["photo"] = png()
    client.post(PROFILE, data)
    assert MentorProfile.objects.get(user=outsider).photo
    assert client.post(PROFILE, _profile_data(remove_photo="on")).status_code == 302
    assert not MentorProfile.objects.get(user=outsider).photo
    assert client.get("/mentor/profile/photo/").status_code == 404


@pytest.mark.parametrize(
    ("status", "note", "expected"),
    [
        ("pending", "", "The Technopark team is reviewing your profile"),
        ("rejected", "Add your LinkedIn profile, please.", "Add your LinkedIn profile, please."),
        ("suspended", "Two complaints from startups.", "Two complaints from startups."),
    ],
)
def test_the_status_and_the_reviewers_note_are_shown(client, world, outsider, status, note, expected, unscoped):
    MentorProfileFactory(user=outsider, status=status, review_note=note, reviewed_at=timezone.now())
    _login(client, outsider)
    response = client.get(PROFILE)
    page = response.content.decode()
    assert expected in page
    assert ('id="review-note"' in page) is bool(note)
    assert response.context["can_submit"] is (status == "rejected")


# --- Submitting --------------------------------------------------------------------------------
def test_submitting_asks_the_reviewers_of_the_served_sites_and_head_office(
    client, world, outsider, site_a, django_capture_on_commit_callbacks, unscoped
):
    profile = MentorProfileFactory(user=outsider, status="draft", sites=[site_a])
    WeeklyRuleFactory(mentor=profile)
    _login(client, outsider)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(SUBMIT)
    assert response.status_code == 302
    assert response.url == PROFILE
    profile.refresh_from_db()
    assert profile.status == "pending"
    assert profile.submitted_at is not None
    assert sorted(address for message in mail.outbox for address in message.to) == [
        "manager.a@example.ma",
        "staff@example.ma",
    ]
    assert any("Your profile is submitted" in message for message in _messages(response))


def test_submitting_without_availability_is_refused(client, world, outsider, unscoped):
    profile = MentorProfileFactory(user=outsider, status="draft")
    _login(client, outsider)
    with_message = client.post(SUBMIT)
    assert with_message.status_code == 302
    assert _messages(with_message) == ["Add at least one availability window before you submit your profile."]
    profile.refresh_from_db()
    assert profile.status == "draft"
    assert mail.outbox == []


def test_a_published_profile_is_not_submitted_again(as_mentor, mentor, unscoped):
    response = as_mentor.post(SUBMIT)
    assert _messages(response) == ["This profile is not a draft: there is nothing to submit."]
    mentor.refresh_from_db()
    assert mentor.status == "published"


def test_submit_is_post_only(as_mentor):
    assert as_mentor.get(SUBMIT).status_code == 405


# --- Availability ------------------------------------------------------------------------------
def test_users_without_a_profile_are_sent_to_create_one(client_for, world):
    client = client_for("founder_a")
    client.cookies["django_language"] = "en"
    for url in (AVAILABILITY, AGENDA):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url == PROFILE
        assert (
            _messages(response)[-1]
            == "You have no mentor profile yet: create it first, then set your availability and see your agenda."
        )


def test_the_availability_page_lists_the_rules_and_previews_the_free_slots(as_mentor, world, unscoped):
    response = as_mentor.get(AVAILABILITY)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Morocco time" in page
    # 60-minute sessions without buffer: a 09:00–12:00 window gives three slots.
    assert response.context["tiling_example"] == ["09:00", "10:00", "11:00"]
    assert len(response.context["weekly_rules"]) == 8
    assert "in person at Technopark site-a" in page
    # Every day 08:00–20:00 by video: the next 14 days have slots (booked hours left out).
    assert response.context["preview_count"] > 100
    assert len(response.context["preview"]) >= 13
    booked = _get(Booking, pk=world["booking_a"])
    starts = [item["slot"].start for _day, items in response.context["preview"] for item in items]
    assert booked.starts_at - HOUR in starts
    assert booked.starts_at not in starts


def test_the_tiling_example_follows_the_session_and_buffer(as_mentor, mentor, unscoped):
    mentor.session_minutes, mentor.buffer_minutes = 45, 15
    mentor.save()
    response = as_mentor.get(AVAILABILITY)
    assert response.context["tiling_example"] == ["09:00", "10:00", "11:00"]
    mentor.session_minutes, mentor.buffer_minutes = 50, 20
    mentor.save()
    assert as_mentor.get(AVAILABILITY).context["tiling_example"] == ["09:00", "10:10"]  # 11:20 would end at 12:10


def test_adding_a_weekly_video_window(as_mentor, mentor, unscoped):
    response = as_mentor.post(
        AVAILABILITY,
        {
            "add": "weekly",
            "weekly-weekday": "2",
            "weekly-starts_at": "21:00",
            "weekly-ends_at": "22:30",
            "weekly-mode": "video",
        },
    )
    assert response.status_code == 302
    assert response.url == AVAILABILITY
    rule = WeeklyRule.objects.get(mentor=mentor, weekday=2, starts_at=datetime.time(21))
    assert rule.ends_at == datetime.time(22, 30)
    assert rule.mode == "video"
    assert rule.meeting_site is None
    assert _messages(response) == ["Weekly availability added."]


def test_adding_an_in_person_window_needs_a_served_site(as_mentor, mentor, site_a, site_b, unscoped):
    data = {"add": "weekly", "weekly-weekday": "3", "weekly-starts_at": "20:00", "weekly-ends_at": "22:00"}
    response = as_mentor.post(AVAILABILITY, {**data, "weekly-mode": "in_person"})
    assert response.status_code == 200
    assert response.context["forms"]["weekly"].errors == {
        "meeting_site": ["Choose the site where you meet startups in person."]
    }
    assert "Nothing was added" in response.content.decode()
    # Site B is not one the mentor serves: not even a choice.
    response = as_mentor.post(AVAILABILITY, {**data, "weekly-mode": "in_person", "weekly-meeting_site": site_b.pk})
    assert "meeting_site" in response.context["forms"]["weekly"].errors
    assert not WeeklyRule.objects.filter(mentor=mentor, weekday=3, starts_at=datetime.time(20)).exists()
    response = as_mentor.post(AVAILABILITY, {**data, "weekly-mode": "in_person", "weekly-meeting_site": site_a.pk})
    assert response.status_code == 302
    assert WeeklyRule.objects.get(mentor=mentor, weekday=3, starts_at=datetime.time(20)).meeting_site == site_a


@pytest.mark.parametrize(
    ("starts", "ends", "error"),
    [
        ("11:00", "10:00", "The window must end after it starts."),
        ("10:00", "10:00", "The window must end after it starts."),
        ("10:00", "10:30", "The window is shorter than one session (60 minutes): it would give no slot."),
        ("10:00", "25:00", "Enter a valid time."),
    ],
)
def test_a_window_must_be_in_order_and_long_enough(as_mentor, mentor, starts, ends, error, unscoped):
    before = WeeklyRule.objects.count()
    response = as_mentor.post(
        AVAILABILITY,
        {
            "add": "weekly",
            "weekly-weekday": "0",
            "weekly-starts_at": starts,
            "weekly-ends_at": ends,
            "weekly-mode": "video",
        },
    )
    assert response.status_code == 200
    assert response.context["forms"]["weekly"].errors == {"ends_at": [error]}
    assert WeeklyRule.objects.count() == before


def test_video_windows_need_a_profile_offering_video(as_mentor, mentor, unscoped):
    mentor.offers_video = False
    mentor.save()
    response = as_mentor.post(
        AVAILABILITY,
        {
            "add": "weekly",
            "weekly-weekday": "0",
            "weekly-starts_at": "21:00",
            "weekly-ends_at": "22:00",
            "weekly-mode": "video",
        },
    )
    assert response.context["forms"]["weekly"].errors == {
        "mode": ["Your profile does not offer video calls: tick them in your profile first."]
    }


def test_extra_windows_are_for_today_or_later(as_mentor, mentor, unscoped):
    today = timezone.localdate()
    data = {"add": "extra", "extra-starts_at": "21:00", "extra-ends_at": "22:00", "extra-mode": "video"}
    response = as_mentor.post(AVAILABILITY, {**data, "extra-date": (today - datetime.timedelta(days=1)).isoformat()})
    assert response.status_code == 200
    assert response.context["forms"]["extra"].errors == {"date": ["This date is in the past."]}
    response = as_mentor.post(AVAILABILITY, {**data, "extra-date": "not-a-date"})
    assert response.status_code == 200
    assert "date" in response.context["forms"]["extra"].errors
    assert not ExtraWindow.objects.filter(mentor=mentor).exists()
    future = today + datetime.timedelta(days=5)
    response = as_mentor.post(AVAILABILITY, {**data, "extra-date": future.isoformat()})
    assert response.status_code == 302
    window = ExtraWindow.objects.get(mentor=mentor)
    assert (window.date, window.starts_at) == (future, datetime.time(21))
    assert f'id="extra-{window.pk}"' in as_mentor.get(AVAILABILITY).content.decode()


def test_blocked_dates_remove_their_slots_from_the_preview(as_mentor, mentor, unscoped):
    start = timezone.localdate() + datetime.timedelta(days=4)
    data = {"add": "blocked", "blocked-reason": "Holidays"}
    response = as_mentor.post(
        AVAILABILITY,
        {
            **data,
            "blocked-starts_on": start.isoformat(),
            "blocked-ends_on": (start - datetime.timedelta(days=1)).isoformat(),
        },
    )
    assert response.context["forms"]["blocked"].errors == {"ends_on": ["The last day cannot be before the first."]}
    response = as_mentor.post(
        AVAILABILITY,
        {
            **data,
            "blocked-starts_on": start.isoformat(),
            "blocked-ends_on": (start + datetime.timedelta(days=2)).isoformat(),
        },
    )
    assert response.status_code == 302
    period = BlockedPeriod.objects.get(mentor=mentor)
    assert period.reason == "Holidays"
    response = as_mentor.get(AVAILABILITY)
    days = [day for day, _items in response.context["preview"]]
    assert start - datetime.timedelta(days=1) in days
    assert not {start, start + datetime.timedelta(days=1), start + datetime.timedelta(days=2)} & set(days)
    assert "Holidays" in response.content.decode()


def test_the_mentor_deletes_their_own_rows(as_mentor, mentor, unscoped):
    rule = mentor.weekly_rules.first()
    extra = ExtraWindow.objects.create(
        mentor=mentor, date=timezone.localdate(), starts_at=datetime.time(21), ends_at=datetime.time(22)
    )
    blocked = BlockedPeriod.objects.create(mentor=mentor, starts_on=timezone.localdate(), ends_on=timezone.localdate())
    for kind, row in (("weekly", rule), ("extra", extra), ("blocked", blocked)):
        response = as_mentor.post(f"/mentor/availability/{kind}/{row.pk}/delete/")
        assert response.status_code == 302
        assert response.url == AVAILABILITY
        assert not type(row).objects.filter(pk=row.pk).exists()
        assert AuditEntry.objects.filter(object_id=str(row.pk), action=AuditEntry.Action.DELETE).exists()


def test_another_mentors_rows_are_not_found(as_mentor, other_mentor, unscoped):
    rule = other_mentor.weekly_rules.get()
    blocked = BlockedPeriod.objects.create(
        mentor=other_mentor, starts_on=timezone.localdate(), ends_on=timezone.localdate()
    )
    assert as_mentor.post(f"/mentor/availability/weekly/{rule.pk}/delete/").status_code == 404
    assert as_mentor.post(f"/mentor/availability/blocked/{blocked.pk}/delete/").status_code == 404
    # The right id under the wrong kind, an unknown kind, a GET: nothing happens either.
    assert as_mentor.post(f"/mentor/availability/extra/{rule.pk}/delete/").status_code == 404
    assert as_mentor.post(f"/mentor/availability/nonsense/{rule.pk}/delete/").status_code == 404
    own = WeeklyRule.objects.filter(mentor__user__email="mentor@example.ma").first()
    assert as_mentor.get(f"/mentor/availability/weekly/{own.pk}/delete/").status_code == 405
    assert WeeklyRule.objects.filter(pk=rule.pk).exists()
    assert BlockedPeriod.objects.filter(pk=blocked.pk).exists()
    assert WeeklyRule.objects.filter(pk=own.pk).exists()


def test_the_availability_page_is_O1_in_queries(client, world, site_a, django_assert_max_num_queries, unscoped):
    profile = MentorProfileFactory(sites=[site_a], min_notice_hours=0)
    WeeklyRuleFactory(mentor=profile, weekday=0)
    _login(client, profile.user)
    with django_assert_max_num_queries(30) as few:
        assert client.get(AVAILABILITY).status_code == 200
    today = timezone.localdate()
    for weekday in range(7):
        WeeklyRuleFactory(mentor=profile, weekday=weekday, starts_at=datetime.time(14), ends_at=datetime.time(18))
        WeeklyRuleFactory(
            mentor=profile,
            weekday=weekday,
            starts_at=datetime.time(19),
            ends_at=datetime.time(21),
            mode="in_person",
            meeting_site=site_a,
        )
    for days in range(1, 6):
        ExtraWindow.objects.create(
            mentor=profile,
            date=today + datetime.timedelta(days=days),
            starts_at=datetime.time(7),
            ends_at=datetime.time(8),
        )
        BlockedPeriod.objects.create(
            mentor=profile,
            starts_on=today + datetime.timedelta(days=20 + days),
            ends_on=today + datetime.timedelta(days=20 + days),
        )
    startup = world["startup_a"]
    for days in range(1, 6):
        day = today + datetime.timedelta(days=days)
        starts = timezone.make_aware(datetime.datetime.combine(day, datetime.time(14)))
        BookingFactory(mentor=profile, startup_id=startup, site=site_a, starts_at=starts)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(AVAILABILITY)
    assert len(response.context["weekly_rules"]) == 15
    assert response.context["preview_count"] > 50


# --- Agenda ------------------------------------------------------------------------------------
def test_the_agenda_lists_the_mentors_bookings_at_every_site(as_mentor, world, unscoped):
    response = as_mentor.get(AGENDA)
    assert response.status_code == 200
    shown = [booking.pk for booking in response.context["page"]]
    # booking_b is at site B, where the mentor works for no one: it is theirs, so it shows.
    assert shown == [world["booking_a"], world["booking_b"]]
    page = response.content.decode()
    assert "Atlas Data" in page and "Souss Agri" in page
    assert response.context["upcoming_count"] == 2
    past = as_mentor.get(AGENDA + "?when=past")
    assert [booking.pk for booking in past.context["page"]] == [world["booking_a_past"]]
    assert "Written" in past.content.decode()


def test_another_mentor_sees_none_of_them(client, world, other_mentor, unscoped):
    _login(client, other_mentor.user)
    response = client.get(AGENDA)
    assert response.status_code == 200
    assert list(response.context["page"]) == []
    page = response.content.decode()
    assert "No session booked yet" in page
    assert "Souss Agri" not in page
    for booking in ("booking_a", "booking_b", "booking_a_past"):
        assert client.get(f"{AGENDA}{world[booking]}/").status_code == 404
    assert client.post(f"{AGENDA}{world['booking_b']}/cancel/", {"reason": "Mine now"}).status_code == 404
    assert client.post(f"{AGENDA}{world['booking_a_past']}/note/", {"note": "Mine"}).status_code == 404
    assert Booking.objects.get(pk=world["booking_b"]).status == "confirmed"
    assert Booking.objects.get(pk=world["booking_a_past"]).note == "Revoir la valorisation avant le tour de table."


def test_the_agenda_is_O1_in_queries(client, world, site_a, site_b, django_assert_max_num_queries, unscoped):
    profile = MentorProfileFactory()
    first = timezone.now().replace(minute=0, second=0, microsecond=0) + datetime.timedelta(days=2)
    BookingFactory(mentor=profile, startup_id=world["startup_a"], site=site_a, starts_at=first)
    BookingFactory(mentor=profile, startup_id=world["startup_a"], site=site_a, starts_at=first - 61 * HOUR)
    _login(client, profile.user)
    with django_assert_max_num_queries(20) as few:
        assert client.get(AGENDA).status_code == 200
    with django_assert_max_num_queries(20) as few_past:
        response = client.get(AGENDA + "?when=past")
    assert len(response.context["page"].object_list) == 1
    for hours in range(1, 31):
        startup, site = (world["startup_a"], site_a) if hours % 2 else (world["startup_b"], site_b)
        BookingFactory(mentor=profile, startup_id=startup, site=site, starts_at=first + hours * 2 * HOUR)
        BookingFactory(
            mentor=profile, startup_id=startup, site=site, starts_at=first - (hours * 2 + 60) * HOUR, note="Notes"
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(AGENDA)
    assert len(response.context["page"].object_list) == mentor_space.PAGE_SIZE
    with django_assert_max_num_queries(len(few_past.captured_queries)):
        response = client.get(AGENDA + "?when=past&page=2")
    assert len(response.context["page"].object_list) == 31 - mentor_space.PAGE_SIZE


def test_the_booking_page_shows_the_request_and_the_contact(as_mentor, world, unscoped):
    Booking.objects.filter(pk=world["booking_a"]).update(questions="How do we value a pre-revenue SaaS?")
    response = as_mentor.get(f"{AGENDA}{world['booking_a']}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Préparer la levée de fonds" in page
    assert "How do we value a pre-revenue SaaS?" in page
    assert "founder.a@example.ma" in page
    assert "https://meet.example.ma/mentor" in page
    assert "Morocco time" in page
    # Upcoming: no notes yet, but it can still be cancelled.
    assert response.context["can_record"] is False
    assert response.context["can_cancel"] is True
    assert f'action="/mentor/agenda/{world["booking_a"]}/cancel/"' in page
    assert f'action="/mentor/agenda/{world["booking_a"]}/note/"' not in page


# --- After the session: notes and attendance -----------------------------------------------------
@pytest.fixture
def started(world, site_a, founder_a, mentor):
    """A session of the world mentor with startup A that started half an hour ago."""
    starts = timezone.now().replace(second=0, microsecond=0) - datetime.timedelta(minutes=30)
    with scopes_disabled():
        return BookingFactory(
            mentor=mentor, startup_id=world["startup_a"], site=site_a, booked_by=founder_a, starts_at=starts
        )


def test_notes_are_refused_before_the_session_starts(as_mentor, world, unscoped):
    url = f"{AGENDA}{world['booking_a']}/note/"
    response = as_mentor.post(url, {"note": "Too early."})
    assert response.status_code == 302
    assert response.url == f"{AGENDA}{world['booking_a']}/"
    assert _messages(response) == ["You can write notes once the session has started."]
    booking = Booking.objects.get(pk=world["booking_a"])
    assert booking.note == ""
    assert booking.attendance == "unknown"


def test_notes_after_the_start_are_saved_and_the_session_counts_as_held(as_mentor, mentor_user, started, unscoped):
    page = as_mentor.get(f"{AGENDA}{started.pk}/").content.decode()
    assert f'action="/mentor/agenda/{started.pk}/note/"' in page
    assert f'action="/mentor/agenda/{started.pk}/attendance/"' in page
    assert 'id="cancel"' not in page  # started: too late to cancel
    response = as_mentor.post(f"{AGENDA}{started.pk}/note/", {"note": "  Work on the cap table.  "})
    assert response.status_code == 302
    assert _messages(response) == ["Your notes are saved. The startup and its site team can read them."]
    started.refresh_from_db()
    assert started.note == "Work on the cap table."
    assert started.attendance == Attendance.HELD
    assert started.attendance_marked_by == mentor_user
    assert started.note_updated_at is not None
    past = as_mentor.get(AGENDA)  # still running: listed with the upcoming ones
    assert started.pk in [booking.pk for booking in past.context["page"]]


def test_notes_too_long_re_render_the_page(as_mentor, started, unscoped):
    response = as_mentor.post(f"{AGENDA}{started.pk}/note/", {"note": "x" * 5001})
    assert response.status_code == 200
    assert "note" in response.context["note_form"].errors
    started.refresh_from_db()
    assert started.note == ""


def test_the_mentor_records_a_no_show_after_the_start_only(as_mentor, world, started, unscoped):
    response = as_mentor.post(f"{AGENDA}{world['booking_a']}/attendance/", {"attendance": "startup_no_show"})
    assert _messages(response) == ["Attendance can be recorded once the session has started."]
    assert Booking.objects.get(pk=world["booking_a"]).attendance == "unknown"
    response = as_mentor.post(f"{AGENDA}{started.pk}/attendance/", {"attendance": "startup_no_show"})
    assert _messages(response)[-1] == "Attendance recorded."
    started.refresh_from_db()
    assert started.attendance == Attendance.STARTUP_NO_SHOW
    # The mentor cannot say that they did not come themselves: not a choice.
    response = as_mentor.post(f"{AGENDA}{started.pk}/attendance/", {"attendance": "mentor_no_show"})
    assert response.status_code == 200
    assert "attendance" in response.context["attendance_form"].errors
    started.refresh_from_db()
    assert started.attendance == Attendance.STARTUP_NO_SHOW


# --- Cancelling ----------------------------------------------------------------------------------
def test_the_mentor_cancels_and_the_startup_is_emailed(as_mentor, world, django_capture_on_commit_callbacks, unscoped):
    url = f"{AGENDA}{world['booking_b']}/cancel/"
    response = as_mentor.post(url, {"reason": "   "})
    assert response.status_code == 200
    assert response.context["cancel_form"].errors == {"reason": ["Tell the startup why, in a few words."]}
    assert Booking.objects.get(pk=world["booking_b"]).status == "confirmed"

    url = f"{AGENDA}{world['booking_a']}/cancel/"
    with django_capture_on_commit_callbacks(execute=True):
        response = as_mentor.post(url, {"reason": "I am travelling that week."})
    assert response.status_code == 302
    assert _messages(response) == ["The session is cancelled. The startup has been told by email."]
    booking = Booking.objects.get(pk=world["booking_a"])
    assert booking.status == BookingStatus.CANCELLED
    assert booking.cancel_reason == "I am travelling that week."
    assert [message.to for message in mail.outbox] == [["founder.a@example.ma"]]
    assert "I am travelling that week." in mail.outbox[0].body
    page = as_mentor.get(f"{AGENDA}{booking.pk}/").content.decode()
    assert 'id="cancelled"' in page
    # Cancelling twice: refused with a message.
    response = as_mentor.post(url, {"reason": "Again"})
    assert _messages(response)[-1] == "This booking is already cancelled."
    assert len(mail.outbox) == 1


def test_cancelling_after_the_cut_off_is_refused(as_mentor, world, mentor, site_a, unscoped):
    soon = BookingFactory(
        mentor=mentor,
        startup_id=world["startup_a"],
        site=site_a,
        starts_at=timezone.now().replace(second=0, microsecond=0) + 2 * HOUR,
    )
    page = as_mentor.get(f"{AGENDA}{soon.pk}/")
    assert page.context["can_cancel"] is False
    response = as_mentor.post(f"{AGENDA}{soon.pk}/cancel/", {"reason": "Something came up."})
    assert _messages(response) == ["Bookings can be cancelled or moved until 12 hours before they start."]
    soon.refresh_from_db()
    assert soon.status == "confirmed"


# --- The mentor persona on every route ---------------------------------------------------------------
def test_the_mentor_reaches_every_page_of_their_space(as_mentor, world):
    for url in (PROFILE, AVAILABILITY, AGENDA, AGENDA + "?when=past"):
        assert as_mentor.get(url).status_code == 200, url
    for booking in ("booking_a", "booking_a_past", "booking_b"):
        assert as_mentor.get(f"{AGENDA}{world[booking]}/").status_code == 200, booking
    assert as_mentor.get(f"{AGENDA}999999/").status_code == 404
    assert as_mentor.get("/mentor/profile/photo/").status_code == 404  # no photo uploaded


def test_a_page_number_out_of_range_or_garbage_is_not_an_error(as_mentor):
    assert as_mentor.get(AGENDA + "?when=past&page=999").status_code == 200
    assert as_mentor.get(AGENDA + "?when=sideways&page=abc").status_code == 200
    assert as_mentor.post(AVAILABILITY, {"add": "nonsense"}).status_code == 200


# --- Landing page ----------------------------------------------------------------------------------
def test_the_mentor_landing_shows_the_profile_status_and_links(as_mentor, world):
    page = as_mentor.get("/dashboard/").content.decode()
    assert 'id="mentor-profile"' in page
    assert "Published" in page
    for url in (PROFILE, AVAILABILITY, AGENDA):
        assert f'href="{url}"' in page


def test_a_mentor_account_without_profile_is_invited_to_create_one(client, world):
    user = UserFactory(role="mentor", email="new.mentor@example.ma")
    _login(client, user)
    page = client.get("/dashboard/").content.decode()
    assert "You have no mentor profile yet." in page
    assert f'href="{PROFILE}"' in page


def test_the_landing_context_lists_the_next_confirmed_bookings(world, mentor_user):
    with user_scope(mentor_user):
        context = mentor_space.landing_context(mentor_user)
        assert context["mentor_profile"].pk == world["mentor"]
        assert [booking.pk for booking in context["mentor_next_bookings"]] == [world["booking_a"], world["booking_b"]]
        request = RequestFactory().get("/dashboard/")
        request.user = mentor_user
        page = render_to_string("accounts/landing_mentor.html", {**context, "user": mentor_user}, request=request)
    assert f'href="/mentor/agenda/{world["booking_b"]}/"' in page
    assert "Souss Agri" in page
    outsider = UserFactory()
    assert mentor_space.landing_context(outsider) == {"mentor_profile": None, "mentor_next_bookings": []}


def test_tags_are_split_on_latin_and_arabic_commas():
    from mentors.forms.mentor_space import parse_tags

    assert parse_tags("تمويل، تصدير ,SaaS،saas") == ["تمويل", "تصدير", "SaaS"]
