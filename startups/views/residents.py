"""Site back-office: the residents and e-Technopark members of one site.

Every route is under `/manage/<site_slug>/`, so `SiteScopeMiddleware` has checked that the
user works at the site (else 404) and runs the view inside that site's scope: scoped
managers (`Admission.objects`, `OfficeAllocation.objects`…) only ever see this site's rows.
Anyone working at the site may read; only its managers (and head office) may write.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import Conflict
from core.forms import add_action_errors
from sites.roles import MANAGE, can

from .. import actions, exports
from ..forms.residents import AdmissionFilterForm, ExitForm, RenewForm
from ..models import Admission, AdmissionKind
from ..selectors.residents import (
    ENDING_SOON_DAYS,
    admission_rows,
    admissions_listed,
    admissions_with_startup,
    residents_ending_soon,
)

PAGE_SIZE = 50


# --- Shared helpers ---------------------------------------------------------------------
def residency_limit(admission: Admission) -> datetime.date | None:
    """The latest planned end the site allows for a residency (None for e-Technopark)."""
    if admission.kind != AdmissionKind.RESIDENT:
        return None
    years = admission.site.residency_max_years
    start = admission.starts_on
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February
        return start.replace(year=start.year + years, day=28)


# --- Residents list, filters, sort and exports -------------------------------------------
SORTABLE_COLUMNS = ["startup", "kind", "start", "end"]


def _query_without(request, *names: str, **extra) -> str:
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    for key, value in extra.items():
        params[key] = value
    return params.urlencode()


def _sort_links(request, sort: str) -> dict:
    links = {}
    for column in SORTABLE_COLUMNS:
        next_sort = f"-{column}" if sort == column else column
        direction = "ascending" if sort == column else "descending" if sort == f"-{column}" else ""
        links[column] = {"query": _query_without(request, "page", "format", sort=next_sort), "direction": direction}
    return links


def _listing(request, today: datetime.date) -> dict:
    form = AdmissionFilterForm(request.GET)
    filters = form.filters()
    page = Paginator(admissions_listed(on=today, **filters), PAGE_SIZE).get_page(request.GET.get("page"))
    return {"form": form, "page": page, "sort_links": _sort_links(request, filters["sort"])}


@login_required
def resident_list(request, site_slug):
    site = request.site
    today = timezone.localdate()
    export_format = request.GET.get("format")
    if export_format in ("csv", "xlsx"):
        admissions = admissions_listed(on=today, **AdmissionFilterForm(request.GET).filters())
    if export_format == "csv":
        return exports.stream_csv(
            site=site,
            filename=exports.export_filename(name="residents", site=site, extension="csv", on=today),
            header=exports.admission_export_header(),
            rows=lambda: (exports.admission_export_row(row) for row in admissions.iterator(chunk_size=2000)),
        )
    if export_format == "xlsx":
        return exports.xlsx_response(
            filename=exports.export_filename(name="residents", site=site, extension="xlsx", on=today),
            title=_("Residents and members"),
            header=exports.admission_export_header(),
            rows=(exports.admission_export_row(row) for row in admissions),
        )

    listing = _listing(request, today)
    return render(
        request,
        "startups/residents/list.html",
        {
            "site": site,
            "form": listing["form"],
            "page": listing["page"],
            "sort_links": listing["sort_links"],
            "today": today,
            "csv_query": _query_without(request, "page", format="csv"),
            "xlsx_query": _query_without(request, "page", format="xlsx"),
        },
    )


# --- Admission detail, renewal and exit -----------------------------------------------------
def _admission(pk: int) -> Admission:
    # Scoped: another site's admission is simply not found.
    return get_object_or_404(admissions_with_startup(), pk=pk)


def _detail(request, admission: Admission, *, renew_form=None, exit_form=None):
    today = timezone.localdate()
    context = {
        "site": request.site,
        "admission": admission,
        "startup": admission.startup,
        "sectors": admission.startup.sectors.all(),
        "renewals": admission.renewals.select_related("actor").order_by("created_at", "pk"),
        "allocations": admission.allocations.select_related("office", "created_by").order_by("-starts_on", "-pk"),
        "is_active": admission.is_active(today),
        "limit": residency_limit(admission),
        "can_manage": can(request, MANAGE),
        "renew_form": renew_form or RenewForm(),
        "exit_form": exit_form or ExitForm(),
        "today": today,
    }
    return render(request, "startups/residents/detail.html", context)


@login_required
def resident_detail(request, site_slug, pk):
    return _detail(request, _admission(pk))


@require_POST
@login_required
def resident_renew(request, site_slug, pk):
    admission = _admission(pk)
    form = RenewForm(request.POST)
    if form.is_valid():
        try:
            actions.admission_renew(actor=request.user, admission=admission, new_end_on=form.cleaned_data["new_end_on"])
        except ValidationError as error:
            add_action_errors(form, error)
        except Conflict as conflict:
            messages.error(request, conflict.message)
        else:
            messages.success(request, _("The residency contract was renewed."))
            return redirect("startups:resident_detail", site_slug=request.site.slug, pk=admission.pk)
    return _detail(request, admission, renew_form=form)


@require_POST
@login_required
def resident_exit(request, site_slug, pk):
    admission = _admission(pk)
    form = ExitForm(request.POST)
    if form.is_valid():
        try:
            actions.admission_exit(
                actor=request.user,
                admission=admission,
                ended_on=form.cleaned_data["ended_on"],
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_action_errors(form, error)
        except Conflict as conflict:
            messages.error(request, conflict.message)
        else:
            messages.success(request, _("The exit was recorded; the startup's offices were released."))
            return redirect("startups:resident_detail", site_slug=request.site.slug, pk=admission.pk)
    return _detail(request, admission, exit_form=form)


# --- Residencies ending soon ----------------------------------------------------------------
@login_required
def residents_ending(request, site_slug):
    today = timezone.localdate()
    ending = residents_ending_soon(site=request.site, on=today)
    admissions = admission_rows(admissions=ending, on=today)
    return render(
        request,
        "startups/residents/ending.html",
        {"site": request.site, "admissions": admissions, "today": today, "days": ENDING_SOON_DAYS},
    )


urlpatterns = [
    path("manage/<slug:site_slug>/residents/", resident_list, name="resident_list"),
    path("manage/<slug:site_slug>/residents/ending/", residents_ending, name="residents_ending"),
    path("manage/<slug:site_slug>/residents/<int:pk>/", resident_detail, name="resident_detail"),
    path("manage/<slug:site_slug>/residents/<int:pk>/renew/", resident_renew, name="resident_renew"),
    path("manage/<slug:site_slug>/residents/<int:pk>/exit/", resident_exit, name="resident_exit"),
]
