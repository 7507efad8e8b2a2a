"""Who may see which startups and their records: one rule each, for the API's lists and
details and the pages. A startup is not site-owned: who may see it is decided here, once;
site-owned rows (applications, admissions…) are also filtered by the request's tenant scope.
Open calls are public: what "open" means is here too."""

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from sites.scoping import managed_site_ids, network_scope

from ..models import Admission, Application, ApplicationStatus, Call, Declaration, Startup, StartupMember, TeamRole


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
