"""Programmes the caller may see (`selectors.programmes_visible_to`), network-wide."""

from django.db.models import OuterRef, Prefetch, QuerySet
from django_filters.rest_framework import FilterSet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers

from core.api import error_responses
from sites.models import Incubator, Partner

from ..models import Programme, ProgrammeParticipant, Service
from ..selectors import programmes_visible_to
from .common import NetworkScoped, count_subquery, site_param


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


class ProgrammeFilterSet(FilterSet):
    site = site_param()


def programme_rows(user) -> QuerySet[Programme]:
    """The programmes `user` may see (`selectors.programmes_visible_to`) with what the
    serializer reads: their cohort's size and their partners, incubators and services. Call
    inside `network_scope()`."""
    participants = ProgrammeParticipant.objects.filter(programme=OuterRef("pk"))
    return (
        programmes_visible_to(user)
        .select_related("site")
        .annotate(participant_count=count_subquery(participants, outer="programme"))
        .prefetch_related(
            Prefetch("partners", queryset=Partner.objects.order_by("name")),
            Prefetch("incubators", queryset=Incubator.objects.order_by("name")),
            Prefetch("services", queryset=Service.objects.order_by("title")),
        )
    )


@extend_schema(tags=["programmes"], responses={200: ProgrammeSerializer, **error_responses(400, 401, 404)})
class ProgrammeList(NetworkScoped, generics.ListAPIView):
    """Programmes: every one for head office, your sites' for site staff, those your
    startups take part in for founders and teams."""

    serializer_class = ProgrammeSerializer
    filterset_class = ProgrammeFilterSet

    def get_queryset(self):
        return programme_rows(self.request.user).order_by("-starts_on", "title", "pk")
