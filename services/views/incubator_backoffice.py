"""The partner incubators' back-offices.

- Incubator back-office (`/incubators/<slug>/manage/…`, scoped by the middleware to that one
  incubator, `request.incubator`): its incubated startups and the programmes it takes part in.
- Site back-office (`/manage/<site>/incubators/`, scoped to the site): the incubators
  affiliated to the site and their startups, read-only.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, F, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import Conflict
from core.forms import add_action_errors
from sites.models import Incubator
from sites.scoping import network_scope

from .. import actions
from ..forms.partners import IncubationForm
from ..models import IncubatedStartup, Programme
from .paging import page_of

STATUS_CURRENT, STATUS_ENDED, STATUS_ALL = "current", "ended", "all"


# --- Incubator back-office (scoped by the middleware to request.incubator) ----------------------
def _incubations(queryset, status: str):
    if status == STATUS_CURRENT:
        queryset = queryset.filter(until__isnull=True)
    elif status == STATUS_ENDED:
        queryset = queryset.filter(until__isnull=False)
    return queryset.select_related("startup", "incubator").order_by(
        F("until").desc(nulls_first=True), "-since", "startup__legal_name", "pk"
    )


def _status(request) -> str:
    status = request.GET.get("status")
    return status if status in (STATUS_CURRENT, STATUS_ENDED, STATUS_ALL) else STATUS_CURRENT


@login_required
def incubator_home(request, incubator_slug):
    incubator = request.incubator
    form = IncubationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        startup = form.cleaned_data["startup_object"]
        try:
            actions.incubation_add(
                actor=request.user, incubator=incubator, startup=startup, since=form.cleaned_data["since"]
            )
        except Conflict as conflict:
            form.add_error("startup", conflict.message)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("%(startup)s is now incubated here.") % {"startup": startup})
            return redirect("services:incubator_home", incubator_slug=incubator.slug)
    status = _status(request)
    incubations = _incubations(IncubatedStartup.objects.filter(incubator=incubator), status)
    return render(
        request,
        "services/partners/incubator_home.html",
        {"incubator": incubator, "page": page_of(request, incubations), "form": form, "status": status},
    )


@require_POST
@login_required
def incubator_startup_end(request, incubator_slug, startup_pk):
    incubator = request.incubator
    incubation = (
        IncubatedStartup.objects.filter(incubator=incubator, startup_id=startup_pk, until__isnull=True)
        .select_related("startup")
        .first()
    )
    if incubation is None:
        raise Http404
    try:
        actions.incubation_end(actor=request.user, incubation=incubation)
    except (Conflict, ValidationError) as error:
        messages.error(request, error.message if isinstance(error, Conflict) else " ".join(error.messages))
    else:
        messages.success(request, _("The incubation of %(startup)s has ended.") % {"startup": incubation.startup})
    return redirect("services:incubator_home", incubator_slug=incubator.slug)


@login_required
def incubator_programmes(request, incubator_slug):
    incubator = request.incubator
    with network_scope():
        programmes = (
            Programme.objects.filter(incubators=incubator)
            .select_related("site")
            .prefetch_related("partners")
            .order_by("-starts_on", "title", "pk")
        )
        return render(
            request,
            "services/partners/incubator_programmes.html",
            {"incubator": incubator, "page": page_of(request, programmes)},
        )


# --- Site back-office: the site's partner incubators, read-only ---------------------------------
@login_required
def manage_incubator_list(request, site_slug):
    site = request.site
    incubators = list(
        Incubator.objects.filter(affiliated_site=site)
        .select_related("partner")
        .annotate(current_count=Count("incubated", filter=Q(incubated__until__isnull=True), distinct=True))
        .order_by("name", "pk")
    )
    # Incubated startups through the incubator scope the middleware opened for this site.
    incubations = IncubatedStartup.objects.filter(incubator__affiliated_site=site)
    chosen = next((incubator for incubator in incubators if incubator.slug == request.GET.get("incubator")), None)
    if chosen is not None:
        incubations = incubations.filter(incubator=chosen)
    status = _status(request)
    return render(
        request,
        "services/partners/manage_incubators.html",
        {
            "site": site,
            "incubators": incubators,
            "chosen": chosen,
            "status": status,
            "page": page_of(request, _incubations(incubations, status), 50),
        },
    )


urlpatterns = [
    path("incubators/<slug:incubator_slug>/manage/", incubator_home, name="incubator_home"),
    path(
        "incubators/<slug:incubator_slug>/manage/startups/<int:startup_pk>/end/",
        incubator_startup_end,
        name="incubator_startup_end",
    ),
    path("incubators/<slug:incubator_slug>/manage/programmes/", incubator_programmes, name="incubator_programmes"),
    path("manage/<slug:site_slug>/incubators/", manage_incubator_list, name="manage_incubators"),
]
