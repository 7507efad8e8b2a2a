"""Site back-office: the offices of one site, their occupancy and allocations.

Routes live under `/manage/<site_slug>/` (scoped by `SiteScopeMiddleware`): `Office` and
`OfficeAllocation` lookups by id only find this site's rows, so another site's office or
allocation is a 404. Anyone working at the site may read; its managers (and head office)
write, through `startups.actions` (the middleware refuses other roles' POSTs: `sites.roles`).
"""

import decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import Conflict
from core.forms import add_action_errors
from sites.roles import MANAGE, can

from .. import actions
from ..forms.offices import AllocationForm, OfficeForm, ReleaseForm
from ..models import Office
from ..selectors.residents import allocations_with_office, office_allocations, office_totals, offices_listed

PAGE_SIZE = 50


def _rate(part, whole) -> decimal.Decimal:
    """A percentage with one decimal; 0 when there is nothing to divide by."""
    if not whole:
        return decimal.Decimal("0.0")
    return (decimal.Decimal(part) * 100 / decimal.Decimal(whole)).quantize(decimal.Decimal("0.1"))


def occupancy_summary(on) -> dict:
    """Occupancy of the in-service offices (in scope) on `on`, with its rates."""
    totals = office_totals(on=on)
    area = totals["area"] or decimal.Decimal("0")
    occupied_area = totals["occupied_area"] or decimal.Decimal("0")
    return {
        "offices": totals["offices"],
        "occupied_offices": totals["occupied_offices"],
        "area": area,
        "occupied_area": occupied_area,
        "office_rate": _rate(totals["occupied_offices"], totals["offices"]),
        "area_rate": _rate(occupied_area, area),
    }


@login_required
def office_list(request, site_slug):
    today = timezone.localdate()
    page = Paginator(offices_listed(on=today), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "startups/offices/list.html",
        {
            "site": request.site,
            "page": page,
            "summary": occupancy_summary(today),
            "today": today,
            "can_manage": can(request, MANAGE),
        },
    )


def _office(pk: int) -> Office:
    return get_object_or_404(Office, pk=pk)  # scoped: another site's office is not found


def _save_office(request, form: OfficeForm):
    """Save through the action; a lost race on the number becomes a form error too."""
    try:
        return actions.office_save(actor=request.user, office=form.instance)
    except ValidationError as error:
        add_action_errors(form, error)
    except IntegrityError:
        form.add_error("number", _("This office number already exists at this site: choose another number."))
    return None


def _office_form_page(request, form: OfficeForm, office: Office | None):
    return render(request, "startups/offices/form.html", {"site": request.site, "form": form, "office": office})


@login_required
def office_create(request, site_slug):
    form = OfficeForm(request.POST or None, instance=Office(site=request.site))
    if request.method == "POST" and form.is_valid() and (office := _save_office(request, form)):
        messages.success(request, _("Office %(number)s created.") % {"number": office.number})
        return redirect("startups:office_detail", site_slug=request.site.slug, pk=office.pk)
    return _office_form_page(request, form, None)


@login_required
def office_edit(request, site_slug, pk):
    office = _office(pk)
    form = OfficeForm(request.POST or None, instance=office)
    if request.method == "POST" and form.is_valid() and (office := _save_office(request, form)):
        messages.success(request, _("Office %(number)s saved.") % {"number": office.number})
        return redirect("startups:office_detail", site_slug=request.site.slug, pk=office.pk)
    return _office_form_page(request, form, _office(pk))


def _detail(request, office: Office, *, allocation_form=None, release_form=None, release_pk=None):
    today = timezone.localdate()
    allocations = list(office_allocations(office=office))
    for allocation in allocations:
        allocation.is_current = allocation.starts_on <= today and (
            allocation.ends_on is None or allocation.ends_on > today
        )
        allocation.can_release = allocation.ends_on is None or allocation.ends_on > today
        if allocation.can_release:
            if allocation.pk == release_pk and release_form is not None:
                allocation.release_form = release_form
            else:
                allocation.release_form = ReleaseForm(auto_id=f"id_release_{allocation.pk}_%s")
    return render(
        request,
        "startups/offices/detail.html",
        {
            "site": request.site,
            "office": office,
            "allocations": allocations,
            "current": next((allocation for allocation in allocations if allocation.is_current), None),
            "allocation_form": allocation_form or AllocationForm(site=request.site),
            "can_manage": can(request, MANAGE),
            "today": today,
        },
    )


@login_required
def office_detail(request, site_slug, pk):
    return _detail(request, _office(pk))


@require_POST
@login_required
def office_allocate(request, site_slug, pk):
    office = _office(pk)
    form = AllocationForm(request.POST, site=request.site)
    if form.is_valid():
        try:
            actions.office_allocate(
                actor=request.user,
                office=office,
                admission=form.cleaned_data["admission"],
                starts_on=form.cleaned_data["starts_on"],
                ends_on=form.cleaned_data["ends_on"],
            )
        except ValidationError as error:
            add_action_errors(form, error)
        except Conflict as conflict:
            messages.error(request, conflict.message)
        else:
            messages.success(
                request,
                _("Office %(office)s allocated to %(startup)s.")
                % {"office": office.number, "startup": form.cleaned_data["admission"].startup},
            )
            return redirect("startups:office_detail", site_slug=request.site.slug, pk=office.pk)
    return _detail(request, office, allocation_form=form)


@require_POST
@login_required
def allocation_release(request, site_slug, pk):
    allocation = get_object_or_404(allocations_with_office(), pk=pk)
    form = ReleaseForm(request.POST, auto_id=f"id_release_{allocation.pk}_%s")
    if form.is_valid():
        try:
            actions.office_release(actor=request.user, allocation=allocation, ends_on=form.cleaned_data["ends_on"])
        except ValidationError as error:
            add_action_errors(form, error)
        except Conflict as conflict:
            messages.error(request, conflict.message)
        else:
            messages.success(
                request,
                _("Office %(office)s released from %(date)s.")
                % {"office": allocation.office.number, "date": form.cleaned_data["ends_on"].isoformat()},
            )
            return redirect("startups:office_detail", site_slug=request.site.slug, pk=allocation.office_id)
    return _detail(request, allocation.office, release_form=form, release_pk=allocation.pk)


urlpatterns = [
    path("manage/<slug:site_slug>/offices/", office_list, name="office_list"),
    path("manage/<slug:site_slug>/offices/new/", office_create, name="office_create"),
    path("manage/<slug:site_slug>/offices/<int:pk>/", office_detail, name="office_detail"),
    path("manage/<slug:site_slug>/offices/<int:pk>/edit/", office_edit, name="office_edit"),
    path("manage/<slug:site_slug>/offices/<int:pk>/allocate/", office_allocate, name="office_allocate"),
    path("manage/<slug:site_slug>/allocations/<int:pk>/release/", allocation_release, name="allocation_release"),
]
