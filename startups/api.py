"""REST API of the startups app: startups, calls, applications (with the founder's and the
manager's actions), admissions, offices and yearly declarations.

The flat `/api/v1/…` routes run in the tenant scope of the caller's visible sites (see
`sites.middleware`): site-owned querysets below are filtered by it, and the role rules
(founder, site staff, head office) are added on top. Writes go through `startups.actions`.

Query parameters are validated with small serializers (also exploded into the schema):
junk is a 400, never a 500. Validation errors are flat (`{"field": ["message", …]}`), as
`core.api.VALIDATION_ERROR_SCHEMA` documents.
"""

import datetime
import json
import re

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import QueryDict
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries.data import COUNTRIES
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import exceptions, generics, serializers, status
from rest_framework.permissions import SAFE_METHODS, AllowAny, BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import error_responses
from core.errors import Conflict
from sites.models import Site, SiteStatus
from sites.roles import MANAGE, SitePermission
from sites.scoping import managed_site_ids, network_scope, site_scope

from . import actions
from .models import (
    Admission,
    AdmissionKind,
    Application,
    ApplicationStatus,
    Call,
    Decision,
    Declaration,
    Office,
    OfficeAllocation,
    Stage,
    Startup,
)
from .selectors import is_founder, startups_of_member, startups_visible_to

MAX_ID = 2**31 - 1  # ids, years and counts stay within a 32-bit integer column
SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"


# --- Helpers --------------------------------------------------------------------------------
def _messages(value, prefix: str = "") -> list[str]:
    if isinstance(value, dict):
        return [message for key, inner in value.items() for message in _messages(inner, f"{prefix}{key}: ")]
    if isinstance(value, list):
        return [message for inner in value for message in _messages(inner, prefix)]
    return [f"{prefix}{value}"]


def _form_as_object(serializer_class, data: QueryDict) -> dict:
    """A form or multipart body as the object the schema describes. DRF reads a QueryDict
    as an HTML form: an empty value of an optional field counts as absent and a dict field
    is looked for as `field.key` names, so `amount=` would pass where the schema calls it
    invalid. Here list fields take every value of their name, object fields their value as
    JSON (OpenAPI's default encoding of an object in a multipart part), others their value."""
    fields = serializer_class().fields
    body = {}
    for name, values in data.lists():
        field = fields.get(name)
        if isinstance(field, (serializers.ListField, serializers.MultipleChoiceField, serializers.ManyRelatedField)):
            body[name] = values
        elif isinstance(field, (serializers.DictField, serializers.JSONField, serializers.Serializer)):
            try:
                body[name] = json.loads(values[-1])
            except ValueError:
                body[name] = values[-1]  # not an object: the field says so
        else:
            body[name] = values[-1]
    return body


def validated(serializer_class, data) -> dict:
    """`serializer_class(data=data)`'s validated data, or a 400 whose errors are flat lists
    of strings (nested list and dict errors are prefixed with their index or key)."""
    if isinstance(data, QueryDict):
        data = _form_as_object(serializer_class, data)
    serializer = serializer_class(data=data)
    if not serializer.is_valid():
        errors = serializer.errors
        if isinstance(errors, dict):
            errors = {key: _messages(value) for key, value in errors.items()}
        raise exceptions.ValidationError(errors)
    return serializer.validated_data


def filters(request, serializer_class) -> dict:
    """The validated query parameters of a list (an empty value is invalid but for `q`)."""
    # A plain dict: with a QueryDict, DRF reads an empty optional value as an absent one.
    return validated(serializer_class, request.query_params.dict())


def _today() -> datetime.date:
    return timezone.localdate()


def _open_on(day: datetime.date) -> Q:
    return Q(opens_on__lte=day, closes_on__gte=day)


def _active_on(day: datetime.date) -> Q:
    return Q(starts_on__lte=day) & (Q(ended_on__isnull=True) | Q(ended_on__gt=day))


def _boolean(value: str | None) -> bool | None:
    return None if value is None else value == "true"


class IdField(serializers.IntegerField):
    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)


class BooleanFilter(serializers.ChoiceField):
    """`true` or `false`, nothing else (DRF's BooleanField also takes `1`, `on`, `yes`…)."""

    def __init__(self, **kwargs):
        super().__init__(choices=["true", "false"], required=False, **kwargs)


AMOUNT_PATTERN = r"^[0-9]{1,12}(\.[0-9]{1,2})?$"


@extend_schema_field({"type": "string", "format": "decimal", "pattern": AMOUNT_PATTERN})
class AmountField(serializers.DecimalField):
    """An amount in MAD: at most 12 digits before the point and 2 after, never negative.
    Given as a string in exactly that form, as the schema says (DRF's DecimalField would
    also take a JSON number, `1e3` or ` 5`)."""

    def __init__(self, **kwargs):
        super().__init__(max_digits=14, decimal_places=2, min_value=0, **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str) or not re.match(AMOUNT_PATTERN, data):
            self.fail("invalid")
        return super().to_internal_value(data)


# --- Permissions ----------------------------------------------------------------------------
class FounderWrites(BasePermission):
    """Reads for anyone signed in; writes for founders of at least one startup (which one
    is checked against the body)."""

    message = gettext_lazy("Only a startup's founders can do this.")

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        return request.method in SAFE_METHODS or startups_of_member(request.user, founders_only=True).exists()


def _founded(user, startup_id: int) -> Startup:
    """The startup with this id if `user` founded it, else 403 (whether it exists or not)."""
    startup = startups_of_member(user, founders_only=True).filter(pk=startup_id).first()
    if startup is None:
        raise exceptions.PermissionDenied(_("You are not a founder of this startup."))
    return startup


# --- Startups -------------------------------------------------------------------------------
class StartupSerializer(serializers.ModelSerializer):
    sectors = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Startup
        fields = [
            "id",
            "legal_name",
            "brand_name",
            "ice",
            "rc_number",
            "legal_form",
            "founded_on",
            "closed_on",
            "sectors",
            "stage",
            "website",
            "contact_email",
        ]


class StartupFilters(serializers.Serializer):
    q = serializers.CharField(
        required=False, allow_blank=True, max_length=100, help_text="Part of the legal or brand name, or the ICE."
    )
    sector = serializers.SlugField(required=False, max_length=40, help_text="A sector code.")
    stage = serializers.ChoiceField(choices=Stage.choices, required=False)


def startup_list(user, params: dict) -> QuerySet[Startup]:
    startups = startups_visible_to(user).prefetch_related("sectors").order_by("legal_name", "pk")
    if q := params.get("q"):
        startups = startups.filter(Q(legal_name__icontains=q) | Q(brand_name__icontains=q) | Q(ice__icontains=q))
    if sector := params.get("sector"):
        startups = startups.filter(sectors__code=sector)
    if stage := params.get("stage"):
        startups = startups.filter(stage=stage)
    return startups


# 400: a malformed filter or page size; 404: a page past the end.
@extend_schema(
    tags=["startups"], parameters=[StartupFilters], responses={200: StartupSerializer, **error_responses(400, 401, 404)}
)
class StartupList(generics.ListAPIView):
    """The startups the caller may see: their own team's, those admitted at or applying to
    a site where they work, every startup for head office."""

    serializer_class = StartupSerializer

    def get_queryset(self):
        return startup_list(self.request.user, filters(self.request, StartupFilters))


@extend_schema(tags=["startups"], responses={200: StartupSerializer, **error_responses(401, 404)})
class StartupDetail(generics.RetrieveAPIView):
    serializer_class = StartupSerializer

    def get_queryset(self):
        return startups_visible_to(self.request.user).prefetch_related("sectors")


# --- Calls ----------------------------------------------------------------------------------
class CallSerializer(serializers.ModelSerializer):
    site = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True, help_text="Empty for a network-wide e-Technopark call."
    )
    target_sectors = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    questions = serializers.ListField(child=serializers.CharField(), read_only=True)
    is_open = serializers.SerializerMethodField()

    class Meta:
        model = Call
        fields = [
            "id",
            "site",
            "kind",
            "title",
            "description",
            "opens_on",
            "closes_on",
            "is_open",
            "target_sectors",
            "questions",
        ]

    def get_is_open(self, call) -> bool:
        return call.is_open()


class CallFilters(serializers.Serializer):
    site = serializers.SlugField(required=False, max_length=50, help_text="A site's slug.")
    kind = serializers.ChoiceField(choices=AdmissionKind.choices, required=False)
    open = BooleanFilter(help_text="`true`: open today; `false`: closed or not open yet.")


def calls_visible_to(user) -> QuerySet[Call]:
    """Open calls across the network for everyone; for signed-in users, also the calls of
    the sites they may see (every call for head office) and the calls their startups
    applied to. Call inside the request's scope."""
    open_now = _open_on(_today())
    if not user.is_authenticated:
        with network_scope():  # the public list of open calls, every site's
            return Call.objects.filter(open_now)
    in_my_scope = Call.objects.values("pk")  # the request's scope (visible sites)
    applied_to = startups_of_member(user).values("applications__call")
    with network_scope():  # open calls across the network, plus the above
        return Call.objects.filter(open_now | Q(pk__in=in_my_scope) | Q(pk__in=applied_to))


def call_list(user, params: dict) -> QuerySet[Call]:
    calls = calls_visible_to(user).select_related("site").prefetch_related("target_sectors")
    if site := params.get("site"):
        calls = calls.filter(site__slug=site)
    if kind := params.get("kind"):
        calls = calls.filter(kind=kind)
    is_open = _boolean(params.get("open"))
    if is_open is not None:
        calls = calls.filter(_open_on(_today())) if is_open else calls.exclude(_open_on(_today()))
    return calls.order_by("-opens_on", "title", "pk")


@extend_schema(
    tags=["calls"], parameters=[CallFilters], responses={200: CallSerializer, **error_responses(400, 401, 404)}
)
class CallList(generics.ListAPIView):
    """Calls for applications. Anyone, signed in or not, sees the calls open today across
    the network; signed-in users also see the past calls of the sites they may see."""

    permission_classes = [AllowAny]
    serializer_class = CallSerializer

    def get_queryset(self):
        return call_list(self.request.user, filters(self.request, CallFilters))


@extend_schema(tags=["calls"], responses={200: CallSerializer, **error_responses(401, 404)})
class CallDetail(generics.RetrieveAPIView):
    """One call: open calls are public like their list; others need the list's rights."""

    permission_classes = [AllowAny]
    serializer_class = CallSerializer

    def get_queryset(self):
        return calls_visible_to(self.request.user).select_related("site").prefetch_related("target_sectors")


# --- Applications ---------------------------------------------------------------------------
class ApplicationSerializer(serializers.ModelSerializer):
    call_title = serializers.CharField(source="call.title", read_only=True)
    site = serializers.SlugRelatedField(slug_field="slug", read_only=True, help_text="The reviewing site.")
    startup_name = serializers.CharField(source="startup.__str__", read_only=True)
    answers = serializers.DictField(child=serializers.CharField(), read_only=True)
    has_pitch_deck = serializers.SerializerMethodField()

    class Meta:
        model = Application
        fields = [
            "id",
            "call",
            "call_title",
            "site",
            "startup",
            "startup_name",
            "status",
            "answers",
            "has_pitch_deck",
            "created_at",
            "submitted_at",
            "decided_at",
            "decision",
            "decision_reason",
        ]

    def get_has_pitch_deck(self, application) -> bool:
        return bool(application.pitch_deck)


class ApplicationFilters(serializers.Serializer):
    site = serializers.SlugField(required=False, max_length=50, help_text="The reviewing site's slug.")
    status = serializers.ChoiceField(choices=ApplicationStatus.choices, required=False)
    startup = IdField(required=False)


class ApplicationCreateSerializer(serializers.Serializer):
    call = IdField(help_text="An open call.")
    startup = IdField(help_text="A startup you founded.")
    home_site = serializers.SlugField(
        required=False, max_length=50, help_text="For a network-wide call: the slug of the site that will review it."
    )
    answers = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=5000),
        required=False,
        help_text="The call's questions and your answers.",
    )


class DecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=Decision.choices)
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=5000, help_text="Required to reject: the applicant reads it."
    )
    starts_on = serializers.DateField(required=False, help_text="Start of the admission (default: today).")


def applications_visible_to(user) -> QuerySet[Application]:
    """Founders and team: their startups' applications; site staff: their sites' submitted
    ones (drafts stay private); head office: every submitted one. Call inside the request's
    scope."""
    if not user.is_authenticated:
        return Application.objects.none()
    own = Q(startup__in=startups_of_member(user).values("pk"))
    site_ids = managed_site_ids(user)
    if site_ids is None:
        staff = ~Q(status=ApplicationStatus.DRAFT)
    else:
        staff = Q(site__in=site_ids) & ~Q(status=ApplicationStatus.DRAFT)
    return Application.objects.filter(own | staff).select_related("call", "site", "startup")


def _application_or_404(request, pk: int) -> Application:
    return get_object_or_404(applications_visible_to(request.user), pk=pk)


@extend_schema(tags=["applications"])
class ApplicationList(generics.ListAPIView):
    serializer_class = ApplicationSerializer
    permission_classes = [FounderWrites]

    def get_queryset(self):
        params = filters(self.request, ApplicationFilters)
        applications = applications_visible_to(self.request.user)
        if site := params.get("site"):
            applications = applications.filter(site__slug=site)
        if state := params.get("status"):
            applications = applications.filter(status=state)
        if startup := params.get("startup"):
            applications = applications.filter(startup=startup)
        return applications.order_by("-submitted_at", "-created_at", "-pk")

    @extend_schema(
        parameters=[ApplicationFilters], responses={200: ApplicationSerializer, **error_responses(400, 401, 404)}
    )
    def get(self, request, *args, **kwargs):
        """Founders see their startups' applications (drafts included); site staff the
        submitted applications to their sites; head office every submitted application."""
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=ApplicationCreateSerializer,
        # 403: not a founder (of this startup); 409: the call is closed or the startup
        # already applied to it.
        responses={201: ApplicationSerializer, **error_responses(400, 401, 403, 409)},
    )
    def post(self, request, *args, **kwargs):
        """A founder starts a draft application to an open call. Submit it once every
        question is answered and a pitch deck is attached (on the web: the API does not
        take uploads)."""
        data = validated(ApplicationCreateSerializer, request.data)
        startup = _founded(request.user, data["startup"])
        call = calls_visible_to(request.user).select_related("site").filter(pk=data["call"]).first()
        if call is None:
            raise exceptions.ValidationError({"call": [_("No such call.")]})
        answers = data.get("answers") or {}
        unknown = sorted(set(answers) - set(call.questions))
        if unknown:
            raise exceptions.ValidationError(
                {"answers": [_("Not a question of this call: %s") % key for key in unknown]}
            )
        site = call.site
        if site is None:
            site = Site.objects.filter(slug=data.get("home_site", ""), status=SiteStatus.OPERATIONAL).first()
            if site is None:
                raise exceptions.ValidationError(
                    {"home_site": [_("Choose the operational site of your region: it will follow your startup.")]}
                )
        # The reviewing site may be one the caller had no business with until now.
        with site_scope(site), transaction.atomic():
            application = actions.application_start(actor=request.user, call=call, startup=startup, home_site=site)
            if answers:
                application = actions.application_update(actor=request.user, application=application, answers=answers)
        return Response(ApplicationSerializer(application).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["applications"], responses={200: ApplicationSerializer, **error_responses(401, 404)})
class ApplicationDetail(generics.RetrieveAPIView):
    serializer_class = ApplicationSerializer

    def get_queryset(self):
        return applications_visible_to(self.request.user)


def _founder_of(user, application: Application) -> None:
    if not is_founder(user, application.startup):
        raise exceptions.PermissionDenied(_("Only the startup's founders can do this."))


@extend_schema(
    tags=["applications"],
    request=None,
    # 400: an unanswered question or no pitch deck; 403: not a founder of the startup;
    # 409: already submitted, or the call is closed.
    responses={200: ApplicationSerializer, **error_responses(400, 401, 403, 404, 409)},
)
class ApplicationSubmit(APIView):
    """Submit a draft: every question answered and a pitch deck attached (uploaded on the
    web; without one the answer is a 400 asking for it)."""

    def post(self, request, pk: int):
        application = _application_or_404(request, pk)
        _founder_of(request.user, application)
        application = actions.application_submit(actor=request.user, application=application)
        return Response(ApplicationSerializer(application).data)


@extend_schema(
    tags=["applications"],
    request=None,
    # 403: not a founder of the startup; 409: already decided or withdrawn.
    responses={200: ApplicationSerializer, **error_responses(401, 403, 404, 409)},
)
class ApplicationWithdraw(APIView):
    """Withdraw a draft or an application awaiting a decision (the startup's founders)."""

    def post(self, request, pk: int):
        application = _application_or_404(request, pk)
        _founder_of(request.user, application)
        application = actions.application_withdraw(actor=request.user, application=application)
        return Response(ApplicationSerializer(application).data)


@extend_schema(
    tags=["applications"],
    request=DecisionSerializer,
    # 400: a rejection without a reason; 403: not a manager of the reviewing site;
    # 409: not awaiting a decision (decided already, withdrawn) or already admitted there.
    responses={200: ApplicationSerializer, **error_responses(400, 401, 403, 404, 409)},
)
class ApplicationDecide(APIView):
    """The decision on a submitted application, by a manager of the reviewing site or head
    office. Admitting creates the admission (starting on `starts_on`, today by default);
    the founders are emailed."""

    permission_classes = [IsAuthenticated, SitePermission]
    site_action = MANAGE
    site_permission_message = gettext_lazy("Only the site's managers decide on its applications.")

    def post(self, request, pk: int):
        application = _application_or_404(request, pk)
        self.check_object_permissions(request, application)
        user = request.user
        data = validated(DecisionSerializer, request.data)
        application = actions.application_decide(
            actor=user,
            application=application,
            decision=data["decision"],
            reason=data.get("reason", ""),
            starts_on=data.get("starts_on"),
        )
        return Response(ApplicationSerializer(application).data)


# --- Admissions -----------------------------------------------------------------------------
class AdmissionSerializer(serializers.ModelSerializer):
    site = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    startup_name = serializers.CharField(source="startup.__str__", read_only=True)
    is_active = serializers.SerializerMethodField()

    class Meta:
        model = Admission
        fields = [
            "id",
            "startup",
            "startup_name",
            "site",
            "kind",
            "application",
            "starts_on",
            "planned_end_on",
            "ended_on",
            "exit_reason",
            "is_active",
        ]

    def get_is_active(self, admission) -> bool:
        return admission.is_active()


class AdmissionFilters(serializers.Serializer):
    site = serializers.SlugField(required=False, max_length=50, help_text="A site's slug.")
    kind = serializers.ChoiceField(choices=AdmissionKind.choices, required=False)
    active = BooleanFilter(help_text="`true`: active today; `false`: ended or not started yet.")
    startup = IdField(required=False)


def admissions_visible_to(user) -> QuerySet[Admission]:
    """Founders and team: their startups' admissions; site staff: their sites'; head
    office: all. Call inside the request's scope."""
    if not user.is_authenticated:
        return Admission.objects.none()
    site_ids = managed_site_ids(user)
    if site_ids is None:
        admissions = Admission.objects.all()
    else:
        admissions = Admission.objects.filter(
            Q(startup__in=startups_of_member(user).values("pk")) | Q(site__in=site_ids)
        )
    return admissions.select_related("site", "startup")


@extend_schema(
    tags=["admissions"],
    parameters=[AdmissionFilters],
    responses={200: AdmissionSerializer, **error_responses(400, 401, 404)},
)
class AdmissionList(generics.ListAPIView):
    """Residencies and e-Technopark memberships: your startups', your sites', or all."""

    serializer_class = AdmissionSerializer

    def get_queryset(self):
        params = filters(self.request, AdmissionFilters)
        admissions = admissions_visible_to(self.request.user)
        if site := params.get("site"):
            admissions = admissions.filter(site__slug=site)
        if kind := params.get("kind"):
            admissions = admissions.filter(kind=kind)
        if startup := params.get("startup"):
            admissions = admissions.filter(startup=startup)
        active = _boolean(params.get("active"))
        if active is not None:
            admissions = admissions.filter(_active_on(_today())) if active else admissions.exclude(_active_on(_today()))
        return admissions.order_by("-starts_on", "pk")


@extend_schema(tags=["admissions"], responses={200: AdmissionSerializer, **error_responses(401, 404)})
class AdmissionDetail(generics.RetrieveAPIView):
    serializer_class = AdmissionSerializer

    def get_queryset(self):
        return admissions_visible_to(self.request.user)


# --- Offices --------------------------------------------------------------------------------
class OfficeSerializer(serializers.ModelSerializer):
    site = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    occupied = serializers.BooleanField(read_only=True, help_text="Allocated today.")

    class Meta:
        model = Office
        fields = ["id", "site", "number", "floor", "area_m2", "seats", "monthly_rent_mad", "is_active", "occupied"]


class OfficeFilters(serializers.Serializer):
    site = serializers.SlugField(required=False, max_length=50, help_text="A site's slug.")
    occupied = BooleanFilter(help_text="`true`: allocated today; `false`: free today.")


@extend_schema(
    tags=["offices"], parameters=[OfficeFilters], responses={200: OfficeSerializer, **error_responses(400, 401, 404)}
)
class OfficeList(generics.ListAPIView):
    """The offices of the sites where you work (every site for head office), occupied today
    or not. Founders get an empty list."""

    serializer_class = OfficeSerializer

    def get_queryset(self):
        params = filters(self.request, OfficeFilters)
        site_ids = managed_site_ids(self.request.user)
        offices = Office.objects.all() if site_ids is None else Office.objects.filter(site__in=site_ids)
        today = _today()
        allocated = OfficeAllocation.objects.filter(office=OuterRef("pk"), starts_on__lte=today).filter(
            Q(ends_on__isnull=True) | Q(ends_on__gt=today)
        )
        offices = offices.annotate(occupied=Exists(allocated)).select_related("site")
        if site := params.get("site"):
            offices = offices.filter(site__slug=site)
        occupied = _boolean(params.get("occupied"))
        if occupied is not None:
            offices = offices.filter(occupied=occupied)
        return offices.order_by("site__slug", "floor", "number", "pk")


# --- Declarations ---------------------------------------------------------------------------
COUNTRY_CODES = sorted(COUNTRIES)


class DeclarationSerializer(serializers.ModelSerializer):
    revenue_mad = AmountField(read_only=True)
    export_revenue_mad = AmountField(read_only=True)
    funds_raised_mad = AmountField(read_only=True)
    export_countries = serializers.SerializerMethodField()

    class Meta:
        model = Declaration
        fields = [
            "id",
            "startup",
            "fiscal_year",
            "direct_jobs",
            "indirect_jobs",
            "revenue_mad",
            "export_revenue_mad",
            "export_countries",
            "exports_to_africa",
            "funds_raised_mad",
            "declared_at",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_export_countries(self, declaration) -> list[str]:
        return [country.code for country in declaration.export_countries]


class DeclarationWriteSerializer(serializers.Serializer):
    startup = IdField(help_text="A startup you founded.")
    fiscal_year = serializers.IntegerField(min_value=1990, max_value=2100, help_text="A year that is over.")
    direct_jobs = serializers.IntegerField(min_value=0, max_value=MAX_ID, default=0)
    indirect_jobs = serializers.IntegerField(min_value=0, max_value=MAX_ID, default=0)
    revenue_mad = AmountField(default=0)
    export_revenue_mad = AmountField(default=0, help_text="At most the revenue.")
    export_countries = serializers.ListField(
        child=serializers.ChoiceField(choices=COUNTRY_CODES), default=list, max_length=len(COUNTRY_CODES)
    )
    funds_raised_mad = AmountField(default=0)


class DeclarationFilters(serializers.Serializer):
    startup = IdField(required=False)
    fiscal_year = serializers.IntegerField(required=False, min_value=1990, max_value=2100)


def declarations_visible_to(user) -> QuerySet[Declaration]:
    """Founders and team: their startups'; site staff: those of the startups admitted at
    their sites; head office: all. Call inside the request's scope."""
    if not user.is_authenticated:
        return Declaration.objects.none()
    site_ids = managed_site_ids(user)
    if site_ids is None:
        return Declaration.objects.all()
    own = Q(startup__in=startups_of_member(user).values("pk"))
    admitted = Q(startup__in=Admission.objects.filter(site__in=site_ids).values("startup"))
    return Declaration.objects.filter(own | admitted)


@extend_schema(tags=["declarations"])
class DeclarationList(generics.ListAPIView):
    serializer_class = DeclarationSerializer
    permission_classes = [FounderWrites]

    def get_queryset(self):
        params = filters(self.request, DeclarationFilters)
        declarations = declarations_visible_to(self.request.user)
        if startup := params.get("startup"):
            declarations = declarations.filter(startup=startup)
        if year := params.get("fiscal_year"):
            declarations = declarations.filter(fiscal_year=year)
        return declarations.order_by("-fiscal_year", "startup", "pk")

    @extend_schema(
        parameters=[DeclarationFilters], responses={200: DeclarationSerializer, **error_responses(400, 401, 404)}
    )
    def get(self, request, *args, **kwargs):
        """Yearly declarations (jobs, revenue, exports, funds raised): your startups', those
        of the startups admitted at your sites, or all for head office."""
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=DeclarationWriteSerializer,
        # 400: a year not over yet, exports above revenue, an unknown country code;
        # 403: not a founder of the startup; 409: a concurrent declaration of that year.
        responses={
            200: OpenApiResponse(DeclarationSerializer, description="The year's declaration, corrected."),
            201: OpenApiResponse(DeclarationSerializer, description="The year's declaration, created."),
            **error_responses(400, 401, 403, 409),
        },
    )
    def post(self, request, *args, **kwargs):
        """Declare (or correct) a startup's figures for a fiscal year that is over: one
        declaration per startup and year."""
        data = validated(DeclarationWriteSerializer, request.data)
        startup = _founded(request.user, data.pop("startup"))
        existing = Declaration.objects.filter(startup=startup, fiscal_year=data["fiscal_year"]).first()
        declaration = Declaration(startup=startup, **data)
        if existing is not None:
            declaration.pk = existing.pk
            declaration._state.adding = False
        try:
            declaration = actions.declaration_save(actor=request.user, declaration=declaration)
        except IntegrityError as error:  # a concurrent declaration of the same year
            raise Conflict(_("This year was declared at the same time: reload and try again.")) from error
        code = status.HTTP_200_OK if existing is not None else status.HTTP_201_CREATED
        return Response(DeclarationSerializer(declaration).data, status=code)


# Mounted under /api/v1/ (namespace "api") by technopark/urls.py.
api_urlpatterns = [
    path("startups/", StartupList.as_view(), name="startups"),
    path("startups/<int:pk>/", StartupDetail.as_view(), name="startup"),
    path("calls/", CallList.as_view(), name="calls"),
    path("calls/<int:pk>/", CallDetail.as_view(), name="call"),
    path("applications/", ApplicationList.as_view(), name="applications"),
    path("applications/<int:pk>/", ApplicationDetail.as_view(), name="application"),
    path("applications/<int:pk>/submit/", ApplicationSubmit.as_view(), name="application_submit"),
    path("applications/<int:pk>/withdraw/", ApplicationWithdraw.as_view(), name="application_withdraw"),
    path("applications/<int:pk>/decide/", ApplicationDecide.as_view(), name="application_decide"),
    path("admissions/", AdmissionList.as_view(), name="admissions"),
    path("admissions/<int:pk>/", AdmissionDetail.as_view(), name="admission"),
    path("offices/", OfficeList.as_view(), name="offices"),
    path("declarations/", DeclarationList.as_view(), name="declarations"),
]
