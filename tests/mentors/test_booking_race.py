"""A mentor is never double-booked, even under concurrent requests through the HTTP API
(real threads, real commits, on PostgreSQL): the mentor's row lock queues the requests,
the database constraints are the last word, and a loser always gets a clean 409, never a
500.

- 10 founders of 10 startups book the same slot at once: exactly one 201, nine 409s.
- 1,000 attempts by 50 founders over 100 slots, 20 at a time: only 201s and 409s, as many
  confirmed rows as 201s, and no two confirmed bookings of the mentor overlap (checked in
  SQL with a self-join on the time ranges).
- While another transaction holds the mentor's row, a booking gives up with a 409 after
  the lock timeout, and goes through once the row is free.
- The constraints alone, without the lock: a second confirmed booking at the same start is
  refused on every backend; on PostgreSQL, an overlapping one at another start too.
"""

import datetime
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.test import Client
from django_scopes import scopes_disabled

from core import locking
from mentors.availability import LOCAL
from mentors.models import Booking, BookingStatus, MentorProfile
from mentors.selectors.slots import free_slots
from tests.factories import (
    AdmissionFactory,
    BookingFactory,
    MentorProfileFactory,
    SiteFactory,
    StartupMemberFactory,
    WeeklyRuleFactory,
)

ON_POSTGRES = connection.vendor == "postgresql"


def postgres_race(test):
    """Real threads and commits (a transactional test database), on PostgreSQL only."""
    for mark in (
        pytest.mark.postgres,
        pytest.mark.django_db(transaction=True),
        pytest.mark.skipif(not ON_POSTGRES, reason="concurrency proof needs PostgreSQL"),
    ):
        test = mark(test)
    return test


BOOKINGS_URL = "/api/v1/mentor-bookings/"


# --- Set-up -------------------------------------------------------------------------------
def _mentor(*, hours=(8, 18)) -> MentorProfile:
    """A published mentor with one-hour video slots every day from 08:00 to 18:00 local,
    no notice, no buffer, and a quota no startup reaches here."""
    mentor = MentorProfileFactory(min_notice_hours=0, buffer_minutes=0, max_bookings_per_startup_month=31)
    for weekday in range(7):
        WeeklyRuleFactory(
            mentor=mentor, weekday=weekday, starts_at=datetime.time(hours[0]), ends_at=datetime.time(hours[1])
        )
    return mentor


def _founders(site, count: int) -> list:
    """`count` founders, each of their own startup admitted at `site`."""
    users = []
    for _ in range(count):
        member = StartupMemberFactory()
        AdmissionFactory(startup=member.startup, site=site)
        users.append(member.user)
    return users


def _slot_starts(mentor, count: int) -> list[str]:
    """The first `count` free slots from the day after tomorrow, as the API writes them."""
    first = datetime.datetime.now(LOCAL).date() + datetime.timedelta(days=2)
    slots = free_slots(mentor, date_from=first, date_to=first + datetime.timedelta(days=count // 10 + 2))
    assert len(slots) >= count
    return [slot.local_start.isoformat() for slot in slots[:count]]


def _client(user) -> Client:
    client = Client()
    client.force_login(user)  # a session: the tenancy middleware sees the user too
    return client


def _book(client, mentor_id: int, start: str, topic: str = "Levée de fonds"):
    """POST a booking; (status, body), or ("error", …) for what would have been a 500."""
    try:
        response = client.post(
            BOOKINGS_URL, {"mentor": mentor_id, "start": start, "topic": topic}, content_type="application/json"
        )
    except Exception as error:  # the test client re-raises what the server would turn into a 500
        return "error", repr(error)
    return response.status_code, response.json()


def _assert_clean(results) -> None:
    """Nothing but 201s and 409s, and a 409 says why in `detail`."""
    assert not [result for result in results if result[0] == "error" or result[0] >= 500], results
    assert {code for code, _body in results} <= {201, 409}, results
    assert all(set(body) == {"detail"} for code, body in results if code == 409)


def _confirmed(mentor) -> list[Booking]:
    with scopes_disabled():
        return list(Booking.objects.filter(mentor=mentor, status=BookingStatus.CONFIRMED).order_by("starts_at"))


OVERLAPS_SQL = """
    SELECT count(*) FROM mentors_booking a JOIN mentors_booking b
      ON a.mentor_id = b.mentor_id AND a.id < b.id
     WHERE a.mentor_id = %s AND a.status = 'confirmed' AND b.status = 'confirmed'
       AND tstzrange(a.starts_at, a.ends_at, '[)') && tstzrange(b.starts_at, b.ends_at, '[)')
"""


def _overlapping_pairs(mentor) -> int:
    with connection.cursor() as cursor:
        cursor.execute(OVERLAPS_SQL, [mentor.pk])
        return cursor.fetchone()[0]


# --- Races --------------------------------------------------------------------------------
@postgres_race
def test_ten_founders_race_for_one_slot():
    with scopes_disabled():
        site = SiteFactory()
        mentor = _mentor()
        clients = [_client(user) for user in _founders(site, 10)]
    (start,) = _slot_starts(mentor, 1)
    barrier = threading.Barrier(len(clients))

    def attempt(client):
        try:
            barrier.wait()
            return _book(client, mentor.pk, start)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(clients)) as pool:
        results = list(pool.map(attempt, clients, timeout=120))

    _assert_clean(results)
    assert sorted(code for code, _body in results) == [201] + [409] * 9
    (created,) = [body for code, body in results if code == 201]
    assert created["start"] == start
    confirmed = _confirmed(mentor)
    assert [booking.pk for booking in confirmed] == [created["id"]]
    assert confirmed[0].starts_at == datetime.datetime.fromisoformat(start)


@postgres_race
def test_a_thousand_attempts_over_a_hundred_slots_never_overlap():
    users_count, attempts_each, workers, slots_count = 50, 20, 20, 100
    with scopes_disabled():
        site = SiteFactory()
        mentor = _mentor()
        clients = [_client(user) for user in _founders(site, users_count)]
    starts = _slot_starts(mentor, slots_count)

    def attempts(index: int):
        chooser = random.Random(index)  # reproducible choices per founder
        try:
            return [_book(clients[index], mentor.pk, chooser.choice(starts)) for _ in range(attempts_each)]
        finally:
            connections.close_all()

    began = time.monotonic()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = [result for batch in pool.map(attempts, range(users_count), timeout=600) for result in batch]
    elapsed = time.monotonic() - began

    assert len(results) == users_count * attempts_each == 1000
    _assert_clean(results)
    created = [body for code, body in results if code == 201]
    confirmed = _confirmed(mentor)
    assert 0 < len(created) <= slots_count
    assert len(confirmed) == len(created)
    assert {booking.pk for booking in confirmed} == {body["id"] for body in created}
    assert {booking.starts_at.isoformat() for booking in confirmed} <= {
        datetime.datetime.fromisoformat(start).astimezone(datetime.UTC).isoformat() for start in starts
    }
    assert len({body["start"] for body in created}) == len(created)  # each slot once
    assert _overlapping_pairs(mentor) == 0
    print(
        f"\n1,000 attempts over {slots_count} slots: {len(created)} booked, {len(results) - len(created)} refused "
        f"with a 409, 0 errors, in {elapsed:.1f}s"
    )


@postgres_race
def test_a_held_agenda_is_a_clean_409_then_books(monkeypatch):
    """While another transaction holds the mentor's row, the request waits for the lock,
    gives up with a 409 (not a 500) and books nothing; once released, it goes through."""
    monkeypatch.setattr(locking, "LOCK_TIMEOUT", "200ms")
    with scopes_disabled():
        site = SiteFactory()
        mentor = _mentor()
        (user,) = _founders(site, 1)
    (start,) = _slot_starts(mentor, 1)
    client = _client(user)
    holding, release = threading.Event(), threading.Event()

    def hold_the_row():
        try:
            with transaction.atomic():
                MentorProfile.objects.select_for_update().get(pk=mentor.pk)
                holding.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_the_row)
    holder.start()
    try:
        assert holding.wait(timeout=30)
        began = time.monotonic()
        code, body = _book(client, mentor.pk, start)
        waited = time.monotonic() - began
    finally:
        release.set()
        holder.join(timeout=30)
    assert code == 409, body
    assert set(body) == {"detail"}
    assert waited < 5  # the 200 ms timeout, not the default 5 s
    assert _confirmed(mentor) == []
    code, body = _book(client, mentor.pk, start)
    assert code == 201, body
    assert [booking.pk for booking in _confirmed(mentor)] == [body["id"]]


# --- The constraints alone ----------------------------------------------------------------
def _two_startups():
    site = SiteFactory()
    first, second = (AdmissionFactory(site=site).startup for _ in range(2))
    return site, first, second


@pytest.mark.django_db
def test_the_database_refuses_a_second_confirmed_booking_at_the_same_start(unscoped):
    """Bypassing the action and its lock: the uniqueness of (mentor, start) among confirmed
    bookings (every backend)."""
    site, first_startup, second_startup = _two_startups()
    mentor = MentorProfileFactory()
    first = BookingFactory(mentor=mentor, startup=first_startup, site=site)
    with pytest.raises(IntegrityError), transaction.atomic():
        BookingFactory(mentor=mentor, startup=second_startup, site=site, starts_at=first.starts_at)
    # A cancelled booking at that start, or another mentor's, is no double booking.
    BookingFactory(mentor=mentor, startup=second_startup, site=site, starts_at=first.starts_at, status="cancelled")
    BookingFactory(startup=second_startup, site=site, starts_at=first.starts_at)
    # Nor may a cancelled one come back to life over the confirmed one.
    cancelled = Booking.objects.get(mentor=mentor, status="cancelled")
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.filter(pk=cancelled.pk).update(status="confirmed")
    assert Booking.objects.filter(mentor=mentor, status="confirmed").count() == 1


@pytest.mark.django_db
@pytest.mark.postgres
@pytest.mark.skipif(not ON_POSTGRES, reason="the overlap exclusion constraint is PostgreSQL's")
def test_postgres_refuses_an_overlapping_confirmed_booking(unscoped):
    site, first_startup, second_startup = _two_startups()
    mentor = MentorProfileFactory()
    first = BookingFactory(mentor=mentor, startup=first_startup, site=site)  # one hour
    half_past = first.starts_at + datetime.timedelta(minutes=30)
    with pytest.raises(IntegrityError), transaction.atomic():
        BookingFactory(mentor=mentor, startup=second_startup, site=site, starts_at=half_past)
    # Starting before and ending inside, or wrapping it whole: refused too.
    for starts_at, minutes in (
        (first.starts_at - datetime.timedelta(minutes=30), 60),
        (first.starts_at - datetime.timedelta(minutes=15), 120),
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            BookingFactory(
                mentor=mentor,
                startup=second_startup,
                site=site,
                starts_at=starts_at,
                ends_at=starts_at + datetime.timedelta(minutes=minutes),
            )
    # Back to back (the end is excluded), cancelled, or another mentor's: fine.
    BookingFactory(mentor=mentor, startup=second_startup, site=site, starts_at=first.ends_at)
    BookingFactory(mentor=mentor, startup=second_startup, site=site, starts_at=half_past, status="cancelled")
    BookingFactory(startup=second_startup, site=site, starts_at=half_past)
    assert _overlapping_pairs(mentor) == 0
    assert Booking.objects.filter(mentor=mentor, status="confirmed").count() == 2
