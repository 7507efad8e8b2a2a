"""Writes of a site's rooms: a room (created, changed, taken out of service — never deleted:
its bookings keep pointing at it), its weekly opening hours, and the site's rooms policy.

Every write is one transaction with its audit rows (core.audit). What a person can fix on
the page is refused with a ValidationError keyed by the field (`core.forms.add_action_errors`
puts it back on the form); a field the actions do not know is a programming error
(TypeError)."""

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.audit import audit_record, instance_values
from core.models import AuditEntry
from sites.models import Site

from ..models import OpeningHours, Room, RoomKind, SpacePolicy, Weekday

TRANSLATED = ("name", "equipment")
LANGUAGE_COLUMNS = tuple(f"{field}_{language}" for field in TRANSLATED for language in ("fr", "ar", "en"))
PRICES = ("price_hour_mad", "price_half_day_mad", "price_day_mad")
CENT = Decimal("0.01")
ROOM_FIELDS = frozenset(
    {
        *LANGUAGE_COLUMNS,
        "kind",
        "capacity",
        "floor",
        "photo",
        "for_residents",
        "for_members",
        "for_outsiders",
        *PRICES,
        "is_active",
    }
)
# `name="…"` and `equipment="…"` are the French versions (the base column holds French).
ALIASES = {field: f"{field}_fr" for field in TRANSLATED}
MAX_MONTHLY_FREE_HOURS = 744  # every hour of a 31-day month
MAX_FREE_CANCELLATION_HOURS = 720  # 30 days

Hours = tuple[int, datetime.time, datetime.time]


def _fields(fields: dict) -> dict:
    fields = {ALIASES.get(name, name): value for name, value in fields.items()}
    unknown = set(fields) - ROOM_FIELDS
    if unknown:
        raise TypeError(f"not a room field: {', '.join(sorted(unknown))}")
    for name in LANGUAGE_COLUMNS:
        if name in fields:
            # The language columns are nullable (modeltranslation): empty is None, as a form gives it.
            fields[name] = (fields[name] or "").strip() or None
    for name in PRICES:
        # As stored (two places), so that an unchanged price is no change in the audit trail.
        if fields.get(name) is not None:
            fields[name] = Decimal(fields[name]).quantize(CENT)
    return fields


def _room_errors(room: Room) -> dict:
    """What is wrong with `room`, in words, by field."""
    errors = {}
    if not room.name_fr:
        errors["name_fr"] = _("Give the room a name in French.")
    elif Room.objects.filter(site=room.site, name_fr=room.name_fr).exclude(pk=room.pk).exists():
        errors["name_fr"] = _("This site already has a room named “%(name)s”: choose another name.") % {
            "name": room.name_fr
        }
    if room.kind not in RoomKind.values:
        errors["kind"] = _("Choose what kind of room this is.")
    if room.capacity is None or room.capacity < 1:
        errors["capacity"] = _("A room holds at least one person.")
    for name in PRICES:
        price = getattr(room, name)
        if price is None:
            errors[name] = _("Give this price (0 when the room is free).")
        elif Decimal(price) < 0:
            errors[name] = _("A price cannot be negative.")
    return errors


def _save_room(*, actor, room: Room, before: dict) -> Room:
    errors = _room_errors(room)
    if errors:
        raise ValidationError(errors)
    try:
        # The model's own checks (lengths, digits), the constraints said above in words.
        room.full_clean(exclude=["site"], validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        raise ValidationError(error.message_dict) from error
    try:
        with transaction.atomic():
            room.save()
    except IntegrityError as error:  # a concurrent room of the same name
        raise ValidationError(
            {
                "name_fr": _("This site already has a room named “%(name)s”: choose another name.")
                % {"name": room.name_fr}
            }
        ) from error
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE if before else AuditEntry.Action.CREATE,
        instance=room,
        before=before,
    )
    return room


@transaction.atomic
def room_create(*, actor, site: Site, **fields) -> Room:
    """A new room of `site` (in service unless `is_active=False`). Its opening hours are set
    apart (`room_opening_hours_set`): a new room has none, so it cannot be booked yet."""
    room = Room(site=site)
    for name, value in _fields(fields).items():
        setattr(room, name, value)
    return _save_room(actor=actor, room=room, before={})


@transaction.atomic
def room_update(*, actor, room: Room, **fields) -> Room:
    """Change `room`'s fields; `is_active=False` takes it out of service (its bookings stay)."""
    room = Room.objects.select_for_update().get(pk=room.pk)
    before = instance_values(room)
    for name, value in _fields(fields).items():
        setattr(room, name, value)
    return _save_room(actor=actor, room=room, before=before)


def _hours_errors(hours: list[Hours]) -> dict:
    errors, seen = {}, set()
    for weekday, opens_at, closes_at in hours:
        if weekday not in Weekday.values:
            raise ValueError(f"not a weekday: {weekday!r}")
        label = Weekday(weekday).label
        if weekday in seen:
            errors[f"hours_{weekday}"] = _("%(day)s is given twice.") % {"day": label}
        elif opens_at is None or closes_at is None:
            errors[f"hours_{weekday}"] = _("%(day)s: give both the opening and the closing time, or neither.") % {
                "day": label
            }
        elif closes_at <= opens_at:
            errors[f"hours_{weekday}"] = _("%(day)s: the room must close after it opens.") % {"day": label}
        seen.add(weekday)
    return errors


@transaction.atomic
def room_opening_hours_set(*, actor, room: Room, hours: Iterable[Hours]) -> list[OpeningHours]:
    """Replace `room`'s week: (weekday, opens at, closes at) for each day it opens, in
    Casablanca wall-clock time; a day not listed is closed. Each day that changes leaves
    an audit row (created, changed or deleted opening hours). Errors are keyed
    `hours_<weekday>`."""
    hours = sorted(hours, key=lambda day: day[0])
    errors = _hours_errors(hours)
    if errors:
        raise ValidationError(errors)
    room = Room.objects.select_for_update().get(pk=room.pk)  # one week written at a time
    current = {row.weekday: row for row in OpeningHours.objects.filter(room=room)}
    wanted = {weekday: (opens_at, closes_at) for weekday, opens_at, closes_at in hours}
    for weekday, row in current.items():
        if weekday not in wanted:
            audit_record(
                actor=actor, action=AuditEntry.Action.DELETE, instance=row, before=instance_values(row), after={}
            )
            row.delete()
    kept = []
    for weekday, (opens_at, closes_at) in wanted.items():
        row = current.get(weekday)
        if row is None:
            row = OpeningHours.objects.create(
                room=room, site_id=room.site_id, weekday=weekday, opens_at=opens_at, closes_at=closes_at
            )
            audit_record(actor=actor, action=AuditEntry.Action.CREATE, instance=row)
        elif (row.opens_at, row.closes_at) != (opens_at, closes_at):
            before = instance_values(row)
            row.opens_at, row.closes_at = opens_at, closes_at
            row.save(update_fields=["opens_at", "closes_at"])
            audit_record(actor=actor, action=AuditEntry.Action.UPDATE, instance=row, before=before)
        kept.append(row)
    return kept


@transaction.atomic
def space_policy_update(*, actor, site: Site, monthly_free_hours: int, free_cancellation_hours: int) -> SpacePolicy:
    """Set `site`'s rooms policy (created with these values the first time)."""
    errors = {}
    if monthly_free_hours is None or not 0 <= monthly_free_hours <= MAX_MONTHLY_FREE_HOURS:
        errors["monthly_free_hours"] = _("The free hours per month are between 0 and %(max)s.") % {
            "max": MAX_MONTHLY_FREE_HOURS
        }
    if free_cancellation_hours is None or not 0 <= free_cancellation_hours <= MAX_FREE_CANCELLATION_HOURS:
        errors["free_cancellation_hours"] = _(
            "The free cancellation deadline is between 0 and %(max)s hours (30 days) before the start."
        ) % {"max": MAX_FREE_CANCELLATION_HOURS}
    if errors:
        raise ValidationError(errors)
    policy = SpacePolicy.objects.select_for_update().filter(site=site).first()
    if policy is None:
        try:
            with transaction.atomic():
                policy = SpacePolicy.objects.create(
                    site=site, monthly_free_hours=monthly_free_hours, free_cancellation_hours=free_cancellation_hours
                )
        except IntegrityError:  # created meanwhile by a concurrent request: update it
            policy = SpacePolicy.objects.select_for_update().get(site=site)
        else:
            audit_record(actor=actor, action=AuditEntry.Action.CREATE, instance=policy)
            return policy
    before = instance_values(policy)
    policy.monthly_free_hours = monthly_free_hours
    policy.free_cancellation_hours = free_cancellation_hours
    policy.save(update_fields=["monthly_free_hours", "free_cancellation_hours"])
    audit_record(actor=actor, action=AuditEntry.Action.UPDATE, instance=policy, before=before)
    return policy
