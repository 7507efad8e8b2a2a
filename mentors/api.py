"""REST API of the mentors app: the directory of published mentors and their free slots
(public), and the bookings of the signed-in user (list, book, one booking, cancel).

Mentor profiles and their availability belong to the network, not to a site: the public
reads need no tenant scope (`selectors.free_slots` reads a mentor's busy times through
its own reviewed network-wide helper). Bookings are site-owned: the flat `/api/v1/…`
routes run in the caller's `user_scope` (see `sites.middleware`), and every booking query
below adds the caller's own rule on top: the bookings of their startups, their bookings as
a mentor, the bookings of the sites where they work (every site for head office). That is
exactly `selectors.booking_roles`, so everything listed may show the mentor's notes.

Times go out in Moroccan local time with their UTC offset (`2027-03-15T10:00:00+01:00`),
and a booking's `start` must come in with one: a naive time is a 400, never a guess.
Query parameters and bodies are validated with small serializers (junk is a 400, never a
500); writes go through `mentors.actions`: a Conflict (the slot is taken or no longer free,
the monthly quota is reached, the agenda is locked by another request, too late to cancel)
is a 409.
"""

import datetime

from django.db.models import Q, QuerySet
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import exceptions, generics, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import error_responses
from services.models import Dimension
from sites.models import Language, Sector, Site
from sites.scoping import managed_site_ids
from startups.api import BooleanFilter, IdField, filters, validated
from startups.selectors import startups_of_member

from . import actions
from .availability import LOCAL, MAX_RANGE_DAYS
from .models import (
    Attendance,
    Booking,
    BookingStatus,
    MeetingMode,
    MentorKind,
    MentorProfile,
    ProfileStatus,
)
from .selectors import bookable_startups, booking_roles, can_change, free_slots, mentor_search, published_mentors

DEFAULT_DAYS = 7  # the slots of a week when `to` is not given


# --- Fields ---------------------------------------------------------------------------------


def id_parameter(what: str) -> OpenApiParameter:
    """The `{id}` of a path, with an example (the fuzz test's fixture has rows with id 1)."""
    return OpenApiParameter("id", int, OpenApiParameter.PATH, required=True, examples=[OpenApiExample(what, value=1)])


class LocalDateTimeField(serializers.DateTimeField):
    """An instant in Moroccan local time with its UTC offset, whatever the active time zone:
    `+01:00` most of the year, `+00:00` (never `Z`) around Ramadan."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return None if value is None else value.astimezone(LOCAL).isoformat()


class AwareDateTimeField(serializers.DateTimeField):
    """An ISO 8601 date and time with its UTC offset (`2027-03-15T10:00:00+01:00`,
    `2027-03-15T09:00:00Z`); without one it is a 400, not a guess."""

    default_error_messages = {
        "naive": gettext_lazy("Give the UTC offset too, e.g. 2027-03-15T10:00:00+01:00 for 10:00 Moroccan time."),
    }

    def __init__(self, **kwargs):
        super().__init__(input_formats=["iso-8601"], **kwargs)

    def enforce_timezone(self, value):
        if timezone.is_naive(value):
            self.fail("naive")
        return super().enforce_timezone(value)


def _today() -> datetime.date:
    return datetime.datetime.now(LOCAL).date()


def _choice(choices, **kwargs) -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=choices, read_only=True, **kwargs)


# --- Mentors --------------------------------------------------------------------------------
class MentorSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    kind = _choice(MentorKind.choices)
    photo_url = serializers.SerializerMethodField(help_text="An absolute URL; null without a photo.")
    dimensions = serializers.SerializerMethodField(help_text="The support dimensions the mentor's expertise covers.")
    languages = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    sectors = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    tags = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    sites = serializers.SlugRelatedField(
        slug_field="slug", many=True, read_only=True, help_text="The sites where the mentor meets startups in person."
    )
    offers_video = serializers.BooleanField(read_only=True, help_text="Video calls, open to startups of every site.")

    class Meta:
        model = MentorProfile
        fields = [
            "id",
            "name",
            "kind",
            "headline",
            "bio",
            "organisation",
            "photo_url",
            "dimensions",
            "languages",
            "sectors",
            "tags",
            "sites",
            "offers_video",
            "session_minutes",
        ]

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_photo_url(self, mentor) -> str | None:
        if not mentor.photo:
            return None
        url = reverse("mentors:photo", kwargs={"pk": mentor.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=Dimension.choices)))
    def get_dimensions(self, mentor) -> list[str]:
        return sorted(row.dimension for row in mentor.dimension_rows.all())


class MentorFilters(serializers.Serializer):
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        help_text="Part of the name, headline, biography, organisation or an expertise tag.",
    )
    dimension = serializers.ChoiceField(choices=Dimension.choices, required=False)
    sector = serializers.SlugField(required=False, max_length=40, help_text="A sector code.")
    language = serializers.SlugField(required=False, max_length=5, help_text="A language code: fr, ar, en, zgh…")
    site = serializers.SlugField(
        required=False, max_length=50, help_text="The slug of a site where the mentor meets startups in person."
    )
    remote = BooleanFilter(help_text="`true`: mentors offering video calls; `false`: in person only.")
    kind = serializers.ChoiceField(choices=MentorKind.choices, required=False)
    tag = serializers.CharField(required=False, max_length=40, help_text="An expertise tag (whole name, any case).")


def mentor_list(params: dict) -> QuerySet[MentorProfile]:
    """The published mentors matching `params` (a code or slug that names nothing matches
    nobody)."""
    mentors = published_mentors()
    related = {}
    for name, model, field in (("sector", Sector, "code"), ("language", Language, "code"), ("site", Site, "slug")):
        if value := params.get(name):
            related[name] = model.objects.filter(**{field: value}).first()
            if related[name] is None:
                return mentors.none()
    remote = params.get("remote")
    mentors = mentor_search(
        mentors,
        q=params.get("q", ""),
        dimension=params.get("dimension", ""),
        remote=remote == "true",
        kind=params.get("kind", ""),
        tag=params.get("tag", ""),
        **related,
    )
    if remote == "false":
        mentors = mentors.filter(offers_video=False)
    if params.get("tag"):  # "SaaS" and "saas" may both be tags of one mentor
        mentors = mentors.distinct()
    return mentors.order_by("user__full_name", "pk")


@extend_schema(
    tags=["mentors"],
    parameters=[MentorFilters],
    responses={200: MentorSerializer, **error_responses(400, 401, 404)},
)
class MentorList(generics.ListAPIView):
    """The published mentors and experts of the network: public."""

    permission_classes = [AllowAny]
    serializer_class = MentorSerializer

    def get_queryset(self):
        return mentor_list(filters(self.request, MentorFilters))


@extend_schema(
    tags=["mentors"],
    parameters=[id_parameter("A mentor")],
    responses={200: MentorSerializer, **error_responses(401, 404)},
)
class MentorDetail(generics.RetrieveAPIView):
    """One published mentor: public."""

    permission_classes = [AllowAny]
    serializer_class = MentorSerializer

    def get_queryset(self):
        return published_mentors()


# --- Free slots -----------------------------------------------------------------------------
class SlotSerializer(serializers.Serializer):
    start = serializers.DateTimeField(help_text="Moroccan local time with its UTC offset.")
    end = serializers.DateTimeField(help_text="Moroccan local time with its UTC offset.")
    mode = serializers.ChoiceField(choices=MeetingMode.choices)
    site = serializers.SlugField(
        allow_null=True, help_text="For an in-person slot: the slug of the site where it happens."
    )


class SlotFilters(serializers.Serializer):
    def get_fields(self):
        fields = super().get_fields()  # `from` is a Python keyword: declared here
        fields["from"] = serializers.DateField(
            required=False, help_text="The first day (YYYY-MM-DD, Moroccan time); default: today."
        )
        fields["to"] = serializers.DateField(
            required=False,
            help_text=f"The last day, included (YYYY-MM-DD); default: six days after `from`. "
            f"At most {MAX_RANGE_DAYS} days in all.",
        )
        return fields

    def validate(self, attrs):
        first = attrs.get("from") or _today()
        last = attrs.get("to")
        if last is None:  # a week, or up to the end of the calendar
            last = first + min(datetime.timedelta(days=DEFAULT_DAYS - 1), datetime.date.max - first)
        if last < first:
            raise serializers.ValidationError({"to": [_("The end date must not be before the start date.")]})
        if (last - first).days + 1 > MAX_RANGE_DAYS:
            raise serializers.ValidationError({"to": [_("Ask for %(days)d days at most.") % {"days": MAX_RANGE_DAYS}]})
        return {"from": first, "to": last}


def slots_of(mentor: MentorProfile, *, first: datetime.date, last: datetime.date) -> list[dict]:
    """The free slots of `mentor` from `first` to `last`, ready to serialize. Days before
    today have none (a slot must start in the future): they are not expanded."""
    first = max(first, _today())
    # `availability.windows` steps one day past `last`: the calendar's last day has no slots.
    last = min(last, datetime.date.max - datetime.timedelta(days=1))
    if last < first:
        return []
    slugs = {site.pk: site.slug for site in mentor.sites.all()}
    return [
        {
            "start": slot.local_start.isoformat(),
            "end": slot.local_end.isoformat(),
            "mode": slot.mode,
            "site": slugs.get(slot.site_id),
        }
        for slot in free_slots(mentor, date_from=first, date_to=last)
    ]


@extend_schema(
    tags=["mentors"],
    parameters=[id_parameter("A mentor"), SlotFilters],
    # 400: a malformed date, `to` before `from`, or too long a range.
    responses={200: SlotSerializer(many=True), **error_responses(400, 401, 404)},
)
class MentorSlots(APIView):
    """The free slots of a published mentor between two days (Moroccan time): in their
    weekly and one-off windows, not blocked, at least their minimum notice ahead and clear
    of their other sessions. Public; book one with `POST /api/v1/mentor-bookings/`."""

    permission_classes = [AllowAny]

    def get(self, request, pk: int):
        mentor = published_mentors().filter(pk=pk).first()
        if mentor is None:
            raise exceptions.NotFound()
        params = filters(request, SlotFilters)
        return Response(slots_of(mentor, first=params["from"], last=params["to"]))


# --- Bookings -------------------------------------------------------------------------------
class BookingSerializer(serializers.ModelSerializer):
    mentor_name = serializers.CharField(source="mentor.name", read_only=True)
    startup_name = serializers.CharField(source="startup.__str__", read_only=True)
    site = serializers.SlugRelatedField(slug_field="slug", read_only=True, help_text="The startup's home site.")
    start = LocalDateTimeField(source="starts_at", help_text="Moroccan local time with its UTC offset.")
    end = LocalDateTimeField(source="ends_at", help_text="Moroccan local time with its UTC offset.")
    mode = _choice(MeetingMode.choices)
    meeting_site = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True, help_text="For an in-person session: where it happens."
    )
    video_url = serializers.SerializerMethodField(help_text="For a video session: the mentor's meeting link.")
    status = _choice(BookingStatus.choices)
    attendance = _choice(Attendance.choices)
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


class BookingFilters(serializers.Serializer):
    role = serializers.ChoiceField(
        choices=["startup", "mentor", "site"],
        required=False,
        help_text="Only the bookings of your startups (`startup`), yours as a mentor (`mentor`), or those of "
        "the sites where you work (`site`).",
    )
    status = serializers.ChoiceField(choices=BookingStatus.choices, required=False)
    upcoming = BooleanFilter(help_text="`true`: sessions not over yet; `false`: sessions over.")
    mentor = IdField(required=False)
    startup = IdField(required=False)


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


def bookings_visible_to(user, role: str | None = None) -> QuerySet[Booking]:
    """The bookings `user` has a role in (`selectors.booking_roles`): of their startups, as
    the mentor, of the sites where they work (every site for head office); `role` keeps one
    of them. Call inside the request's scope."""
    if not user.is_authenticated:
        return Booking.objects.none()
    site_ids = managed_site_ids(user)
    conditions = {
        "startup": Q(startup__in=startups_of_member(user).values("pk")),
        "mentor": Q(mentor__user=user),
        # Head office: every booking (an empty Q() would vanish from the OR below).
        "site": Q(site__isnull=False) if site_ids is None else Q(site__in=site_ids),
    }
    if role is not None:
        condition = conditions[role]
    else:
        condition = conditions["startup"] | conditions["mentor"] | conditions["site"]
    return Booking.objects.filter(condition).select_related("mentor__user", "startup", "site", "meeting_site")


def _booking_or_404(user, pk: int) -> Booking:
    """One booking `user` has a role in; anyone else gets the 404 of a missing one."""
    booking = Booking.objects.select_related("mentor__user", "startup", "site", "meeting_site").filter(pk=pk).first()
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

    def get_queryset(self):
        params = filters(self.request, BookingFilters)
        bookings = bookings_visible_to(self.request.user, params.get("role"))
        if state := params.get("status"):
            bookings = bookings.filter(status=state)
        if (upcoming := params.get("upcoming")) is not None:
            over = Q(ends_at__lte=timezone.now())
            bookings = bookings.exclude(over) if upcoming == "true" else bookings.filter(over)
        if mentor := params.get("mentor"):
            bookings = bookings.filter(mentor=mentor)
        if startup := params.get("startup"):
            bookings = bookings.filter(startup=startup)
        return bookings.order_by("-starts_at", "-pk")

    @extend_schema(
        tags=["mentor-bookings"],
        parameters=[BookingFilters],
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
        mentor = MentorProfile.objects.filter(
            pk=data["mentor"], status=ProfileStatus.PUBLISHED, user__is_active=True
        ).first()
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


# Mounted under /api/v1/ (namespace "api") by technopark/urls.py.
api_urlpatterns = [
    path("mentors/", MentorList.as_view(), name="mentors"),
    path("mentors/<int:pk>/", MentorDetail.as_view(), name="mentor"),
    path("mentors/<int:pk>/slots/", MentorSlots.as_view(), name="mentor_slots"),
    path("mentor-bookings/", BookingList.as_view(), name="mentor_bookings"),
    path("mentor-bookings/<int:pk>/", BookingDetail.as_view(), name="mentor_booking"),
    path("mentor-bookings/<int:pk>/cancel/", BookingCancel.as_view(), name="mentor_booking_cancel"),
]
