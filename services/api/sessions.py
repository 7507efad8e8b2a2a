"""Sessions of the published services, across the network: public (the join link only for
confirmed participants)."""

import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet, Value
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny

from core.api import error_responses
from core.filters import filters
from core.serializers import IdField

from ..models import (
    Dimension,
    Eligibility,
    Format,
    Registration,
    RegistrationStatus,
    ServiceSession,
    ServiceType,
    SessionStatus,
)
from .common import NetworkScoped, SiteSlugFilter, choice, count_subquery, site_filter


def _day_start(day: datetime.date) -> datetime.datetime | None:
    """Midnight of `day` in Africa/Casablanca, or None at the edges of the calendar (year 1,
    year 9999), where there is nothing to bound."""
    try:
        moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
        moment.astimezone(datetime.UTC)  # out of range raises here
    except (OverflowError, ValueError):
        return None
    return moment


def _starting_between(first: datetime.date | None, last: datetime.date | None) -> Q:
    """Sessions starting on `first`…`last` (local dates, both included)."""
    condition = Q()
    if first is not None and (start := _day_start(first)) is not None:
        condition &= Q(starts_at__gte=start)
    if last is not None and last < datetime.date.max and (end := _day_start(last + datetime.timedelta(days=1))):
        condition &= Q(starts_at__lt=end)
    return condition


class SessionSerializer(serializers.ModelSerializer):
    service_title = serializers.CharField(source="service.title", read_only=True)
    site = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True, help_text="Empty for the network's e-Technopark offer."
    )
    dimension = choice(Dimension.choices, source="service.dimension")
    type = choice(ServiceType.choices, source="service.service_type")
    format = choice(Format.choices, source="service.format")
    eligibility = choice(Eligibility.choices, source="service.eligibility")
    status = choice(SessionStatus.choices)
    seats_left = serializers.SerializerMethodField(help_text="Seats not confirmed yet (0: new registrations wait).")
    is_open = serializers.SerializerMethodField(help_text="Scheduled and before the registration deadline.")
    join_url = serializers.SerializerMethodField(help_text="The join or stream link: for confirmed participants.")

    class Meta:
        model = ServiceSession
        fields = [
            "id",
            "service",
            "service_title",
            "site",
            "dimension",
            "type",
            "format",
            "eligibility",
            "starts_at",
            "ends_at",
            "location",
            "seats",
            "seats_left",
            "registration_deadline",
            "status",
            "is_open",
            "join_url",
        ]

    def get_seats_left(self, session) -> int:
        return max(0, session.seats - session.confirmed_count)

    def get_is_open(self, session) -> bool:
        return session.is_open_for_registration()

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_join_url(self, session) -> str | None:
        return (session.join_url or None) if session.is_participant else None


class SessionFilters(serializers.Serializer):
    site = SiteSlugFilter()
    dimension = serializers.ChoiceField(choices=Dimension.choices, required=False)
    service = IdField(required=False)

    def get_fields(self):
        fields = super().get_fields()  # `from` is a Python keyword: declared here
        fields["from"] = serializers.DateField(
            required=False, help_text="Sessions starting on or after this day (YYYY-MM-DD, Moroccan time)."
        )
        fields["to"] = serializers.DateField(
            required=False, help_text="Sessions starting on or before this day (YYYY-MM-DD, Moroccan time)."
        )
        return fields

    def validate(self, attrs):
        if attrs.get("from") and attrs.get("to") and attrs["from"] > attrs["to"]:
            raise serializers.ValidationError({"to": [_("The end date must not be before the start date.")]})
        return attrs


def sessions_of_published_services(user) -> QuerySet[ServiceSession]:
    """Sessions of published services, network-wide, with `confirmed_count` and, for `user`,
    `is_participant` (a confirmed registration: the join link is theirs). Call inside
    `network_scope()`."""
    confirmed = Registration.objects.filter(session=OuterRef("pk"), status=RegistrationStatus.CONFIRMED)
    participant = Exists(confirmed.filter(user=user)) if user.is_authenticated else Value(False)
    return (
        ServiceSession.objects.filter(service__is_published=True)
        .select_related("service", "site")
        .annotate(confirmed_count=count_subquery(confirmed), is_participant=participant)
    )


def session_list(user, params: dict) -> QuerySet[ServiceSession]:
    sessions = sessions_of_published_services(user).filter(status=SessionStatus.SCHEDULED)
    if "from" not in params and "to" not in params:
        sessions = sessions.filter(ends_at__gte=timezone.now())  # upcoming, by default
    sessions = sessions.filter(_starting_between(params.get("from"), params.get("to")))
    if site := params.get("site"):
        sessions = sessions.filter(site_filter(site))
    if dimension := params.get("dimension"):
        sessions = sessions.filter(service__dimension=dimension)
    if service := params.get("service"):
        sessions = sessions.filter(service=service)
    return sessions.order_by("starts_at", "pk")


@extend_schema(
    tags=["sessions"],
    parameters=[SessionFilters],
    responses={200: SessionSerializer, **error_responses(400, 401, 404)},
)
class SessionList(NetworkScoped, generics.ListAPIView):
    """Scheduled sessions of the published services, across the network: public. Without
    `from` or `to`, the sessions not over yet."""

    permission_classes = [AllowAny]
    serializer_class = SessionSerializer

    def get_queryset(self):
        return session_list(self.request.user, filters(self.request, SessionFilters))


@extend_schema(tags=["sessions"], responses={200: SessionSerializer, **error_responses(401, 404)})
class SessionDetail(NetworkScoped, generics.RetrieveAPIView):
    """One session of a published service, whatever its status (scheduled, cancelled, held)."""

    permission_classes = [AllowAny]
    serializer_class = SessionSerializer

    def get_queryset(self):
        return sessions_of_published_services(self.request.user)
