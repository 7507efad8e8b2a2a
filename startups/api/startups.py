"""Startups: those the caller may see, and one of them."""

from django.db.models import Q, QuerySet
from django_filters.rest_framework import FilterSet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers

from core.api import error_responses
from core.filters import Param

from ..models import Stage, Startup
from ..selectors.visibility import startups_visible_to


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


class StartupFilterSet(FilterSet):
    q = Param(
        serializers.CharField(
            allow_blank=True, max_length=100, help_text="Part of the legal or brand name, or the ICE."
        ),
        method="search",
    )
    sector = Param(serializers.SlugField(max_length=40, help_text="A sector code."), field_name="sectors__code")
    stage = Param(serializers.ChoiceField(choices=Stage.choices))

    def search(self, startups: QuerySet[Startup], name: str, q: str) -> QuerySet[Startup]:
        return startups.filter(Q(legal_name__icontains=q) | Q(brand_name__icontains=q) | Q(ice__icontains=q))


# 400: a malformed filter or page size; 404: a page past the end.
@extend_schema(tags=["startups"], responses={200: StartupSerializer, **error_responses(400, 401, 404)})
class StartupList(generics.ListAPIView):
    """The startups the caller may see: their own team's, those admitted at or applying to
    a site where they work, every startup for head office."""

    serializer_class = StartupSerializer
    filterset_class = StartupFilterSet

    def get_queryset(self):
        return startups_visible_to(self.request.user).prefetch_related("sectors").order_by("legal_name", "pk")


@extend_schema(tags=["startups"], responses={200: StartupSerializer, **error_responses(401, 404)})
class StartupDetail(generics.RetrieveAPIView):
    serializer_class = StartupSerializer

    def get_queryset(self):
        return startups_visible_to(self.request.user).prefetch_related("sectors")
