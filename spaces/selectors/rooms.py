"""Reads of a site's rooms for its back-office (the scope decides which site's)."""

from django.db.models import Prefetch, QuerySet

from core.multilingual import translated_order

from ..models import OpeningHours, Room, SpacePolicy


def rooms_listed() -> QuerySet[Room]:
    """The scope's rooms, in service first, by floor and name (as the reader sees it), each
    with its opening hours by weekday (`opening_hours` prefetched: one query for them all)."""
    return Room.objects.order_by("-is_active", "floor", translated_order("name"), "pk").prefetch_related(
        Prefetch("opening_hours", queryset=OpeningHours.objects.order_by("weekday"))
    )


def room_opening_hours(*, room: Room) -> list[OpeningHours]:
    """`room`'s opening hours, Monday first."""
    return list(OpeningHours.objects.filter(room=room).order_by("weekday"))


def space_policy(*, site) -> SpacePolicy:
    """`site`'s rooms policy, or (not saved) the defaults it has until someone sets it."""
    return SpacePolicy.objects.filter(site=site).first() or SpacePolicy(site=site)
