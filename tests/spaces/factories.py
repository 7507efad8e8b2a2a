"""Factories of the spaces app: rooms (open Monday–Friday 08:00–19:00 unless told
otherwise), their opening hours and a site's rooms policy."""

import datetime
from decimal import Decimal

import factory

from spaces.models import OpeningHours, Room, RoomKind, SpacePolicy
from tests.factories import FrenchContentFactory, SiteFactory

WORKING_WEEK = range(5)  # Monday to Friday
OPENS_AT, CLOSES_AT = datetime.time(8), datetime.time(19)


class SpacePolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SpacePolicy
        django_get_or_create = ["site"]

    site = factory.SubFactory(SiteFactory)
    monthly_free_hours = 8
    free_cancellation_hours = 24


class RoomFactory(FrenchContentFactory):
    """A meeting room. `RoomFactory(opening_hours=False)`: no opening hours at all;
    `opening_hours=[(weekday, opens_at, closes_at), …]`: these instead of the working week."""

    class Meta:
        model = Room
        skip_postgeneration_save = True

    site = factory.SubFactory(SiteFactory)
    name = factory.Sequence(lambda n: f"Salle {n}")
    kind = RoomKind.MEETING
    capacity = 10
    floor = 1
    equipment = "Écran, visioconférence"
    price_hour_mad = Decimal("150.00")
    price_half_day_mad = Decimal("500.00")
    price_day_mad = Decimal("900.00")

    @factory.post_generation
    def opening_hours(room, create, extracted, **kwargs):
        if not create or extracted is False:
            return
        week = extracted or [(weekday, OPENS_AT, CLOSES_AT) for weekday in WORKING_WEEK]
        for weekday, opens_at, closes_at in week:
            OpeningHoursFactory(room=room, weekday=weekday, opens_at=opens_at, closes_at=closes_at)


class OpeningHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OpeningHours

    room = factory.SubFactory(RoomFactory, opening_hours=False)
    site = factory.SelfAttribute("room.site")
    weekday = 0
    opens_at = OPENS_AT
    closes_at = CLOSES_AT
