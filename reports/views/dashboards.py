"""The network dashboard (head office) and the site dashboard (a site's staff).

- `/network/dashboard/`: head-office staff only (others 403, anonymous → login). The scope
  is the site chosen in the filters, else the region, else the whole network.
- `/manage/<site_slug>/dashboard/`: `SiteScopeMiddleware` has checked that the user works
  at the site (or is head office), else 404; the scope is that one site.

Views decide WHICH scope a user may ask for and hand it to `reports.dashboards.Dashboard`,
whose KPI engine (`reports.kpis`, `reports.trends`, `reports.activity`) reads across sites
itself. Every table of the page is a `reports.exports.Table`, downloadable as CSV or XLSX
from the `…/dashboard/export/<table>/?format=csv|xlsx` routes with the same filters.
"""

import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from core.db_router import use_replica
from sites.roles import head_office_required

from ..charts import dashboard_charts
from ..dashboards import Dashboard
from ..exports import table_csv_response, xlsx_response
from ..forms.dashboards import NetworkDashboardForm, SiteDashboardForm
from ..kpis import KpiScope
from ..satisfaction import comments_context
from ..selectors import region_site_ids

ALL = "all"  # the XLSX workbook of every table
FORMATS = ("csv", "xlsx")


# --- Views ----------------------------------------------------------------------------------
def _network_dashboard(form: NetworkDashboardForm, today: datetime.date) -> Dashboard:
    data = form.cleaned_data
    if data.get("site"):
        site = data["site"]
        scope, name = KpiScope("site", site.slug, (site.pk,)), site.name
    elif data.get("region"):
        region = data["region"]
        scope = KpiScope("region", region.code, region_site_ids(region))
        name = region.name
    else:
        scope, name = KpiScope("network", "", None), _("Whole network")
    return Dashboard(scope=scope, name=name, data=data, today=today, network=True)


def _site_dashboard(request, form: SiteDashboardForm, today: datetime.date) -> Dashboard:
    site = request.site  # checked by SiteScopeMiddleware: the user works here (or is head office)
    scope = KpiScope("site", site.slug, (site.pk,))
    return Dashboard(scope=scope, name=site.name, data=form.cleaned_data, today=today, network=False)


def _export_url(request, dashboard: Dashboard, key: str, query: dict, export_format: str) -> str:
    if dashboard.network:
        url = reverse("reports:network_dashboard_export", args=[key])
    else:
        url = reverse("reports:site_dashboard_export", args=[request.site.slug, key])
    return f"{url}?{urlencode({**query, 'format': export_format})}"


def _sections(request, dashboard: Dashboard, query: dict) -> dict:
    tables = dashboard.tables()
    charts = dashboard_charts(tables)
    for key, table in tables.items():
        table.csv_url = _export_url(request, dashboard, key, query, "csv")
        table.xlsx_url = _export_url(request, dashboard, key, query, "xlsx")
    return {"tables": tables, "charts": charts, "charts_json": {key: c.as_json() for key, c in charts.items()}}


TEMPLATE = "reports/dashboards/dashboard.html"


def _page(request, template_context: dict, form, dashboard: Dashboard | None):
    context = {**template_context, "form": form, "dashboard": dashboard}
    if dashboard is not None:
        query = form.query()
        # The headline figures may come from the KPI cache (keyed by all their inputs,
        # reports.kpis); the page itself is rendered afresh for every request.
        context.update(
            all_xlsx_url=_export_url(request, dashboard, ALL, query, "xlsx"),
            sections=SimpleLazyObject(lambda: _sections(request, dashboard, query)),
            cache_minutes=settings.KPI_CACHE_SECONDS // 60,
        )
    return render(request, TEMPLATE, context)


def _export(dashboard: Dashboard, key: str, export_format: str | None):
    if export_format not in FORMATS or (key not in dashboard.table_keys and key != ALL):
        raise Http404
    if key == ALL:
        if export_format != "xlsx":
            raise Http404
        return xlsx_response(list(dashboard.tables().values()), filename=dashboard.filename(ALL, "xlsx"))
    table = dashboard.table(key)
    if export_format == "csv":
        return table_csv_response(table, filename=dashboard.filename(key, "csv"))
    return xlsx_response([table], filename=dashboard.filename(key, "xlsx"))


def _bad_filters(form) -> HttpResponseBadRequest:
    errors = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in form.errors.items())
    return HttpResponseBadRequest(_("Invalid filters: %(errors)s") % {"errors": errors}, content_type="text/plain")


@head_office_required
def network_dashboard(request):
    today = timezone.localdate()
    form = NetworkDashboardForm(request.GET, today=today)
    dashboard = _network_dashboard(form, today) if form.is_valid() else None
    with use_replica():  # the figures are read from the replica when there is one
        return _page(request, {"is_network": True}, form, dashboard)


@head_office_required
def network_dashboard_export(request, table):
    today = timezone.localdate()
    form = NetworkDashboardForm(request.GET, today=today)
    if not form.is_valid():
        return _bad_filters(form)
    with use_replica():
        return _export(_network_dashboard(form, today), table, request.GET.get("format"))


@login_required
def site_dashboard(request, site_slug):
    today = timezone.localdate()
    form = SiteDashboardForm(request.GET, today=today)
    dashboard = _site_dashboard(request, form, today) if form.is_valid() else None
    # Its managers (and head office) also read the site's latest survey comments.
    context = {"is_network": False, "site": request.site, **comments_context(request, dashboard)}
    with use_replica():
        return _page(request, context, form, dashboard)


@login_required
def site_dashboard_export(request, site_slug, table):
    today = timezone.localdate()
    form = SiteDashboardForm(request.GET, today=today)
    if not form.is_valid():
        return _bad_filters(form)
    with use_replica():
        return _export(_site_dashboard(request, form, today), table, request.GET.get("format"))


urlpatterns = [
    path("network/dashboard/", network_dashboard, name="network_dashboard"),
    path("network/dashboard/export/<slug:table>/", network_dashboard_export, name="network_dashboard_export"),
    path("manage/<slug:site_slug>/dashboard/", site_dashboard, name="site_dashboard"),
    path("manage/<slug:site_slug>/dashboard/export/<slug:table>/", site_dashboard_export, name="site_dashboard_export"),
]
