"""Pages anyone may see, and the participants' programme pages.

- Public: the active partners (with logos) and the partner incubators.
- Participants: `/programmes/` lists the programmes of the user's startups; a programme's
  page is shown to its cohort's team members, the staff of its site and head office (others
  get 404). Programmes may belong to the network (no site), so these pages read inside
  `network_scope()` with an explicit cohort / ownership filter
  (`partners_selectors.programmes_visible_to`).
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import path

from core.files import public_image_response
from sites.scoping import network_scope

from ..selectors import partners as partners_selectors
from .paging import page_of


# --- Public -------------------------------------------------------------------------------
def partner_list(request):
    partners = partners_selectors.active_partners()
    return render(request, "services/partners/partner_list.html", {"page": page_of(request, partners, 48)})


def partner_logo(request, pk):
    """A partner's logo: public, shown on the public partners page."""
    partner = partners_selectors.partner_with_logo(pk=pk)
    if partner is None:
        raise Http404
    return public_image_response(partner.logo)


def incubator_list(request):
    incubators = partners_selectors.active_incubators()
    return render(request, "services/partners/incubator_list.html", {"page": page_of(request, incubators, 50)})


# --- Participants' programme pages ---------------------------------------------------------
@login_required
def programme_list(request):
    """The programmes of the user's startups."""
    with network_scope():  # scoped querysets take the scope they are created in: build them here
        programmes = partners_selectors.programmes_of_member(user=request.user)
        return render(request, "services/partners/programme_list.html", {"page": page_of(request, programmes)})


@login_required
def programme_detail(request, pk):
    with network_scope():
        programme = get_object_or_404(
            partners_selectors.programmes_visible_to(user=request.user)
            .select_related("site")
            .prefetch_related("partners", "incubators"),
            pk=pk,
        )
        services = partners_selectors.programme_services(programme=programme)
        cohort = partners_selectors.programme_cohort(programme=programme)
        return render(
            request,
            "services/partners/programme_detail.html",
            {"programme": programme, "services": services, "cohort": cohort},
        )


urlpatterns = [
    # Public
    path("partners/", partner_list, name="partners"),
    path("partners/<int:pk>/logo/", partner_logo, name="partner_logo"),
    path("incubators/", incubator_list, name="incubators"),
    # Participants
    path("programmes/", programme_list, name="programmes"),
    path("programmes/<int:pk>/", programme_detail, name="programme_detail"),
]
