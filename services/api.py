"""REST API of the services app: the catalogue and its sessions (public), registration and
cancellation (signed in), the caller's registrations, programmes, partners and partner
incubators.

The catalogue is the network's: services and sessions of every site *and* of the
e-Technopark offer (rows without a site, hidden by the site scope of site staff and
founders). Those public reads, and the registration actions on what they show, run
inside `sites.scoping.network_scope()` on purpose (grep for it when reviewing); their
querysets filter what is public (published services) explicitly. Per-user reads
(registrations, programmes) also run network-wide, with the user's filter written out.

Query parameters are validated with small serializers (`startups.api.filters`): junk is a
400, never a 500. Writes go through `services.actions`; a Conflict is a 409.
"""

import datetime

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, generics, serializers, status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from core.api import error_responses
from sites.models import Incubator, Partner, PartnerCategory
from sites.scoping import managed_site_ids, network_scope
from startups.api import BooleanFilter, IdField, filters, validated
from startups.selectors import startups_of_member

from . import actions
from .models import (
    Attendance,
    Dimension,
    Eligibility,
    Format,
    Programme,
    ProgrammeParticipant,
    ProviderKind,
    Registration,
    RegistrationStatus,
    Service,
    ServiceSession,
    ServiceType,
    SessionStatus,
)
from .selectors import eligible_startups, is_eligible

NETWORK = "network"  # the `site` filter's value for the network's e-Technopark offer


# --- Helpers --------------------------------------------------------------------------------
def _choice(choices, **kwargs) -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=choices, read_only=True, **kwargs)


def _site_filter(value: str) -> Q:
    """`site=<slug>` for a site's rows, `site=network` for the e-Technopark offer."""
    return Q(site__isnull=True) if value == NETWORK else Q(site__slug=value)


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


def _count(queryset: QuerySet, outer: str = "session") -> Subquery:
    """A COUNT(*) of `queryset` per `outer` row, as a subquery (no GROUP BY on the list)."""
    return Coalesce(Subquery(queryset.order_by().values(outer).annotate(n=Count("pk")).values("n")[:1]), 0)


class NetworkScoped:
    """Runs the whole request (queries, prefetches, serialization) inside `network_scope()`:
    for the public catalogue across the network and for the caller's own rows, each view
    filtering its queryset explicitly."""

    def dispatch(self, request, *args, **kwargs):
        with network_scope():
            return super().dispatch(request, *args, **kwargs)


class _NoFormatOverride:
    """DRF's settings, but `?format=` is not a renderer override."""

    URL_FORMAT_OVERRIDE = None

    def __getattr__(self, name):
        return getattr(api_settings, name)


class FormatIsAFilter(DefaultContentNegotiation):
    """`?format=` filters services by format (on site, remote…) here: DRF would otherwise read
    it as the response format and answer 404 for `format=on_site`."""

    settings = _NoFormatOverride()


class SiteSlugFilter(serializers.SlugField):
    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "A site's slug, or `network` for the network's e-Technopark offer.")
        super().__init__(required=False, max_length=50, **kwargs)


# --- Services -------------------------------------------------------------------------------
class ServiceSerializer(serializers.ModelSerializer):
    site = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True, help_text="Empty for the network's e-Technopark offer."
    )
    dimension = _choice(Dimension.choices)
    type = _choice(ServiceType.choices, source="service_type")
    provider_kind = _choice(ProviderKind.choices)
    partner_name = serializers.CharField(source="partner.name", read_only=True, allow_null=True, default=None)
    format = _choice(Format.choices)
    eligibility = _choice(Eligibility.choices)
    languages = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Service
        fields = [
            "id",
            "site",
            "title",
            "summary",
            "description",
            "dimension",
            "type",
            "provider_kind",
            "partner",
            "partner_name",
            "expert_name",
            "format",
            "eligibility",
            "languages",
        ]


class ServiceFilters(serializers.Serializer):
    site = SiteSlugFilter()
    dimension = serializers.ChoiceField(choices=Dimension.choices, required=False)
    format = serializers.ChoiceField(choices=Format.choices, required=False)
    language = serializers.SlugField(required=False, max_length=5, help_text="A language code: fr, ar, en, zgh…")
    type = serializers.ChoiceField(choices=ServiceType.choices, required=False)
    q = serializers.CharField(
        required=False, allow_blank=True, max_length=100, help_text="Part of the title, summary or description."
    )


def published_services() -> QuerySet[Service]:
    """Every published service of the network. Call inside `network_scope()`."""
    return Service.objects.filter(is_published=True).select_related("site", "partner").prefetch_related("languages")


def service_list(params: dict) -> QuerySet[Service]:
    services = published_services()
    if site := params.get("site"):
        services = services.filter(_site_filter(site))
    if dimension := params.get("dimension"):
        services = services.filter(dimension=dimension)
    if service_format := params.get("format"):
        services = services.filter(format=service_format)
    if language := params.get("language"):
        services = services.filter(languages__code=language)
    if service_type := params.get("type"):
        services = services.filter(service_type=service_type)
    if q := params.get("q"):
        services = services.filter(Q(title__icontains=q) | Q(summary__icontains=q) | Q(description__icontains=q))
    return services.order_by("title", "pk")


@extend_schema(
    tags=["services"],
    parameters=[ServiceFilters],
    responses={200: ServiceSerializer, **error_responses(400, 401, 404)},
)
class ServiceList(NetworkScoped, generics.ListAPIView):
    """The published support services of every site and of the network's e-Technopark
    offer: public."""

    permission_classes = [AllowAny]
    serializer_class = ServiceSerializer
    content_negotiation_class = FormatIsAFilter

    def get_queryset(self):
        return service_list(filters(self.request, ServiceFilters))


@extend_schema(tags=["services"], responses={200: ServiceSerializer, **error_responses(401, 404)})
class ServiceDetail(NetworkScoped, generics.RetrieveAPIView):
    permission_classes = [AllowAny]
    serializer_class = ServiceSerializer

    def get_queryset(self):
        return published_services()


# --- Sessions -------------------------------------------------------------------------------
class SessionSerializer(serializers.ModelSerializer):
    service_title = serializers.CharField(source="service.title", read_only=True)
    site = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True, help_text="Empty for the network's e-Technopark offer."
    )
    dimension = _choice(Dimension.choices, source="service.dimension")
    type = _choice(ServiceType.choices, source="service.service_type")
    format = _choice(Format.choices, source="service.format")
    eligibility = _choice(Eligibility.choices, source="service.eligibility")
    status = _choice(SessionStatus.choices)
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
        .annotate(confirmed_count=_count(confirmed), is_participant=participant)
    )


def session_list(user, params: dict) -> QuerySet[ServiceSession]:
    sessions = sessions_of_published_services(user).filter(status=SessionStatus.SCHEDULED)
    if "from" not in params and "to" not in params:
        sessions = sessions.filter(ends_at__gte=timezone.now())  # upcoming, by default
    sessions = sessions.filter(_starting_between(params.get("from"), params.get("to")))
    if site := params.get("site"):
        sessions = sessions.filter(_site_filter(site))
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


# --- Registrations --------------------------------------------------------------------------
class RegistrationSerializer(serializers.ModelSerializer):
    status = _choice(RegistrationStatus.choices)
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
    attendance = _choice(Attendance.choices)
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


class RegistrationFilters(serializers.Serializer):
    status = serializers.ChoiceField(choices=RegistrationStatus.choices, required=False)
    upcoming = BooleanFilter(help_text="`true`: sessions not over yet; `false`: sessions over.")


def registrations_of(user) -> QuerySet[Registration]:
    """`user`'s own registrations, network-wide, with their `waitlist_position`. Call inside
    `network_scope()`."""
    if not user.is_authenticated:
        return Registration.objects.none()
    waitlisted = Registration.objects.filter(session=OuterRef("session"), status=RegistrationStatus.WAITLISTED)
    ahead = waitlisted.filter(
        Q(waitlisted_at__lt=OuterRef("waitlisted_at"))
        | Q(waitlisted_at=OuterRef("waitlisted_at"), pk__lte=OuterRef("pk"))
    )
    return (
        Registration.objects.filter(user=user)
        .select_related("session__service", "site")
        .annotate(waitlist_position=_count(ahead))
    )


@extend_schema(
    tags=["registrations"],
    parameters=[RegistrationFilters],
    responses={200: RegistrationSerializer, **error_responses(400, 401, 404)},
)
class RegistrationList(NetworkScoped, generics.ListAPIView):
    """Your registrations (confirmed, waitlisted or cancelled), the latest sessions first."""

    serializer_class = RegistrationSerializer

    def get_queryset(self):
        params = filters(self.request, RegistrationFilters)
        registrations = registrations_of(self.request.user)
        if state := params.get("status"):
            registrations = registrations.filter(status=state)
        if (upcoming := params.get("upcoming")) is not None:
            over = Q(session__ends_at__lt=timezone.now())
            registrations = registrations.exclude(over) if upcoming == "true" else registrations.filter(over)
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
        startup = startups_of_member(user).filter(pk=startup_id).first()
        if startup is None:
            raise exceptions.PermissionDenied(_("You are not in this startup's team."))
        return startup
    if not is_eligible(user, service):
        raise exceptions.PermissionDenied(_("This service is not open to your startup."))
    eligible = list(eligible_startups(user, service).order_by("legal_name", "pk"))
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
        session = get_object_or_404(ServiceSession.objects.filter(service__is_published=True), pk=pk)
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
        registration = registrations_of(user).get(pk=registration.pk)
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
        registration = get_object_or_404(registrations_of(request.user), pk=pk)
        actions.registration_cancel(registration=registration)
        registration = registrations_of(request.user).get(pk=pk)
        return Response(RegistrationSerializer(registration).data)


# --- Programmes -----------------------------------------------------------------------------
class ProgrammeSerializer(serializers.ModelSerializer):
    site = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True, help_text="Empty for a network programme."
    )
    partners = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    incubators = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    services = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    participants = serializers.IntegerField(source="participant_count", read_only=True)

    class Meta:
        model = Programme
        fields = [
            "id",
            "site",
            "title",
            "description",
            "starts_on",
            "ends_on",
            "partners",
            "incubators",
            "services",
            "participants",
        ]


class ProgrammeFilters(serializers.Serializer):
    site = SiteSlugFilter()


def programmes_visible_to(user) -> QuerySet[Programme]:
    """Head office: every programme; site staff: their sites'; founders and teams: the
    programmes their startups take part in (a network programme included). Call inside
    `network_scope()`."""
    if not user.is_authenticated:
        return Programme.objects.none()
    site_ids = managed_site_ids(user)
    if site_ids is None:
        programmes = Programme.objects.all()
    else:
        taking_part = ProgrammeParticipant.objects.filter(startup__in=startups_of_member(user).values("pk"))
        programmes = Programme.objects.filter(Q(site__in=site_ids) | Q(pk__in=taking_part.values("programme")))
    participants = ProgrammeParticipant.objects.filter(programme=OuterRef("pk"))
    return (
        programmes.select_related("site")
        .annotate(participant_count=_count(participants, outer="programme"))
        .prefetch_related(
            Prefetch("partners", queryset=Partner.objects.order_by("name")),
            Prefetch("incubators", queryset=Incubator.objects.order_by("name")),
            Prefetch("services", queryset=Service.objects.order_by("title")),
        )
    )


@extend_schema(
    tags=["programmes"],
    parameters=[ProgrammeFilters],
    responses={200: ProgrammeSerializer, **error_responses(400, 401, 404)},
)
class ProgrammeList(NetworkScoped, generics.ListAPIView):
    """Programmes: every one for head office, your sites' for site staff, those your
    startups take part in for founders and teams."""

    serializer_class = ProgrammeSerializer

    def get_queryset(self):
        params = filters(self.request, ProgrammeFilters)
        programmes = programmes_visible_to(self.request.user)
        if site := params.get("site"):
            programmes = programmes.filter(_site_filter(site))
        return programmes.order_by("-starts_on", "title", "pk")


# --- Partners and incubators ----------------------------------------------------------------
class PartnerSerializer(serializers.ModelSerializer):
    category = _choice(PartnerCategory.choices)

    class Meta:
        model = Partner
        fields = ["id", "name", "category", "is_international", "description", "website", "logo"]


class PartnerFilters(serializers.Serializer):
    category = serializers.ChoiceField(choices=PartnerCategory.choices, required=False)
    international = BooleanFilter()
    q = serializers.CharField(required=False, allow_blank=True, max_length=100, help_text="Part of the name.")


@extend_schema(
    tags=["partners"],
    parameters=[PartnerFilters],
    responses={200: PartnerSerializer, **error_responses(400, 401, 404)},
)
class PartnerList(generics.ListAPIView):
    """The network's active partner organisations: public."""

    permission_classes = [AllowAny]
    serializer_class = PartnerSerializer

    def get_queryset(self):
        params = filters(self.request, PartnerFilters)
        partners = Partner.objects.filter(is_active=True)
        if category := params.get("category"):
            partners = partners.filter(category=category)
        if (international := params.get("international")) is not None:
            partners = partners.filter(is_international=international == "true")
        if q := params.get("q"):
            partners = partners.filter(name__icontains=q)
        return partners.order_by("name", "pk")


class IncubatorSerializer(serializers.ModelSerializer):
    affiliated_site = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    region = serializers.CharField(source="affiliated_site.region.code", read_only=True, help_text="ISO 3166-2.")

    class Meta:
        model = Incubator
        fields = ["id", "name", "slug", "affiliated_site", "region", "description", "website"]


class IncubatorFilters(serializers.Serializer):
    site = serializers.SlugField(required=False, max_length=50, help_text="The affiliated site's slug.")
    region = serializers.RegexField(r"^MA-[0-9]{2}$", required=False, help_text="A region code, e.g. MA-06.")


@extend_schema(
    tags=["incubators"],
    parameters=[IncubatorFilters],
    responses={200: IncubatorSerializer, **error_responses(400, 401, 404)},
)
class IncubatorList(generics.ListAPIView):
    """The active partner incubators, with their affiliated site and region: public."""

    permission_classes = [AllowAny]
    serializer_class = IncubatorSerializer

    def get_queryset(self):
        params = filters(self.request, IncubatorFilters)
        incubators = Incubator.objects.filter(is_active=True).select_related("affiliated_site__region")
        if site := params.get("site"):
            incubators = incubators.filter(affiliated_site__slug=site)
        if region := params.get("region"):
            incubators = incubators.filter(affiliated_site__region__code=region)
        return incubators.order_by("name", "pk")


# Mounted under /api/v1/ (namespace "api") by technopark/urls.py.
api_urlpatterns = [
    path("services/", ServiceList.as_view(), name="services"),
    path("services/<int:pk>/", ServiceDetail.as_view(), name="service"),
    path("sessions/", SessionList.as_view(), name="sessions"),
    path("sessions/<int:pk>/", SessionDetail.as_view(), name="session"),
    path("sessions/<int:pk>/register/", SessionRegister.as_view(), name="session_register"),
    path("registrations/", RegistrationList.as_view(), name="registrations"),
    path("registrations/<int:pk>/cancel/", RegistrationCancel.as_view(), name="registration_cancel"),
    path("programmes/", ProgrammeList.as_view(), name="programmes"),
    path("partners/", PartnerList.as_view(), name="partners"),
    path("incubators/", IncubatorList.as_view(), name="incubators"),
]
