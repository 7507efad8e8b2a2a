"""The KPI API: `GET /api/v1/kpis/?scope=network|region:<code>|site:<slug>&as_of=YYYY-MM-DD`.

Head office may ask for any scope; a site's staff only for their own site(s); anyone else,
and any scope they may not see, gets the 404 of a scope that does not exist."""

from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import error_responses
from core.db_router import use_replica
from core.filters import query_params
from sites.scoping import managed_site_ids

from .kpis import DECLARED_FIGURES, cached_figures, parse_scope
from .selectors import scope_figures
from .snapshots import FIGURES


class KpiQuery(serializers.Serializer):
    scope = serializers.CharField(max_length=60, help_text="`network`, `region:<code>` or `site:<slug>`.")
    as_of = serializers.DateField(required=False, help_text="The date D of the figures (default: today).")


def _rate(whole: str):
    return serializers.DecimalField(
        max_digits=5,
        decimal_places=4,
        coerce_to_string=False,
        allow_null=True,
        help_text=f"0–1; null when there is nothing to divide ({whole}).",
    )


class KpiCoverageSerializer(serializers.Serializer):
    declared_year = serializers.IntegerField(help_text="The last closed fiscal year: the year of `as_of` − 1.")
    jobs_total = _rate("no startup supported since 2001")
    annual_revenue_mad = _rate("no startup supported now")
    export_share = _rate("no startup supported now")
    export_africa_share = _rate("no startup supported now")


class KpiSerializer(serializers.Serializer):
    scope = serializers.CharField()
    as_of = serializers.DateField()
    startups_supported_total = serializers.IntegerField()
    residents_total = serializers.IntegerField()
    supported_now = serializers.IntegerField()
    residents_now = serializers.IntegerField()
    survival_rate_5y = _rate("no startup of the scope founded five years or more before the date")
    jobs_total = serializers.IntegerField()
    annual_revenue_mad = serializers.DecimalField(max_digits=18, decimal_places=2, coerce_to_string=False)
    export_share = _rate("no startup supported now")
    export_africa_share = _rate("no startup supported now")
    coverage = KpiCoverageSerializer(
        help_text="Per figure read from the yearly declarations: the share (0–1) of the startups it "
        "counts that declared the last closed year (the year of `as_of` − 1); null when there is no "
        "startup to count or the date's snapshot did not keep it."
    )


def may_see(user, scope) -> bool:
    site_ids = managed_site_ids(user)
    if site_ids is None:  # head office
        return True
    return scope.kind == "site" and scope.site_ids[0] in site_ids


@extend_schema(
    tags=["kpis"],
    parameters=[KpiQuery],
    responses={200: KpiSerializer, **error_responses(400, 401, 404)},
)
class KpiView(APIView):
    """The impact figures of MISSION.md for one scope at one date (read from the nightly
    snapshot of a past date when there is one, else computed live by one grouped query)."""

    def get(self, request):
        query = query_params(request, KpiQuery)
        scope = parse_scope(query["scope"])
        if scope is None or not may_see(request.user, scope):
            raise exceptions.NotFound()
        today = timezone.localdate()
        as_of = query.get("as_of") or today
        with use_replica():  # the figures are read from the replica when there is one
            # Kept KPI_CACHE_SECONDS under all its inputs; who may see the scope is checked above.
            figures = cached_figures(
                "scope", lambda: scope_figures(scope=scope, as_of=as_of, today=today), scope, as_of, today
            )
        shown = {name: figures.shown(name) for name in FIGURES}  # a rate with nothing to divide: null
        coverage = {name: figures.coverage(name) for name in DECLARED_FIGURES}
        data = {
            "scope": scope.label,
            "as_of": as_of,
            **shown,
            "coverage": {"declared_year": as_of.year - 1, **coverage},
        }
        return Response(KpiSerializer(data).data)


api_urlpatterns = [path("kpis/", KpiView.as_view(), name="kpis")]
