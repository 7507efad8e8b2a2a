"""Site back-office: the offices of one site, their occupancy and allocations.

Routes live under `/manage/<site_slug>/` (scoped by `SiteScopeMiddleware`): `Office` and
`OfficeAllocation` lookups by id only find this site's rows, so another site's office or
allocation is a 404. Anyone working at the site may read; its managers (and head office)
write, through `startups.actions` (the middleware refuses other roles' POSTs: `sites.roles`).

Allocating: the office page lists the residents who can take an office
(`selectors.residents.office_candidates`) as radio buttons, sorted by name; its search box
asks `office_residents` for the matching ones (an htmx fragment) and, without JavaScript,
reloads the page with `?q=`. `?startup=<id>` preselects a startup (the "Allocate an office"
step after an admission: the office list passes it on to each office).

Releasing (a running allocation gets an end) and cancelling (one that has not begun before
today never happened) each have a confirmation page: its GET says what will happen, its
POST does it and goes back to the office (POST, redirect, GET). Every write URL answers a
GET (a reload, a language switch), never a 405.
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

from core.errors import Conflict
from core.forms import add_action_errors
from sites.roles import MANAGE, can

from .. import actions
from ..forms.offices import AllocationForm, OfficeForm, ReleaseForm
from ..models import Office, OfficeAllocation
from ..selectors.residents import (
    allocations_to_confirm,
    candidates_matching,
    office_allocations,
    office_candidates_sorted,
    office_totals,
    offices_listed,
)

PAGE_SIZE = 50
MAX_QUERY_LENGTH = 100


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


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _candidate_of_startup(candidates: list, startup_pk: int | None):
    """The residency of `startup_pk` among the office candidates (None when it cannot take one)."""
    return next((admission for admission in candidates if admission.startup_id == startup_pk), None)


@login_required
def office_list(request, site_slug):
    """The offices and their occupancy. `?startup=<id>` (from an admission's next steps):
    which startup the manager is finding an office for, passed on to each office's page."""
    today = timezone.localdate()
    page = Paginator(offices_listed(on=today), PAGE_SIZE).get_page(request.GET.get("page"))
    can_manage = can(request, MANAGE)
    startup_pk = _int(request.GET.get("startup")) if can_manage else None
    allocating = _candidate_of_startup(office_candidates_sorted(site=request.site), startup_pk) if startup_pk else None
    return render(
        request,
        "startups/offices/list.html",
        {
            "site": request.site,
            "page": page,
            "summary": occupancy_summary(today),
            "today": today,
            "can_manage": can_manage,
            "allocating": allocating,
            "startup_missing": bool(startup_pk and not allocating),
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


def _picker(candidates: list, *, query: str, selected_pk: int | None) -> dict:
    """The picker's context: the candidates matching `query` (`match_count` of them), the
    selected one first whether it matches or not (a search never loses the manager's choice)."""
    selected = next((admission for admission in candidates if admission.pk == selected_pk), None)
    matching = candidates_matching(candidates, query)
    others = [admission for admission in matching if admission is not selected]
    return {
        "query": query,
        "choices": [selected, *others] if selected else others,
        "match_count": len(matching),
        "candidate_count": len(candidates),
        "selected_pk": selected.pk if selected else None,
    }


def _detail(request, office: Office, *, allocation_form=None):
    today = timezone.localdate()
    allocations = list(office_allocations(office=office))
    for allocation in allocations:
        allocation.can_release = allocation.releasable_on(today)
        allocation.can_cancel = allocation.cancellable_on(today)
        allocation.is_current = allocation.can_release and allocation.starts_on <= today
    can_manage = can(request, MANAGE)
    candidates = office_candidates_sorted(site=request.site) if can_manage and office.is_active else []
    startup_pk = _int(request.GET.get("startup"))
    startup_missing = False
    if allocation_form is None:
        # `?startup=`: that startup's residency chosen, from the day it can move in.
        preselected = _candidate_of_startup(candidates, startup_pk) if startup_pk else None
        initial = {"admission": preselected.pk, "starts_on": max(today, preselected.starts_on)} if preselected else {}
        allocation_form = AllocationForm(site=request.site, initial=initial)
        startup_missing = bool(startup_pk and can_manage and office.is_active and not preselected)
    query = request.GET.get("q", "")[:MAX_QUERY_LENGTH]
    picker = _picker(candidates, query=query, selected_pk=_int(allocation_form["admission"].value()))
    return render(
        request,
        "startups/offices/detail.html",
        {
            "site": request.site,
            "office": office,
            "allocations": allocations,
            "current": next((allocation for allocation in allocations if allocation.is_current), None),
            "allocation_form": allocation_form,
            "can_manage": can_manage,
            "today": today,
            **picker,
            "startup_pk": startup_pk,
            "startup_missing": startup_missing,
        },
    )


@login_required
def office_detail(request, site_slug, pk):
    return _detail(request, _office(pk))


@login_required
def office_allocate(request, site_slug, pk):
    """POST: allocate, back to the office; errors re-render the office page. GET (a reload
    of that page, a language switch): the office page."""
    if request.method != "POST":
        return redirect("startups:office_detail", site_slug=request.site.slug, pk=pk)
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


@login_required
def office_residents(request, site_slug, pk):
    """GET `?q=`: the residents of this site who can take an office and whose name matches
    (accents and case ignored), sorted by name: the allocation form's radio buttons, as an
    HTML fragment for the office page's search box (htmx). `?admission=` keeps the
    manager's current choice first."""
    office = _office(pk)  # scoped: another site's office is not found
    candidates = office_candidates_sorted(site=request.site)
    query = request.GET.get("q", "")[:MAX_QUERY_LENGTH]
    return render(
        request,
        "startups/offices/_resident_choices.html",
        {
            "site": request.site,
            "office": office,
            "today": timezone.localdate(),
            **_picker(candidates, query=query, selected_pk=_int(request.GET.get("admission"))),
        },
    )


def _allocation(pk: int) -> OfficeAllocation:
    return get_object_or_404(allocations_to_confirm(), pk=pk)  # scoped: another site's is not found


def _confirm_page(request, template: str, allocation: OfficeAllocation, **context):
    today = timezone.localdate()
    return render(
        request,
        f"startups/offices/{template}",
        {
            "site": request.site,
            "office": allocation.office,
            "allocation": allocation,
            "can_release": allocation.releasable_on(today),
            "can_cancel": allocation.cancellable_on(today),
            "can_manage": can(request, MANAGE),
            **context,
        },
    )


@login_required
def allocation_release(request, site_slug, pk):
    """GET: the confirmation page, with the day the office is free again (today by
    default); POST: release, back to the office. Errors re-render this page."""
    allocation = _allocation(pk)
    form = ReleaseForm(request.POST if request.method == "POST" else None, allocation=allocation)
    if form.is_valid():
        try:
            actions.office_release(actor=request.user, allocation=allocation, ends_on=form.cleaned_data["ends_on"])
        except ValidationError as error:
            add_action_errors(form, error)
        except Conflict as conflict:
            messages.error(request, conflict.message)
            allocation.refresh_from_db()  # the page then shows what holds now
        else:
            messages.success(
                request,
                _("Office %(office)s released from %(date)s.")
                % {"office": allocation.office.number, "date": form.cleaned_data["ends_on"].isoformat()},
            )
            return redirect("startups:office_detail", site_slug=request.site.slug, pk=allocation.office_id)
    return _confirm_page(request, "release.html", allocation, form=form)


@login_required
def allocation_cancel(request, site_slug, pk):
    """GET: the confirmation page of cancelling an allocation that has not begun before
    today; POST: cancel, back to the office. A refusal re-renders this page."""
    allocation = _allocation(pk)
    if request.method == "POST":
        try:
            actions.allocation_cancel(actor=request.user, allocation=allocation)
        except Conflict as conflict:
            messages.error(request, conflict.message)
            allocation.refresh_from_db()
        else:
            messages.success(
                request,
                _("The allocation of office %(office)s to %(startup)s is cancelled: the office is free over its dates.")
                % {"office": allocation.office.number, "startup": allocation.admission.startup},
            )
            return redirect("startups:office_detail", site_slug=request.site.slug, pk=allocation.office_id)
    return _confirm_page(request, "cancel.html", allocation)


urlpatterns = [
    path("manage/<slug:site_slug>/offices/", office_list, name="office_list"),
    path("manage/<slug:site_slug>/offices/new/", office_create, name="office_create"),
    path("manage/<slug:site_slug>/offices/<int:pk>/", office_detail, name="office_detail"),
    path("manage/<slug:site_slug>/offices/<int:pk>/edit/", office_edit, name="office_edit"),
    path("manage/<slug:site_slug>/offices/<int:pk>/allocate/", office_allocate, name="office_allocate"),
    path("manage/<slug:site_slug>/offices/<int:pk>/residents/", office_residents, name="office_residents"),
    path("manage/<slug:site_slug>/allocations/<int:pk>/release/", allocation_release, name="allocation_release"),
    path("manage/<slug:site_slug>/allocations/<int:pk>/cancel/", allocation_cancel, name="allocation_cancel"),
]
