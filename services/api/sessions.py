"""Sessions of the published services, across the network: public (the join link only for
confirmed participants)."""

import datetime

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_filters.rest_framework import FilterSet
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny

from core.api import error_responses
from core.filters import Param
from core.serializers import IdField

from ..models import Dimension, Eligibility, Format, ServiceSession, ServiceType, SessionStatus
from ..selectors import catalogue as catalogue_selectors
from .common import NetworkScoped, choice, site_param


def _day_start(day: datetime.date) -> datetime.datetime | None:
    """Midnight of `day` in Africa/Casablanca, or None at the edges of the calendar (year 1,
    year 9999), where there is nothing to bound."""
    try:
        moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
        moment.astimezone(datetime.UTC)  # out of range raises here
    except (OverflowError, ValueError):
        return None
    return moment


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


class SessionFilterForm(forms.Form):
    """`to` must not be before `from`."""

    def clean(self):
        cleaned_data = super().clean()
        first, last = cleaned_data.get("from"), cleaned_data.get("to")
        if first is not None and last is not None and first > last:
            self.add_error("to", _("The end date must not be before the start date."))
        return cleaned_data


class SessionFilterSet(FilterSet):
    site = site_param()
    dimension = Param(serializers.ChoiceField(choices=Dimension.choices), field_name="service__dimension")
    service = Param(IdField())
    # `from` is a Python keyword: declared through the class body's namespace.
    locals()["from"] = Param(
        serializers.DateField(help_text="Sessions starting on or after this day (YYYY-MM-DD, Moroccan time)."),
        method="starting_from",
    )
    to = Param(
        serializers.DateField(help_text="Sessions starting on or before this day (YYYY-MM-DD, Moroccan time)."),
        method="starting_until",
    )

    class Meta:
        form = SessionFilterForm

    def filter_queryset(self, queryset: QuerySet[ServiceSession]) -> QuerySet[ServiceSession]:
        if self.form.cleaned_data.get("from") is None and self.form.cleaned_data.get("to") is None:
            queryset = queryset.filter(ends_at__gte=timezone.now())  # upcoming, by default
        return super().filter_queryset(queryset)

    def starting_from(
        self, sessions: QuerySet[ServiceSession], name: str, first: datetime.date
    ) -> QuerySet[ServiceSession]:
        start = _day_start(first)
        return sessions if start is None else sessions.filter(starts_at__gte=start)

    def starting_until(
        self, sessions: QuerySet[ServiceSession], name: str, last: datetime.date
    ) -> QuerySet[ServiceSession]:
        end = _day_start(last + datetime.timedelta(days=1)) if last < datetime.date.max else None
        return sessions if end is None else sessions.filter(starts_at__lt=end)


@extend_schema(tags=["sessions"], responses={200: SessionSerializer, **error_responses(400, 401, 404)})
class SessionList(NetworkScoped, generics.ListAPIView):
    """Scheduled sessions of the published services, across the network: public. Without
    `from` or `to`, the sessions not over yet."""

    permission_classes = [AllowAny]
    serializer_class = SessionSerializer
    filterset_class = SessionFilterSet

    def get_queryset(self):
        sessions = catalogue_selectors.published_sessions_for(user=self.request.user).scheduled()
        return sessions.order_by("starts_at", "pk")


@extend_schema(tags=["sessions"], responses={200: SessionSerializer, **error_responses(401, 404)})
class SessionDetail(NetworkScoped, generics.RetrieveAPIView):
    """One session of a published service, whatever its status (scheduled, cancelled, held)."""

    permission_classes = [AllowAny]
    serializer_class = SessionSerializer

    def get_queryset(self):
        return catalogue_selectors.published_sessions_for(user=self.request.user)
