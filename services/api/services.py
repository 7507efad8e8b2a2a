"""The published support services of every site and of the network's e-Technopark offer:
public."""

from django.db.models import QuerySet
from django_filters.rest_framework import FilterSet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.settings import api_settings

from core.api import error_responses
from core.filters import Param
from core.multilingual import any_language_q, translated_order

from ..models import Dimension, Eligibility, Format, ProviderKind, Service, ServiceType
from ..selectors import catalogue as catalogue_selectors
from .common import NetworkScoped, choice, site_param


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


class ServiceFilterSet(FilterSet):
    site = site_param()
    dimension = Param(serializers.ChoiceField(choices=Dimension.choices))
    format = Param(serializers.ChoiceField(choices=Format.choices))
    language = Param(
        serializers.SlugField(max_length=5, help_text="A language code: fr, ar, en, zgh…"), field_name="languages__code"
    )
    type = Param(serializers.ChoiceField(choices=ServiceType.choices), field_name="service_type")
    eligibility = Param(
        serializers.ChoiceField(
            choices=Eligibility.choices,
            help_text="Who the service is open to: the public, any admitted startup, or the residents of its site.",
        )
    )
    q = Param(
        serializers.CharField(allow_blank=True, max_length=100, help_text="Part of the title, summary or description."),
        method="search",
    )

    def search(self, services: QuerySet[Service], name: str, q: str) -> QuerySet[Service]:
        return services.filter(
            any_language_q("title", "icontains", q)
            | any_language_q("summary", "icontains", q)
            | any_language_q("description", "icontains", q)
        )


@extend_schema(tags=["services"], responses={200: ServiceSerializer, **error_responses(400, 401, 404)})
class ServiceList(NetworkScoped, generics.ListAPIView):
    """The published support services of every site and of the network's e-Technopark
    offer: public."""

    permission_classes = [AllowAny]
    serializer_class = ServiceSerializer
    content_negotiation_class = FormatIsAFilter
    filterset_class = ServiceFilterSet

    def get_queryset(self):
        return catalogue_selectors.published_services().order_by(translated_order("title"), "pk")


@extend_schema(tags=["services"], responses={200: ServiceSerializer, **error_responses(401, 404)})
class ServiceDetail(NetworkScoped, generics.RetrieveAPIView):
    permission_classes = [AllowAny]
    serializer_class = ServiceSerializer

    def get_queryset(self):
        return catalogue_selectors.published_services()
