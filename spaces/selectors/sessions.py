"""What a service session's form reads of the rooms (services.extensions.SessionPlaces)."""

from django.utils.translation import gettext as _

from ..models import Room, RoomBooking, RoomBookingStatus


def session_room_choices(site_id: int) -> list[tuple[int, str]]:
    """The rooms in service of the site, for a session's form."""
    rooms = Room.objects.filter(site_id=site_id, is_active=True).order_by("floor", "name")
    return [
        (room.pk, _("%(room)s (%(capacity)d seats)") % {"room": room.name, "capacity": room.capacity}) for room in rooms
    ]


def session_room(session) -> int | None:
    """The room the session holds, or None."""
    return (
        RoomBooking.objects.filter(session=session, status=RoomBookingStatus.CONFIRMED)
        .values_list("room_id", flat=True)
        .first()
    )
