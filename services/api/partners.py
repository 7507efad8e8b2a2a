"""The network's active partners and partner incubators: public."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny

from core.api import error_responses
from core.filters import BooleanFilter, filters
from sites.models import Incubator, Partner, PartnerCategory

from .common import choice


class PartnerSerializer(serializers.ModelSerializer):
    category = choice(PartnerCategory.choices)

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
