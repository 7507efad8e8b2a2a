"""A service session held at a site chooses one of its rooms instead of free text, and holds
it like a booking (issue 20): a clash is refused with what holds the room named, a booking
over the session is a 409, cancelling the session frees the room, moving it moves its hold."""

import datetime

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from core.local_time import LOCAL
from services.models import ServiceSession
from spaces.models import Room, RoomBooking

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(client, world, manager_a):
    client.cookies["django_language"] = "en"
    client.force_login(manager_a)
    return client


def _day(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def _data(room, day: datetime.date, start: str = "09:00", end: str = "12:00", **overrides) -> dict:
    return {
        "starts_at": f"{day}T{start}",
        "ends_at": f"{day}T{end}",
        "place": "" if room is None else str(room),
        "location_fr": "",
        "join_url": "",
        "seats": "12",
        "registration_deadline": "",
        **overrides,
    }


def _held(session_id: int) -> RoomBooking | None:
    with scopes_disabled():
        return RoomBooking.objects.filter(session_id=session_id, status="confirmed").first()


def test_a_session_holds_the_room_it_chooses_and_reads_its_name(manager, world):
    url = f"/manage/site-a/services/{world['service_a']}/sessions/new/"
    page = manager.get(url)
    assert page.status_code == 200
    assert "Salle Atlas (8 seats)" in page.content.decode()  # site A's room, not site B's
    assert "Salle Rif" not in page.content.decode()
    response = manager.post(url, _data(world["room_a"], _day(5)))
    assert response.status_code == 302, response.context["form"].errors
    with scopes_disabled():
        session = ServiceSession.objects.latest("pk")
    booking = _held(session.pk)
    assert booking.room_id == world["room_a"] and booking.starts_at == session.starts_at
    assert booking.price_mad == 0 and booking.startup_id is None
    assert (session.location_fr, session.location_ar) == ("Salle Atlas", "Salle Atlas")


def test_a_clash_with_a_booking_is_refused_naming_it(manager, world):
    # The world's booking of room A: three days ahead, 10:00–11:00, by Atlas Data.
    url = f"/manage/site-a/services/{world['service_a']}/sessions/new/"
    with scopes_disabled():
        before = ServiceSession.objects.count()
    response = manager.post(url, _data(world["room_a"], _day(3), "09:30", "10:30"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "The room is taken from" in text and "Atlas Data" in text
    with scopes_disabled():
        assert ServiceSession.objects.count() == before  # nothing saved
    # Another room of another site cannot be forged in.
    response = manager.post(url, _data(world["room_b"], _day(5)))
    assert response.status_code == 200 and "place" in response.context["form"].errors


def test_a_booking_over_a_session_is_a_409_and_cancelling_frees_the_room(manager, world, client_for):
    url = f"/manage/site-a/services/{world['service_a']}/sessions/new/"
    manager.post(url, _data(world["room_a"], _day(6)))
    with scopes_disabled():
        session = ServiceSession.objects.latest("pk")
    founder = client_for("founder_a")
    start = datetime.datetime.combine(_day(6), datetime.time(10), tzinfo=LOCAL)
    body = {
        "room": world["room_a"],
        "start": start.isoformat(),
        "end": (start + datetime.timedelta(hours=1)).isoformat(),
        "purpose": "Réunion",
    }
    assert founder.post("/api/v1/room-bookings/", body, content_type="application/json").status_code == 409
    manager = client_for("manager_a")
    response = manager.post(f"/manage/site-a/sessions/{session.pk}/cancel/", {"reason": "Formateur malade"})
    assert response.status_code == 302
    assert _held(session.pk) is None
    founder = client_for("founder_a")
    assert founder.post("/api/v1/room-bookings/", body, content_type="application/json").status_code == 201


def test_moving_a_session_moves_its_hold_and_an_outside_venue_releases_it(manager, world):
    url = f"/manage/site-a/services/{world['service_a']}/sessions/new/"
    manager.post(url, _data(world["room_a"], _day(7)))
    with scopes_disabled():
        session = ServiceSession.objects.latest("pk")
    edit = f"/manage/site-a/sessions/{session.pk}/edit/"
    assert manager.get(edit).context["form"]["place"].initial == world["room_a"]
    response = manager.post(edit, _data(world["room_a"], _day(8), "14:00", "16:00", location_fr="Salle Atlas"))
    assert response.status_code == 302
    booking = _held(session.pk)
    assert timezone.localtime(booking.starts_at).time() == datetime.time(
        14
    ) and booking.ends_at == booking.starts_at + datetime.timedelta(hours=2)
    response = manager.post(edit, _data(None, _day(8), "14:00", "16:00", location_fr="Hôtel Hyatt, Casablanca"))
    assert response.status_code == 302
    assert _held(session.pk) is None
    with scopes_disabled():
        assert ServiceSession.objects.get(pk=session.pk).location_fr == "Hôtel Hyatt, Casablanca"
        assert Room.objects.get(pk=world["room_a"]).bookings.filter(session=session, status="cancelled").exists()
