"""A room is never double-booked, and a resident's free hours are never overspent, even under
concurrent requests through the HTTP API (real threads, real commits, on PostgreSQL): the
admission's and the room's row locks queue the requests, the exclusion constraint is the
last word, and a loser always gets a clean 409, never a 500.

- 10 founders of 10 startups book the same room and hour at once: one 201, nine 409s.
- 1,000 attempts by 50 founders over 100 room-hours (10 rooms × 10 hours), 20 at a time:
  only 201s and 409s, as many confirmed rows as 201s, no two confirmed bookings of a room
  overlap (checked in SQL with a self-join on the time ranges).
- One resident with 8 free hours books 10 rooms for an hour each at once: exactly 8 hours
  come from the allowance and 2 are charged.
- A session's hold and a booking can never overlap in one room (the constraint alone).
"""

import datetime
import random
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.test import Client
from django.utils import timezone
from django_scopes import scopes_disabled

from core.local_time import LOCAL
from spaces.models import OpeningHours, Room, RoomBooking
from tests.factories import AdmissionFactory, ServiceSessionFactory, SiteFactory, StartupMemberFactory

ON_POSTGRES = connection.vendor == "postgresql"
URL = "/api/v1/room-bookings/"


def postgres_race(test):
    """Real threads and commits (a transactional test database), on PostgreSQL only."""
    for mark in (
        pytest.mark.postgres,
        pytest.mark.django_db(transaction=True),
        pytest.mark.skipif(not ON_POSTGRES, reason="concurrency proof needs PostgreSQL"),
    ):
        test = mark(test)
    return test


def _rooms(site, count: int) -> list[Room]:
    rooms = []
    for index in range(count):
        room = Room.objects.create(
            site=site,
            name=f"Salle {index}",
            kind="meeting",
            capacity=6,
            price_hour_mad=Decimal("100"),
            price_half_day_mad=Decimal("350"),
            price_day_mad=Decimal("600"),
        )
        for weekday in range(7):
            OpeningHours.objects.create(
                room=room, site=site, weekday=weekday, opens_at=datetime.time(8), closes_at=datetime.time(20)
            )
        rooms.append(room)
    return rooms


def _founders(site, count: int) -> list:
    users = []
    for _ in range(count):
        member = StartupMemberFactory()
        AdmissionFactory(startup=member.startup, site=site)
        users.append(member.user)
    return users


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _hour(index: int) -> datetime.datetime:
    """The `index`-th hour from 08:00 the day after tomorrow (local)."""
    day = timezone.localdate() + datetime.timedelta(days=2)
    return datetime.datetime.combine(day, datetime.time(8), tzinfo=LOCAL) + datetime.timedelta(hours=index)


def _book(client, room_id: int, start: datetime.datetime):
    body = {
        "room": room_id,
        "start": start.isoformat(),
        "end": (start + datetime.timedelta(hours=1)).isoformat(),
        "purpose": "Atelier",
    }
    try:
        response = client.post(URL, body, content_type="application/json")
    except Exception as error:  # the test client re-raises what the server would turn into a 500
        return "error", repr(error)
    return response.status_code, response.json()


def _assert_clean(results) -> None:
    assert not [result for result in results if result[0] == "error" or result[0] >= 500], results
    assert {code for code, _body in results} <= {201, 409}, results


OVERLAPS_SQL = """
    SELECT count(*) FROM spaces_roombooking a JOIN spaces_roombooking b
      ON a.room_id = b.room_id AND a.id < b.id
     WHERE a.status = 'confirmed' AND b.status = 'confirmed'
       AND tstzrange(a.starts_at, a.ends_at, '[)') && tstzrange(b.starts_at, b.ends_at, '[)')
"""


def _overlapping_pairs() -> int:
    with connection.cursor() as cursor:
        cursor.execute(OVERLAPS_SQL)
        return cursor.fetchone()[0]


def _confirmed() -> list[RoomBooking]:
    with scopes_disabled():
        return list(RoomBooking.objects.filter(status="confirmed"))


@postgres_race
def test_ten_founders_race_for_one_room_hour():
    with scopes_disabled():
        site = SiteFactory()
        (room,) = _rooms(site, 1)
        clients = [_client(user) for user in _founders(site, 10)]
    start = _hour(2)

    def attempt(client):
        try:
            return _book(client, room.pk, start)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(attempt, clients, timeout=120))
    _assert_clean(results)
    assert sorted(code for code, _body in results) == [201] + [409] * 9
    (created,) = [body for code, body in results if code == 201]
    assert [booking.pk for booking in _confirmed()] == [created["id"]]


@postgres_race
def test_a_thousand_attempts_over_a_hundred_room_hours_never_overlap():
    users_count, attempts_each, workers = 50, 20, 20
    with scopes_disabled():
        site = SiteFactory()
        rooms = _rooms(site, 10)
        clients = [_client(user) for user in _founders(site, users_count)]
    targets = [(room.pk, _hour(hour)) for room in rooms for hour in range(10)]

    def attempts(index: int):
        chooser = random.Random(index)
        try:
            return [_book(clients[index], *chooser.choice(targets)) for _ in range(attempts_each)]
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = [result for batch in pool.map(attempts, range(users_count), timeout=900) for result in batch]
    assert len(results) == 1000
    _assert_clean(results)
    created = [body for code, body in results if code == 201]
    confirmed = _confirmed()
    assert 0 < len(created) <= 100
    assert {booking.pk for booking in confirmed} == {body["id"] for body in created}
    assert _overlapping_pairs() == 0


@postgres_race
def test_concurrent_bookings_never_overspend_a_residents_free_hours():
    with scopes_disabled():
        site = SiteFactory()
        rooms = _rooms(site, 10)
        (user,) = _founders(site, 1)  # a resident: 8 free hours a month (the default policy)
    clients = [_client(user) for _ in rooms]

    def attempt(pair):
        client, room = pair
        try:
            return _book(client, room.pk, _hour(3))
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(attempt, zip(clients, rooms, strict=True), timeout=120))
    _assert_clean(results)
    assert [code for code, _body in results] == [201] * 10
    confirmed = _confirmed()
    assert sum(booking.allowance_hours for booking in confirmed) == Decimal(8)
    assert sum(booking.charged_hours for booking in confirmed) == Decimal(2)
    assert sum(booking.price_mad for booking in confirmed) == Decimal("200.00")


@pytest.mark.django_db
@pytest.mark.postgres
@pytest.mark.skipif(not ON_POSTGRES, reason="the overlap exclusion constraint is PostgreSQL's")
def test_a_session_and_a_booking_never_hold_one_room_at_once(unscoped):
    site = SiteFactory()
    (room,) = _rooms(site, 1)
    member = StartupMemberFactory()
    start = _hour(1)
    session = ServiceSessionFactory(
        service__site=site, site=site, starts_at=start, ends_at=start + datetime.timedelta(hours=2)
    )
    RoomBooking.objects.create(
        room=room, site=site, session=session, starts_at=session.starts_at, ends_at=session.ends_at, purpose="Formation"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        RoomBooking.objects.create(
            room=room,
            site=site,
            startup=member.startup,
            starts_at=start + datetime.timedelta(minutes=30),
            ends_at=start + datetime.timedelta(hours=1),
            purpose="Réunion",
        )
    # Back to back is fine (the end is excluded).
    RoomBooking.objects.create(
        room=room,
        site=site,
        startup=member.startup,
        starts_at=session.ends_at,
        ends_at=session.ends_at + datetime.timedelta(hours=1),
        purpose="Réunion",
    )
