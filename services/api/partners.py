"""The network's active partners and partner incubators: public."""

from django_filters.rest_framework import FilterSet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny

from core.api import error_responses
from core.filters import Param, TrueFalseField
from sites.models import Incubator, Partner, PartnerCategory

from ..selectors import partners as partners_selectors
from .common import choice


class PartnerSerializer(serializers.ModelSerializer):
    category = choice(PartnerCategory.choices)

    class Meta:
        model = Partner
        fields = ["id", "name", "category", "is_international", "description", "website", "logo"]


class PartnerFilterSet(FilterSet):
    category = Param(serializers.ChoiceField(choices=PartnerCategory.choices))
    international = Param(TrueFalseField(), field_name="is_international")
    q = Param(
        serializers.CharField(allow_blank=True, max_length=100, help_text="Part of the name."),
        field_name="name",
        lookup_expr="icontains",
    )


@extend_schema(tags=["partners"], responses={200: PartnerSerializer, **error_responses(400, 401, 404)})
class PartnerList(generics.ListAPIView):
    """The network's active partner organisations: public."""

    permission_classes = [AllowAny]
    serializer_class = PartnerSerializer
    filterset_class = PartnerFilterSet

    def get_queryset(self):
        return partners_selectors.active_partners()


class IncubatorSerializer(serializers.ModelSerializer):
    affiliated_site = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    region = serializers.CharField(source="affiliated_site.region.code", read_only=True, help_text="ISO 3166-2.")

    class Meta:
        model = Incubator
        fields = ["id", "name", "slug", "affiliated_site", "region", "description", "website"]


class IncubatorFilterSet(FilterSet):
    site = Param(
        serializers.SlugField(max_length=50, help_text="The affiliated site's slug."),
        field_name="affiliated_site__slug",
    )
    region = Param(
        serializers.RegexField(r"^MA-[0-9]{2}$", help_text="A region code, e.g. MA-06."),
        field_name="affiliated_site__region__code",
    )


@extend_schema(tags=["incubators"], responses={200: IncubatorSerializer, **error_responses(400, 401, 404)})
class IncubatorList(generics.ListAPIView):
    """The active partner incubators, with their affiliated site and region: public."""

    permission_classes = [AllowAny]
    serializer_class = IncubatorSerializer
    filterset_class = IncubatorFilterSet

    def get_queryset(self):
        return partners_selectors.active_incubators()
