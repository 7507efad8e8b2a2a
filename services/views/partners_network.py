"""Head office's management of the network's partners and partner incubators (with their
managers), under `/network/…`. Programmes are in `programmes_manage.py`."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import Conflict
from core.forms import add_action_errors
from core.limits import upload_limit
from core.validators import MAX_LOGO_BYTES
from sites.models import Incubator, Partner
from sites.roles import head_office_required

from .. import actions
from ..forms.partners import IncubatorForm, IncubatorManagerForm, PartnerForm
from ..selectors import partners as partners_selectors
from .paging import page_of


# --- Partners -------------------------------------------------------------------------------
@head_office_required
def network_partner_list(request):
    query = (request.GET.get("q") or "").strip()[:100]
    partners = partners_selectors.partners_with_counts(query=query)
    return render(
        request, "services/partners/network_partner_list.html", {"page": page_of(request, partners, 50), "q": query}
    )


@upload_limit(MAX_LOGO_BYTES)
@head_office_required
def network_partner_edit(request, pk=None):
    partner = get_object_or_404(Partner, pk=pk) if pk else Partner()
    form = PartnerForm(request.POST or None, request.FILES or None, instance=partner)
    if request.method == "POST" and form.is_valid():
        try:
            actions.partner_save(actor=request.user, partner=form.instance)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("Partner saved."))
            return redirect("services:network_partners")
    return render(
        request,
        "services/partners/form.html",
        {
            "form": form,
            "title": partner.name if pk else _("New partner"),
            "cancel_url": reverse("services:network_partners"),
            "parent_title": _("Partners"),
            "multipart": True,
        },
    )


# --- Partner incubators and their managers -------------------------------------------------------
@head_office_required
def network_incubator_list(request):
    incubators = partners_selectors.incubators_with_counts()
    return render(request, "services/partners/network_incubator_list.html", {"page": page_of(request, incubators, 50)})


@head_office_required
def network_incubator_edit(request, pk=None):
    incubator = get_object_or_404(Incubator, pk=pk) if pk else Incubator()
    form = IncubatorForm(request.POST or None, instance=incubator)
    if request.method == "POST" and form.is_valid():
        try:
            actions.incubator_save(actor=request.user, incubator=form.instance)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("Incubator saved."))
            return redirect("services:network_incubators")
    return render(
        request,
        "services/partners/form.html",
        {
            "form": form,
            "title": incubator.name if pk else _("New incubator"),
            "cancel_url": reverse("services:network_incubators"),
            "parent_title": _("Partner incubators"),
            "parent_url": reverse("services:network_incubators"),
        },
    )


@head_office_required
def network_incubator_managers(request, pk):
    incubator = get_object_or_404(partners_selectors.incubators_with_site(), pk=pk)
    form = IncubatorManagerForm(request.POST or None, incubator=incubator)
    if request.method == "POST" and form.is_valid():
        user = form.cleaned_data["user"]
        try:
            actions.incubator_membership_grant(actor=request.user, incubator=incubator, user=user)
        except Conflict as conflict:
            messages.error(request, conflict.message)
        else:
            messages.success(
                request,
                _("%(email)s now manages this incubator and has been told by email.") % {"email": user.email},
            )
        return redirect("services:network_incubator_managers", pk=incubator.pk)
    memberships = partners_selectors.incubator_managers(incubator=incubator)
    return render(
        request,
        "services/partners/network_incubator_managers.html",
        {"incubator": incubator, "memberships": memberships, "form": form},
    )


@require_POST
@head_office_required
def network_incubator_manager_remove(request, pk, membership_pk):
    membership = get_object_or_404(partners_selectors.incubator_managers(incubator=pk), pk=membership_pk)
    actions.incubator_membership_revoke(actor=request.user, membership=membership)
    messages.success(request, _("%(email)s no longer manages this incubator.") % {"email": membership.user.email})
    return redirect("services:network_incubator_managers", pk=pk)


urlpatterns = [
    path("network/partners/", network_partner_list, name="network_partners"),
    path("network/partners/new/", network_partner_edit, name="network_partner_new"),
    path("network/partners/<int:pk>/edit/", network_partner_edit, name="network_partner_edit"),
    path("network/incubators/", network_incubator_list, name="network_incubators"),
    path("network/incubators/new/", network_incubator_edit, name="network_incubator_new"),
    path("network/incubators/<int:pk>/edit/", network_incubator_edit, name="network_incubator_edit"),
    path("network/incubators/<int:pk>/managers/", network_incubator_managers, name="network_incubator_managers"),
    path(
        "network/incubators/<int:pk>/managers/<int:membership_pk>/remove/",
        network_incubator_manager_remove,
        name="network_incubator_manager_remove",
    ),
]
