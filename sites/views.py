from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import actions, selectors
from .extensions import SITE_PUBLIC_PANELS, site_home_panels
from .forms import MembershipForm, RegionForm, SiteForm
from .models import Region, Site, SiteMembership
from .roles import head_office_required
from .scoping import site_scope


# --- Public ---------------------------------------------------------------------------
def site_list(request):
    return render(
        request,
        "sites/site_list.html",
        {"sites": selectors.site_list(), "coverage": selectors.region_coverage()},
    )


def site_detail(request, slug):
    site = get_object_or_404(selectors.site_list(), slug=slug)
    # What the feature apps show of the site (its services, its open calls): its public rows,
    # read in this site's scope alone whoever asks (sites.extensions.SITE_PUBLIC_PANELS).
    with site_scope(site):
        panels = [(panel.template, panel.context(site)) for panel in SITE_PUBLIC_PANELS]
    return render(request, "sites/site_detail.html", {"site": site, "panels": panels})


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
    """The site's back-office home: the "To do" section (the work queues the feature apps
    register, sites.extensions) above the links to every part of the back-office."""
    site = request.site
    panels = site_home_panels(site=site, user=request.user)
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
