"""The partner incubators' back-offices.

- Incubator back-office (`/incubators/<slug>/manage/…`, scoped by the middleware to that one
  incubator, `request.incubator`): its incubated startups and the programmes it takes part in.
- Site back-office (`/manage/<site>/incubators/`, scoped to the site): the incubators
  affiliated to the site and their startups, read-only.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import Conflict
from core.forms import add_action_errors
from sites.scoping import network_scope

from .. import actions
from ..forms.partners import IncubationForm
from ..selectors import partners as partners_selectors
from .paging import page_of

STATUS_CURRENT, STATUS_ENDED, STATUS_ALL = "current", "ended", "all"
# `?status=` as `partners_selectors.incubations(current=…)`: running ones, ended ones, or all.
CURRENT = {STATUS_CURRENT: True, STATUS_ENDED: False, STATUS_ALL: None}


# --- Incubator back-office (scoped by the middleware to request.incubator) ----------------------
def _status(request) -> str:
    status = request.GET.get("status")
    return status if status in CURRENT else STATUS_CURRENT


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
    incubations = partners_selectors.incubations(incubator=incubator, current=CURRENT[status])
    return render(
        request,
        "services/partners/incubator_home.html",
        {"incubator": incubator, "page": page_of(request, incubations), "form": form, "status": status},
    )


@require_POST
@login_required
def incubator_startup_end(request, incubator_slug, startup_pk):
    incubator = request.incubator
    incubation = partners_selectors.current_incubation(incubator=incubator, startup_pk=startup_pk)
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
        programmes = partners_selectors.incubator_programmes(incubator=incubator)
        return render(
            request,
            "services/partners/incubator_programmes.html",
            {"incubator": incubator, "page": page_of(request, programmes)},
        )


# --- Site back-office: the site's partner incubators, read-only ---------------------------------
@login_required
def manage_incubator_list(request, site_slug):
    site = request.site
    incubators = partners_selectors.site_incubators(site=site)
    chosen = next((incubator for incubator in incubators if incubator.slug == request.GET.get("incubator")), None)
    status = _status(request)
    # Incubated startups through the incubator scope the middleware opened for this site.
    incubations = partners_selectors.incubations(site=site, incubator=chosen, current=CURRENT[status])
    return render(
        request,
        "services/partners/manage_incubators.html",
        {
            "site": site,
            "incubators": incubators,
            "chosen": chosen,
            "status": status,
            "page": page_of(request, incubations, 50),
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
