"""Booking rooms (issue 20): a startup's booking, an outside organisation's request and its
approval, cancelling. Never two confirmed bookings of one room at the same time: the room's
row is locked before the check (concurrent requests queue, then find the room taken), and on
PostgreSQL an exclusion constraint backs it. A resident's free hours are counted with its
admission's row locked first, so that two bookings of two rooms at once cannot both spend
the last hour (always admission, then room: no deadlock)."""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from core import formatting
from core.audit import AuditEntry, audit_record, instance_values
from core.emails import email_render, email_send_on_commit
from core.errors import Conflict
from core.locking import lock_row
from sites.roles import SiteAction, site_permission
from sites.selectors import site_staff_allowed
from startups.models import Admission, AdmissionKind, StartupMember

from .. import ics
from ..models import Room, RoomBooking, RoomBookingStatus
from ..pricing import ZERO
from ..selectors.bookings import (
    booking_quote,
    clashes,
    local,
    site_policy,
    standing_at,
    within_opening_hours,
)

STEP_MINUTES = 30  # bookings start and end on the hour or the half hour
MAX_DAYS_AHEAD = 180
ACTIVE = (RoomBookingStatus.CONFIRMED, RoomBookingStatus.REQUESTED)


# --- Checks ------------------------------------------------------------------------------
def check_times(room: Room, start: datetime.datetime, end: datetime.datetime, *, now: datetime.datetime) -> None:
    """400s: aware times, in order, on the half hour, ahead, and inside the opening hours."""
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise ValidationError({"start": _("Give the time with its UTC offset, e.g. 2027-01-12T10:00:00+01:00.")})
    if end <= start:
        raise ValidationError({"end": _("The end must come after the start.")})
    for field, moment in (("start", start), ("end", end)):
        if moment.second or moment.microsecond or local(moment).minute % STEP_MINUTES:
            raise ValidationError({field: _("Rooms are booked by the half hour: start and end on :00 or :30.")})
    if start < now:
        raise ValidationError({"start": _("This time is in the past.")})
    if start > now + datetime.timedelta(days=MAX_DAYS_AHEAD):
        raise ValidationError(
            {"start": _("Rooms can be booked at most %(days)d days ahead.") % {"days": MAX_DAYS_AHEAD}}
        )
    if not within_opening_hours(room, start, end):
        raise ValidationError({"start": _("The room is closed at this time: choose a time within its opening hours.")})


def clash_message(booking: RoomBooking) -> str:
    """Names what holds the room, for the manager who places a session or a booking."""
    return _("The room is taken from %(start)s to %(end)s (%(holder)s).") % {
        "start": formatting.format_datetime(booking.starts_at),
        "end": formatting.format_time(booking.ends_at),
        "holder": booking.holder,
    }


def taken_message() -> str:
    return _("This room has just been booked at this time: choose another time or room.")


def _lock_room(room_id: int) -> Room:
    return lock_row(
        Room.objects.all(),
        room_id,
        busy_message=_("This room is being booked right now: please try again in a moment."),
    )


def _insert(booking: RoomBooking) -> RoomBooking:
    try:
        with transaction.atomic():
            booking.save()
    except IntegrityError as error:  # committed meanwhile by a request that did not queue
        raise Conflict(taken_message()) from error
    return booking


# --- Booking -----------------------------------------------------------------------------
@transaction.atomic
def room_booking_create(
    *,
    actor,
    room: Room,
    start: datetime.datetime,
    end: datetime.datetime,
    purpose: str,
    startup=None,
    organisation: str = "",
    now: datetime.datetime | None = None,
) -> RoomBooking:
    """Book `room` for `startup` (whose team `actor` is in: confirmed at once, its free hours
    first), or, without a startup, request it for an outside `organisation` (the site's
    managers approve). 400: bad times, closed, not bookable by this holder; 409: taken."""
    now = now or timezone.now()
    purpose = (purpose or "").strip()
    organisation = (organisation or "").strip()
    if not room.is_active:
        raise ValidationError({"room": _("This room is out of service.")})
    check_times(room, start, end, now=now)
    if not purpose:
        raise ValidationError({"purpose": _("Say in a few words what the room is for.")})
    admission = None
    if startup is not None:
        if not StartupMember.objects.filter(startup=startup, user=actor).exists():
            raise PermissionDenied
        admission = standing_at(startup=startup, site_id=room.site_id, day=local(start).date())
        if admission is None:
            raise ValidationError({"startup": _("Your startup is not admitted at this room's site on that day.")})
        allowed = room.for_residents if admission.kind == AdmissionKind.RESIDENT else room.for_members
        if not allowed:
            raise ValidationError({"room": _("This room is not open to bookings by your startup.")})
        status = RoomBookingStatus.CONFIRMED
    else:
        if not organisation:
            raise ValidationError({"organisation": _("Name the organisation the room is for.")})
        if not room.for_outsiders:
            raise ValidationError({"room": _("This room is not open to outside organisations.")})
        status = RoomBookingStatus.REQUESTED
    # Refused by one query first, so that the losers of a race do not queue for the lock.
    if clashes(room.pk, start, end).exists():
        raise Conflict(_("The room is already booked at this time: choose another time or room."))
    if admission is not None and admission.kind == AdmissionKind.RESIDENT:
        lock_row(
            Admission.objects.all(),
            admission.pk,
            busy_message=_("Your startup is booking another room right now: please try again in a moment."),
        )
    room = _lock_room(room.pk)
    if clashes(room.pk, start, end).exists():
        raise Conflict(taken_message())
    price = booking_quote(room=room, startup=startup, start=start, end=end)
    booking = _insert(
        RoomBooking(
            room=room,
            site_id=room.site_id,
            startup=startup,
            organisation="" if startup is not None else organisation,
            booked_by=actor,
            starts_at=start,
            ends_at=end,
            purpose=purpose,
            status=status,
            allowance_hours=price.allowance_hours,
            charged_hours=price.charged_hours,
            price_mad=price.price_mad,
        )
    )
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, instance=booking)
    if status == RoomBookingStatus.CONFIRMED:
        _notify_booker(booking, "booking_confirmed", with_ics=True)
    else:
        _notify_managers(booking)
        _notify_booker(booking, "booking_requested")
    return booking


def can_cancel(actor, booking: RoomBooking) -> bool:
    if site_permission(actor, booking.site_id, SiteAction.MANAGE):
        return True
    if booking.startup_id:
        return StartupMember.objects.filter(startup_id=booking.startup_id, user=actor).exists()
    return booking.booked_by_id == actor.pk


def cancellation_is_free(booking: RoomBooking, now: datetime.datetime) -> bool:
    """Free until the site's deadline before the start; a request not yet approved always."""
    if booking.status == RoomBookingStatus.REQUESTED:
        return True
    hours = site_policy(booking.site_id).free_cancellation_hours
    return now <= booking.starts_at - datetime.timedelta(hours=hours)


@transaction.atomic
def room_booking_cancel(*, actor, booking: RoomBooking, now: datetime.datetime | None = None) -> RoomBooking:
    """Cancel a booking or a request before it starts: free until the site's deadline (its
    free hours come back), charged after it (they stay spent)."""
    now = now or timezone.now()
    if booking.session_id:
        raise ValidationError(_("A session's room is changed on the session's page."))
    if not can_cancel(actor, booking):
        raise PermissionDenied
    _lock_room(booking.room_id)
    booking = RoomBooking.objects.select_related("room", "startup", "booked_by").get(pk=booking.pk)
    if booking.status not in ACTIVE:
        raise Conflict(_("This booking is already cancelled or was refused."))
    if booking.starts_at <= now:
        raise Conflict(_("This booking has started: it can no longer be cancelled."))
    before = instance_values(booking)
    booking.status = RoomBookingStatus.CANCELLED
    booking.cancelled_at = now
    booking.cancelled_by = actor
    if cancellation_is_free(booking, now):
        booking.allowance_hours = booking.charged_hours = booking.price_mad = ZERO
    else:
        booking.late_cancellation = True
    booking.save()
    audit_record(actor=actor, action=AuditEntry.Action.UPDATE, instance=booking, before=before)
    _notify_booker(booking, "booking_cancelled")
    return booking


@transaction.atomic
def room_booking_decide(*, actor, booking: RoomBooking, approve: bool, reason: str = "") -> RoomBooking:
    """A site manager approves an outside organisation's request (409 when the room was taken
    meanwhile) or refuses it with a reason."""
    if not site_permission(actor, booking.site_id, SiteAction.MANAGE):
        raise PermissionDenied
    _lock_room(booking.room_id)
    booking = RoomBooking.objects.select_related("room", "booked_by").get(pk=booking.pk)
    if booking.status != RoomBookingStatus.REQUESTED:
        raise Conflict(_("This request has already been decided."))
    before = instance_values(booking)
    if approve:
        clash = clashes(booking.room_id, booking.starts_at, booking.ends_at, exclude=booking.pk).first()
        if clash is not None:
            raise Conflict(clash_message(clash))
        booking.status = RoomBookingStatus.CONFIRMED
    else:
        if not reason.strip():
            raise ValidationError({"reason": _("Say why the request is refused: the organisation will read it.")})
        booking.status = RoomBookingStatus.REFUSED
        booking.refusal_reason = reason.strip()[:300]
        booking.allowance_hours = booking.charged_hours = booking.price_mad = ZERO
    booking.decided_by = actor
    try:
        with transaction.atomic():
            booking.save()
    except IntegrityError as error:
        raise Conflict(taken_message()) from error
    audit_record(actor=actor, action=AuditEntry.Action.UPDATE, instance=booking, before=before)
    _notify_booker(booking, "booking_approved" if approve else "booking_refused", with_ics=approve)
    return booking


# --- Emails (through the outbox, each in its reader's language) ---------------------------
def _booking_url(booking: RoomBooking) -> str:
    return settings.PORTAL_URL + reverse("spaces:my_booking", kwargs={"pk": booking.pk})


def _notify_booker(booking: RoomBooking, template: str, *, with_ics: bool = False) -> None:
    user = booking.booked_by
    if user is None or not user.is_active:
        return
    context = {"booking": booking, "user": user, "url": _booking_url(booking)}
    subject, body = email_render(template=f"spaces/email/{template}", context=context, language=user.language)
    attachments = []
    if with_ics:
        with override(user.language):
            attachments.append(("room.ics", ics.calendar([ics.booking_event(booking)]), "text/calendar"))
    email_send_on_commit(to=[user.email], subject=subject, body=body, attachments=attachments)


def _notify_managers(booking: RoomBooking) -> None:
    url = settings.PORTAL_URL + reverse("spaces:manage_bookings", kwargs={"site_slug": booking.room.site.slug})
    for manager in site_staff_allowed(site=booking.room.site, action=SiteAction.MANAGE):
        context = {"booking": booking, "user": manager, "url": url}
        subject, body = email_render(
            template="spaces/email/booking_to_approve", context=context, language=manager.language
        )
        email_send_on_commit(to=[manager.email], subject=subject, body=body)
