"""Admissions: residencies and e-Technopark memberships."""

from django.db.models import QuerySet
from django_filters.rest_framework import FilterSet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers

from core.api import error_responses
from core.filters import Param, TrueFalseField
from core.serializers import IdField

from ..models import Admission, AdmissionKind, admission_active_q
from ..selectors.visibility import admissions_visible_to
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


class AdmissionFilterSet(FilterSet):
    site = Param(serializers.SlugField(max_length=50, help_text="A site's slug."), field_name="site__slug")
    kind = Param(serializers.ChoiceField(choices=AdmissionKind.choices))
    active = Param(
        TrueFalseField(help_text="`true`: active today; `false`: ended or not started yet."), method="active_today"
    )
    startup = Param(IdField())

    def active_today(self, admissions: QuerySet[Admission], name: str, active: bool) -> QuerySet[Admission]:
        return admissions.active_on(today()) if active else admissions.exclude(admission_active_q(today()))


@extend_schema(tags=["admissions"], responses={200: AdmissionSerializer, **error_responses(400, 401, 404)})
class AdmissionList(generics.ListAPIView):
    """Residencies and e-Technopark memberships: your startups', your sites', or all."""

    serializer_class = AdmissionSerializer
    filterset_class = AdmissionFilterSet

    def get_queryset(self):
        return admissions_visible_to(self.request.user).order_by("-starts_on", "pk")


@extend_schema(tags=["admissions"], responses={200: AdmissionSerializer, **error_responses(401, 404)})
class AdmissionDetail(generics.RetrieveAPIView):
    serializer_class = AdmissionSerializer

    def get_queryset(self):
        return admissions_visible_to(self.request.user)
