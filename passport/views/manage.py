"""A site's attestations (issue 22), under `/manage/<site_slug>/attestations/` (scoped by
`SiteScopeMiddleware`): every attestation the site issued, newest first, 50 a page, found by
startup or code, filtered by kind and state. Everyone at the site reads it; its managers
(and head office) revoke one, with a reason (`…/<pk>/revoke/`: a confirmation page, then a
POST). An attestation of another site is the 404 of a missing one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from core.forms import add_action_errors
from sites.roles import MANAGE, can, site_action

from .. import actions
from ..forms import CredentialFilterForm, RevokeForm
from ..pdf import verify_url
from ..selectors import credential_state, site_credentials

PAGE_SIZE = 50


@login_required
def credential_list(request, site_slug):
    form = CredentialFilterForm(request.GET or None)
    page = Paginator(site_credentials(**form.filters()), PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = [(credential, credential_state(credential)) for credential in page.object_list]
    return render(
        request,
        "passport/manage/list.html",
        {
            "site": request.site,
            "form": form,
            "page": page,
            "filtered": any(request.GET.get(name) for name in form.fields),
            "can_manage": can(request, MANAGE),
        },
    )


@site_action(MANAGE)  # its confirmation page too: read-only roles have nothing to confirm
@login_required
def credential_revoke(request, site_slug, pk):
    credential = get_object_or_404(site_credentials(), pk=pk)
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.credential_revoke(actor=request.user, credential=credential, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(
                request,
                _("Attestation %(code)s is revoked: its verification page says so.")
                % {"code": credential.grouped_code},
            )
            return redirect("passport:manage_list", site_slug=request.site.slug)
    return render(
        request,
        "passport/manage/revoke.html",
        {
            "site": request.site,
            "credential": credential,
            "state": credential_state(credential),
            "verify_url": verify_url(credential),
            "form": form,
        },
    )


urlpatterns = [
    path("manage/<slug:site_slug>/attestations/", credential_list, name="manage_list"),
    path("manage/<slug:site_slug>/attestations/<int:pk>/revoke/", credential_revoke, name="manage_revoke"),
]
