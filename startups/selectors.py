"""Reads of the startups app used by views and the API.

Site-owned rows (applications, admissions, offices…) are filtered by the request's tenant
scope automatically. A startup is not site-owned: who may see it is decided here, once."""

import datetime

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from sites.scoping import managed_site_ids, network_scope

from .models import (
    Admission,
    AdmissionKind,
    Application,
    ApplicationStatus,
    Call,
    Declaration,
    OfficeAllocation,
    Startup,
    StartupMember,
    TeamRole,
)


def startups_visible_to(user) -> QuerySet[Startup]:
    """Head office: every startup. Site staff: startups admitted at, or applying to, a site
    where they work. Everyone: the startups whose team they are in."""
    if not user.is_authenticated:
        return Startup.objects.none()
    own = Q(pk__in=StartupMember.objects.filter(user=user).values("startup"))
    site_ids = managed_site_ids(user)
    if site_ids is None:
        return Startup.objects.all()
    if not site_ids:
        return Startup.objects.filter(own)
    at_my_sites = Q(pk__in=Admission.objects.filter(site__in=site_ids).values("startup")) | Q(
        pk__in=Application.objects.filter(site__in=site_ids)
        .exclude(status__in=[ApplicationStatus.DRAFT, ApplicationStatus.WITHDRAWN])
        .values("startup")
    )
    return Startup.objects.filter(own | at_my_sites)


def startups_of_member(user, *, founders_only: bool = False) -> QuerySet[Startup]:
    """The startups whose team `user` is in (as a founder when `founders_only`)."""
    members = StartupMember.objects.filter(user=user)
    if founders_only:
        members = members.filter(role=TeamRole.FOUNDER)
    return Startup.objects.filter(pk__in=members.values("startup"))


def is_founder(user, startup: Startup) -> bool:
    return StartupMember.objects.filter(user=user, startup=startup, role=TeamRole.FOUNDER).exists()


def call_open_q(day: datetime.date) -> Q:
    """A call open for applications on `day`."""
    return Q(opens_on__lte=day, closes_on__gte=day)


def open_calls(on: datetime.date | None = None) -> QuerySet[Call]:
    """Calls open today; run inside `network_scope()` for the public list across sites."""
    return Call.objects.filter(call_open_q(on or timezone.localdate())).select_related("site")


def active_admissions(on: datetime.date | None = None) -> QuerySet[Admission]:
    """Admissions in the current scope active at `on` (start ≤ on, and no end or end > on)."""
    on = on or timezone.localdate()
    return Admission.objects.active_on(on)


# A residency "ends soon" when its planned end falls within this many days.
ENDING_SOON_DAYS = 60


def residents_ending_soon(*, days: int = ENDING_SOON_DAYS, on: datetime.date | None = None) -> QuerySet[Admission]:
    on = on or timezone.localdate()
    return (
        active_admissions(on)
        .filter(
            kind=AdmissionKind.RESIDENT, planned_end_on__gte=on, planned_end_on__lte=on + datetime.timedelta(days=days)
        )
        .select_related("startup")
        .order_by("planned_end_on")
    )


def undeclared_admissions(*, fiscal_year: int, on: datetime.date | None = None) -> QuerySet[Admission]:
    """Active admissions (in scope) whose startup has not declared `fiscal_year` yet."""
    declared = Declaration.objects.filter(startup=OuterRef("startup"), fiscal_year=fiscal_year)
    return active_admissions(on).annotate(has_declared=Exists(declared)).filter(has_declared=False)


def headline_figures(on: datetime.date | None = None) -> dict:
    """Startups supported since 2001 (and of them residents) and today, in the current
    scope (network-wide in `network_scope()`), as MISSION.md defines them. One query."""
    from django.db.models import Count

    on = on or timezone.localdate()
    return Admission.objects.filter(starts_on__lte=on).aggregate(
        supported_total=Count("startup", distinct=True),
        residents_total=Count("startup", distinct=True, filter=Q(kind=AdmissionKind.RESIDENT)),
        supported_now=Count("startup", distinct=True, filter=Q(ended_on__isnull=True) | Q(ended_on__gt=on)),
    )


OPEN_CALLS_SHOWN = 5


def founder_overview(user) -> dict:
    """What a founder's landing page shows: their startups (with their role, current
    admissions and offices), their latest applications and a few open calls. Read in the
    request's tenant scope; the open calls of every site are a reviewed network-wide read."""
    today = timezone.localdate()
    current_allocations = OfficeAllocation.objects.running_on(today).select_related("office")
    startups = list(
        startups_of_member(user)
        .annotate(my_role=Subquery(StartupMember.objects.filter(startup=OuterRef("pk"), user=user).values("role")[:1]))
        .prefetch_related(
            Prefetch(
                "admissions",
                queryset=active_admissions()
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
        calls = list(open_calls().order_by("closes_on", "title", "pk")[:OPEN_CALLS_SHOWN])
    return {"startups": startups, "applications": applications, "calls": calls}


ENDING_SOON_SHOWN = 5


def residents_ending_soon_panel(site) -> dict:
    """The site back-office home's warning: the residencies whose planned end falls within
    `ENDING_SOON_DAYS`, the first few and how many (read in the site's scope)."""
    admissions = residents_ending_soon().filter(site=site)
    shown = list(admissions[:ENDING_SOON_SHOWN])
    count = len(shown) if len(shown) < ENDING_SOON_SHOWN else admissions.count()
    return {"admissions": shown, "count": count, "days": ENDING_SOON_DAYS}


# --- Who may see what (the API's lists and details) -------------------------------------
def calls_visible_to(user) -> QuerySet[Call]:
    """Open calls across the network for everyone; for signed-in users, also the calls of
    the sites they may see (every call for head office) and the calls their startups
    applied to. Call inside the request's scope."""
    open_now = call_open_q(timezone.localdate())
    if not user.is_authenticated:
        with network_scope():  # the public list of open calls, every site's
            return Call.objects.filter(open_now)
    in_my_scope = Call.objects.values("pk")  # the request's scope (visible sites)
    applied_to = startups_of_member(user).values("applications__call")
    with network_scope():  # open calls across the network, plus the above
        return Call.objects.filter(open_now | Q(pk__in=in_my_scope) | Q(pk__in=applied_to))


def applications_visible_to(user) -> QuerySet[Application]:
    """Founders and team: their startups' applications; site staff: their sites' submitted
    ones (drafts stay private); head office: every submitted one. Call inside the request's
    scope."""
    if not user.is_authenticated:
        return Application.objects.none()
    own = Q(startup__in=startups_of_member(user).values("pk"))
    site_ids = managed_site_ids(user)
    if site_ids is None:
        staff = ~Q(status=ApplicationStatus.DRAFT)
    else:
        staff = Q(site__in=site_ids) & ~Q(status=ApplicationStatus.DRAFT)
    return Application.objects.filter(own | staff).select_related("call", "site", "startup")


def admissions_visible_to(user) -> QuerySet[Admission]:
    """Founders and team: their startups' admissions; site staff: their sites'; head
    office: all. Call inside the request's scope."""
    if not user.is_authenticated:
        return Admission.objects.none()
    site_ids = managed_site_ids(user)
    if site_ids is None:
        admissions = Admission.objects.all()
    else:
        admissions = Admission.objects.filter(
            Q(startup__in=startups_of_member(user).values("pk")) | Q(site__in=site_ids)
        )
    return admissions.select_related("site", "startup")


def declarations_visible_to(user) -> QuerySet[Declaration]:
    """Founders and team: their startups'; site staff: those of the startups admitted at
    their sites; head office: all. Call inside the request's scope."""
    if not user.is_authenticated:
        return Declaration.objects.none()
    site_ids = managed_site_ids(user)
    if site_ids is None:
        return Declaration.objects.all()
    own = Q(startup__in=startups_of_member(user).values("pk"))
    admitted = Q(startup__in=Admission.objects.filter(site__in=site_ids).values("startup"))
    return Declaration.objects.filter(own | admitted)
