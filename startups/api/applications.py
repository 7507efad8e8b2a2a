"""Applications to calls: the founder's draft, submission and withdrawal, and the reviewing
site's decision. Writes go through `startups.actions`."""

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.rest_framework import FilterSet
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import error_responses
from core.filters import Param
from core.serializers import IdField, validated
from sites.roles import MANAGE, SitePermission
from sites.scoping import site_scope
from sites.selectors import operational_sites

from .. import actions
from ..models import Application, ApplicationStatus, Decision
from ..selectors.visibility import applications_visible_to, calls_visible_to, is_founder
from .common import FounderWrites, founded


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


class ApplicationFilterSet(FilterSet):
    site = Param(serializers.SlugField(max_length=50, help_text="The reviewing site's slug."), field_name="site__slug")
    status = Param(serializers.ChoiceField(choices=ApplicationStatus.choices))
    startup = Param(IdField())


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


def _application_or_404(request, pk: int) -> Application:
    return get_object_or_404(applications_visible_to(request.user), pk=pk)


@extend_schema(tags=["applications"])
class ApplicationList(generics.ListAPIView):
    serializer_class = ApplicationSerializer
    permission_classes = [FounderWrites]
    filterset_class = ApplicationFilterSet

    def get_queryset(self):
        return applications_visible_to(self.request.user).order_by("-submitted_at", "-created_at", "-pk")

    @extend_schema(responses={200: ApplicationSerializer, **error_responses(400, 401, 404)})
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
        startup = founded(request.user, data["startup"])
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
            site = operational_sites().filter(slug=data.get("home_site", "")).first()
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
