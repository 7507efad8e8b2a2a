"""REST API of rooms (issue 20): the rooms a caller may see, a room's busy times, booking
and cancelling. Rooms and bookings are site-owned: the flat `/api/v1/…` routes run in the
caller's scope (sites.middleware), and bookings add the caller's own rule on top
(`selectors.bookings.bookings_visible_to`). Writes go through `spaces.actions`: a taken
room is a 409, a time outside the opening hours or in the past a 400."""

import datetime

from django.core.exceptions import ObjectDoesNotExist
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django_filters.rest_framework import FilterSet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import error_responses
from core.filters import Param
from core.local_time import LOCAL
from core.serializers import (
    AwareDateTimeField,
    IdField,
    LocalDateTimeField,
    WallClockTimeField,
    id_parameter,
    read_only_choice,
    validated,
)
from sites.scoping import site_scope
from startups.selectors.visibility import startups_of_member

from .actions.bookings import room_booking_cancel, room_booking_create
from .models import Room, RoomBooking, RoomBookingStatus, RoomKind
from .selectors.bookings import DEFAULT_POLICY, bookings_visible_to, busy_ranges, rooms_visible_to

MAX_AVAILABILITY_DAYS = 31
MAX_AVAILABILITY_DISTANCE_DAYS = 366


class RoomSerializer(serializers.ModelSerializer):
    site = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    kind = read_only_choice(RoomKind.choices)
    monthly_free_hours = serializers.SerializerMethodField(
        help_text="Room hours a residency at this site includes each month, used before any charge."
    )

    class Meta:
        model = Room
        fields = [
            "id",
            "site",
            "name",
            "kind",
            "capacity",
            "floor",
            "equipment",
            "for_residents",
            "for_members",
            "for_outsiders",
            "price_hour_mad",
            "price_half_day_mad",
            "price_day_mad",
            "monthly_free_hours",
        ]
        read_only_fields = fields

    def get_monthly_free_hours(self, room) -> int:
        try:
            return room.site.space_policy.monthly_free_hours  # joined by rooms_visible_to
        except ObjectDoesNotExist:  # the site has kept the defaults
            return DEFAULT_POLICY.monthly_free_hours


class RoomFilterSet(FilterSet):
    site = Param(serializers.SlugField(max_length=50, help_text="A site's slug."), field_name="site__slug")
    kind = Param(serializers.ChoiceField(choices=RoomKind.choices))


@extend_schema(tags=["rooms"], responses={200: RoomSerializer, **error_responses(400, 401)})
class RoomList(generics.ListAPIView):
    """The rooms in service of the sites you may see (where your startup is admitted or has
    applied, where you work; every site for head office), with their prices in MAD
    excluding tax and the free hours a residency includes."""

    serializer_class = RoomSerializer
    filterset_class = RoomFilterSet

    def get_queryset(self):
        return rooms_visible_to(self.request.user).order_by("site__slug", "floor", "name", "pk")


def _availability_days(params) -> tuple[datetime.date, datetime.date]:
    """`from` and `to` (days of the Moroccan calendar): a 400 for junk, an inverted or a too
    long range, or days more than a year away (nothing is booked there: rooms are booked
    at most 180 days ahead, and the calendar's far past has no offset of today's kind)."""
    days = {}
    for name in ("from", "to"):
        if name in params:
            try:
                days[name] = serializers.DateField().run_validation(params[name])
            except serializers.ValidationError as error:
                raise exceptions.ValidationError({name: error.detail}) from error
    first = days.get("from") or timezone.localdate()
    last = days.get("to") or first + datetime.timedelta(days=6)
    today = timezone.localdate()
    for name, day in (("from", first), ("to", last)):
        if abs((day - today).days) > MAX_AVAILABILITY_DISTANCE_DAYS:
            raise exceptions.ValidationError({name: [_("Give a day within a year of today.")]})
    if last < first:
        raise exceptions.ValidationError({"to": [_("The last day must not come before the first.")]})
    if (last - first).days >= MAX_AVAILABILITY_DAYS:
        raise exceptions.ValidationError(
            {"to": [_("Ask for at most %(days)d days at once.") % {"days": MAX_AVAILABILITY_DAYS}]}
        )
    return first, last


DAY_PARAMETERS = [
    OpenApiParameter(
        "from", datetime.date, description="First day (Moroccan calendar, within a year of today), default today."
    ),
    OpenApiParameter("to", datetime.date, description="Last day included (at most 31 days), default 6 days later."),
]


class BusyRangeSerializer(serializers.Serializer):
    start = LocalDateTimeField()
    end = LocalDateTimeField()


class OpeningSerializer(serializers.Serializer):
    weekday = serializers.IntegerField(read_only=True, help_text="0 = Monday … 6 = Sunday.")
    opens_at = WallClockTimeField(help_text="Moroccan wall-clock time.")
    closes_at = WallClockTimeField()


class AvailabilitySerializer(serializers.Serializer):
    room = serializers.IntegerField(read_only=True)
    start = LocalDateTimeField(help_text="The first day's midnight, Moroccan time.")
    end = LocalDateTimeField(help_text="The midnight after the last day.")
    opening_hours = OpeningSerializer(many=True, read_only=True)
    busy = BusyRangeSerializer(
        many=True, read_only=True, help_text="Times the room is taken (who holds it is not said)."
    )


def _room_or_404(user, pk: int) -> Room:
    room = rooms_visible_to(user).filter(pk=pk).first()
    if room is None:
        raise exceptions.NotFound()
    return room


@extend_schema(
    tags=["rooms"],
    parameters=[id_parameter("A room"), *DAY_PARAMETERS],
    responses={200: AvailabilitySerializer, **error_responses(400, 401, 404)},
)
class RoomAvailability(APIView):
    """When a room is taken between two days (at most 31), with its opening hours. The
    `from` and `to` parameters are days of the Moroccan calendar (`2027-01-12`)."""

    def get(self, request, pk: int):
        room = _room_or_404(request.user, pk)
        first, last = _availability_days(request.query_params)
        start = datetime.datetime.combine(first, datetime.time(0), tzinfo=LOCAL)
        end = datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time(0), tzinfo=LOCAL)
        with site_scope(room.site):  # a public room of another site: read in its site's scope
            data = {
                "room": room.pk,
                "start": start,
                "end": end,
                "opening_hours": list(room.opening_hours.order_by("weekday")),
                "busy": [{"start": taken, "end": free} for taken, free in busy_ranges(room, start, end)],
            }
        return Response(AvailabilitySerializer(data).data)


class RoomBookingSerializer(serializers.ModelSerializer):
    site = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    room_name = serializers.CharField(source="room.name", read_only=True)
    startup_name = serializers.CharField(source="startup.name", read_only=True, allow_null=True, default=None)
    start = LocalDateTimeField(source="starts_at", help_text="Moroccan local time with its UTC offset.")
    end = LocalDateTimeField(source="ends_at", help_text="Moroccan local time with its UTC offset.")
    status = read_only_choice(RoomBookingStatus.choices)
    cancelled_at = LocalDateTimeField(allow_null=True)
    created_at = LocalDateTimeField(help_text="When it was booked.")

    class Meta:
        model = RoomBooking
        fields = [
            "id",
            "room",
            "room_name",
            "site",
            "startup",
            "startup_name",
            "organisation",
            "session",
            "start",
            "end",
            "purpose",
            "status",
            "allowance_hours",
            "charged_hours",
            "price_mad",
            "late_cancellation",
            "cancelled_at",
            "created_at",
        ]
        read_only_fields = fields


class RoomBookingCreateSerializer(serializers.Serializer):
    room = IdField(help_text="A room you may see (`GET /api/v1/rooms/`).")
    start = AwareDateTimeField(help_text="On the hour or the half hour, with its UTC offset.")
    end = AwareDateTimeField(help_text="On the hour or the half hour, within the same opening hours.")
    purpose = serializers.CharField(max_length=200, help_text="What the room is for, in a few words.")
    startup = IdField(required=False, help_text="Which of your startups books (needed when you have several).")
    organisation = serializers.CharField(
        required=False,
        max_length=200,
        help_text="For an outside organisation without a startup: its name (the site approves the request).",
    )


class RoomBookingFilterSet(FilterSet):
    site = Param(serializers.SlugField(max_length=50), field_name="site__slug")
    room = Param(IdField())
    startup = Param(IdField())
    status = Param(serializers.ChoiceField(choices=RoomBookingStatus.choices))


def _booking_startup(user, startup_id: int | None):
    """The startup the booking is for: the one named among the caller's (else 403), the
    caller's only one, or None for an outside organisation's request."""
    startups = list(startups_of_member(user).order_by("pk")[:20])
    if startup_id is None:
        if len(startups) > 1:
            raise exceptions.ValidationError({"startup": [_("Choose which of your startups books the room.")]})
        return startups[0] if startups else None
    for startup in startups:
        if startup.pk == startup_id:
            return startup
    raise exceptions.PermissionDenied(_("This startup is not one of yours."))


class RoomBookingList(generics.ListAPIView):
    serializer_class = RoomBookingSerializer
    filterset_class = RoomBookingFilterSet

    def get_queryset(self):
        return bookings_visible_to(self.request.user).order_by("-starts_at", "-pk")

    @extend_schema(tags=["room-bookings"], responses={200: RoomBookingSerializer, **error_responses(400, 401)})
    def get(self, request, *args, **kwargs):
        """The room bookings of your startups, your requests as an outside organisation, and
        for site staff those of their sites (every site for head office), the latest first."""
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=["room-bookings"],
        request=RoomBookingCreateSerializer,
        # 400: invalid input, a time without its UTC offset, in the past, off the half hour or
        # outside the opening hours, a room not open to you; 403: a startup not yours;
        # 404: a room you may not see; 409: the room is taken at that time (or being booked).
        responses={201: RoomBookingSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    def post(self, request, *args, **kwargs):
        """Book a room for your startup (confirmed at once: its free hours first, then the
        room's cheapest rate), or request it for an outside organisation (`organisation`,
        approved by the site). The answer gives the price in MAD excluding tax."""
        data = validated(RoomBookingCreateSerializer, request.data)
        room = _room_or_404(request.user, data["room"])
        startup = _booking_startup(request.user, data.get("startup"))
        with site_scope(room.site):  # the booking concerns the room's site alone
            booking = room_booking_create(
                actor=request.user,
                room=room,
                start=data["start"],
                end=data["end"],
                purpose=data["purpose"],
                startup=startup,
                organisation=data.get("organisation", "") if startup is None else "",
            )
        return Response(RoomBookingSerializer(booking).data, status=status.HTTP_201_CREATED)


def _booking_or_404(user, pk: int) -> RoomBooking:
    booking = bookings_visible_to(user).filter(pk=pk).first()
    if booking is None:
        raise exceptions.NotFound()
    return booking


@extend_schema(
    tags=["room-bookings"],
    parameters=[id_parameter("A room booking")],
    responses={200: RoomBookingSerializer, **error_responses(401, 404)},
)
class RoomBookingDetail(APIView):
    """One room booking of yours (or of a site where you work)."""

    def get(self, request, pk: int):
        return Response(RoomBookingSerializer(_booking_or_404(request.user, pk)).data)


@extend_schema(
    tags=["room-bookings"],
    parameters=[id_parameter("A room booking")],
    request=None,
    # 400: a session's room (changed on the session); 403: you only read it (a site's
    # committee or team); 404: not yours; 409: cancelled already, or started.
    responses={200: RoomBookingSerializer, **error_responses(400, 401, 403, 404, 409)},
)
class RoomBookingCancel(APIView):
    """Cancel a booking before it starts: free until the site's deadline (e.g. 24 h before;
    the free hours come back), charged after it."""

    def post(self, request, pk: int):
        booking = _booking_or_404(request.user, pk)
        with site_scope(booking.site):  # the booking concerns its site alone
            booking = room_booking_cancel(actor=request.user, booking=booking)
        return Response(RoomBookingSerializer(booking).data)


# Mounted under /api/v1/ (namespace "api") by technopark/urls.py.
api_urlpatterns = [
    path("rooms/", RoomList.as_view(), name="rooms"),
    path("rooms/<int:pk>/availability/", RoomAvailability.as_view(), name="room_availability"),
    path("room-bookings/", RoomBookingList.as_view(), name="room_bookings"),
    path("room-bookings/<int:pk>/", RoomBookingDetail.as_view(), name="room_booking"),
    path("room-bookings/<int:pk>/cancel/", RoomBookingCancel.as_view(), name="room_booking_cancel"),
]
