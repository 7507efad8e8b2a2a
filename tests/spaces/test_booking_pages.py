"""The pages where startups book rooms and outside organisations ask for one (issue 20): the
rooms a team may book, a room's week and the booking form with its price, the team's
bookings (cancel free or late, calendar file), a site's rooms for outsiders and the request.

`world` (tests/conftest.py, tests/spaces/world.py): founder_a's startup is a resident of
site A, whose `room_a` is open every day 07:00–22:00 (and to outsiders); `room_b` is site B's."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.utils import timezone
from django_scopes import scopes_disabled

from core.local_time import LOCAL
from spaces.models import Room, RoomBooking
from startups.models import Startup
from tests.factories import AdmissionFactory, StartupFactory, StartupMemberFactory
from tests.spaces.factories import RoomFactory

# Every test here uses the world: built once for the module (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_world")]


def _day(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def _weekday(weekday: int, *, after: int = 7) -> datetime.date:
    """The first `weekday` (0: Monday) at least `after` days from today."""
    day = _day(after)
    return day + datetime.timedelta(days=(weekday - day.weekday()) % 7)


def _as(client, user):
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def _texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)._queued_messages]


def _form(world, day: datetime.date, start: str, end: str, **extra) -> dict:
    return {
        "startup": world["startup_a"],
        "day": day.isoformat(),
        "start": start,
        "end": end,
        "purpose": "Client meeting",
    } | extra


def _bookings(**filters) -> list[RoomBooking]:
    with scopes_disabled():
        return list(RoomBooking.objects.filter(**filters).select_related("room").order_by("pk"))


# --- The rooms a team may book ------------------------------------------------------------------
def test_rooms_lists_the_admitted_sites_rooms_with_prices_and_free_hours(client, world, founder_a):
    response = _as(client, founder_a).get("/rooms/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Salle Atlas" in text and "Salle Rif" not in text  # site B's room is not founder_a's
    assert "MAD excl. tax" in text and "150.00" in text.replace("\u202f", "").replace(",", ".")
    assert "8 free hours left this month" in text


def test_rooms_without_an_admission_is_an_empty_state(client, world, outsider):
    text = _as(client, outsider).get("/rooms/").content.decode()
    assert "None of your startups is admitted anywhere today" in text


def test_a_member_sees_member_rooms_only(client, world, site_a):
    with scopes_disabled():
        startup = StartupFactory(brand_name="Member Co")
        member = StartupMemberFactory(startup=startup).user
        AdmissionFactory(startup=startup, site=site_a, kind="e-technopark")
        RoomFactory(site=site_a, name="Residents only", for_members=False)
    text = _as(client, member).get("/rooms/").content.decode()
    assert "Salle Atlas" in text and "Residents only" not in text
    assert "free hours left" not in text  # members have no free hours


# --- A room's week ------------------------------------------------------------------------------
def test_room_page_shows_the_week_and_the_day_with_busy_times_but_not_who_holds_them(client, world, founder_a):
    client = _as(client, founder_a)
    start = timezone.localtime(_bookings(pk=world["room_booking_a"])[0].starts_at)
    response = client.get(f"/rooms/{world['room_a']}/?day={start.date()}")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Taken" in text and "Atlas Data" in text  # the form's startup choice…
    assert text.count("Atlas Data") == 1  # …but never on the calendar
    assert f"?day={start.date()}&amp;start=07:00#book" in text
    assert f'hx-get="/rooms/{world["room_a"]}/?week=' in text  # swapped with htmx, a plain link too


def test_the_sites_staff_see_who_holds_a_busy_time(client, world, manager_a):
    start = timezone.localtime(_bookings(pk=world["room_booking_a"])[0].starts_at)
    text = _as(client, manager_a).get(f"/rooms/{world['room_a']}/?day={start.date()}").content.decode()
    assert "Atlas Data" in text and 'name="purpose"' not in text  # no form: staff book in the back-office


def test_htmx_navigation_returns_the_calendar_alone(client, world, founder_a):
    response = _as(client, founder_a).get(f"/rooms/{world['room_a']}/?week={_day(7)}", HTTP_HX_REQUEST="true")
    text = response.content.decode()
    assert text.startswith('<div id="room-calendar"') and "<html" not in text


def test_another_sites_room_is_not_found_by_a_founder_of_site_a(client, world, founder_a):
    client = _as(client, founder_a)
    assert client.get(f"/rooms/{world['room_b']}/").status_code == 404
    assert client.get(f"/rooms/{world['room_b']}/quote/").status_code == 404
    assert client.post(f"/rooms/{world['room_b']}/", _form(world, _day(7), "10:00", "11:00")).status_code == 404


# --- Price and booking --------------------------------------------------------------------------
def test_the_quote_uses_the_free_hours_first(client, world, founder_a):
    query = _form(world, _day(7), "08:00", "18:00")
    response = _as(client, founder_a).get(f"/rooms/{world['room_a']}/quote/", query, HTTP_HX_REQUEST="true")
    text = response.content.decode()
    assert text.startswith('<div id="quote"')
    assert "Free hours used: 8" in text and "Hours charged: 2" in text
    assert "300.00" in text.replace("\u202f", "").replace(",", ".")  # 2 h at 150, cheaper than a half day


def test_booking_uses_the_free_hours_then_charges(client, world, founder_a, django_capture_on_commit_callbacks):
    client = _as(client, founder_a)
    url = f"/rooms/{world['room_a']}/"
    day = _day(7)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, _form(world, day, "08:00", "14:00"))
    (first,) = _bookings(room_id=world["room_a"], starts_at__date__gte=day, purpose="Client meeting")
    assert response.status_code == 302 and response.url == f"/me/rooms/{first.pk}/"
    assert first.allowance_hours == 6 and first.price_mad == 0
    assert mail.outbox and "Room booked" in mail.outbox[-1].subject
    client.post(url, _form(world, day, "14:00", "17:00", purpose="Second"))
    (second,) = _bookings(purpose="Second")
    assert (second.allowance_hours, second.charged_hours, second.price_mad) == (2, 1, Decimal("150.00"))
    page = client.get(f"/me/rooms/{second.pk}/").content.decode()
    assert "Free hours used" in page and "excl. tax" in page


def test_a_taken_time_says_so_and_keeps_the_form(client, world, founder_a):
    client = _as(client, founder_a)
    start = timezone.localtime(_bookings(pk=world["room_booking_a"])[0].starts_at)
    response = client.post(
        f"/rooms/{world['room_a']}/", _form(world, start.date(), "09:30", "10:30", purpose="Overlapping")
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "The room is already booked at this time" in text
    assert 'value="Overlapping"' in text
    assert not _bookings(purpose="Overlapping")


def test_closed_hours_and_past_times_are_explained(client, world, founder_a, site_a):
    with scopes_disabled():
        room = RoomFactory(site=site_a)  # Monday to Friday 08:00–19:00
    client = _as(client, founder_a)
    saturday = _weekday(5)
    text = client.post(f"/rooms/{room.pk}/", _form(world, saturday, "10:00", "11:00")).content.decode()
    assert "The room is closed at this time" in text
    text = client.post(f"/rooms/{world['room_a']}/", _form(world, _day(-1), "10:00", "11:00")).content.decode()
    assert "This time is in the past." in text
    assert not _bookings(purpose="Client meeting")


def test_the_end_must_follow_the_start(client, world, founder_a):
    text = _as(client, founder_a).post(f"/rooms/{world['room_a']}/", _form(world, _day(7), "11:00", "10:00"))
    assert "The end must come after the start." in text.content.decode()


def test_only_the_users_admitted_startups_are_offered(client, world, founder_a):
    with scopes_disabled():
        other = StartupFactory(brand_name="Not admitted")
        StartupMemberFactory(startup=other, user=founder_a)
    client = _as(client, founder_a)
    text = client.get(f"/rooms/{world['room_a']}/").content.decode()
    assert "Not admitted" not in text
    response = client.post(f"/rooms/{world['room_a']}/", _form(world, _day(7), "10:00", "11:00", startup=other.pk))
    assert response.status_code == 200 and not _bookings(purpose="Client meeting")


# --- The team's bookings ------------------------------------------------------------------------
def test_my_bookings_lists_upcoming_then_past(client, world, founder_a):
    with scopes_disabled():
        room = Room.objects.get(pk=world["room_a"])
        start = timezone.now().replace(minute=0, second=0, microsecond=0) - datetime.timedelta(days=5)
        RoomBooking.objects.create(
            room=room,
            site=room.site,
            startup_id=world["startup_a"],
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=1),
            purpose="Long ago",
        )
    text = _as(client, founder_a).get("/me/rooms/").content.decode()
    assert text.index("Board") < text.index("Long ago")


def test_cancelling_early_is_free(client, world, founder_a, django_capture_on_commit_callbacks):
    client = _as(client, founder_a)
    client.post(f"/rooms/{world['room_a']}/", _form(world, _day(7), "08:00", "18:00"))
    (booking,) = _bookings(purpose="Client meeting")
    page = client.get(f"/me/rooms/{booking.pk}/").content.decode()
    assert "Cancelling is free until" in page
    assert client.post(f"/me/rooms/{booking.pk}/cancel/", {}).status_code == 200  # not confirmed
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/me/rooms/{booking.pk}/cancel/", {"confirm": "on"})
    assert response.status_code == 302
    (booking,) = _bookings(pk=booking.pk)
    assert booking.status == "cancelled" and not booking.late_cancellation and booking.price_mad == 0
    assert "free of charge" in " ".join(_texts(response))


def test_cancelling_late_is_charged(client, world, founder_a):
    with scopes_disabled():
        room = Room.objects.get(pk=world["room_a"])
        start = timezone.now().replace(minute=0, second=0, microsecond=0) + datetime.timedelta(hours=3)
        booking = RoomBooking.objects.create(
            room=room,
            site=room.site,
            startup_id=world["startup_a"],
            booked_by=founder_a,
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=1),
            purpose="Soon",
            charged_hours=1,
            price_mad=Decimal("150"),
        )
    client = _as(client, founder_a)
    assert "The free cancellation deadline has passed" in client.get(f"/me/rooms/{booking.pk}/").content.decode()
    response = client.post(f"/me/rooms/{booking.pk}/cancel/", {"confirm": "on"})
    (booking,) = _bookings(pk=booking.pk)
    assert booking.status == "cancelled" and booking.late_cancellation and booking.price_mad == Decimal("150")
    assert "still charged" in " ".join(_texts(response))


def test_the_calendar_file(client, world, founder_a):
    response = _as(client, founder_a).get(f"/me/rooms/{world['room_booking_a']}/booking.ics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    text = response.content.decode()
    assert "BEGIN:VEVENT" in text and f"room-booking-{world['room_booking_a']}" in text


def test_another_startups_booking_is_not_found(client, world, founder_a, site_a):
    with scopes_disabled():
        room = Room.objects.get(pk=world["room_a"])
        other = StartupFactory(brand_name="Neighbour")
        AdmissionFactory(startup=other, site=site_a)
        start = timezone.now().replace(minute=0, second=0, microsecond=0) + datetime.timedelta(days=9)
        booking = RoomBooking.objects.create(
            room=room,
            site=site_a,
            startup=other,
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=1),
            purpose="Theirs",
        )
    client = _as(client, founder_a)
    for url in (f"/me/rooms/{booking.pk}/", f"/me/rooms/{booking.pk}/booking.ics"):
        assert client.get(url).status_code == 404
    assert client.post(f"/me/rooms/{booking.pk}/cancel/", {"confirm": "on"}).status_code == 404
    assert "Theirs" not in client.get("/me/rooms/").content.decode()
    assert _bookings(pk=booking.pk)[0].status == "confirmed"


# --- Outside organisations ----------------------------------------------------------------------
def test_a_sites_public_rooms_list_only_those_open_to_outsiders(client, world, site_a):
    with scopes_disabled():
        RoomFactory(site=site_a, name="Private room", for_outsiders=False)
    client.cookies["django_language"] = "en"
    text = client.get("/sites/site-a/rooms/").content.decode()
    assert "Salle Atlas" in text and "Private room" not in text and "Salle Rif" not in text
    assert client.get("/sites/nowhere/rooms/").status_code == 404


def test_an_outsider_requests_a_room_and_finds_it_in_their_bookings(
    client, world, outsider, manager_a, django_capture_on_commit_callbacks
):
    client = _as(client, outsider)
    url = f"/sites/site-a/rooms/{world['room_a']}/request/"
    assert client.get(url).status_code == 200
    body = {
        "organisation": "Association Ourika",
        "day": _day(8).isoformat(),
        "start": "14:00",
        "end": "16:00",
        "purpose": "General assembly",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, body)
    (booking,) = _bookings(organisation="Association Ourika")
    assert response.status_code == 302 and response.url == f"/me/rooms/{booking.pk}/"
    assert booking.status == "requested" and booking.startup_id is None and booking.price_mad == 300
    assert "awaiting the site's approval" in " ".join(_texts(response))
    assert {message.to[0] for message in mail.outbox} == {outsider.email, manager_a.email}
    page = client.get(f"/me/rooms/{booking.pk}/").content.decode()
    assert "Awaiting approval" in page and "Withdrawing a request is free." in page
    assert "Association Ourika" in client.get("/me/rooms/").content.decode()
    assert client.get(f"/me/rooms/{booking.pk}/booking.ics").status_code == 404  # not confirmed yet
    response = client.post(f"/me/rooms/{booking.pk}/cancel/", {"confirm": "on"})
    assert _bookings(pk=booking.pk)[0].status == "cancelled"


def test_a_room_closed_to_outsiders_cannot_be_requested(client, world, outsider, site_a):
    with scopes_disabled():
        room = RoomFactory(site=site_a, for_outsiders=False)
    assert _as(client, outsider).get(f"/sites/site-a/rooms/{room.pk}/request/").status_code == 404
    assert client.get(f"/sites/site-b/rooms/{world['room_a']}/request/").status_code == 404  # another site's


def test_someone_elses_request_is_not_found(client, world, outsider, founder_a):
    client = _as(client, outsider)
    body = {"organisation": "Ourika", "day": _day(8).isoformat(), "start": "14:00", "end": "15:00", "purpose": "AG"}
    client.post(f"/sites/site-a/rooms/{world['room_a']}/request/", body)
    (booking,) = _bookings(organisation="Ourika")
    assert _as(client, founder_a).get(f"/me/rooms/{booking.pk}/").status_code == 404


# --- Wall clock ---------------------------------------------------------------------------------
def test_times_are_casablanca_wall_clock(client, world, founder_a):
    _as(client, founder_a).post(f"/rooms/{world['room_a']}/", _form(world, _day(7), "09:30", "10:00"))
    (booking,) = _bookings(purpose="Client meeting")
    assert booking.starts_at.astimezone(LOCAL).time() == datetime.time(9, 30)
    assert booking.starts_at.astimezone(LOCAL).date() == _day(7)


@pytest.mark.parametrize("language", ["fr", "ar", "en"])
def test_pages_render_in_each_language(client, world, founder_a, language):
    client.force_login(founder_a)
    client.cookies["django_language"] = language
    for url in (
        "/rooms/",
        f"/rooms/{world['room_a']}/",
        "/me/rooms/",
        f"/me/rooms/{world['room_booking_a']}/",
        "/sites/site-a/rooms/",
        f"/sites/site-a/rooms/{world['room_a']}/request/",
    ):
        assert client.get(url).status_code == 200, url
    assert Startup.objects.filter(pk=world["startup_a"]).exists()


def test_the_sites_public_page_links_to_its_rooms(client, world):
    client.cookies["django_language"] = "en"
    text = client.get("/sites/site-a/").content.decode()
    assert 'href="/sites/site-a/rooms/"' in text and "Rooms to hire" in text


def test_the_menu_links_to_rooms(client, world, founder_a):
    text = _as(client, founder_a).get("/me/rooms/").content.decode()
    assert 'href="/rooms/"' in text and 'href="/me/rooms/"' in text
