"""The site's "other charges" (issue 21): what its managers bill a startup besides rent and
rooms (printing, an event, a parking badge…), each billed by the monthly run of its month,
or the next one when that month is already invoiced.

Routes under `/manage/<site_slug>/invoices/charges/` (scoped by `SiteScopeMiddleware`):

- `charges/`: the site's charges, newest month first, with their state (to bill, or billed on
  an invoice, linked), filtered by month and state, 50 a page. Everyone at the site reads it;
  managers and head office also see the form "Add a charge" and delete what is not billed.
- `charges/add/` (POST): `actions.charge_add`, back to the list (POST, redirect, GET); a
  refusal re-renders the list with the form's errors and the values typed.
- `charges/<pk>/delete/` (POST): `actions.charge_delete` (refused once billed), back to the
  list. A charge looked up by id is only found at this site: another site's is a 404.
The middleware refuses other roles' POSTs (`sites.roles`)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from core.errors import Conflict
from core.forms import add_action_errors
from sites.roles import MANAGE, can

from .. import actions
from ..forms import ChargeFilterForm, ChargeForm
from ..models import Charge
from ..selectors import charges as selectors

PAGE_SIZE = 50


def _list(request, *, add_form: ChargeForm | None = None):
    form = ChargeFilterForm(request.GET or None)
    charges = selectors.charges_filtered(site=request.site, **form.filters())
    page = Paginator(charges, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = selectors.charges_with_amounts(page.object_list)
    can_manage = can(request, MANAGE)
    if can_manage and add_form is None:
        add_form = ChargeForm(site=request.site)
    return render(
        request,
        "billing/manage/charges.html",
        {
            "site": request.site,
            "form": form,
            "page": page,
            "filtered": any(request.GET.get(name) for name in form.fields),
            "can_manage": can_manage,
            "add_form": add_form if can_manage else None,
        },
    )


@login_required
def charge_list(request, site_slug):
    return _list(request)


@login_required
def charge_add(request, site_slug):
    """POST: a new charge, back to the list; errors re-render it with the values typed."""
    if request.method != "POST":
        return redirect("billing:charge_list", site_slug=request.site.slug)
    form = ChargeForm(request.POST, site=request.site)
    if form.is_valid():
        try:
            charge = actions.charge_add(actor=request.user, site=request.site, **form.cleaned_data)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(
                request,
                _("Charge “%(description)s” added for %(startup)s.")
                % {"description": charge.description, "startup": charge.startup},
            )
            return redirect("billing:charge_list", site_slug=request.site.slug)
    return _list(request, add_form=form)


@login_required
def charge_delete(request, site_slug, pk):
    """POST: delete a charge that is not billed yet, back to the list."""
    charge = get_object_or_404(Charge.objects.select_related("startup"), pk=pk)  # scoped: only this site's
    if request.method == "POST":
        try:
            actions.charge_delete(actor=request.user, charge=charge)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        except Conflict as conflict:
            messages.error(request, conflict.message)
        else:
            messages.success(
                request,
                _("Charge “%(description)s” of %(startup)s deleted.")
                % {"description": charge.description, "startup": charge.startup},
            )
    return redirect("billing:charge_list", site_slug=request.site.slug)


urlpatterns = [
    path("manage/<slug:site_slug>/invoices/charges/", charge_list, name="charge_list"),
    path("manage/<slug:site_slug>/invoices/charges/add/", charge_add, name="charge_add"),
    path("manage/<slug:site_slug>/invoices/charges/<int:pk>/delete/", charge_delete, name="charge_delete"),
]
