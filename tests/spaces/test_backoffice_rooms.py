"""Site back-office of rooms (issue 20): the actions (rooms, opening hours, the rooms policy:
validated, audited) and the pages under /manage/<site>/rooms/ (who sees and edits which
site's rooms, the forms and their errors)."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from django_scopes import scope, scopes_disabled
from PIL import Image

from core.models import AuditEntry
from sites.models import MembershipRole
from spaces.actions.rooms import room_create, room_opening_hours_set, room_update, space_policy_update
from spaces.models import OpeningHours, Room, SpacePolicy
from tests.factories import SiteMembershipFactory
from tests.spaces.factories import OpeningHoursFactory, RoomFactory, SpacePolicyFactory

ROOMS = "/manage/site-a/rooms/"
T = datetime.time
FIELDS = {
    "name_fr": "Salle Atlas",
    "kind": "meeting",
    "capacity": 12,
    "floor": 2,
    "price_hour_mad": Decimal("150"),
    "price_half_day_mad": Decimal("500"),
    "price_day_mad": Decimal("900"),
}


def _post_data(**overrides) -> dict:
    """A valid room form, in English (the client's language), open Monday–Friday 08:00–19:00."""
    data = {
        "name_fr": "Salle Tafilalet",
        "name_ar": "قاعة تافيلالت",
        "name_en": "Tafilalet room",
        "kind": "training",
        "capacity": "20",
        "floor": "1",
        "equipment_fr": "Projecteur",
        "price_hour_mad": "1,250.50",
        "price_half_day_mad": "4000",
        "price_day_mad": "7000",
        "for_residents": "on",
        "for_members": "on",
        "is_active": "on",
    }
    for day in range(5):
        data[f"hours-opens_{day}"], data[f"hours-closes_{day}"] = "08:00", "19:00"
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def _audits(model, action=None):
    entries = AuditEntry.objects.filter(content_type__model=model._meta.model_name)
    return entries.filter(action=action) if action else entries


@pytest.fixture
def as_manager(client, manager_a):
    client.cookies["django_language"] = "en"
    client.force_login(manager_a)
    return client


# --- Actions ----------------------------------------------------------------------------------
def test_room_create_validates_and_audits(site_a, manager_a):
    with scope(site=site_a):
        room = room_create(actor=manager_a, site=site_a, equipment="Écran", **FIELDS)
    with scopes_disabled():
        room.refresh_from_db()
        assert (room.site, room.name_fr, room.equipment_fr, room.is_active) == (site_a, "Salle Atlas", "Écran", True)
        entry = _audits(Room).get()
    assert (entry.action, entry.actor, entry.site_id) == ("create", manager_a, site_a.pk)
    assert entry.changes["name_fr"] == [None, "Salle Atlas"]
    assert entry.changes["price_hour_mad"] == [None, "150.00"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"price_hour_mad": Decimal("-1")}, "price_hour_mad"),
        ({"price_day_mad": None}, "price_day_mad"),
        ({"capacity": 0}, "capacity"),
        ({"name_fr": "  "}, "name_fr"),
        ({"kind": "garage"}, "kind"),
    ],
)
def test_room_create_refuses_what_is_wrong(site_a, manager_a, overrides, field):
    with scope(site=site_a), pytest.raises(ValidationError) as error:
        room_create(actor=manager_a, site=site_a, **{**FIELDS, **overrides})
    assert field in error.value.message_dict
    with scopes_disabled():
        assert not Room.objects.exists()
        assert not _audits(Room).exists()


def test_room_names_are_unique_per_site_only(site_a, site_b, manager_a, staff):
    with scope(site=site_a):
        room_create(actor=manager_a, site=site_a, **FIELDS)
        with pytest.raises(ValidationError) as error, translation.override("en"):
            room_create(actor=manager_a, site=site_a, **FIELDS)
    assert "already has a room named" in error.value.message_dict["name_fr"][0]
    with scope(site=site_b):
        room_create(actor=staff, site=site_b, **FIELDS)  # another site may use the name


def test_room_create_refuses_unknown_fields(site_a, manager_a):
    with scope(site=site_a), pytest.raises(TypeError):
        room_create(actor=manager_a, site=site_a, site_id=2, **FIELDS)


def test_room_update_audits_the_changes_and_takes_a_room_out_of_service(site_a, manager_a):
    with scopes_disabled():
        room = RoomFactory(site=site_a, name="Salle Atlas")
    with scope(site=site_a):
        room_update(actor=manager_a, room=room, name_ar="قاعة الأطلس", is_active=False)
        room_update(actor=manager_a, room=room, is_active=False)  # nothing changes: no audit row
    with scopes_disabled():
        room.refresh_from_db()
        assert (room.name_fr, room.name_ar, room.is_active) == ("Salle Atlas", "قاعة الأطلس", False)
        entry = _audits(Room, "update").get()
    assert entry.changes == {"name_ar": [None, "قاعة الأطلس"], "is_active": [True, False]}


def test_opening_hours_replace_the_week_with_one_audit_row_per_changed_day(site_a, manager_a):
    with scopes_disabled():
        room = RoomFactory(site=site_a)  # Monday–Friday 08:00–19:00
    week = [(0, T(8), T(19)), (1, T(9), T(18)), (5, T(9), T(13))]  # Wednesday–Friday closed
    with scope(site=site_a):
        room_opening_hours_set(actor=manager_a, room=room, hours=week)
    with scopes_disabled():
        rows = list(OpeningHours.objects.filter(room=room).order_by("weekday"))
        assert [(row.weekday, row.opens_at, row.closes_at, row.site_id) for row in rows] == [
            (day, opens, closes, site_a.pk) for day, opens, closes in week
        ]
        actions = sorted(_audits(OpeningHours).values_list("action", flat=True))
    # Tuesday changed, Saturday opened, Wednesday to Friday closed; Monday untouched.
    assert actions == ["create", "delete", "delete", "delete", "update"]


@pytest.mark.parametrize(
    "week",
    [
        [(2, T(19), T(8))],  # closes before it opens
        [(2, T(9), T(9))],  # closes as it opens
        [(2, T(9), T(12)), (2, T(14), T(18))],  # one day twice
        [(2, None, T(18))],
    ],
)
def test_opening_hours_refuse_a_wrong_day_and_keep_the_week(site_a, manager_a, week):
    with scopes_disabled():
        room = RoomFactory(site=site_a)
    with scope(site=site_a), pytest.raises(ValidationError) as error:
        room_opening_hours_set(actor=manager_a, room=room, hours=week)
    assert list(error.value.message_dict) == ["hours_2"]
    with scopes_disabled():
        assert OpeningHours.objects.filter(room=room).count() == 5
        assert not _audits(OpeningHours).exists()


def test_space_policy_is_created_then_updated_with_audit_rows(site_a, manager_a):
    with scope(site=site_a):
        space_policy_update(actor=manager_a, site=site_a, monthly_free_hours=10, free_cancellation_hours=48)
        policy = space_policy_update(actor=manager_a, site=site_a, monthly_free_hours=12, free_cancellation_hours=48)
    assert (policy.monthly_free_hours, policy.free_cancellation_hours) == (12, 48)
    with scopes_disabled():
        assert SpacePolicy.objects.count() == 1
        entries = list(_audits(SpacePolicy).order_by("pk"))
    assert [entry.action for entry in entries] == ["create", "update"]
    assert entries[1].changes == {"monthly_free_hours": [10, 12]}


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"monthly_free_hours": -1, "free_cancellation_hours": 24}, "monthly_free_hours"),
        ({"monthly_free_hours": 745, "free_cancellation_hours": 24}, "monthly_free_hours"),
        ({"monthly_free_hours": 8, "free_cancellation_hours": 721}, "free_cancellation_hours"),
    ],
)
def test_space_policy_refuses_out_of_range_values(site_a, manager_a, values, field):
    with scopes_disabled():
        SpacePolicyFactory(site=site_a)
    with scope(site=site_a), pytest.raises(ValidationError) as error:
        space_policy_update(actor=manager_a, site=site_a, **values)
    assert list(error.value.message_dict) == [field]


# --- The list -----------------------------------------------------------------------------------
def test_list_shows_this_sites_rooms_with_prices_hours_and_policy(as_manager, site_a, site_b):
    with scopes_disabled():
        RoomFactory(site=site_a, name="Salle Atlas", price_hour_mad=Decimal("1250.50"), floor=3)
        RoomFactory(
            site=site_a,
            name="Studio Rif",
            kind="studio",
            is_active=False,
            opening_hours=[(0, T(8), T(12)), (1, T(8), T(12)), (5, T(9), T(13))],
        )
        RoomFactory(site=site_a, name="Bureau fermé", opening_hours=False)
        RoomFactory(site=site_b, name="Salle Souss")
        SpacePolicyFactory(site=site_a, monthly_free_hours=10, free_cancellation_hours=48)
    page = as_manager.get(ROOMS).content.decode()
    assert "Salle Atlas" in page and "Studio Rif" in page
    assert "Salle Souss" not in page
    assert "1,250.50\xa0MAD" in page
    assert "Monday–Friday <bdi>08:00</bdi>–<bdi>19:00</bdi>" in page
    assert "Monday–Tuesday <bdi>08:00</bdi>–<bdi>12:00</bdi>" in page
    assert "Saturday <bdi>09:00</bdi>–<bdi>13:00</bdi>" in page
    assert "Closed every day" in page
    assert "Out of service" in page
    assert "10 hours" in page and "48 hours before the start" in page
    assert "/manage/site-a/rooms/new/" in page


def test_list_empty_state_and_default_policy(as_manager, site_a):
    page = as_manager.get(ROOMS).content.decode()
    assert "No room recorded at this site yet." in page
    assert "8 hours" in page and "24 hours before the start" in page


def test_read_only_roles_see_the_list_without_the_forms(client, site_a):
    with scopes_disabled():
        RoomFactory(site=site_a, name="Salle Atlas")
        team = SiteMembershipFactory(site=site_a, role=MembershipRole.TEAM).user
    client.force_login(team)
    page = client.get(ROOMS).content.decode()
    assert "Salle Atlas" in page
    assert "/rooms/new/" not in page and "/edit/" not in page and "/rooms/policy/" not in page
    assert client.get(ROOMS + "new/").status_code == 403
    assert client.get(ROOMS + "policy/").status_code == 403


def test_manage_home_links_to_the_rooms(as_manager, site_a):
    assert ROOMS in as_manager.get("/manage/site-a/").content.decode()


# --- Creating and editing -----------------------------------------------------------------------
def test_create_a_room_with_its_week(as_manager, site_a, manager_a):
    page = as_manager.get(ROOMS + "new/").content.decode()
    assert 'name="name_ar"' in page and 'dir="rtl"' in page  # one tab per language
    assert 'name="hours-opens_0" value="08:00"' in page  # a new room: the working week offered
    data = _post_data(equipment_fr="", **{"hours-opens_5": "09:00", "hours-closes_5": "13:00"})
    response = as_manager.post(ROOMS + "new/", data)
    assert response.status_code == 302 and response.url == ROOMS
    with scopes_disabled():
        room = Room.objects.get(site=site_a)
        assert (room.name_fr, room.name_ar, room.name_en) == ("Salle Tafilalet", "قاعة تافيلالت", "Tafilalet room")
        assert room.price_hour_mad == Decimal("1250.50")
        assert (room.kind, room.capacity, room.for_outsiders, room.equipment) == ("training", 20, False, "")
        assert list(room.opening_hours.order_by("weekday").values_list("weekday", flat=True)) == [0, 1, 2, 3, 4, 5]
        assert _audits(Room, "create").get().actor == manager_a
        assert _audits(OpeningHours, "create").count() == 6


def test_saving_an_unchanged_room_writes_no_audit_row(as_manager, site_a):
    with scopes_disabled():
        room = RoomFactory(site=site_a, name="Salle Atlas", price_hour_mad=Decimal("150.00"))
    data = _post_data(name_fr="Salle Atlas", name_ar="", name_en="", equipment_fr=room.equipment_fr)
    data.update(kind="meeting", capacity="10", price_hour_mad="150", price_half_day_mad="500", price_day_mad="900")
    assert as_manager.post(f"{ROOMS}{room.pk}/edit/", data).status_code == 302
    with scopes_disabled():
        assert not _audits(Room).exists()
        assert not _audits(OpeningHours).exists()  # the working week, as it was


def test_edit_a_room_changes_its_fields_and_week(as_manager, site_a):
    with scopes_disabled():
        room = RoomFactory(site=site_a, name="Salle Atlas")
    url = f"{ROOMS}{room.pk}/edit/"
    page = as_manager.get(url).content.decode()
    assert 'value="Salle Atlas"' in page and 'name="hours-closes_4" type="time"' not in page
    data = _post_data(name_fr="Salle Atlas", is_active=None, **{"hours-opens_4": "", "hours-closes_4": ""})
    assert as_manager.post(url, data).status_code == 302
    with scopes_disabled():
        room.refresh_from_db()
        assert room.is_active is False and room.name_en == "Tafilalet room"
        assert sorted(room.opening_hours.values_list("weekday", flat=True)) == [0, 1, 2, 3]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"price_hour_mad": "-5"}, "A price cannot be negative."),
        ({"capacity": "0"}, "A room holds at least one person."),
        ({"name_fr": ""}, "Give the room a name in French."),
        ({"hours-opens_2": "19:00", "hours-closes_2": "08:00"}, "Wednesday: the room must close after it opens."),
        ({"hours-closes_3": ""}, "Thursday: give both the opening and the closing time, or neither."),
    ],
)
def test_form_errors_rerender_and_save_nothing(as_manager, site_a, overrides, message):
    response = as_manager.post(ROOMS + "new/", _post_data(**overrides))
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page and "Please correct the errors below." in page
    with scopes_disabled():
        assert not Room.objects.exists()
        assert not _audits(Room).exists() and not _audits(OpeningHours).exists()


def test_a_duplicate_name_comes_back_on_the_form(as_manager, site_a):
    with scopes_disabled():
        RoomFactory(site=site_a, name="Salle Tafilalet")
    response = as_manager.post(ROOMS + "new/", _post_data())
    assert response.status_code == 200
    assert "This site already has a room named “Salle Tafilalet”" in response.content.decode()
    with scopes_disabled():
        assert Room.objects.count() == 1 and not OpeningHours.objects.filter(room__name_fr="").exists()


def _png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), (11, 85, 99)).save(buffer, format="PNG")
    return SimpleUploadedFile("room.png", buffer.getvalue(), content_type="image/png")


def test_photo_upload_is_checked(as_manager, site_a):
    photo = _png()
    assert as_manager.post(ROOMS + "new/", {**_post_data(), "photo": photo}).status_code == 302
    with scopes_disabled():
        room = Room.objects.get()
        assert room.photo.name.startswith("rooms/")
    fake = SimpleUploadedFile("room.png", b"not an image", content_type="image/png")
    response = as_manager.post(f"{ROOMS}{room.pk}/edit/", {**_post_data(), "photo": fake})
    assert response.status_code == 200
    assert "Upload a valid image." in response.content.decode()
    assert as_manager.post(f"{ROOMS}{room.pk}/edit/", {**_post_data(), "remove_photo": "on"}).status_code == 302
    with scopes_disabled():
        room.refresh_from_db()
        assert not room.photo


# --- Who gets in ----------------------------------------------------------------------------------
def test_another_sites_room_is_not_found(as_manager, site_a, site_b):
    with scopes_disabled():
        room_b = RoomFactory(site=site_b, name="Salle Souss")
    assert as_manager.get(f"{ROOMS}{room_b.pk}/edit/").status_code == 404
    assert as_manager.post(f"{ROOMS}{room_b.pk}/edit/", _post_data()).status_code == 404
    with scopes_disabled():
        room_b.refresh_from_db()
        assert room_b.name_fr == "Salle Souss"


@pytest.mark.parametrize(("persona", "status"), [("manager_b", 404), ("founder_a", 404), ("staff", 200)])
def test_only_site_a_staff_and_head_office_open_site_a_rooms(client_for, site_a, persona, status):
    with scopes_disabled():
        room = RoomFactory(site=site_a)
    client = client_for(persona)
    for url in (ROOMS, ROOMS + "new/", f"{ROOMS}{room.pk}/edit/", ROOMS + "policy/"):
        assert client.get(url).status_code == status, url
    if status == 404:
        assert client.post(f"{ROOMS}{room.pk}/edit/", _post_data()).status_code == 404


def test_head_office_edits_any_sites_room(client_for, site_b, staff):
    with scopes_disabled():
        room = RoomFactory(site=site_b, name="Salle Souss")
    client = client_for("staff")
    client.cookies["django_language"] = "en"
    assert client.post(f"/manage/site-b/rooms/{room.pk}/edit/", _post_data(name_fr="Salle Souss")).status_code == 302
    with scopes_disabled():
        assert _audits(Room, "update").get().actor == staff


# --- The rooms policy ---------------------------------------------------------------------------
def test_policy_form_saves_and_refuses_out_of_range(as_manager, site_a, manager_a):
    page = as_manager.get(ROOMS + "policy/").content.decode()
    assert 'value="8"' in page and 'value="24"' in page
    response = as_manager.post(ROOMS + "policy/", {"monthly_free_hours": "800", "free_cancellation_hours": "24"})
    assert response.status_code == 200
    assert "The free hours per month are between 0 and 744." in response.content.decode()
    response = as_manager.post(ROOMS + "policy/", {"monthly_free_hours": "12", "free_cancellation_hours": "48"})
    assert response.status_code == 302 and response.url == ROOMS
    with scopes_disabled():
        policy = SpacePolicy.objects.get(site=site_a)
        assert (policy.monthly_free_hours, policy.free_cancellation_hours) == (12, 48)
        assert _audits(SpacePolicy, "create").get().actor == manager_a


def test_opening_hours_factory_follows_its_room(site_a):
    with scopes_disabled():
        row = OpeningHoursFactory(room__site=site_a, weekday=6)
        assert row.site == site_a and row.room.opening_hours.count() == 1


# --- The admin ----------------------------------------------------------------------------------
def test_admin_adds_a_room_with_its_opening_hours_at_its_site(client, site_a, staff):
    client.force_login(staff)
    data = {
        "site": site_a.pk,
        "name_fr": "Auditorium",
        "kind": "auditorium",
        "capacity": "120",
        "floor": "0",
        "price_hour_mad": "800",
        "price_half_day_mad": "2500",
        "price_day_mad": "4500",
        "is_active": "on",
        "opening_hours-TOTAL_FORMS": "1",
        "opening_hours-INITIAL_FORMS": "0",
        "opening_hours-0-weekday": "2",
        "opening_hours-0-opens_at": "09:00",
        "opening_hours-0-closes_at": "18:00",
    }
    assert client.get("/admin/spaces/room/add/").status_code == 200
    assert client.post("/admin/spaces/room/add/", data).status_code == 302
    with scopes_disabled():
        room = Room.objects.get(name_fr="Auditorium")
        assert [(row.weekday, row.site_id) for row in room.opening_hours.all()] == [(2, site_a.pk)]
        assert _audits(Room, "create").exists()
    assert client.get(f"/admin/spaces/room/{room.pk}/change/").status_code == 200


def test_pages_in_arabic(client, site_a, manager_a):
    with scopes_disabled():
        room = RoomFactory(site=site_a, name="Salle Atlas", name_ar="قاعة الأطلس")
    client.cookies["django_language"] = "ar"
    client.force_login(manager_a)
    page = client.get(ROOMS).content.decode()
    assert 'dir="rtl"' in page and "<bdi>قاعة الأطلس</bdi>" in page
    assert "<bdi>08:00</bdi>–<bdi>19:00</bdi>" in page
    for url in (ROOMS + "new/", f"{ROOMS}{room.pk}/edit/", ROOMS + "policy/"):
        assert client.get(url).status_code == 200, url
