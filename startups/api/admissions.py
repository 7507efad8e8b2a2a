"""Admissions: residencies and e-Technopark memberships."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers

from core.api import error_responses
from core.filters import BooleanFilter, boolean, filters
from core.serializers import IdField

from ..models import Admission, AdmissionKind, admission_active_q
from ..selectors import admissions_visible_to
from .common import today


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
        active = boolean(params.get("active"))
        if active is not None:
            admissions = admissions.active_on(today()) if active else admissions.exclude(admission_active_q(today()))
        return admissions.order_by("-starts_on", "pk")


@extend_schema(tags=["admissions"], responses={200: AdmissionSerializer, **error_responses(401, 404)})
class AdmissionDetail(generics.RetrieveAPIView):
    serializer_class = AdmissionSerializer

    def get_queryset(self):
        return admissions_visible_to(self.request.user)
