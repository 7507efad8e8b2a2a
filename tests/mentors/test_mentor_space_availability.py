"""The mentor's own space (/mentor/…), availability: add, validate, delete, the preview of
the free slots, and its query count."""

import datetime

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from core.models import AuditEntry
from mentors.models import BlockedPeriod, Booking, ExtraWindow, WeeklyRule
from tests.factories import BookingFactory, MentorProfileFactory, WeeklyRuleFactory

from . import mentor_space_setup
from .mentor_space_setup import AGENDA, AVAILABILITY, HOUR, PROFILE, _login, _messages

# The fixtures shared with the sibling modules: pytest finds a fixture by its name in the module.
as_mentor = mentor_space_setup.as_mentor
mentor = mentor_space_setup.mentor
mentor_user = mentor_space_setup.mentor_user
other_mentor = mentor_space_setup.other_mentor

# Every test here uses the world: built once for the module (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_world")]


def _get(model, **lookup):
    with scopes_disabled():
        return model.objects.get(**lookup)


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
