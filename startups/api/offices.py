"""Offices of the sites, occupied today or not."""

from django_filters.rest_framework import FilterSet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers

from core.api import error_responses
from core.filters import Param, TrueFalseField

from ..models import Office
from ..selectors.residents import offices_managed_by
from .common import today


class OfficeSerializer(serializers.ModelSerializer):
    site = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    occupied = serializers.BooleanField(read_only=True, help_text="Allocated today.")

    class Meta:
        model = Office
        fields = ["id", "site", "number", "floor", "area_m2", "seats", "monthly_rent_mad", "is_active", "occupied"]


class OfficeFilterSet(FilterSet):
    site = Param(serializers.SlugField(max_length=50, help_text="A site's slug."), field_name="site__slug")
    occupied = Param(TrueFalseField(help_text="`true`: allocated today; `false`: free today."))


@extend_schema(tags=["offices"], responses={200: OfficeSerializer, **error_responses(400, 401, 404)})
class OfficeList(generics.ListAPIView):
    """The offices of the sites where you work (every site for head office), occupied today
    or not. Founders get an empty list."""

    serializer_class = OfficeSerializer
    filterset_class = OfficeFilterSet

    def get_queryset(self):
        offices = offices_managed_by(self.request.user, on=today())
        return offices.order_by("site__slug", "floor", "number", "pk")
