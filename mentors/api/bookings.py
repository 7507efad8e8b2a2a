"""The mentor bookings of the signed-in user: list, book, one booking, cancel."""

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_filters.rest_framework import FilterSet
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import error_responses
from core.filters import Param, TrueFalseField
from core.serializers import AwareDateTimeField, IdField, LocalDateTimeField, id_parameter, read_only_choice, validated

from .. import actions
from ..models import Attendance, Booking, BookingStatus, MeetingMode
from ..selectors.bookings import booking_roles, booking_with_parties, bookings_visible_to, can_change
from ..selectors.directory import published_mentor
from ..selectors.slots import bookable_startups


class BookingSerializer(serializers.ModelSerializer):
    mentor_name = serializers.CharField(source="mentor.name", read_only=True)
    startup_name = serializers.CharField(source="startup.__str__", read_only=True)
    site = serializers.SlugRelatedField(slug_field="slug", read_only=True, help_text="The startup's home site.")
    start = LocalDateTimeField(source="starts_at", help_text="Moroccan local time with its UTC offset.")
    end = LocalDateTimeField(source="ends_at", help_text="Moroccan local time with its UTC offset.")
    mode = read_only_choice(MeetingMode.choices)
    meeting_site = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True, help_text="For an in-person session: where it happens."
    )
    video_url = serializers.SerializerMethodField(help_text="For a video session: the mentor's meeting link.")
    status = read_only_choice(BookingStatus.choices)
    attendance = read_only_choice(Attendance.choices)
    note = serializers.CharField(
        read_only=True, help_text="The mentor's notes: seen by the mentor, the startup and its site team only."
    )
    cancelled_at = LocalDateTimeField(allow_null=True)
    can_cancel = serializers.SerializerMethodField(help_text="Confirmed, and before the cancellation cut-off.")
    created_at = LocalDateTimeField(help_text="When it was booked.")

    class Meta:
        model = Booking
        fields = [
            "id",
            "mentor",
            "mentor_name",
            "startup",
            "startup_name",
            "site",
            "start",
            "end",
            "mode",
            "meeting_site",
            "video_url",
            "topic",
            "questions",
            "status",
            "cancelled_at",
            "cancel_reason",
            "rescheduled_from",
            "attendance",
            "note",
            "rating",
            "rating_comment",
            "can_cancel",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_video_url(self, booking) -> str | None:
        if booking.mode != MeetingMode.VIDEO:
            return None
        return booking.mentor.video_url or None

    def get_can_cancel(self, booking) -> bool:
        return can_change(booking)


class BookingFilterSet(FilterSet):
    role = Param(
        serializers.ChoiceField(
            choices=["startup", "mentor", "site"],
            help_text="Only the bookings of your startups (`startup`), yours as a mentor (`mentor`), or those of "
            "the sites where you work (`site`).",
        ),
        method="of_role",
    )
    status = Param(serializers.ChoiceField(choices=BookingStatus.choices))
    upcoming = Param(
        TrueFalseField(help_text="`true`: sessions not over yet; `false`: sessions over."), method="not_over"
    )
    mentor = Param(IdField())
    startup = Param(IdField())

    def of_role(self, bookings: QuerySet[Booking], name: str, role: str) -> QuerySet[Booking]:
        return bookings & bookings_visible_to(self.request.user, role)  # the visible ones of that role: no query

    def not_over(self, bookings: QuerySet[Booking], name: str, upcoming: bool) -> QuerySet[Booking]:
        now = timezone.now()
        return bookings.not_ended(now) if upcoming else bookings.ended(now)


class BookingCreateSerializer(serializers.Serializer):
    mentor = IdField(help_text="A published mentor.")
    start = AwareDateTimeField(
        help_text="The start of one of the mentor's free slots, with its UTC offset "
        "(as `GET /api/v1/mentors/{id}/slots/` gives it)."
    )
    topic = serializers.CharField(max_length=200, help_text="What you want to talk about, in a few words.")
    questions = serializers.CharField(required=False, allow_blank=True, max_length=3000)
    startup = IdField(
        required=False, help_text="Which of your admitted startups books (needed only when you have several)."
    )
    mode = serializers.ChoiceField(
        choices=MeetingMode.choices,
        required=False,
        help_text="When a video slot and an in-person one start at the same time: which one (default: video).",
    )


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300, help_text="Told to the others.")


def _booking_or_404(user, pk: int) -> Booking:
    """One booking `user` has a role in; anyone else gets the 404 of a missing one."""
    booking = booking_with_parties(pk=pk)
    if booking is None or not booking_roles(user, booking):
        raise exceptions.NotFound()
    return booking


def _booking_startup(bookable: list, startup_id: int | None):
    """The startup the booking is for: the one named (among the caller's bookable ones, else
    403), or the caller's only one (several: a 400 asking which)."""
    if startup_id is None:
        if len(bookable) > 1:
            raise exceptions.ValidationError({"startup": [_("Choose which of your startups books this session.")]})
        return bookable[0]
    for startup in bookable:
        if startup.pk == startup_id:
            return startup
    raise exceptions.PermissionDenied(_("This startup is not one of yours admitted at a Technopark site."))


class BookingList(generics.ListAPIView):
    serializer_class = BookingSerializer
    filterset_class = BookingFilterSet

    def get_queryset(self):
        return bookings_visible_to(self.request.user).order_by("-starts_at", "-pk")

    @extend_schema(
        tags=["mentor-bookings"],
        responses={200: BookingSerializer, **error_responses(400, 401, 404)},
    )
    def get(self, request, *args, **kwargs):
        """The mentor bookings you have a part in, the latest first: your startups', yours as
        a mentor, and for site staff those of the startups of their sites (every site for
        head office)."""
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=["mentor-bookings"],
        request=BookingCreateSerializer,
        # 400: invalid input, an unknown mentor, a time without its UTC offset, or several
        # startups and none chosen; 403: no startup of yours is admitted at a site (or the
        # one named is not); 409: the slot is taken or no longer free, your startup reached
        # the mentor's monthly quota, or the agenda is busy (retry).
        responses={201: BookingSerializer, **error_responses(400, 401, 403, 409)},
    )
    def post(self, request, *args, **kwargs):
        """Book one of a mentor's free slots for your admitted startup. Both sides get a
        confirmation email with a calendar file."""
        user = request.user
        bookable = list(bookable_startups(user))
        if not bookable:
            raise exceptions.PermissionDenied(_("Only startups admitted at a Technopark site can book a mentor."))
        data = validated(BookingCreateSerializer, request.data)
        startup = _booking_startup(bookable, data.get("startup"))
        mentor = published_mentor(pk=data["mentor"])
        if mentor is None:
            raise exceptions.ValidationError({"mentor": [_("No such mentor.")]})
        booking = actions.booking_create(
            actor=user,
            mentor=mentor,
            startup=startup,
            start=data["start"],
            topic=data["topic"],
            questions=data.get("questions", ""),
            mode=data.get("mode"),
        )
        return Response(BookingSerializer(booking).data, status=status.HTTP_201_CREATED)


@extend_schema(
    tags=["mentor-bookings"],
    parameters=[id_parameter("A booking")],
    responses={200: BookingSerializer, **error_responses(401, 404)},
)
class BookingDetail(APIView):
    """One booking you have a part in (the startup's team, the mentor, the site's staff)."""

    def get(self, request, pk: int):
        return Response(BookingSerializer(_booking_or_404(request.user, pk)).data)


@extend_schema(
    tags=["mentor-bookings"],
    parameters=[id_parameter("A booking")],
    request=CancelSerializer,
    # 403: you only read the booking (a committee or team member of its site); 404: not a
    # booking you have a part in; 409: cancelled already, or past the cut-off.
    responses={200: BookingSerializer, **error_responses(400, 401, 403, 404, 409)},
)
class BookingCancel(APIView):
    """Cancel a booking, by either side or the managers of its site (and head office), until
    the cut-off before it starts; the others are told by email. The site's committee and
    team members only read it (403)."""

    def post(self, request, pk: int):
        booking = _booking_or_404(request.user, pk)
        data = validated(CancelSerializer, request.data)
        booking = actions.booking_cancel(actor=request.user, booking=booking, reason=data.get("reason", ""))
        return Response(BookingSerializer(booking).data)
