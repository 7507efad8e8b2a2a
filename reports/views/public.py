"""The public "network in figures" page: the headline figures of the whole network and the
coverage of the 12 regions, read from the latest nightly snapshots (never computed on the
request: the page stays cheap whatever the number of startups).

Only network-wide and per-region figures are shown; nothing per site (a site's revenue, for
one, is the business of its manager and head office).
"""

from decimal import Decimal

from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from sites.scoping import network_scope
from sites.selectors import region_coverage

from ..selectors import latest_network_snapshot, supported_now_by_region

PERCENT_PLACES = Decimal("0.1")


def percent(rate: Decimal) -> Decimal:
    """A 0–1 rate as a percentage with one decimal (0.8912 → 89.1)."""
    return (rate * 100).quantize(PERCENT_PLACES)


def latest_figures(*, today):
    """The latest network snapshot dated on or before `today` (None before the first nightly
    run) and the supported-now figure of each region at that same date, by region id.

    The nightly task writes every scope's row of a date in one statement, so the region
    rows of the network's latest date are the latest region rows too."""
    # Public page, network-wide figures: the network and region rows have no site, so no
    # site scope can select them; only rows without a site are read here (never a site's).
    with network_scope():
        network = latest_network_snapshot(today=today)
        if network is None:
            return None, {}
        return network, supported_now_by_region(as_of=network.as_of)


def figures(request):
    """Public (anonymous too): the network in figures and its regional coverage."""
    network, supported_by_region = latest_figures(today=timezone.localdate())
    coverage = list(region_coverage())  # sites by status: public, live (not in snapshots)
    for region in coverage:
        region.supported_now = supported_by_region.get(region.pk)
    context = {
        "network": network,
        "coverage": coverage,
        "sites_operational": sum(region.operational for region in coverage),
        "sites_planned": sum(region.under_construction + region.planned for region in coverage),
        "regions_operational": sum(1 for region in coverage if region.operational),
        "regions_total": len(coverage),
    }
    if network is not None:
        context.update(
            fiscal_year=network.as_of.year - 1,
            survival_percent=percent(network.survival_rate_5y),
            export_percent=percent(network.export_share),
            export_africa_percent=percent(network.export_africa_share),
        )
    return render(request, "reports/public/figures.html", context)


urlpatterns = [path("figures/", figures, name="figures")]
