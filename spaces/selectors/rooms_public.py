"""Reads behind the pages where startups book rooms and outside organisations ask for one
(issue 20): the rooms a founder's startups may book, a room's week (open, past, taken,
free), what the user's startups booked, and a site's rooms open to outsiders.

Rooms and bookings are site-owned: every read here runs in the request's scope (the sites
the user may see: where their startup applied or was admitted, or works), except
`bookings_of_user`, which also finds what the user asked for as an outside organisation at
any site (a reviewed network-wide read, filtered on the user explicitly)."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from core.local_time import local_moment
from core.multilingual import translated_order
from sites.roles import READ, site_permission
from sites.scoping import network_scope
from startups.models import Admission, AdmissionKind, StartupMember

from ..models import OpeningHours, Room, RoomBooking, RoomBookingStatus, SpacePolicy
from ..pricing import ZERO
from .bookings import DEFAULT_POLICY, busy_ranges, clashes, month_bounds

STEP = datetime.timedelta(minutes=30)


# --- Who may book which rooms -------------------------------------------------------------
def member_admissions(user, *, day: datetime.date, site_id: int | None = None) -> list[Admission]:
    """The admissions running on `day` of the startups whose team `user` is in (at one site
    when `site_id`), a residency before a membership for each startup and site."""
    admissions = (
        Admission.objects.active_on(day)
        .filter(startup__in=StartupMember.objects.filter(user=user).values("startup"))
        .select_related("startup", "site")
        .order_by("site__slug", "startup__brand_name", "startup__legal_name", "-kind", "pk")
    )
    if site_id is not None:
        admissions = admissions.filter(site_id=site_id)
    best: dict[tuple[int, int], Admission] = {}
    for admission in admissions:
        best.setdefault((admission.site_id, admission.startup_id), admission)  # "resident" first
    return list(best.values())


def room_allows(room: Room, admission: Admission) -> bool:
    return room.for_residents if admission.kind == AdmissionKind.RESIDENT else room.for_members


def _room_q(admissions: list[Admission]) -> Q:
    residents = {a.site_id for a in admissions if a.kind == AdmissionKind.RESIDENT}
    members = {a.site_id for a in admissions if a.kind != AdmissionKind.RESIDENT}
    return Q(site__in=residents, for_residents=True) | Q(site__in=members, for_members=True)


def _free_hours(admissions: list[Admission], moment: datetime.datetime) -> dict[tuple[int, int], Decimal]:
    """Each resident startup's free hours left this month at its site: two queries whatever
    the number of startups and sites (`selectors.bookings.free_hours_left`, set-based)."""
    residents = [a for a in admissions if a.kind == AdmissionKind.RESIDENT]
    if not residents:
        return {}
    sites = {a.site_id for a in residents}
    policies = {p.site_id: p for p in SpacePolicy.objects.filter(site__in=sites)}
    first, following = month_bounds(moment)
    bookings = (
        RoomBooking.objects.filter(
            startup__in={a.startup_id for a in residents}, site__in=sites, starts_at__gte=first, starts_at__lt=following
        )
        .filter(Q(status=RoomBookingStatus.CONFIRMED) | Q(status=RoomBookingStatus.CANCELLED, late_cancellation=True))
        .order_by()
        .values("startup", "site")
        .annotate(total=Sum("allowance_hours"))
    )
    used = {(row["startup"], row["site"]): row["total"] for row in bookings}
    left = {}
    for a in residents:
        allowance = Decimal(policies.get(a.site_id, DEFAULT_POLICY).monthly_free_hours)
        left[(a.site_id, a.startup_id)] = max(allowance - (used.get((a.startup_id, a.site_id)) or ZERO), ZERO)
    return left


def rooms_for_member(user, *, now: datetime.datetime) -> list[dict]:
    """The rooms `user`'s startups may book today, by site: [{site, rooms, startups}], each
    startup with its kind of admission and (residents) its free hours left this month. Four
    queries at most, whatever the number of rooms."""
    admissions = member_admissions(user, day=timezone.localtime(now).date())
    if not admissions:
        return []
    rooms = list(
        Room.objects.filter(_room_q(admissions), is_active=True)
        .select_related("site")
        .order_by("site__slug", "floor", translated_order("name"), "pk")
    )
    left = _free_hours(admissions, now)
    groups: dict[int, dict] = {}
    for room in rooms:
        groups.setdefault(room.site_id, {"site": room.site, "rooms": [], "startups": []})["rooms"].append(room)
    for admission in admissions:
        group = groups.get(admission.site_id)
        if group is not None:
            group["startups"].append(
                {
                    "startup": admission.startup,
                    "admission": admission,
                    "free_hours_left": left.get((admission.site_id, admission.startup_id)),
                }
            )
    return list(groups.values())


@dataclass
class RoomAccess:
    room: Room
    admissions: list  # the user's startups that may book it (today)
    is_staff: bool  # reads the site's data: sees who holds the room


def room_access(user, pk: int, *, now: datetime.datetime, request=None) -> RoomAccess | None:
    """The active room `pk` if `user` may see its calendar: a team member of a startup
    admitted at its site that may book it, or the site's staff (and head office); else None."""
    room = Room.objects.select_related("site").filter(pk=pk, is_active=True).first()
    if room is None:
        return None
    admissions = [
        a
        for a in member_admissions(user, day=timezone.localtime(now).date(), site_id=room.site_id)
        if room_allows(room, a)
    ]
    is_staff = site_permission(user, room.site_id, READ, request=request)
    if not admissions and not is_staff:
        return None
    return RoomAccess(room=room, admissions=admissions, is_staff=is_staff)


# --- A room's week ----------------------------------------------------------------------------
def opening_by_weekday(room: Room) -> dict[int, tuple[datetime.time, datetime.time]]:
    return {o.weekday: (o.opens_at, o.closes_at) for o in OpeningHours.objects.filter(room=room)}


def _minutes(time: datetime.time) -> int:
    return time.hour * 60 + time.minute


def _time(minutes: int) -> datetime.time:
    return datetime.time(minutes // 60, minutes % 60)


def half_hours(first: datetime.time, last: datetime.time) -> list[datetime.time]:
    """The half hours from `first` to `last` (both included; `last` may be midnight's eve)."""
    start = -(-_minutes(first) // 30) * 30  # the first half hour at or after `first`
    return [_time(minutes) for minutes in range(start, min(_minutes(last), 23 * 60 + 30) + 1, 30)]


def opening_span(opening: dict) -> tuple[datetime.time, datetime.time] | None:
    """The earliest opening and latest closing of the week, or None (never open)."""
    if not opening:
        return None
    return min(o for o, _c in opening.values()), max(c for _o, c in opening.values())


def _closed(hours, time: datetime.time) -> bool:
    return hours is None or _minutes(time) < _minutes(hours[0]) or _minutes(time) + 30 > _minutes(hours[1])


def room_week(room: Room, days: list[datetime.date], *, now: datetime.datetime, with_holders: bool) -> dict:
    """The half-hour rows of `days` inside the room's opening hours, each cell "closed",
    "past", "busy" (with who holds it when `with_holders`: the site's staff) or "free".
    Two queries (opening hours, then the bookings)."""
    opening = opening_by_weekday(room)
    span = opening_span(opening)
    if span is None:
        return {"rows": [], "days": days, "opening": opening}
    times = [time for time in half_hours(*span) if _minutes(time) + 30 <= _minutes(span[1])]
    first = local_moment(days[0], datetime.time())
    last = local_moment(days[-1] + datetime.timedelta(days=1), datetime.time())
    if with_holders:
        busy = [(b.starts_at, b.ends_at, b.holder) for b in clashes(room.pk, first, last)]
    else:
        busy = [(start, end, "") for start, end in busy_ranges(room, first, last)]
    rows = []
    for time in times:
        cells = []
        for day in days:
            start = local_moment(day, time)
            end = start + STEP
            cell = {"day": day, "time": time, "start": start, "state": "free", "holder": ""}
            if _closed(opening.get(day.weekday()), time):
                cell["state"] = "closed"
            elif start < now:
                cell["state"] = "past"
            else:
                holder = next((h for s, e, h in busy if s < end and e > start), None)
                if holder is not None:
                    cell["state"], cell["holder"] = "busy", holder
            cells.append(cell)
        rows.append({"time": time, "cells": cells})
    return {"rows": rows, "days": days, "opening": opening}


# --- The user's bookings ----------------------------------------------------------------------
BOOKING_RELATED = ("room__site", "startup", "booked_by")


def bookings_of_user(user) -> QuerySet[RoomBooking]:
    """The bookings of the startups whose team `user` is in, and the requests `user` made for
    an outside organisation, at any site. The network-wide scope serves the latter (the
    organisation's sites are none of the user's); both are filtered on `user` explicitly.
    Built inside the scope, evaluated by the caller."""
    teams = StartupMember.objects.filter(user=user).values("startup")
    with network_scope():  # a person's own bookings on every site, filtered on them explicitly
        return RoomBooking.objects.filter(
            Q(startup__in=teams) | Q(startup__isnull=True, session__isnull=True, booked_by=user)
        ).select_related(*BOOKING_RELATED)


def upcoming_and_past(user, *, now: datetime.datetime) -> tuple[QuerySet, QuerySet]:
    bookings = bookings_of_user(user)
    return (
        bookings.filter(ends_at__gt=now).order_by("starts_at", "pk"),
        bookings.filter(ends_at__lte=now).order_by("-starts_at", "-pk"),
    )


# --- A site's rooms for outside organisations ---------------------------------------------------
def rooms_for_outsiders() -> QuerySet[Room]:
    """The active rooms outside organisations may ask for, of the scope's site (the caller
    opens that one site's scope: `sites.scoping.site_scope`)."""
    return Room.objects.filter(is_active=True, for_outsiders=True).order_by("floor", translated_order("name"), "pk")


def site_public_rooms_panel(site) -> dict:
    """The "Rooms to hire" block of `site`'s public page: a link to its rooms for outside
    organisations (no query: the public page keeps its query budget; the list says when
    there is none)."""
    return {"site": site}


def room_with_photo(*, pk: int) -> Room | None:
    """A room in service that has a photo: public (a room's picture says nothing private),
    shown on its cards and page wherever the room is."""
    with network_scope():  # one room by id, any site: only its photo leaves
        return Room.objects.filter(pk=pk, is_active=True).exclude(photo="").only("pk", "photo").first()
