"""Programmes as managed from a back-office: head office's (`/network/programmes/…`: every
site's and the network's, which are created here) and a site's (`/manage/<site>/programmes/…`,
scoped to the site by the middleware). Both share the same pages; only the programme lookup
and the URLs differ."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import Conflict
from core.forms import add_action_errors
from core.multilingual import translated_order
from sites.roles import MANAGE, can, head_office_required

from .. import actions
from ..forms.partners import ParticipantForm, ProgrammeFilterForm, ProgrammeForm
from ..models import Programme
from ..selectors import partners as partners_selectors
from .paging import page_of


# --- Programmes: shared by head office (network routes) and site back-offices ---------------
def _programme_urls(programme: Programme | None, site) -> dict:
    """The back-office URLs of a programme: under /manage/<site>/ in a site's back-office,
    under /network/ for head office."""
    if site is not None:
        urls = {"list": reverse("services:manage_programmes", kwargs={"site_slug": site.slug})}
        if programme is not None:
            kwargs = {"site_slug": site.slug, "pk": programme.pk}
            urls["detail"] = reverse("services:manage_programme_detail", kwargs=kwargs)
            urls["edit"] = reverse("services:manage_programme_edit", kwargs=kwargs)
    else:
        urls = {"list": reverse("services:network_programmes")}
        if programme is not None:
            urls["detail"] = reverse("services:network_programme_detail", kwargs={"pk": programme.pk})
            urls["edit"] = reverse("services:network_programme_edit", kwargs={"pk": programme.pk})
    return urls


def _programme_form_page(request, programme: Programme | None, *, backoffice_site, programme_site, can_manage):
    """Create or edit a programme. `backoffice_site` is the route's site (None under
    /network/); `programme_site` the programme's own (None for a network programme)."""
    instance = programme or Programme(site=programme_site)
    form = ProgrammeForm(request.POST or None, instance=instance, site=programme_site)
    # Under /manage/<site>/ the middleware lets only `manage` POST (sites.roles).
    if request.method == "POST" and form.is_valid():
        try:
            saved = actions.programme_save(
                actor=request.user,
                programme=form.instance,
                partners=form.cleaned_data["partners"],
                incubators=form.cleaned_data["incubators"],
                services=form.cleaned_data["services"],
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("Programme saved."))
            return redirect(_programme_urls(saved, backoffice_site)["detail"])
    urls = _programme_urls(programme, backoffice_site)
    return render(
        request,
        "services/partners/form.html",
        {
            "form": form,
            "site": backoffice_site,
            "title": programme.title if programme else _("New programme"),
            "cancel_url": urls.get("detail", urls["list"]),
            "parent_title": _("Programmes"),
            "parent_url": urls["list"],
            "read_only": not can_manage,
        },
    )


def _programme_manage_page(request, programme: Programme, *, backoffice_site, can_manage):
    """A programme's back-office page: its pieces and its cohort; POST adds a startup."""
    eligible = partners_selectors.startups_outside_cohort(
        partners_selectors.programme_admitted_startups(programme=programme), programme=programme
    )
    form = ParticipantForm(request.POST or None, eligible=eligible)
    # Under /manage/<site>/ the middleware lets only `manage` POST (sites.roles).
    if request.method == "POST" and form.is_valid():
        startup = form.cleaned_data["startup"]
        try:
            actions.programme_participant_add(actor=request.user, programme=programme, startup=startup)
        except Conflict as conflict:
            messages.error(request, conflict.message)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("%(startup)s joined the cohort.") % {"startup": startup})
        return redirect(_programme_urls(programme, backoffice_site)["detail"])
    cohort = partners_selectors.programme_cohort(programme=programme)
    return render(
        request,
        "services/partners/programme_manage.html",
        {
            "programme": programme,
            "site": backoffice_site,
            "cohort": cohort,
            "services": programme.services.order_by(translated_order("title"), "pk"),
            "form": form,
            "can_manage": can_manage,
            "urls": _programme_urls(programme, backoffice_site),
        },
    )


def _participant_remove(request, programme: Programme, startup_pk: int, *, backoffice_site):
    participant = get_object_or_404(partners_selectors.programme_cohort(programme=programme), startup_id=startup_pk)
    actions.programme_participant_remove(actor=request.user, participant=participant)
    messages.success(request, _("%(startup)s left the cohort.") % {"startup": participant.startup})
    return redirect(_programme_urls(programme, backoffice_site)["detail"])


# --- Head office: programmes ---------------------------------------------------------------------
@head_office_required
def network_programme_list(request):
    form = ProgrammeFilterForm(request.GET or None)
    programmes = partners_selectors.programme_rows(site=None, **form.filters())
    return render(
        request,
        "services/partners/programme_manage_list.html",
        {
            "page": page_of(request, programmes),
            "filter_form": form,
            "site": None,
            "can_manage": True,
        },
    )


def _network_programme(pk) -> Programme:
    """Any programme (head office sees every site's); call inside `network_scope()`."""
    return get_object_or_404(partners_selectors.backoffice_programmes(site=None), pk=pk)


@head_office_required
def network_programme_create(request):
    return _programme_form_page(request, None, backoffice_site=None, programme_site=None, can_manage=True)


@head_office_required
def network_programme_edit(request, pk):
    programme = _network_programme(pk)
    return _programme_form_page(
        request, programme, backoffice_site=None, programme_site=programme.site, can_manage=True
    )


@head_office_required
def network_programme_detail(request, pk):
    return _programme_manage_page(request, _network_programme(pk), backoffice_site=None, can_manage=True)


@require_POST
@head_office_required
def network_programme_participant_remove(request, pk, startup_pk):
    return _participant_remove(request, _network_programme(pk), startup_pk, backoffice_site=None)


# --- Site back-office: programmes (scoped to request.site) ------------------------------------
def _site_programme(request, pk) -> Programme:
    # Scoped: another site's programme, or a network one, is not found.
    return get_object_or_404(partners_selectors.backoffice_programmes(site=request.site), pk=pk)


@login_required
def manage_programme_list(request, site_slug):
    programmes = partners_selectors.programme_rows(site=request.site)
    return render(
        request,
        "services/partners/programme_manage_list.html",
        {"page": page_of(request, programmes), "site": request.site, "can_manage": can(request, MANAGE)},
    )


@login_required
def manage_programme_create(request, site_slug):
    return _programme_form_page(
        request,
        None,
        backoffice_site=request.site,
        programme_site=request.site,
        can_manage=can(request, MANAGE),
    )


@login_required
def manage_programme_edit(request, site_slug, pk):
    return _programme_form_page(
        request,
        _site_programme(request, pk),
        backoffice_site=request.site,
        programme_site=request.site,
        can_manage=can(request, MANAGE),
    )


@login_required
def manage_programme_detail(request, site_slug, pk):
    return _programme_manage_page(
        request, _site_programme(request, pk), backoffice_site=request.site, can_manage=can(request, MANAGE)
    )


@require_POST
@login_required
def manage_programme_participant_remove(request, site_slug, pk, startup_pk):
    return _participant_remove(request, _site_programme(request, pk), startup_pk, backoffice_site=request.site)


urlpatterns = [
    # Head office
    path("network/programmes/", network_programme_list, name="network_programmes"),
    path("network/programmes/new/", network_programme_create, name="network_programme_new"),
    path("network/programmes/<int:pk>/", network_programme_detail, name="network_programme_detail"),
    path("network/programmes/<int:pk>/edit/", network_programme_edit, name="network_programme_edit"),
    path(
        "network/programmes/<int:pk>/participants/<int:startup_pk>/remove/",
        network_programme_participant_remove,
        name="network_programme_participant_remove",
    ),
    # Site back-office
    path("manage/<slug:site_slug>/programmes/", manage_programme_list, name="manage_programmes"),
    path("manage/<slug:site_slug>/programmes/new/", manage_programme_create, name="manage_programme_new"),
    path("manage/<slug:site_slug>/programmes/<int:pk>/", manage_programme_detail, name="manage_programme_detail"),
    path("manage/<slug:site_slug>/programmes/<int:pk>/edit/", manage_programme_edit, name="manage_programme_edit"),
    path(
        "manage/<slug:site_slug>/programmes/<int:pk>/participants/<int:startup_pk>/remove/",
        manage_programme_participant_remove,
        name="manage_programme_participant_remove",
    ),
]
