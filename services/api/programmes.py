"""Programmes the caller may see (`partners_selectors.programmes_visible_to`), network-wide."""

from django_filters.rest_framework import FilterSet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers

from core.api import error_responses
from core.multilingual import translated_order

from ..models import Programme
from ..selectors import partners as partners_selectors
from .common import NetworkScoped, site_param


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


@extend_schema(tags=["programmes"], responses={200: ProgrammeSerializer, **error_responses(400, 401, 404)})
class ProgrammeList(NetworkScoped, generics.ListAPIView):
    """Programmes: every one for head office, your sites' for site staff, those your
    startups take part in for founders and teams."""

    serializer_class = ProgrammeSerializer
    filterset_class = ProgrammeFilterSet

    def get_queryset(self):
        programmes = partners_selectors.programmes_visible_rows(user=self.request.user)
        return programmes.order_by("-starts_on", translated_order("title"), "pk")
