"""Room occupancy (issue 20): hours booked over hours open per room and per site, by ISO week
and by month (spaces.selectors.occupancy), and its page and downloads under
/manage/<site>/rooms/occupancy/."""

import datetime
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope, scopes_disabled
from openpyxl import load_workbook

from spaces.models import RoomBooking, RoomBookingStatus
from spaces.selectors.occupancy import buckets, occupancy, room_occupancy, site_occupancy
from tests.factories import ServiceFactory, ServiceSessionFactory, StartupFactory
from tests.spaces.factories import RoomFactory

LOCAL = ZoneInfo("Africa/Casablanca")
D = datetime.date
MONDAY = D(2026, 1, 5)  # a week of January: no clock change in Casablanca
SUNDAY = D(2026, 1, 11)


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=LOCAL)


def book(room, start, end, *, status=RoomBookingStatus.CONFIRMED, **holder) -> RoomBooking:
    if not holder:
        holder = {"startup": StartupFactory()}
    return RoomBooking.objects.create(
        room=room, site=room.site, starts_at=start, ends_at=end, purpose="Réunion", status=status, **holder
    )


def session_booking(room, start, end) -> RoomBooking:
    session = ServiceSessionFactory(service=ServiceFactory(site=room.site), starts_at=start, ends_at=end)
    return book(room, start, end, session=session)


def rows_by_key(rows) -> dict:
    return {row.bucket.key: row for row in rows}


def test_buckets_cut_weeks_and_months_to_the_period():
    weeks = buckets(start=D(2026, 1, 7), end=D(2026, 1, 20), by="week")
    assert [(b.key, b.first, b.last, b.label) for b in weeks] == [
        (D(2026, 1, 5), D(2026, 1, 7), D(2026, 1, 11), "2026-W02"),
        (D(2026, 1, 12), D(2026, 1, 12), D(2026, 1, 18), "2026-W03"),
        (D(2026, 1, 19), D(2026, 1, 19), D(2026, 1, 20), "2026-W04"),
    ]
    months = buckets(start=D(2025, 12, 15), end=D(2026, 2, 10), by="month")
    assert [(b.first, b.last, b.label) for b in months] == [
        (D(2025, 12, 15), D(2025, 12, 31), "2025-12"),
        (D(2026, 1, 1), D(2026, 1, 31), "2026-01"),
        (D(2026, 2, 1), D(2026, 2, 10), "2026-02"),
    ]
    with pytest.raises(ValueError):
        buckets(start=MONDAY, end=SUNDAY, by="day")


@pytest.mark.django_db
def test_a_week_of_eleven_hour_days_with_bookings_and_a_session(site_a, unscoped):
    room = RoomFactory(site=site_a)  # Monday to Friday 08:00–19:00
    book(room, at(MONDAY, 10), at(MONDAY, 12))  # 2 h
    session_booking(room, at(D(2026, 1, 6), 14), at(D(2026, 1, 6), 17))  # a session: 3 h
    book(room, at(D(2026, 1, 7), 9), at(D(2026, 1, 7), 10), status=RoomBookingStatus.CANCELLED)
    book(room, at(D(2026, 1, 8), 9), at(D(2026, 1, 8), 10), status=RoomBookingStatus.REQUESTED, organisation="ONG")
    book(room, at(D(2026, 1, 9), 9), at(D(2026, 1, 9), 10), status=RoomBookingStatus.REFUSED, organisation="ONG")

    [row] = room_occupancy(site_ids=[site_a.pk], start=MONDAY, end=SUNDAY, by="week")
    assert row.hours_open == Decimal(55)  # 5 × 11 h
    assert row.hours_booked == Decimal(5)  # the booking and the session; not the others
    assert row.rate == Decimal("0.0909")
    assert (row.room_id, row.site_id) == (room.pk, site_a.pk)


@pytest.mark.django_db
def test_bookings_are_cut_at_the_period_and_week_edges(site_a, unscoped):
    room = RoomFactory(site=site_a, opening_hours=[(day, datetime.time(0), datetime.time(23, 59)) for day in range(7)])
    book(room, at(D(2026, 1, 4), 22), at(MONDAY, 2))  # Sunday 22:00 → Monday 02:00, across weeks
    book(room, at(SUNDAY, 23), at(D(2026, 1, 12), 1))  # after the period's end at midnight: 1 h inside
    rows = rows_by_key(room_occupancy(site_ids=[site_a.pk], start=MONDAY, end=SUNDAY, by="week"))
    assert rows[MONDAY].hours_booked == Decimal(3)  # 2 h on Monday + 1 h on Sunday night

    both = rows_by_key(room_occupancy(site_ids=[site_a.pk], start=D(2026, 1, 4), end=D(2026, 1, 12), by="week"))
    assert both[D(2025, 12, 29)].hours_booked == Decimal(2)  # Sunday 4th, 22:00–24:00
    assert both[MONDAY].hours_booked == Decimal(3)  # Monday 00:00–02:00 and Sunday 11th 23:00–24:00
    assert both[D(2026, 1, 12)].hours_booked == Decimal(1)


@pytest.mark.django_db
def test_months_and_the_site_total(site_a, site_b, unscoped):
    room, other = (
        RoomFactory(site=site_a),
        RoomFactory(site=site_a, opening_hours=[(0, datetime.time(9), datetime.time(13))]),
    )
    RoomFactory(site=site_a, is_active=False)  # out of service: not counted
    elsewhere = RoomFactory(site=site_b)
    book(room, at(D(2026, 1, 15), 8), at(D(2026, 1, 15), 19))  # a whole day: 11 h
    book(other, at(D(2026, 1, 12), 9), at(D(2026, 1, 12), 13))  # 4 h
    book(elsewhere, at(D(2026, 1, 15), 8), at(D(2026, 1, 15), 19))

    rooms = rows_by_key(
        [
            row
            for row in room_occupancy(site_ids=[site_a.pk], start=D(2026, 1, 1), end=D(2026, 1, 31), by="month")
            if row.room_id == room.pk
        ]
    )
    assert rooms[D(2026, 1, 1)].hours_open == Decimal(242)  # 22 weekdays in January 2026
    assert rooms[D(2026, 1, 1)].rate == Decimal("0.0455")  # 11 / 242

    [site] = site_occupancy(site_ids=[site_a.pk], start=D(2026, 1, 1), end=D(2026, 1, 31), by="month")
    assert site.room_id is None and site.site_id == site_a.pk
    assert site.hours_open == Decimal(242 + 4 * 4)  # the other room: four Mondays, 4 h each
    assert site.hours_booked == Decimal(15)
    assert site.rate == Decimal("0.0581")  # 15 / 258, not the mean of the rooms' rates


@pytest.mark.django_db
def test_nothing_open_is_no_rate(site_a, site_b, unscoped):
    room = RoomFactory(site=site_a)
    closed = RoomFactory(site=site_a, opening_hours=False)
    saturday, sunday = D(2026, 1, 10), D(2026, 1, 11)
    rows = room_occupancy(site_ids=[site_a.pk], start=saturday, end=sunday, by="week")
    assert {row.room_id: (row.hours_open, row.rate) for row in rows} == {
        room.pk: (Decimal(0), None),
        closed.pk: (Decimal(0), None),
    }
    sites = site_occupancy(site_ids=[site_a.pk, site_b.pk], start=MONDAY, end=SUNDAY, by="week")
    assert {row.site_id: row.rate for row in sites} == {site_a.pk: Decimal(0), site_b.pk: None}  # B has no room


@pytest.mark.django_db
def test_hours_open_across_casablancas_clock_change(site_a, unscoped):
    """Casablanca moves its clock back at 03:00 on the Sunday before Ramadan (15 February
    2026) and forward after it: never while a room is open, so a day stays 11 hours."""
    room = RoomFactory(site=site_a, opening_hours=[(day, datetime.time(8), datetime.time(19)) for day in range(7)])
    [row] = room_occupancy(site_ids=[site_a.pk], start=D(2026, 2, 9), end=D(2026, 2, 22), by="month")
    assert row.hours_open == Decimal(14 * 11)
    assert row.room_id == room.pk


@pytest.mark.django_db
def test_three_queries_whatever_the_bookings(site_a):
    with scopes_disabled():
        rooms = [RoomFactory(site=site_a) for _ in range(3)]
    for batch, count in enumerate((2, 20)):
        with scopes_disabled():
            for index in range(count):
                day = D(2026, 1, 5 + index % 5) + datetime.timedelta(weeks=batch)
                book(rooms[index % 3], at(day, 8 + index // 5), at(day, 9 + index // 5))
        with scope(site=[site_a.pk]), CaptureQueriesContext(connection) as queries:
            occupancy(site_ids=[site_a.pk], start=D(2025, 12, 1), end=D(2026, 5, 31), by="month")
        assert len(queries) == 4  # rooms, opening hours, bookings, the sites' names


# --- The page and its downloads ----------------------------------------------------------------
OCCUPANCY = "/manage/site-a/rooms/occupancy/"


@pytest.mark.django_db
def test_the_page_shows_rooms_and_the_site_total(client_for, site_a, unscoped):
    RoomFactory(site=site_a, name="Salle Atlas")
    RoomFactory(site=site_a, name="Salle fermée", opening_hours=False)
    client = client_for("manager_a")
    client.cookies["django_language"] = "en"
    page = client.get(OCCUPANCY)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Salle Atlas" in text and "All rooms" in text
    assert "Not applicable: nothing to divide" in text  # the closed room's dash
    assert "The last 8 weeks" in text and "The last 6 months" in text
    assert len(page.context["tables"][0]["periods"]) == 8
    assert len(page.context["tables"][1]["periods"]) == 6


@pytest.mark.django_db
def test_the_page_without_rooms(client_for, site_a):
    client = client_for("manager_a")
    client.cookies["django_language"] = "en"
    assert "has no room in service yet" in client.get(OCCUPANCY).content.decode()


@pytest.mark.django_db
def test_read_only_roles_read_it_and_site_b_does_not(client_for, site_a):
    assert client_for("team_a").get(OCCUPANCY).status_code == 200
    assert client_for("manager_b").get(OCCUPANCY).status_code == 404


@pytest.mark.django_db
def test_csv_download(client_for, site_a, unscoped):
    RoomFactory(site=site_a, name="Salle Atlas")
    client = client_for("manager_a")
    client.cookies["django_language"] = "en"
    response = client.get(OCCUPANCY + "?format=csv&by=month")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="occupancy-site-a-month.csv"'
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "Site;Room;Period;From;To;Hours open;Hours booked;Occupancy rate"
    assert len(lines) == 1 + 6 + 6  # the site's six months, then the room's
    assert any(line.split(";")[1] == "Salle Atlas" for line in lines[1:])


@pytest.mark.django_db
def test_xlsx_download(client_for, site_a, unscoped):
    RoomFactory(site=site_a, name="Salle Atlas")
    client = client_for("manager_a")
    client.cookies["django_language"] = "en"
    response = client.get(OCCUPANCY + "?format=xlsx")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Site", "Room", "Period")
    assert len(rows) == 1 + 8 + 8  # by week unless told
    room_row = next(row for row in rows if row[1] == "Salle Atlas")
    assert room_row[5] > 0  # hours open: the room opens every weekday
    assert room_row[6] == 0 and room_row[7] == 0


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["fr", "ar"])
def test_the_page_in_french_and_arabic(client_for, site_a, unscoped, language):
    RoomFactory(site=site_a, name="Salle Atlas")
    client = client_for("manager_a")
    client.cookies["django_language"] = language
    response = client.get(OCCUPANCY)
    assert response.status_code == 200
    assert f'<html lang="{language}"' in response.content.decode()
