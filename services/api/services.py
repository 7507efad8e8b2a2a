"""The published support services of every site and of the network's e-Technopark offer:
public."""

from django.db.models import Q, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.settings import api_settings

from core.api import error_responses
from core.filters import filters

from ..models import Dimension, Eligibility, Format, ProviderKind, Service, ServiceType
from .common import NetworkScoped, SiteSlugFilter, choice, site_filter


class _NoFormatOverride:
    """DRF's settings, but `?format=` is not a renderer override."""

    URL_FORMAT_OVERRIDE = None

    def __getattr__(self, name):
        return getattr(api_settings, name)


class FormatIsAFilter(DefaultContentNegotiation):
    """`?format=` filters services by format (on site, remote…) here: DRF would otherwise read
    it as the response format and answer 404 for `format=on_site`."""

    settings = _NoFormatOverride()


class ServiceSerializer(serializers.ModelSerializer):
    site = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True, help_text="Empty for the network's e-Technopark offer."
    )
    dimension = choice(Dimension.choices)
    type = choice(ServiceType.choices, source="service_type")
    provider_kind = choice(ProviderKind.choices)
    partner_name = serializers.CharField(source="partner.name", read_only=True, allow_null=True, default=None)
    format = choice(Format.choices)
    eligibility = choice(Eligibility.choices)
    languages = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Service
        fields = [
            "id",
            "site",
            "title",
            "summary",
            "description",
            "dimension",
            "type",
            "provider_kind",
            "partner",
            "partner_name",
            "expert_name",
            "format",
            "eligibility",
            "languages",
        ]


class ServiceFilters(serializers.Serializer):
    site = SiteSlugFilter()
    dimension = serializers.ChoiceField(choices=Dimension.choices, required=False)
    format = serializers.ChoiceField(choices=Format.choices, required=False)
    language = serializers.SlugField(required=False, max_length=5, help_text="A language code: fr, ar, en, zgh…")
    type = serializers.ChoiceField(choices=ServiceType.choices, required=False)
    q = serializers.CharField(
        required=False, allow_blank=True, max_length=100, help_text="Part of the title, summary or description."
    )


def published_services() -> QuerySet[Service]:
    """Every published service of the network. Call inside `network_scope()`."""
    return Service.objects.filter(is_published=True).select_related("site", "partner").prefetch_related("languages")


def service_list(params: dict) -> QuerySet[Service]:
    services = published_services()
    if site := params.get("site"):
        services = services.filter(site_filter(site))
    if dimension := params.get("dimension"):
        services = services.filter(dimension=dimension)
    if service_format := params.get("format"):
        services = services.filter(format=service_format)
    if language := params.get("language"):
        services = services.filter(languages__code=language)
    if service_type := params.get("type"):
        services = services.filter(service_type=service_type)
    if q := params.get("q"):
        services = services.filter(Q(title__icontains=q) | Q(summary__icontains=q) | Q(description__icontains=q))
    return services.order_by("title", "pk")


@extend_schema(
    tags=["services"],
    parameters=[ServiceFilters],
    responses={200: ServiceSerializer, **error_responses(400, 401, 404)},
)
class ServiceList(NetworkScoped, generics.ListAPIView):
    """The published support services of every site and of the network's e-Technopark
    offer: public."""

    permission_classes = [AllowAny]
    serializer_class = ServiceSerializer
    content_negotiation_class = FormatIsAFilter

    def get_queryset(self):
        return service_list(filters(self.request, ServiceFilters))


@extend_schema(tags=["services"], responses={200: ServiceSerializer, **error_responses(401, 404)})
class ServiceDetail(NetworkScoped, generics.RetrieveAPIView):
    permission_classes = [AllowAny]
    serializer_class = ServiceSerializer

    def get_queryset(self):
        return published_services()
