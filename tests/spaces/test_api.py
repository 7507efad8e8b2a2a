"""The rooms API (issue 20): rooms and their busy times as the pages show them, booking with
the price (free hours first), 400 outside the opening hours or in the past, 409 when taken,
cancelling free before the site's deadline and charged after it."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from core.local_time import LOCAL
from spaces.models import RoomBooking, SpacePolicy

# Every test here uses the world: built once for the module (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_world")]


def _at(days: int, hour: int, minute: int = 0) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=LOCAL)


def _book(client, room: int, start: datetime.datetime, hours: float = 1, **extra):
    body = {
        "room": room,
        "start": start.isoformat(),
        "end": (start + datetime.timedelta(hours=hours)).isoformat(),
        "purpose": "Réunion d'équipe",
        **extra,
    }
    return client.post("/api/v1/room-bookings/", body, content_type="application/json")


def test_rooms_list_the_sites_the_caller_may_see(api, world):
    body = api("founder_a").get("/api/v1/rooms/").json()
    assert [room["id"] for room in body["results"]] == [world["room_a"]]
    room = body["results"][0]
    assert room["site"] == "site-a" and room["price_hour_mad"] == "150.00"
    assert room["monthly_free_hours"] == 8  # the default policy
    staff = api("staff").get("/api/v1/rooms/?site=site-b").json()
    assert [room["id"] for room in staff["results"]] == [world["room_b"]]
    assert api("staff").get("/api/v1/rooms/?kind=castle").status_code == 400


def test_availability_gives_busy_ranges_with_their_offsets_and_no_holder(api, world):
    client = api("founder_a")
    response = client.get(f"/api/v1/rooms/{world['room_a']}/availability/")
    assert response.status_code == 200
    (busy,) = response.json()["busy"]  # the world's booking, three days ahead at 10:00
    assert busy["start"].endswith(("+01:00", "+00:00")) and "T10:00:00" in busy["start"]
    assert set(busy) == {"start", "end"}
    assert len(response.json()["opening_hours"]) == 7
    today = timezone.localdate()
    for query in (
        "from=junk",
        f"from={today}&to={today - datetime.timedelta(days=1)}",
        f"to={today + datetime.timedelta(days=40)}",
        "from=0776-08-03",  # the calendar's far past (its offset was Lisbon's -00:30:20)
        "from=9999-12-31&to=9999-12-31",  # no day after it
    ):
        assert client.get(f"/api/v1/rooms/{world['room_a']}/availability/?{query}").status_code == 400
    assert (
        client.get(f"/api/v1/rooms/{world['room_a']}/availability/?from={today - datetime.timedelta(days=300)}").json()[
            "busy"
        ]
        == []
    )
    # Site B's room is not open to outside organisations: not found from site A.
    assert client.get(f"/api/v1/rooms/{world['room_b']}/availability/").status_code == 404


def test_a_resident_books_with_free_hours_first_then_the_cheapest_rate(api, world, django_capture_on_commit_callbacks):
    client = api("founder_a")
    with django_capture_on_commit_callbacks(execute=True):
        first = _book(client, world["room_a"], _at(4, 9), hours=6)  # 6 of the 8 free hours
    assert first.status_code == 201, first.json()
    assert first.json()["status"] == "confirmed"
    assert (first.json()["allowance_hours"], first.json()["charged_hours"], first.json()["price_mad"]) == (
        "6.00",
        "0.00",
        "0.00",
    )
    # 2 free hours left: 5 h = 2 free + 3 charged at 150/h = 450 (less than a half day and
    # an hour, 650, or two half days, 1,000).
    second = _book(client, world["room_a"], _at(5, 9), hours=5)
    assert second.status_code == 201, second.json()
    assert (second.json()["allowance_hours"], second.json()["charged_hours"], second.json()["price_mad"]) == (
        "2.00",
        "3.00",
        "450.00",
    )
    # Nothing free left this month (if both days fall in it): the day rate caps a long day.
    third = _book(client, world["room_a"], _at(6, 8), hours=10)
    assert third.status_code == 201, third.json()
    assert Decimal(third.json()["price_mad"]) <= Decimal("900.00")
    # The booker is told, with the booking as a calendar file.
    assert len(mail.outbox) == 1 and mail.outbox[0].attachments[0][0] == "room.ics"


def test_a_taken_room_is_a_409_and_bad_times_are_400s(api, world):
    client = api("founder_a")
    taken = _at(3, 10, 30)  # inside the world's 10:00–11:00 booking
    response = _book(client, world["room_a"], taken)
    assert response.status_code == 409 and set(response.json()) == {"detail"}
    cases = {
        "closed": _book(client, world["room_a"], _at(4, 21), hours=2),  # closes at 22:00
        "past": _book(client, world["room_a"], _at(-1, 10)),
        "half hour": _book(client, world["room_a"], _at(4, 10, 15)),
        "naive": client.post(
            "/api/v1/room-bookings/",
            {"room": world["room_a"], "start": "2030-01-10T10:00:00", "end": "2030-01-10T11:00:00", "purpose": "x"},
            content_type="application/json",
        ),
        "inverted": _book(client, world["room_a"], _at(4, 10), hours=-1),
    }
    assert {name: response.status_code for name, response in cases.items()} == dict.fromkeys(cases, 400)
    assert "closed" in str(cases["closed"].json()).lower() or "ferm" in str(cases["closed"].json()).lower()
    # Another site's room: not found.
    assert _book(client, world["room_b"], _at(4, 10)).status_code == 404


def test_an_outside_organisation_requests_a_public_room_and_the_site_is_told(
    api, world, manager_a, django_capture_on_commit_callbacks
):
    client = api("outsider")
    # Site A's room is open to outside organisations: listed for anyone signed in; site B's is not.
    assert [room["id"] for room in client.get("/api/v1/rooms/").json()["results"]] == [world["room_a"]]
    assert client.get(f"/api/v1/rooms/{world['room_a']}/availability/").status_code == 200
    assert _book(client, world["room_b"], _at(4, 10), organisation="Association X").status_code == 404
    assert _book(client, world["room_a"], _at(4, 10)).status_code == 400  # no organisation named
    with django_capture_on_commit_callbacks(execute=True):
        response = _book(client, world["room_a"], _at(4, 10), organisation="Association X")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["organisation"], body["startup"], body["price_mad"]) == (
        "requested",
        "Association X",
        None,
        "150.00",
    )
    assert {message.to[0] for message in mail.outbox} == {"outsider@example.ma", manager_a.email}
    # The organisation finds and cancels its request; site B's manager does not see it.
    assert [b["id"] for b in client.get("/api/v1/room-bookings/").json()["results"]] == [body["id"]]
    assert api("manager_b").get(f"/api/v1/room-bookings/{body['id']}/").status_code == 404
    client = api("outsider")
    cancelled = client.post(f"/api/v1/room-bookings/{body['id']}/cancel/")
    assert cancelled.status_code == 200 and cancelled.json()["price_mad"] == "0.00"


def test_cancelling_is_free_before_the_deadline_and_charged_after(api, world, unscoped):
    client = api("founder_a")
    early = _book(client, world["room_a"], _at(4, 9), hours=2).json()
    response = client.post(f"/api/v1/room-bookings/{early['id']}/cancel/")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["price_mad"], response.json()["late_cancellation"]) == (
        "cancelled",
        "0.00",
        False,
    )
    assert client.post(f"/api/v1/room-bookings/{early['id']}/cancel/").status_code == 409
    # A site whose deadline is 4 days: cancelling 3 days ahead keeps the charge.
    SpacePolicy.objects.create(
        site_id=RoomBooking.objects.get(pk=world["room_booking_a"]).site_id,
        free_cancellation_hours=96,
        monthly_free_hours=0,
    )
    late = _book(client, world["room_a"], _at(3, 14), hours=1).json()
    assert late["price_mad"] == "150.00"
    response = client.post(f"/api/v1/room-bookings/{late['id']}/cancel/")
    assert response.json()["late_cancellation"] is True and response.json()["price_mad"] == "150.00"


def test_bookings_list_is_the_callers_and_their_sites(api, world):
    assert [b["id"] for b in api("founder_a").get("/api/v1/room-bookings/").json()["results"]] == [
        world["room_booking_a"]
    ]
    assert [b["id"] for b in api("manager_b").get("/api/v1/room-bookings/").json()["results"]] == [
        world["room_booking_b"]
    ]
    assert len(api("staff").get("/api/v1/room-bookings/").json()["results"]) == 2
    assert api("outsider").get("/api/v1/room-bookings/").json()["results"] == []
    assert [room["id"] for room in api("manager_b").get("/api/v1/rooms/").json()["results"]] == [
        world["room_a"],  # open to outside organisations
        world["room_b"],
    ]
    assert api("manager_b").get(f"/api/v1/room-bookings/{world['room_booking_a']}/").status_code == 404
