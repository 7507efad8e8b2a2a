"""A founder's startups: their landing page, profiles and teams."""

import datetime

from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Subquery
from django.utils import timezone

from core.multilingual import translated_order
from sites.scoping import network_scope

from ..models import (
    Admission,
    Application,
    ApplicationStatus,
    Declaration,
    OfficeAllocation,
    Startup,
    StartupInvitation,
    StartupMember,
)
from .residents import active_admissions
from .visibility import open_calls, startups_of_member

OPEN_CALLS_SHOWN = 5


def _offices_held_on(day: datetime.date) -> QuerySet[OfficeAllocation]:
    return OfficeAllocation.objects.running_on(day).select_related("office")


def _role_of(user) -> Subquery:
    """`user`'s role in the team of the outer startup row (annotated as `my_role`)."""
    return Subquery(StartupMember.objects.filter(startup=OuterRef("pk"), user=user).values("role")[:1])


def founder_overview(user) -> dict:
    """What a founder's landing page shows: their startups (with their role, current
    admissions and offices, and whether last fiscal year is declared), their latest
    applications and a few open calls. A startup followed by a site today owes last year's
    declaration until it is made (`declared_last_year`). Read in the request's tenant scope;
    the open calls of every site are a reviewed network-wide read."""
    today = timezone.localdate()
    current_allocations = _offices_held_on(today)
    last_year = today.year - 1
    declared = Declaration.objects.filter(startup=OuterRef("pk"), fiscal_year=last_year)
    startups = list(
        startups_of_member(user)
        .annotate(my_role=_role_of(user), declared_last_year=Exists(declared))
        .prefetch_related(
            Prefetch(
                "admissions",
                queryset=active_admissions()
                .select_related("site")
                .prefetch_related(
                    Prefetch(
                        "allocations",
                        queryset=current_allocations,
                        to_attr="current_allocations",
                    )
                ),
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
        calls = list(open_calls().order_by("closes_on", translated_order("title"), "pk")[:OPEN_CALLS_SHOWN])
    return {"startups": startups, "applications": applications, "calls": calls, "fiscal_year": last_year}


# --- A startup's profile and team ---------------------------------------------------------
def startups_of_member_listed(*, user) -> QuerySet[Startup]:
    """`user`'s startups with `my_role`, `current_admissions` and `live_applications` (not withdrawn)."""
    return (
        startups_of_member(user)
        .annotate(my_role=_role_of(user))
        .prefetch_related(
            Prefetch(
                "admissions",
                queryset=active_admissions().select_related("site"),
                to_attr="current_admissions",
            ),
            Prefetch(
                "applications",
                queryset=Application.objects.exclude(status=ApplicationStatus.WITHDRAWN).select_related("call"),
                to_attr="live_applications",
            ),
        )
        .order_by("legal_name", "pk")
    )


def startup_admissions(*, startup: Startup, on: datetime.date) -> QuerySet[Admission]:
    """`startup`'s admissions (in scope) with site and the offices held on `on`, latest first."""
    return (
        Admission.objects.filter(startup=startup)
        .select_related("site")
        .prefetch_related(
            Prefetch(
                "allocations",
                queryset=_offices_held_on(on),
                to_attr="current_allocations",
            )
        )
        .order_by("-starts_on", "pk")
    )


def startup_applications(*, startup: Startup, with_drafts: bool) -> QuerySet[Application]:
    """`startup`'s applications (in scope); drafts and withdrawn ones are its team's own (`with_drafts`)."""
    applications = Application.objects.filter(startup=startup).select_related("call", "site")
    if not with_drafts:
        applications = applications.exclude(status__in=[ApplicationStatus.DRAFT, ApplicationStatus.WITHDRAWN])
    return applications


def startup_with_logo(*, pk: int) -> Startup | None:
    """Startup `pk` with only its logo loaded, or None when it has no logo."""
    return Startup.objects.filter(pk=pk).exclude(logo="").only("pk", "logo").first()


def team_members(*, startup: Startup) -> QuerySet[StartupMember]:
    """`startup`'s team members with their accounts."""
    return StartupMember.objects.filter(startup=startup).select_related("user")


def pending_invitations(*, startup: Startup) -> QuerySet[StartupInvitation]:
    """`startup`'s invitations not accepted yet with who sent them, newest first."""
    return startup.invitations.filter(accepted_at__isnull=True).select_related("invited_by").order_by("-created_at")


def invitations_with_startup() -> QuerySet[StartupInvitation]:
    """Invitations with their startup and sender: the acceptance page's look-up."""
    return StartupInvitation.objects.select_related("startup", "invited_by")
