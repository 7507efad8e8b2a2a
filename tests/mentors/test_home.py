"""The mentor's home leads their day (issue 18): bookings are confirmed when made, so what
waits for the mentor is after a session: the attendance to record (ended, not marked) and
the notes to write (held, no notes), each linked to the session's page; with the next
sessions, this month's delivered sessions and hours and the profile's status, in a constant
number of queries."""

import datetime
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from accounts.models import Role
from mentors.models import Attendance
from mentors.selectors.landing import landing_context, month_bounds
from sites.scoping import user_scope
from tests.factories import BookingFactory, MentorProfileFactory, StartupFactory, UserFactory

URL = "/dashboard/"
CASABLANCA = ZoneInfo("Africa/Casablanca")
HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def mentor(site_a):
    with scopes_disabled():
        return MentorProfileFactory(user__email="home.mentor@example.ma", user__role=Role.MENTOR, sites=[site_a])


@pytest.fixture
def startup(db):
    return StartupFactory(brand_name="Souss Agri")


@pytest.fixture
def home_page(client, mentor):
    client.cookies["django_language"] = "en"  # assertions read English
    client.force_login(mentor.user)

    def get() -> str:
        response = client.get(URL)
        assert response.status_code == 200
        return response.content.decode()

    return get


def session(mentor, startup, site, *, days: float, **fields):
    """A one-hour booking of `mentor` starting `days` from now (before now when negative)."""
    starts_at = timezone.now().replace(microsecond=0) + datetime.timedelta(days=days)
    with scopes_disabled():
        return BookingFactory(
            mentor=mentor, startup=startup, site=site, starts_at=starts_at, ends_at=starts_at + HOUR, **fields
        )


def section(body: str, section_id: str) -> str:
    start = body.index(f'id="{section_id}"')
    return body[start : body.index("</section>", start)]


def booking_ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-booking="(\d+)"', html)]


def test_the_attendance_to_record_and_the_notes_to_write_link_to_the_session(home_page, mentor, startup, site_a):
    unmarked = session(mentor, startup, site_a, days=-2)
    older_unmarked = session(mentor, startup, site_a, days=-9)
    held_without_notes = session(mentor, startup, site_a, days=-3, attendance=Attendance.HELD)
    session(mentor, startup, site_a, days=-4, attendance=Attendance.HELD, note="Pitch deck: rework the ask.")
    session(mentor, startup, site_a, days=-5, attendance=Attendance.STARTUP_NO_SHOW)
    session(mentor, startup, site_a, days=-6, status="cancelled")  # cancelled: nothing to do
    under_way = session(mentor, startup, site_a, days=-0.02)  # started, not ended yet
    upcoming = session(mentor, startup, site_a, days=2)
    body = home_page()

    attendance = section(body, "mentor-attendance")
    assert booking_ids(attendance) == [unmarked.pk, older_unmarked.pk]  # latest first
    assert 'data-count="2"' in attendance
    assert f'href="/mentor/agenda/{unmarked.pk}/#attendance"' in attendance
    assert "Souss Agri" in attendance

    notes = section(body, "mentor-notes")
    assert booking_ids(notes) == [held_without_notes.pk]
    assert f'href="/mentor/agenda/{held_without_notes.pk}/#notes"' in notes

    upcoming_html = section(body, "mentor-next")
    assert f'href="/mentor/agenda/{upcoming.pk}/"' in upcoming_html
    assert f'href="/mentor/agenda/{under_way.pk}/"' in upcoming_html
    assert "mentor-profile" in body  # the profile's status stays


def test_each_list_shows_the_latest_few_and_links_to_the_rest(home_page, mentor, startup, site_a):
    for index in range(7):
        session(mentor, startup, site_a, days=-(index + 1))
    attendance = section(home_page(), "mentor-attendance")
    assert len(booking_ids(attendance)) == 5 and 'data-count="7"' in attendance
    assert "See all 7 in my past sessions" in attendance and 'href="/mentor/agenda/?when=past"' in attendance


def test_nothing_to_do_says_so(home_page, mentor):
    body = home_page()
    assert "Every session that ended has its attendance recorded." in section(body, "mentor-attendance")
    assert "Every session held has your notes." in section(body, "mentor-notes")
    assert "No session booked yet." in section(body, "mentor-next")
    assert "This month: 0 sessions delivered, 0 h." in body


def test_without_a_profile_there_is_nothing_to_do_but_create_one(client, db):
    client.cookies["django_language"] = "en"
    client.force_login(UserFactory(role=Role.MENTOR))
    body = client.get(URL).content.decode()
    assert "You have no mentor profile yet." in body
    assert "mentor-attendance" not in body and "mentor-notes" not in body


def test_another_mentors_sessions_are_not_on_the_home(home_page, startup, site_a):
    other = MentorProfileFactory(user__email="other.mentor@example.ma", sites=[site_a])
    session(other, startup, site_a, days=-2)
    session(other, startup, site_a, days=-3, attendance=Attendance.HELD)
    body = home_page()
    assert booking_ids(section(body, "mentor-attendance")) == []
    assert booking_ids(section(body, "mentor-notes")) == []


def test_this_months_delivered_sessions_and_hours_in_casablanca_time(mentor, startup, site_a):
    """15 June 2026 (Casablanca at UTC+1): the month runs from 1 June 00:00 local
    (31 May 23:00 UTC). Delivered: ended, confirmed, not a no-show."""
    now = datetime.datetime(2026, 6, 15, 12, tzinfo=CASABLANCA)

    def at(local: datetime.datetime, minutes: int = 60, **fields):
        with scopes_disabled():
            return BookingFactory(
                mentor=mentor,
                startup=startup,
                site=site_a,
                starts_at=local,
                ends_at=local + datetime.timedelta(minutes=minutes),
                **fields,
            )

    at(datetime.datetime(2026, 6, 1, 0, 30, tzinfo=CASABLANCA), minutes=90)  # 31 May in UTC: June's
    at(datetime.datetime(2026, 6, 10, 10, tzinfo=CASABLANCA), attendance=Attendance.HELD, note="ok")
    at(datetime.datetime(2026, 5, 31, 23, 0, tzinfo=CASABLANCA))  # May's
    at(datetime.datetime(2026, 6, 11, 10, tzinfo=CASABLANCA), attendance=Attendance.MENTOR_NO_SHOW)
    at(datetime.datetime(2026, 6, 12, 10, tzinfo=CASABLANCA), status="cancelled")
    at(datetime.datetime(2026, 6, 20, 10, tzinfo=CASABLANCA))  # ahead
    with user_scope(mentor.user):
        context = landing_context(mentor.user, now=now)
    assert context["mentor_month_sessions"] == 2
    assert context["mentor_month_hours"] == Decimal("2.5")
    assert context["mentor_to_mark_count"] == 2  # 1 June and 31 May, both unmarked
    assert month_bounds(now)[0] == datetime.datetime(2026, 5, 31, 23, tzinfo=datetime.UTC)


def test_the_home_stays_constant_in_queries(home_page, mentor, startup, site_a, django_assert_max_num_queries):
    session(mentor, startup, site_a, days=2)
    session(mentor, startup, site_a, days=-2)
    session(mentor, startup, site_a, days=-3, attendance=Attendance.HELD)
    home_page()
    with django_assert_max_num_queries(20) as few:
        home_page()
    for index in range(8):
        other = StartupFactory()
        session(mentor, other, site_a, days=3 + index)
        session(mentor, other, site_a, days=-(10 + index))
        session(mentor, other, site_a, days=-(20 + index), attendance=Attendance.HELD)
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = home_page()
    assert len(booking_ids(section(body, "mentor-attendance"))) == 5
    assert len(booking_ids(section(body, "mentor-notes"))) == 5
