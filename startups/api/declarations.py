"""Yearly declarations of a startup: jobs, revenue, exports and funds raised."""

from django.db import IntegrityError
from django.utils.translation import gettext as _
from django_countries.data import COUNTRIES
from django_filters.rest_framework import FilterSet
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from core.api import error_responses
from core.errors import Conflict
from core.filters import Param
from core.serializers import MAX_ID, AmountField, IdField, validated

from .. import actions
from ..models import Declaration
from ..selectors.declarations import declaration_exists
from ..selectors.visibility import declarations_visible_to
from .common import FounderWrites, founded

COUNTRY_CODES = sorted(COUNTRIES)


class DeclarationSerializer(serializers.ModelSerializer):
    revenue_mad = AmountField(read_only=True)
    export_revenue_mad = AmountField(read_only=True)
    funds_raised_mad = AmountField(read_only=True)
    export_countries = serializers.SerializerMethodField()

    class Meta:
        model = Declaration
        fields = [
            "id",
            "startup",
            "fiscal_year",
            "direct_jobs",
            "indirect_jobs",
            "revenue_mad",
            "export_revenue_mad",
            "export_countries",
            "exports_to_africa",
            "funds_raised_mad",
            "declared_at",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_export_countries(self, declaration) -> list[str]:
        return [country.code for country in declaration.export_countries]


class DeclarationWriteSerializer(serializers.Serializer):
    startup = IdField(help_text="A startup you founded.")
    fiscal_year = serializers.IntegerField(min_value=1990, max_value=2100, help_text="A year that is over.")
    direct_jobs = serializers.IntegerField(min_value=0, max_value=MAX_ID, default=0)
    indirect_jobs = serializers.IntegerField(min_value=0, max_value=MAX_ID, default=0)
    revenue_mad = AmountField(default=0)
    export_revenue_mad = AmountField(default=0, help_text="At most the revenue.")
    export_countries = serializers.ListField(
        child=serializers.ChoiceField(choices=COUNTRY_CODES), default=list, max_length=len(COUNTRY_CODES)
    )
    funds_raised_mad = AmountField(default=0)


class DeclarationFilterSet(FilterSet):
    startup = Param(IdField())
    fiscal_year = Param(serializers.IntegerField(min_value=1990, max_value=2100))


@extend_schema(tags=["declarations"])
class DeclarationList(generics.ListAPIView):
    serializer_class = DeclarationSerializer
    permission_classes = [FounderWrites]
    filterset_class = DeclarationFilterSet

    def get_queryset(self):
        return declarations_visible_to(self.request.user).order_by("-fiscal_year", "startup", "pk")

    @extend_schema(responses={200: DeclarationSerializer, **error_responses(400, 401, 404)})
    def get(self, request, *args, **kwargs):
        """Yearly declarations (jobs, revenue, exports, funds raised): your startups', those
        of the startups admitted at your sites, or all for head office."""
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=DeclarationWriteSerializer,
        # 400: a year not over yet, exports above revenue, an unknown country code;
        # 403: not a founder of the startup; 409: a concurrent declaration of that year.
        responses={
            200: OpenApiResponse(DeclarationSerializer, description="The year's declaration, corrected."),
            201: OpenApiResponse(DeclarationSerializer, description="The year's declaration, created."),
            **error_responses(400, 401, 403, 409),
        },
    )
    def post(self, request, *args, **kwargs):
        """Declare (or correct) a startup's figures for a fiscal year that is over: one
        declaration per startup and year."""
        data = validated(DeclarationWriteSerializer, request.data)
        startup = founded(request.user, data.pop("startup"))
        existed = declaration_exists(startup=startup, fiscal_year=data["fiscal_year"])
        declaration = Declaration(startup=startup, **data)  # the action finds the year's row, if any
        try:
            declaration = actions.declaration_save(actor=request.user, declaration=declaration)
        except IntegrityError as error:  # a concurrent declaration of the same year
            raise Conflict(_("This year was declared at the same time: reload and try again.")) from error
        code = status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        return Response(DeclarationSerializer(declaration).data, status=code)
