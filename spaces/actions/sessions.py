"""A service session held in one of its site's rooms holds it like a booking (issue 20): the
services app asks through services.extensions.SessionPlaces, registered in spaces/apps.py."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.audit import AuditEntry, audit_record, instance_values
from core.errors import Conflict

from ..models import Room, RoomBooking, RoomBookingStatus
from ..selectors.bookings import clashes
from .bookings import _lock_room, clash_message

LANGUAGES = ("fr", "ar", "en")


@transaction.atomic
def session_room_hold(*, actor, session, place_id: int | None) -> None:
    """Hold `place_id` (a room of the session's site) for the session's times, or release the
    room it holds (None). The session's place then reads the room's name, in each language.
    A room taken by a booking or another session is a Conflict naming it."""
    held = RoomBooking.objects.filter(session=session).first()
    if place_id is None:
        if held is not None and held.status == RoomBookingStatus.CONFIRMED:
            _release(actor, held)
        return
    room = Room.objects.filter(pk=place_id, site_id=session.site_id, is_active=True).first()
    if room is None:
        raise ValidationError({"place": _("Choose one of this site's rooms in service.")})
    room = _lock_room(room.pk)
    clash = clashes(room.pk, session.starts_at, session.ends_at, exclude=held.pk if held else None).first()
    if clash is not None:
        raise Conflict(clash_message(clash))
    before = instance_values(held) if held is not None else None
    booking = held or RoomBooking(session=session, site_id=session.site_id)
    booking.room = room
    booking.starts_at, booking.ends_at = session.starts_at, session.ends_at
    booking.purpose = str(session.service.title)[:200]
    booking.status = RoomBookingStatus.CONFIRMED
    booking.booked_by = booking.booked_by or actor
    try:
        with transaction.atomic():
            booking.save()
    except IntegrityError as error:  # taken meanwhile by a request that did not queue
        raise Conflict(_("This room has just been booked at this time: choose another time or room.")) from error
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE if before is None else AuditEntry.Action.UPDATE,
        instance=booking,
        before=before,
    )
    names = {f"location_{code}": getattr(room, f"name_{code}") or room.name_fr for code in LANGUAGES}
    if any(getattr(session, field) != value for field, value in names.items()):
        type(session).objects.filter(pk=session.pk).update(**names)
        for field, value in names.items():
            setattr(session, field, value)


@transaction.atomic
def session_room_release(*, actor, session) -> None:
    """Free the room of a cancelled session."""
    held = RoomBooking.objects.filter(session=session, status=RoomBookingStatus.CONFIRMED).first()
    if held is not None:
        _release(actor, held)


def _release(actor, booking: RoomBooking) -> None:
    before = instance_values(booking)
    booking.status = RoomBookingStatus.CANCELLED
    booking.cancelled_by = actor
    booking.save(update_fields=["status", "cancelled_by"])
    audit_record(actor=actor, action=AuditEntry.Action.UPDATE, instance=booking, before=before)
