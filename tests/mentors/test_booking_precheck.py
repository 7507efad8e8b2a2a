"""A booking that cannot succeed is refused by one indexed query before the mentor's row is
locked and before the availability is expanded (issue 16: a refused attempt used to cost 17
queries through the API and the whole expansion), with the error the locked path gives; the
locked path stays the source of truth.

- A refused attempt (slot taken, inside the buffer of a booking, quota reached, mentor
  closed) costs exactly three queries in `booking_create`: the booker's team membership, the
  startup's home site, and the outlook. No `FOR UPDATE`, no availability rule read.
- Through the API, a refused attempt costs the same small constant whatever the number of
  bookings, windows and startups.
- The early refusal says what the locked path says (checked by running the same attempts
  with the early refusal switched off), and it never refuses what the locked path accepts:
  back to back, at the edge of the buffer, next to a cancelled booking or another
  mentor's, another startup's quota.
"""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django_scopes import scopes_disabled

from core.errors import Conflict
from mentors import actions, booking_checks
from mentors.models import Booking, BookingStatus, MentorProfile
from mentors.selectors.slots import booking_outlook, free_slots
from sites.scoping import user_scope
from tests.factories import (
    AdmissionFactory,
    BookingFactory,
    MentorProfileFactory,
    StartupFactory,
    StartupMemberFactory,
    WeeklyRuleFactory,
)

pytestmark = pytest.mark.django_db

LOCAL = ZoneInfo("Africa/Casablanca")
NOW = datetime.datetime(2027, 1, 4, 10, tzinfo=LOCAL)  # a Monday
TUESDAY = datetime.date(2027, 1, 5)


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=LOCAL)


@pytest.fixture
def env(site_a, site_b):
    """Startups A and B (one founder each) admitted at site A; a published mentor with
    one-hour video sessions every day 08:00–20:00, a 30-minute buffer, no notice, two
    bookings per startup and month. Startup B holds Tuesday 10:00."""
    with scopes_disabled():
        founders, startups = [], []
        for name in ("Atlas Data", "Souss Agri"):
            member = StartupMemberFactory(startup=StartupFactory(brand_name=name))
            AdmissionFactory(startup=member.startup, site=site_a)
            founders.append(member.user)
            startups.append(member.startup)
        mentor = MentorProfileFactory(min_notice_hours=0, buffer_minutes=30, max_bookings_per_startup_month=2)
        for weekday in range(7):
            WeeklyRuleFactory(mentor=mentor, weekday=weekday, starts_at=datetime.time(8), ends_at=datetime.time(20))
        held = BookingFactory(mentor=mentor, startup=startups[1], site=site_a, starts_at=at(TUESDAY, 10))

    class Env:
        pass

    env = Env()
    env.__dict__.update(
        site_a=site_a, founder=founders[0], startup=startups[0], startup_b=startups[1], mentor=mentor, held=held
    )
    return env


def book(env, start: datetime.datetime, *, startup=None, founder=None):
    founder = founder or env.founder
    with user_scope(founder):
        return actions.booking_create(
            actor=founder, mentor=env.mentor, startup=startup or env.startup, start=start, topic="Pricing", now=NOW
        )


def refusal(env, start: datetime.datetime, **kwargs) -> str | None:
    """The message of the Conflict a booking at `start` gets (in English), or None if booked."""
    with translation.override("en"):
        try:
            book(env, start, **kwargs)
        except Conflict as error:
            return str(error.message)
    return None


def fill_quota(env) -> None:
    """Startup A books its two sessions of January."""
    for day in (11, 12):
        with scopes_disabled():
            BookingFactory(
                mentor=env.mentor, startup=env.startup, site=env.site_a, starts_at=at(datetime.date(2027, 1, day), 9)
            )


def close(env) -> None:
    env.mentor.status = "suspended"
    env.mentor.save()


REFUSED = {
    "same start": lambda env: at(TUESDAY, 10),  # not a slot start either (08:00, 09:30, 11:00…)
    "overlapping": lambda env: at(TUESDAY, 9, 30),
    "in the buffer after": lambda env: at(TUESDAY, 11),
    "quota": lambda env: (fill_quota(env), at(TUESDAY, 14))[1],
    "closed": lambda env: (close(env), at(TUESDAY, 14))[1],
}


@pytest.mark.parametrize("case", REFUSED)
def test_a_refused_attempt_costs_three_queries_and_no_lock(env, case, monkeypatch):
    start = REFUSED[case](env)

    def never(*args, **kwargs):
        raise AssertionError("a refused attempt reached the lock or the availability")

    monkeypatch.setattr(actions, "_locked_mentor", never)
    monkeypatch.setattr(actions, "find_slot", never)
    # The scope's own query is the request's, not the booking's: opened before counting.
    with user_scope(env.founder), CaptureQueriesContext(connection) as queries, pytest.raises(Conflict):
        actions.booking_create(
            actor=env.founder, mentor=env.mentor, startup=env.startup, start=start, topic="Pricing", now=NOW
        )
    sql = [query["sql"] for query in queries.captured_queries if "SAVEPOINT" not in query["sql"]]
    # The team membership, the startup's home site, the outlook.
    assert len(sql) == 3, "\n".join(sql)
    assert not [statement for statement in sql if "FOR UPDATE" in statement or "lock_timeout" in statement]
    assert not [statement for statement in sql if "mentors_weeklyrule" in statement]
    with scopes_disabled():
        assert not Booking.objects.filter(startup=env.startup, starts_at=start).exists()


@pytest.mark.parametrize("case", REFUSED)
def test_the_early_refusal_says_what_the_locked_path_says(env, case, monkeypatch):
    start = REFUSED[case](env)
    early = refusal(env, start)
    monkeypatch.setattr(booking_checks, "refuse_early", lambda **kwargs: None)
    monkeypatch.setattr(actions, "refuse_early", lambda **kwargs: None)
    locked = refusal(env, start)
    assert early is not None
    assert early == locked


def test_a_startup_over_quota_hears_of_the_quota_even_for_a_taken_slot(env):
    """Both paths check the quota before the slot (one answer whichever path refuses)."""
    fill_quota(env)
    assert "most allowed" in refusal(env, at(TUESDAY, 10))


@pytest.mark.parametrize(
    "start",
    [
        at(TUESDAY, 8),  # ends 09:00: 60 minutes before 10:00, buffer 30
        at(TUESDAY, 8, 30),  # ends 09:30: exactly the buffer before 10:00
        at(TUESDAY, 11, 30),  # starts exactly the buffer after 11:00
        at(TUESDAY, 12),
    ],
)
def test_the_early_refusal_lets_through_what_the_locked_path_books(env, start):
    with scopes_disabled():
        # Windows at the edges of the buffer (the weekly slots are 08:00, 09:30, 11:00…).
        for minutes in (8 * 60 + 30, 11 * 60 + 30, 12 * 60):
            local = datetime.time(minutes // 60, minutes % 60)
            end = (datetime.datetime.combine(TUESDAY, local) + datetime.timedelta(hours=1)).time()
            env.mentor.extra_windows.create(date=TUESDAY, starts_at=local, ends_at=end)
    assert refusal(env, start) is None


def test_cancelled_bookings_other_mentors_and_other_startups_do_not_refuse(env):
    with scopes_disabled():
        env.held.status = BookingStatus.CANCELLED
        env.held.save()
        BookingFactory(startup=env.startup, site=env.site_a, starts_at=at(TUESDAY, 12, 30))  # another mentor
        for day in (11, 12):  # startup B's quota, not A's
            BookingFactory(
                mentor=env.mentor, startup=env.startup_b, site=env.site_a, starts_at=at(datetime.date(2027, 1, day), 9)
            )
    assert refusal(env, at(TUESDAY, 11)) is None
    assert refusal(env, at(TUESDAY, 12, 30)) is None
    assert "most allowed" in refusal(env, at(TUESDAY, 14))  # now A's two are booked


def test_the_outlook_agrees_with_the_free_slots(env):
    """45-minute sessions, 30-minute buffer, a window for every quarter hour of Tuesday, two
    bookings (10:00–11:00 and 15:10–15:55): the outlook finds a start taken exactly when
    `free_slots` does not offer it."""
    mentor = env.mentor
    with scopes_disabled():
        BookingFactory(
            mentor=mentor,
            startup=env.startup_b,
            site=env.site_a,
            starts_at=at(TUESDAY, 15, 10),
            ends_at=at(TUESDAY, 15, 55),
        )
        mentor.weekly_rules.all().delete()
        mentor.session_minutes = 45
        mentor.save()
        starts = [at(TUESDAY, 8) + datetime.timedelta(minutes=15 * step) for step in range(45)]
        for start in starts:
            end = start + mentor.session_length
            mentor.extra_windows.create(date=TUESDAY, starts_at=start.time(), ends_at=end.time())
        free = {slot.start for slot in free_slots(mentor, date_from=TUESDAY, date_to=TUESDAY, now=NOW)}
    assert 0 < len(free) < len(starts)
    for start in starts:
        outlook = booking_outlook(mentor=mentor, startup=env.startup, start=start)
        assert outlook.taken == (start not in free), start


def test_the_outlook_of_a_missing_mentor_is_none(env):
    ghost = MentorProfile(pk=10**9, session_minutes=60, buffer_minutes=0)
    assert booking_outlook(mentor=ghost, startup=env.startup, start=at(TUESDAY, 10)) is None


BOOKINGS_URL = "/api/v1/mentor-bookings/"


def _refused_post_queries(client, env, start) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            BOOKINGS_URL,
            {"mentor": env.mentor.pk, "start": start.isoformat(), "topic": "Pricing"},
            content_type="application/json",
        )
    assert response.status_code == 409, response.content
    return len([query for query in queries.captured_queries if "SAVEPOINT" not in query["sql"]])


def test_a_refused_api_attempt_costs_a_constant_number_of_queries(env, client):
    """However many bookings, windows and startups there are, a 409 through the API costs
    the same small number of queries, none of them a lock."""
    client.force_login(env.founder)
    client.get("/health/live/")
    taken = at(datetime.date.today() + datetime.timedelta(days=3), 10)
    with scopes_disabled():
        BookingFactory(mentor=env.mentor, startup=env.startup_b, site=env.site_a, starts_at=taken)
    _refused_post_queries(client, env, taken)  # once-only work (content types, language)
    few = _refused_post_queries(client, env, taken)
    with scopes_disabled():
        for index in range(20):
            day = datetime.date.today() + datetime.timedelta(days=4 + index)
            BookingFactory(mentor=env.mentor, startup=env.startup_b, site=env.site_a, starts_at=at(day, 9))
            env.mentor.extra_windows.create(date=day, starts_at=datetime.time(20), ends_at=datetime.time(22))
            AdmissionFactory(startup=StartupMemberFactory().startup, site=env.site_a)
    many = _refused_post_queries(client, env, taken)
    assert few == many, (few, many)
    assert many <= 12, many
