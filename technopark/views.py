from django.core.paginator import Paginator
from django.shortcuts import render

from accounts.permissions import head_office_required
from sites.scoping import network_scope
from sites.selectors import network_figures, region_coverage, site_list
from startups.selectors import headline_figures

from .forms import AuditFilterForm
from .models import AuditEntry


def home(request):
    """Public home: the network in figures (live), the sites, how to apply."""
    with network_scope():  # public, network-wide counts
        startups = headline_figures()
    return render(
        request,
        "home.html",
        {"figures": network_figures(), "startups": startups, "sites": site_list(), "coverage": region_coverage()},
    )


@head_office_required
def audit_list(request):
    form = AuditFilterForm(request.GET or None)
    with network_scope():  # head office reads the whole network's trail
        entries = AuditEntry.objects.select_related("content_type", "site").order_by("-created_at", "-pk")
        if form.is_valid():
            entries = form.filter(entries)
        page = Paginator(entries, 50).get_page(request.GET.get("page"))
        return render(request, "technopark/audit_list.html", {"form": form, "page": page})
