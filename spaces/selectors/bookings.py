"""Reads behind room bookings: opening hours, who may book, what is taken, what is left of
a resident's free hours, and what a booking would cost (issue 20)."""

import datetime
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils import timezone

from sites.scoping import managed_sites, network_scope, visible_site_ids
from startups.models import Admission, AdmissionKind, StartupMember
from startups.selectors.visibility import startups_of_member

from ..models import OpeningHours, Room, RoomBooking, RoomBookingStatus, SpacePolicy
from ..pricing import ZERO, Price, booking_price

DEFAULT_POLICY = SpacePolicy(monthly_free_hours=8, free_cancellation_hours=24)


def local(moment: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(moment)


def hours_between(start: datetime.datetime, end: datetime.datetime) -> Decimal:
    return Decimal(int((end - start).total_seconds())) / 3600


def site_policy(site_id: int) -> SpacePolicy:
    """The site's rules for its rooms (the defaults until its managers set them)."""
    return SpacePolicy.objects.filter(site_id=site_id).first() or DEFAULT_POLICY


def within_opening_hours(room: Room, start: datetime.datetime, end: datetime.datetime) -> bool:
    """Whether [start, end) falls inside one of the room's opening windows (Casablanca time)."""
    first, last = local(start), local(end)
    if first.date() != last.date() and last.time() != datetime.time(0):
        return False
    return OpeningHours.objects.filter(
        room=room, weekday=first.weekday(), opens_at__lte=first.time(), closes_at__gte=last.time()
    ).exists()


def standing_at(*, startup, site_id: int, day: datetime.date) -> Admission | None:
    """The startup's admission running at the site on `day` (a residency before a
    membership), or None."""
    admissions = Admission.objects.filter(startup=startup, site_id=site_id).active_on(day)
    return admissions.order_by("-kind").first()  # "resident" sorts after "e-technopark"


def clashes(room_id: int, start: datetime.datetime, end: datetime.datetime, *, exclude: int | None = None):
    """The confirmed bookings of the room (a session's included) that overlap [start, end)."""
    bookings = RoomBooking.objects.confirmed().overlapping(start, end).filter(room_id=room_id)
    if exclude is not None:
        bookings = bookings.exclude(pk=exclude)
    return bookings.select_related("startup", "session__service").order_by("starts_at")


def month_bounds(moment: datetime.datetime) -> tuple[datetime.datetime, datetime.datetime]:
    """The Casablanca calendar month around `moment`, as aware datetimes [first, next first)."""
    here = local(moment)
    first = here.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    # zoneinfo offsets follow the wall clock, so a replaced local datetime stays right.
    return first, (first + datetime.timedelta(days=32)).replace(day=1)


def free_hours_used(*, startup, site_id: int, moment: datetime.datetime) -> Decimal:
    """The free hours the startup has used at the site in the month of `moment`: its confirmed
    bookings and those cancelled too late."""
    first, following = month_bounds(moment)
    used = (
        RoomBooking.objects.filter(startup=startup, site_id=site_id, starts_at__gte=first, starts_at__lt=following)
        .filter(Q(status=RoomBookingStatus.CONFIRMED) | Q(status=RoomBookingStatus.CANCELLED, late_cancellation=True))
        .aggregate(total=Sum("allowance_hours"))["total"]
    )
    return used or ZERO


def free_hours_left(*, startup, site_id: int, moment: datetime.datetime, admission: Admission | None) -> Decimal:
    """A resident's free hours left in the month of `moment` (members and outsiders have none)."""
    if admission is None or admission.kind != AdmissionKind.RESIDENT:
        return ZERO
    allowance = Decimal(site_policy(site_id).monthly_free_hours)
    return max(allowance - free_hours_used(startup=startup, site_id=site_id, moment=moment), ZERO)


def booking_quote(*, room: Room, startup, start: datetime.datetime, end: datetime.datetime) -> Price:
    """What booking the room from `start` to `end` would cost the startup (None: an outside
    organisation, which pays the rate)."""
    admission = None
    if startup is not None:
        admission = standing_at(startup=startup, site_id=room.site_id, day=local(start).date())
    left = free_hours_left(startup=startup, site_id=room.site_id, moment=start, admission=admission)
    return booking_price(room, hours=hours_between(start, end), free_hours_left=left)


def busy_ranges(room: Room, start: datetime.datetime, end: datetime.datetime) -> list[tuple]:
    """The room's confirmed bookings between `start` and `end`, as (start, end) pairs."""
    return list(
        RoomBooking.objects.confirmed()
        .overlapping(start, end)
        .filter(room=room)
        .order_by("starts_at")
        .values_list("starts_at", "ends_at")
    )


# --- Who sees which rooms and bookings (the flat API) -------------------------------------
PARTIES = ("room", "site", "startup", "session__service", "booked_by")


def bookings_visible_to(user):
    """The room bookings of `user`'s startups, those they asked for (an outside organisation,
    at a site that is none of theirs), and all those of the sites where they work (every site
    for head office). The condition names the user explicitly, so it is read network-wide:
    the request's scope would hide an organisation's requests. Built here, evaluated later."""
    if not user.is_authenticated:
        return RoomBooking.objects.none()
    condition = Q(startup__in=startups_of_member(user).values("pk")) | Q(booked_by=user)
    if user.is_active and user.is_head_office:
        condition |= Q(site__isnull=False)
    else:
        condition |= Q(site__in=managed_sites(user).values("pk"))
    with network_scope():  # filtered on the user explicitly (tests/sites/test_wide_scopes.py)
        return RoomBooking.objects.filter(condition).select_related(*PARTIES)


def rooms_visible_to(user):
    """The rooms in service of the sites `user` may see (where their startup applied or is
    admitted, where they work; every site for head office), and every site's rooms open to
    outside organisations (public, as the sites' pages show them)."""
    site_ids = visible_site_ids(user)
    with network_scope():  # the caller's sites, named explicitly, and the public rooms
        rooms = Room.objects.filter(is_active=True).select_related("site__space_policy")
        if site_ids is None:
            return rooms
        return rooms.filter(Q(site_id__in=site_ids) | Q(for_outsiders=True))


def calendar_bookings(user, since: datetime.datetime):
    """The confirmed room bookings of `user`'s startups and those they asked for, from
    `since`: the personal calendar feed's (read inside `network_scope()`). One query."""
    teams = StartupMember.objects.filter(user=user).values("startup")
    return (
        RoomBooking.objects.confirmed()
        .filter(starts_at__gte=since)
        .filter(Q(startup__in=teams) | Q(booked_by=user, startup__isnull=True))
        .select_related("room__site")
        .order_by("starts_at", "pk")
    )


# --- A person's data (spaces/privacy.py) -------------------------------------------------
def bookings_made_by(user):
    """Every room booking `user` made or asked for, at any site (read in network_scope)."""
    return RoomBooking.objects.filter(booked_by=user).select_related("room", "site", "startup").order_by("starts_at")


def requests_pending_of(user, *, now: datetime.datetime):
    """The outside organisations' bookings and requests `user` made that have not started."""
    return RoomBooking.objects.filter(
        booked_by=user,
        startup__isnull=True,
        session__isnull=True,
        status__in=("requested", "confirmed"),
        starts_at__gt=now,
    ).select_related("room", "site")
