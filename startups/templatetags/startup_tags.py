"""Template tags of the founder's pages."""

from django import template
from django.db.models import OuterRef, Prefetch, Q, Subquery
from django.utils import timezone

from sites.scoping import network_scope

from .. import selectors
from ..models import Application, ApplicationStatus, OfficeAllocation, StartupMember

register = template.Library()

OPEN_CALLS_SHOWN = 5


@register.inclusion_tag("startups/profile/_founder_overview.html", takes_context=True)
def founder_overview(context):
    """The founder's landing page: their startups with current admissions (and offices),
    their applications, and a few open calls. Runs in the request's tenant scope; the open
    calls of every site are a reviewed network-wide read."""
    request = context["request"]
    user = request.user
    today = timezone.localdate()
    current_allocations = (
        OfficeAllocation.objects.filter(starts_on__lte=today)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gt=today))
        .select_related("office")
    )
    startups = list(
        selectors.startups_of_member(user)
        .annotate(my_role=Subquery(StartupMember.objects.filter(startup=OuterRef("pk"), user=user).values("role")[:1]))
        .prefetch_related(
            Prefetch(
                "admissions",
                queryset=selectors.active_admissions()
                .select_related("site")
                .prefetch_related(Prefetch("allocations", queryset=current_allocations, to_attr="current_allocations")),
                to_attr="current_admissions",
            )
        )
        .order_by("legal_name", "pk")
    )
    applications = list(
        Application.objects.filter(startup__in=[startup.pk for startup in startups])
        .exclude(status=ApplicationStatus.WITHDRAWN)
        .select_related("call", "site", "startup")
        .order_by("-created_at", "-pk")[:10]
    )
    with network_scope():
        calls = list(selectors.open_calls().order_by("closes_on", "title", "pk")[:OPEN_CALLS_SHOWN])
    return {"request": request, "user": user, "startups": startups, "applications": applications, "calls": calls}
