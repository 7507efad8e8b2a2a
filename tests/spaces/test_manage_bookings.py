"""A site's room bookings in its back-office (issue 20): /manage/<site>/rooms/bookings/ lists
them (filters, requests first), its managers approve or refuse the outside organisations'
requests and cancel bookings ahead; another site's manager finds nothing."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.models import AuditEntry
from spaces.models import RoomBooking, RoomBookingStatus
from tests.factories import ServiceFactory, ServiceSessionFactory, StartupFactory
from tests.spaces.factories import RoomFactory

BOOKINGS = "/manage/site-a/rooms/bookings/"
ALL_WEEK = [(day, datetime.time(7), datetime.time(22)) for day in range(7)]


def ahead(days: float, hour: int = 10) -> datetime.datetime:
    """Local `hour` o'clock, `days` from today."""
    day = timezone.localtime() + datetime.timedelta(days=days)
    return day.replace(hour=hour, minute=0, second=0, microsecond=0)


def book(room, start, *, hours: int = 2, status=RoomBookingStatus.CONFIRMED, **holder) -> RoomBooking:
    holder = holder or {"startup": StartupFactory(brand_name="Atlas Data")}
    return RoomBooking.objects.create(
        room=room,
        site=room.site,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=hours),
        purpose="Réunion d'équipe",
        status=status,
        allowance_hours=Decimal(hours),
        **holder,
    )


@pytest.fixture
def rooms(site_a, site_b, unscoped):
    room_a = RoomFactory(site=site_a, name="Salle Atlas", for_outsiders=True, opening_hours=ALL_WEEK)
    room_b = RoomFactory(site=site_b, name="Salle Rif", for_outsiders=True, opening_hours=ALL_WEEK)
    return room_a, room_b


@pytest.fixture
def bookings(rooms, unscoped):
    room_a, room_b = rooms
    session = ServiceSessionFactory(
        service=ServiceFactory(site=room_a.site, title="Pitch training"), starts_at=ahead(5), ends_at=ahead(5, 12)
    )
    return {
        "startup": book(room_a, ahead(3)),
        "request": book(room_a, ahead(4), status=RoomBookingStatus.REQUESTED, organisation="Banque Atlas"),
        "session": book(room_a, ahead(5), session=session),
        "past": book(room_a, ahead(-3), startup=StartupFactory(brand_name="Old Times")),
        "elsewhere": book(room_b, ahead(3), startup=StartupFactory(brand_name="Souss Agri")),
    }


def english(client):
    client.cookies["django_language"] = "en"
    return client


def _audits(booking):
    return AuditEntry.objects.filter(content_type__model="roombooking", object_id=str(booking.pk))


# --- Who sees what ---------------------------------------------------------------------------
@pytest.mark.django_db
def test_the_manager_sees_the_sites_bookings_requests_first(client_for, bookings):
    response = english(client_for("manager_a")).get(BOOKINGS)
    assert response.status_code == 200
    text = response.content.decode()
    for shown in ("Atlas Data", "Banque Atlas", "Pitch training", "Old Times", "Salle Atlas"):
        assert shown in text
    assert "Souss Agri" not in text and "Salle Rif" not in text
    listed = [booking.pk for booking in response.context["page"]]
    order = ["request", "startup", "session", "past"]
    assert listed == [bookings[name].pk for name in order]
    assert "1 request from an outside organisation awaits your decision." in text


@pytest.mark.django_db
@pytest.mark.parametrize(("persona", "status"), [("manager_b", 404), ("founder_a", 404), ("outsider", 404)])
def test_others_find_nothing(client_for, bookings, persona, status):
    client = client_for(persona)
    assert client.get(BOOKINGS).status_code == status
    url = f"{BOOKINGS}{bookings['request'].pk}/decide/"
    assert client.post(url, {"decision": "approve"}).status_code == status
    assert client.post(f"{BOOKINGS}{bookings['startup'].pk}/cancel/").status_code == status
    bookings["request"].refresh_from_db()
    assert bookings["request"].status == RoomBookingStatus.REQUESTED


@pytest.mark.django_db
def test_read_only_roles_are_refused(client_for, bookings):
    client = client_for("team_a")
    assert client.get(BOOKINGS).status_code == 403  # prices and decisions: managers only
    assert client.post(f"{BOOKINGS}{bookings['request'].pk}/decide/", {"decision": "approve"}).status_code == 403


@pytest.mark.django_db
def test_another_sites_booking_is_not_found_through_this_site(client_for, bookings):
    client = client_for("manager_a")
    other = bookings["elsewhere"]
    assert client.post(f"{BOOKINGS}{other.pk}/cancel/").status_code == 404
    other.refresh_from_db()
    assert other.status == RoomBookingStatus.CONFIRMED


@pytest.mark.django_db
def test_head_office_sees_the_list(client_for, bookings):
    assert client_for("staff").get(BOOKINGS).status_code == 200


# --- Filters and empty states ----------------------------------------------------------------
@pytest.mark.django_db
def test_filters(client_for, bookings, rooms, unscoped):
    client = client_for("manager_a")
    other_room = RoomFactory(site=rooms[0].site, name="Salle Toubkal", opening_hours=ALL_WEEK)
    book(other_room, ahead(3), startup=StartupFactory(brand_name="Toubkal Labs"))

    def listed(query: dict) -> set[int]:
        response = client.get(BOOKINGS, query)
        assert response.status_code == 200
        return {booking.pk for booking in response.context["page"]}

    assert len(listed({})) == 5
    assert listed({"status": "requested"}) == {bookings["request"].pk}
    assert bookings["past"].pk not in listed({"date_from": timezone.localdate().isoformat()})
    assert listed({"date_to": (timezone.localdate() - datetime.timedelta(days=1)).isoformat()}) == {bookings["past"].pk}
    toubkal = listed({"room": other_room.pk})
    assert len(toubkal) == 1 and bookings["startup"].pk not in toubkal
    # Another site's room is not a choice: the filter is ignored, with its error.
    response = client.get(BOOKINGS, {"room": rooms[1].pk})
    assert response.context["form"].errors["room"]
    assert len(response.context["page"].object_list) == 5


@pytest.mark.django_db
def test_a_period_that_ends_before_it_starts(client_for, bookings):
    client = english(client_for("manager_a"))
    response = client.get(BOOKINGS, {"date_from": "2026-03-10", "date_to": "2026-03-01"})
    assert "The end of the period comes before its start." in response.content.decode()


@pytest.mark.django_db
def test_empty_states(client_for, rooms):
    client = english(client_for("manager_a"))
    assert "No room of this site has been booked yet." in client.get(BOOKINGS).content.decode()
    assert "No booking matches these filters." in client.get(BOOKINGS, {"status": "refused"}).content.decode()


# --- Approving and refusing ------------------------------------------------------------------
@pytest.mark.django_db
def test_approve_a_request(client_for, bookings, manager_a, unscoped):
    request = bookings["request"]
    client = english(client_for("manager_a"))
    response = client.post(f"{BOOKINGS}{request.pk}/decide/", {"decision": "approve", "back": "status=requested"})
    assert response.status_code == 302
    assert response["Location"] == f"{BOOKINGS}?status=requested"
    request.refresh_from_db()
    assert request.status == RoomBookingStatus.CONFIRMED and request.decided_by == manager_a
    audit = _audits(request).get()
    assert audit.actor == manager_a and audit.changes["status"] == ["requested", "confirmed"]
    page = client.get(response["Location"]).content.decode()
    assert "Request of Banque Atlas for Salle Atlas approved" in page


@pytest.mark.django_db
def test_refusing_needs_a_reason(client_for, bookings, unscoped):
    request = bookings["request"]
    client = english(client_for("manager_a"))
    response = client.post(f"{BOOKINGS}{request.pk}/decide/", {"decision": "refuse", "reason": "  "}, follow=True)
    assert "Say why the request is refused" in response.content.decode()
    request.refresh_from_db()
    assert request.status == RoomBookingStatus.REQUESTED
    assert not _audits(request).exists()

    response = client.post(
        f"{BOOKINGS}{request.pk}/decide/", {"decision": "refuse", "reason": "Salle en travaux"}, follow=True
    )
    assert "Request of Banque Atlas for Salle Atlas refused" in response.content.decode()
    request.refresh_from_db()
    assert (request.status, request.refusal_reason) == (RoomBookingStatus.REFUSED, "Salle en travaux")
    assert _audits(request).get().changes["status"] == ["requested", "refused"]


@pytest.mark.django_db
def test_approving_a_slot_taken_meanwhile_says_by_whom(client_for, bookings, unscoped):
    request = bookings["request"]
    book(request.room, request.starts_at + datetime.timedelta(minutes=30), startup=StartupFactory(brand_name="Rival"))
    client = english(client_for("manager_a"))
    response = client.post(f"{BOOKINGS}{request.pk}/decide/", {"decision": "approve"}, follow=True)
    text = response.content.decode()
    assert "The room is taken from" in text and "Rival" in text
    request.refresh_from_db()
    assert request.status == RoomBookingStatus.REQUESTED
    assert not _audits(request).exists()


@pytest.mark.django_db
def test_a_decision_without_a_choice_or_twice(client_for, bookings, unscoped):
    client = english(client_for("manager_a"))
    url = f"{BOOKINGS}{bookings['request'].pk}/decide/"
    assert "Choose to approve or to refuse" in client.post(url, {}, follow=True).content.decode()
    client.post(url, {"decision": "approve"})
    assert (
        "already been decided" in client.post(url, {"decision": "refuse", "reason": "x"}, follow=True).content.decode()
    )


@pytest.mark.django_db
def test_the_way_back_is_only_a_query_string(client_for, bookings):
    client = client_for("manager_a")
    url = f"{BOOKINGS}{bookings['request'].pk}/decide/"
    response = client.post(url, {"decision": "approve", "back": "https://evil.example/"})
    assert response["Location"].startswith(f"{BOOKINGS}?")


# --- Cancelling ------------------------------------------------------------------------------
@pytest.mark.django_db
def test_cancel_a_booking_ahead_free_of_charge(client_for, bookings, manager_a, unscoped):
    booking = bookings["startup"]
    client = english(client_for("manager_a"))
    page = client.get(BOOKINGS).content.decode()
    assert "Free of charge: the free hours come back" in page
    response = client.post(f"{BOOKINGS}{booking.pk}/cancel/", follow=True)
    assert "cancelled, free of charge" in response.content.decode()
    booking.refresh_from_db()
    assert booking.status == RoomBookingStatus.CANCELLED and booking.cancelled_by == manager_a
    assert booking.allowance_hours == 0 and not booking.late_cancellation
    assert _audits(booking).get().changes["status"] == ["confirmed", "cancelled"]


@pytest.mark.django_db
def test_a_late_cancellation_stays_charged(client_for, rooms, unscoped):
    soon = timezone.now().replace(second=0, microsecond=0) + datetime.timedelta(hours=3)
    booking = book(rooms[0], soon)
    client = english(client_for("manager_a"))
    assert "its hours stay charged" in client.get(BOOKINGS).content.decode()
    response = client.post(f"{BOOKINGS}{booking.pk}/cancel/", follow=True)
    assert "cancelled after the free deadline" in response.content.decode()
    booking.refresh_from_db()
    assert booking.late_cancellation and booking.allowance_hours == 2


@pytest.mark.django_db
def test_a_sessions_room_and_a_past_booking_are_not_cancelled_here(client_for, bookings, unscoped):
    client = english(client_for("manager_a"))
    response = client.post(f"{BOOKINGS}{bookings['session'].pk}/cancel/", follow=True)
    assert "A session&#x27;s room is changed on the session&#x27;s page." in response.content.decode()
    response = client.post(f"{BOOKINGS}{bookings['past'].pk}/cancel/", follow=True)
    assert "This booking has started" in response.content.decode()
    for name in ("session", "past"):
        bookings[name].refresh_from_db()
        assert bookings[name].status == RoomBookingStatus.CONFIRMED


# --- Query counts ----------------------------------------------------------------------------
def _queries(client, url: str) -> int:
    client.get(url)  # warm-up
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


@pytest.mark.django_db
def test_queries_do_not_grow_with_the_bookings(client_for, rooms, unscoped):
    client = client_for("manager_a")
    room = rooms[0]
    counts = []
    for total in (5, 11):
        while RoomBooking.objects.count() < total:
            index = RoomBooking.objects.count()
            kind = index % 3
            start = ahead(1 + index)
            if kind == 0:
                book(room, start, startup=StartupFactory())
            elif kind == 1:
                book(room, start, status=RoomBookingStatus.REQUESTED, organisation=f"Org {index}")
            else:
                session = ServiceSessionFactory(service=ServiceFactory(site=room.site), starts_at=start)
                book(room, start, session=session)
        counts.append((_queries(client, BOOKINGS), _queries(client, "/manage/site-a/rooms/occupancy/")))
    assert counts[0] == counts[1]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["fr", "ar"])
def test_the_list_in_french_and_arabic(client_for, bookings, language):
    client = client_for("manager_a")
    client.cookies["django_language"] = language
    response = client.get(BOOKINGS)
    assert response.status_code == 200
    assert f'<html lang="{language}"' in response.content.decode()
