"""The public home page: the network in figures (live), the sites, how to apply."""

from django.shortcuts import render

from sites.scoping import network_scope
from sites.selectors import network_figures, region_coverage, site_list
from startups.selectors.residents import headline_figures


def home(request):
    with network_scope():  # public, network-wide counts
        startups = headline_figures()
    return render(
        request,
        "home.html",
        {"figures": network_figures(), "startups": startups, "sites": site_list(), "coverage": region_coverage()},
    )
