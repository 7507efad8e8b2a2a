from django_filters.rest_framework import FilterSet
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny

from core.api import error_responses
from core.filters import Param

from .models import REGION_CODE_PATTERN, Region, Site, SiteMembership, SiteStatus
from .selectors import region_list, site_list, site_team


def slug_parameter(name: str) -> OpenApiParameter:
    """A site slug in the path: what Django's `<slug:…>` converter accepts (anything else is
    a 404 before any view runs)."""
    return OpenApiParameter(
        name,
        str,
        OpenApiParameter.PATH,
        required=True,
        pattern=r"^[-a-zA-Z0-9_]+$",
        examples=[OpenApiExample("Technopark Casablanca", value="casablanca")],
    )


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["code", "name", "name_fr", "name_ar", "name_en"]


class SiteSerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    vocations = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Site
        fields = [
            "slug",
            "name",
            "name_fr",
            "name_ar",
            "name_en",
            "region",
            "status",
            "opened_on",
            "city",
            "address",
            "area_m2",
            "capacity_startups",
            "vocations",
        ]


class MembershipSerializer(serializers.ModelSerializer):
    email = serializers.EmailField(source="user.email", read_only=True)
    full_name = serializers.CharField(source="user.full_name", read_only=True)

    class Meta:
        model = SiteMembership
        fields = ["id", "email", "full_name", "role", "created_at"]


# 400: a malformed page size; 401: an invalid token is refused even where no sign-in is
# needed; 404: a page past the end.
@extend_schema(tags=["network"], responses={200: RegionSerializer, **error_responses(400, 401, 404)})
class RegionList(generics.ListAPIView):
    """The 12 regions of Morocco, with their stable codes."""

    permission_classes = [AllowAny]
    serializer_class = RegionSerializer
    queryset = region_list()


class SiteFilterSet(FilterSet):
    region = Param(
        serializers.RegexField(REGION_CODE_PATTERN, help_text="A region code, e.g. MA-06."), field_name="region__code"
    )
    status = Param(serializers.ChoiceField(choices=SiteStatus.choices))


@extend_schema(tags=["network"], responses={200: SiteSerializer, **error_responses(400, 401, 404)})
class SiteList(generics.ListAPIView):
    """Every Technopark site, operational or planned. Filter with `?region=MA-06&status=planned`."""

    permission_classes = [AllowAny]
    serializer_class = SiteSerializer
    filterset_class = SiteFilterSet

    def get_queryset(self):
        return site_list()


@extend_schema(
    tags=["network"],
    parameters=[slug_parameter("slug")],
    responses={200: SiteSerializer, **error_responses(401, 404)},
)
class SiteDetail(generics.RetrieveAPIView):
    permission_classes = [AllowAny]
    serializer_class = SiteSerializer
    lookup_field = "slug"
    queryset = site_list()


# 404 (from the tenancy middleware) for a missing site and for a site the caller does not
# work at alike, signed in or not.
@extend_schema(
    tags=["site back-office"],
    parameters=[slug_parameter("site_slug")],
    responses={200: MembershipSerializer, **error_responses(400, 401, 404)},
)
class SiteMembershipList(generics.ListAPIView):
    """The team of one site (scoped to that site by the tenancy middleware)."""

    serializer_class = MembershipSerializer

    def get_queryset(self):
        return site_team()
