"""Pages anyone may see, and the participants' programme pages.

- Public: the active partners (with logos) and the partner incubators.
- Participants: `/programmes/` lists the programmes of the user's startups; a programme's
  page is shown to its cohort's team members, the staff of its site and head office (others
  get 404). Programmes may belong to the network (no site), so these pages read inside
  `network_scope()` with an explicit cohort / ownership filter
  (`selectors.programmes_visible_to`).
"""

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils import timezone

from core.files import public_image_response
from sites.models import Incubator, Partner
from sites.scoping import network_scope

from ..models import Programme, ProgrammeParticipant, ServiceSession, SessionStatus
from ..selectors import programmes_visible_to
from .paging import page_of


# --- Public -------------------------------------------------------------------------------
def partner_list(request):
    partners = Partner.objects.filter(is_active=True).order_by("name", "pk")
    return render(request, "services/partners/partner_list.html", {"page": page_of(request, partners, 48)})


def partner_logo(request, pk):
    """A partner's logo: public, shown on the public partners page."""
    partner = Partner.objects.filter(pk=pk).exclude(logo="").only("pk", "logo").first()
    if partner is None:
        raise Http404
    return public_image_response(partner.logo)


def incubator_list(request):
    incubators = (
        Incubator.objects.filter(is_active=True).select_related("affiliated_site__region").order_by("name", "pk")
    )
    return render(request, "services/partners/incubator_list.html", {"page": page_of(request, incubators, 50)})


# --- Participants' programme pages ---------------------------------------------------------
@login_required
def programme_list(request):
    """The programmes of the user's startups."""
    with network_scope():  # scoped querysets take the scope they are created in: build them here
        mine = ProgrammeParticipant.objects.filter(startup__members__user=request.user)
        programmes = (
            Programme.objects.filter(pk__in=mine.values("programme"))
            .select_related("site")
            .prefetch_related(
                "partners",
                Prefetch("participants", queryset=mine.select_related("startup"), to_attr="my_participations"),
            )
            .order_by("-starts_on", "title", "pk")
        )
        return render(request, "services/partners/programme_list.html", {"page": page_of(request, programmes)})


@login_required
def programme_detail(request, pk):
    with network_scope():
        upcoming = ServiceSession.objects.filter(status=SessionStatus.SCHEDULED, ends_at__gte=timezone.now()).order_by(
            "starts_at"
        )
        programme = get_object_or_404(
            programmes_visible_to(request.user).select_related("site").prefetch_related("partners", "incubators"),
            pk=pk,
        )
        services = (
            programme.services.filter(is_published=True)
            .select_related("site", "partner")
            .prefetch_related(Prefetch("sessions", queryset=upcoming, to_attr="upcoming_sessions"))
            .order_by("title")
        )
        cohort = programme.participants.select_related("startup").order_by("startup__legal_name", "pk")
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
