"""Registering for a session, the caller's registrations and cancelling one: signed in,
network-wide, filtered to the caller's own rows."""

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django_filters.rest_framework import FilterSet
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import error_responses
from core.filters import Param, TrueFalseField
from core.serializers import IdField, validated

from .. import actions
from ..models import Attendance, Eligibility, Registration, RegistrationStatus, Service
from ..selectors import catalogue as catalogue_selectors
from .common import NetworkScoped, choice


class RegistrationSerializer(serializers.ModelSerializer):
    status = choice(RegistrationStatus.choices)
    service = serializers.IntegerField(source="session.service_id", read_only=True)
    service_title = serializers.CharField(source="session.service.title", read_only=True)
    site = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True, help_text="Empty for the network's e-Technopark offer."
    )
    starts_at = serializers.DateTimeField(source="session.starts_at", read_only=True)
    ends_at = serializers.DateTimeField(source="session.ends_at", read_only=True)
    session_status = serializers.CharField(
        source="session.status", read_only=True, help_text="`scheduled`, `cancelled` or `held`."
    )
    waitlist_position = serializers.SerializerMethodField(help_text="1 for the next one to get a seat.")
    attendance = choice(Attendance.choices)
    join_url = serializers.SerializerMethodField(help_text="The join or stream link, once confirmed.")

    class Meta:
        model = Registration
        fields = [
            "id",
            "status",
            "session",
            "service",
            "service_title",
            "site",
            "starts_at",
            "ends_at",
            "session_status",
            "startup",
            "name",
            "email",
            "organisation",
            "created_at",
            "waitlist_position",
            "cancelled_at",
            "attendance",
            "rating",
            "comment",
            "join_url",
        ]

    def get_waitlist_position(self, registration) -> int | None:
        return registration.waitlist_position if registration.status == RegistrationStatus.WAITLISTED else None

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_join_url(self, registration) -> str | None:
        if registration.status != RegistrationStatus.CONFIRMED:
            return None
        return registration.session.join_url or None


class RegistrationFilterSet(FilterSet):
    status = Param(serializers.ChoiceField(choices=RegistrationStatus.choices))
    upcoming = Param(
        TrueFalseField(help_text="`true`: sessions not over yet; `false`: sessions over."), method="session_upcoming"
    )

    def session_upcoming(
        self, registrations: QuerySet[Registration], name: str, upcoming: bool
    ) -> QuerySet[Registration]:
        over = Q(session__ends_at__lt=timezone.now())
        return registrations.exclude(over) if upcoming else registrations.filter(over)


@extend_schema(tags=["registrations"], responses={200: RegistrationSerializer, **error_responses(400, 401, 404)})
class RegistrationList(NetworkScoped, generics.ListAPIView):
    """Your registrations (confirmed, waitlisted or cancelled), the latest sessions first."""

    serializer_class = RegistrationSerializer
    filterset_class = RegistrationFilterSet

    def get_queryset(self):
        registrations = catalogue_selectors.registrations_of_account(user=self.request.user)
        return registrations.order_by("-session__starts_at", "-pk")


class RegisterSerializer(serializers.Serializer):
    startup = IdField(
        required=False,
        help_text="Which of your eligible startups registers (needed only when you have several).",
    )


def _registering_startup(user, service: Service, startup_id: int | None):
    """The startup the registration is for (None for a public event without one), or a
    403 when the caller may not register."""
    if service.eligibility == Eligibility.PUBLIC:
        if startup_id is None:
            return None
        startup = catalogue_selectors.startup_of_member(user=user, pk=startup_id)
        if startup is None:
            raise exceptions.PermissionDenied(_("You are not in this startup's team."))
        return startup
    if not catalogue_selectors.is_eligible(user=user, service=service):
        raise exceptions.PermissionDenied(_("This service is not open to your startup."))
    eligible = list(catalogue_selectors.eligible_startups(user=user, service=service).order_by("legal_name", "pk"))
    if startup_id is not None:
        for startup in eligible:
            if startup.pk == startup_id:
                return startup
        raise exceptions.PermissionDenied(_("This service is not open to this startup."))
    if len(eligible) > 1:
        raise exceptions.ValidationError({"startup": [_("Choose which of your startups registers.")]})
    return eligible[0]


@extend_schema(
    tags=["sessions"],
    request=RegisterSerializer,
    # 400: several eligible startups and none chosen; 403: not eligible (public events: any
    # signed-in user may register); 409: registration closed, already registered, or too
    # many people registering at once (retry).
    responses={201: RegistrationSerializer, **error_responses(400, 401, 403, 404, 409)},
)
class SessionRegister(NetworkScoped, APIView):
    """Register for a session: a seat while seats remain, else a place on the waitlist (in
    order; you are emailed when a seat frees up). Confirmations carry an `.ics`."""

    def post(self, request, pk: int):
        session = get_object_or_404(catalogue_selectors.published_sessions(), pk=pk)
        data = validated(RegisterSerializer, request.data)
        user = request.user
        startup = _registering_startup(user, session.service, data.get("startup"))
        registration = actions.registration_create(
            session=session,
            name=user.full_name or user.email,
            email=user.email,
            language=user.language,
            user=user,
            startup=startup,
            organisation=str(startup) if startup is not None else "",
        )
        registration = catalogue_selectors.registrations_of_account(user=user).get(pk=registration.pk)
        return Response(RegistrationSerializer(registration).data, status=status.HTTP_201_CREATED)


@extend_schema(
    tags=["registrations"],
    request=None,
    # 404: not your registration; 409: cancelled already, or the session has started.
    responses={200: RegistrationSerializer, **error_responses(401, 404, 409)},
)
class RegistrationCancel(NetworkScoped, APIView):
    """Cancel your registration: the seat goes to the next one on the waitlist."""

    def post(self, request, pk: int):
        mine = catalogue_selectors.registrations_of_account(user=request.user)
        registration = get_object_or_404(mine, pk=pk)
        actions.registration_cancel(registration=registration)
        registration = mine.get(pk=pk)
        return Response(RegistrationSerializer(registration).data)
