from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import actions, selectors
from .extensions import SITE_HOME_PANELS
from .forms import MembershipForm, RegionForm, SiteForm
from .models import Region, Site, SiteMembership
from .roles import head_office_required


# --- Public ---------------------------------------------------------------------------
def site_list(request):
    return render(
        request,
        "sites/site_list.html",
        {"sites": selectors.site_list(), "coverage": selectors.region_coverage()},
    )


def site_detail(request, slug):
    site = get_object_or_404(selectors.site_list(), slug=slug)
    return render(request, "sites/site_detail.html", {"site": site})


# --- Head office: regions and sites ---------------------------------------------------
@head_office_required
def network_region_list(request):
    return render(request, "sites/network_region_list.html", {"coverage": selectors.region_coverage()})


@head_office_required
def network_region_edit(request, code):
    region = get_object_or_404(Region, code=code)
    form = RegionForm(request.POST or None, instance=region)
    if request.method == "POST" and form.is_valid():
        actions.region_save(actor=request.user, region=form.instance)
        messages.success(request, _("Region saved."))
        return redirect("sites:network_regions")
    return render(
        request,
        "sites/network_form.html",
        {"form": form, "title": region.name, "cancel_url": reverse("sites:network_regions")},
    )


@head_office_required
def network_site_list(request):
    return render(request, "sites/network_site_list.html", {"sites": selectors.site_list()})


@head_office_required
def network_site_edit(request, slug=None):
    site = get_object_or_404(Site, slug=slug) if slug else None
    form = SiteForm(request.POST or None, instance=site)
    if request.method == "POST" and form.is_valid():
        site = actions.site_save(actor=request.user, site=form.instance, vocations=form.cleaned_data["vocations"])
        messages.success(request, _("Site saved."))
        return redirect("sites:network_sites")
    title = site.name if site else _("New site")
    return render(
        request, "sites/network_form.html", {"form": form, "title": title, "cancel_url": reverse("sites:network_sites")}
    )


# --- Site back-office (/manage/<site>/, scoped by SiteScopeMiddleware) -----------------
@login_required
def manage_home(request, site_slug):
    site = request.site
    panels = [(panel.template, panel.context(site)) for panel in SITE_HOME_PANELS]  # sites.extensions
    return render(
        request,
        "sites/manage_home.html",
        {"site": site, "team_size": selectors.site_team().count(), "panels": panels},
    )


@login_required
def manage_team(request, site_slug):
    site = request.site
    form = MembershipForm(request.POST or None, site=site)
    if request.method == "POST":
        if not request.user.is_head_office:
            raise PermissionDenied
        if form.is_valid():
            actions.membership_grant(
                actor=request.user, site=site, user=form.cleaned_data["user"], role=form.cleaned_data["role"]
            )
            messages.success(request, _("Role granted; the person has been told by email."))
            return redirect("sites:manage_team", site_slug=site.slug)
    members = selectors.site_team()
    return render(request, "sites/manage_team.html", {"site": site, "members": members, "form": form})


@require_POST
@head_office_required
def manage_team_remove(request, site_slug, pk):
    membership = get_object_or_404(SiteMembership, pk=pk)
    actions.membership_revoke(actor=request.user, membership=membership)
    messages.success(request, _("Role removed."))
    return redirect("sites:manage_team", site_slug=request.site.slug)
