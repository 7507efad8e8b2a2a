"""Reads of the startups app used by views and the API.

Site-owned rows (applications, admissions, offices…) are filtered by the request's tenant
scope automatically. A startup is not site-owned: who may see it is decided here, once."""

import datetime

from django.db.models import Case, Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, When
from django.db.models.functions import Lower
from django.utils import timezone

from sites.roles import REVIEW
from sites.scoping import managed_site_ids, network_scope
from sites.selectors import site_staff_allowed

from .models import (
    Admission,
    AdmissionKind,
    Application,
    ApplicationStatus,
    Call,
    Criterion,
    Declaration,
    Office,
    OfficeAllocation,
    Review,
    Startup,
    StartupInvitation,
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


def residents_ending_soon(
    *, site, days: int = ENDING_SOON_DAYS, on: datetime.date | None = None
) -> QuerySet[Admission]:
    """The site's active residencies whose planned end falls within `days`, soonest first."""
    on = on or timezone.localdate()
    return (
        active_admissions(on)
        .ending_within(on, days=days)
        .filter(site=site)
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
    on = on or timezone.localdate()
    return Admission.objects.filter(starts_on__lte=on).aggregate(
        supported_total=Count("startup", distinct=True),
        residents_total=Count("startup", distinct=True, filter=Q(kind=AdmissionKind.RESIDENT)),
        supported_now=Count("startup", distinct=True, filter=Q(ended_on__isnull=True) | Q(ended_on__gt=on)),
    )


OPEN_CALLS_SHOWN = 5


def _offices_held_on(day: datetime.date) -> QuerySet[OfficeAllocation]:
    return OfficeAllocation.objects.running_on(day).select_related("office")


def _role_of(user) -> Subquery:
    """`user`'s role in the team of the outer startup row (annotated as `my_role`)."""
    return Subquery(StartupMember.objects.filter(startup=OuterRef("pk"), user=user).values("role")[:1])


def founder_overview(user) -> dict:
    """What a founder's landing page shows: their startups (with their role, current
    admissions and offices), their latest applications and a few open calls. Read in the
    request's tenant scope; the open calls of every site are a reviewed network-wide read."""
    current_allocations = _offices_held_on(timezone.localdate())
    startups = list(
        startups_of_member(user)
        .annotate(my_role=_role_of(user))
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
    admissions = residents_ending_soon(site=site)
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


# --- Calls and a team's applications ------------------------------------------------------
def open_calls_listed(*, network_only: bool = False, site_slug: str = "", kind: str = "") -> QuerySet[Call]:
    """Open calls (run inside `network_scope()`), the network's or one site's and of one kind if asked."""
    calls = open_calls()
    if network_only:
        calls = calls.filter(site__isnull=True)
    elif site_slug:
        calls = calls.filter(site__slug=site_slug)
    if kind:
        calls = calls.filter(kind=kind)
    return calls.prefetch_related("target_sectors").order_by("closes_on", "title", "pk")


def calls_with_sectors() -> QuerySet[Call]:
    """Calls with their site and target sectors (any site's inside `network_scope()`)."""
    return Call.objects.select_related("site").prefetch_related("target_sectors")


def applications_of_member(*, user) -> QuerySet[Application]:
    """Applications (in the request's scope) of the startups whose team `user` is in, newest first."""
    return (
        Application.objects.filter(startup__in=startups_of_member(user))
        .select_related("call", "site", "startup")
        .order_by("-created_at", "-pk")
    )


# --- The site's pipeline and committee review ---------------------------------------------
def calls_listed(*, site) -> QuerySet[Call]:
    """`site`'s calls (the network's for None) with their submitted `application_count`, latest first."""
    return (
        Call.objects.filter(site=site)
        .annotate(application_count=Count("applications", filter=~Q(applications__status=ApplicationStatus.DRAFT)))
        .prefetch_related("target_sectors")
        .order_by("-opens_on", "title")
    )


def applications_of_site(*, site) -> QuerySet[Application]:
    """The site's applications as the site sees them: never the drafts."""
    return Application.objects.filter(site=site).exclude(status=ApplicationStatus.DRAFT)


def application_status_counts(*, site) -> dict[str, int]:
    """How many of the site's applications (drafts aside) are in each status."""
    return dict(applications_of_site(site=site).order_by().values_list("status").annotate(count=Count("pk")))


def applications_pipeline(*, site, status: str = "", query: str = "") -> QuerySet[Application]:
    """The pipeline: the site's applications (status, name if given) with `review_count`, `scored_count`."""
    applications = applications_of_site(site=site)
    if status:
        applications = applications.filter(status=status)
    if query:
        applications = applications.filter(
            Q(startup__legal_name__icontains=query) | Q(startup__brand_name__icontains=query)
        )
    return (
        applications.select_related("startup", "call")
        .annotate(
            review_count=Count("reviews", distinct=True),
            scored_count=Count("reviews", filter=Q(reviews__submitted_at__isnull=False), distinct=True),
        )
        .order_by(F("submitted_at").desc(nulls_last=True), "-pk")
    )


def review_of(*, application: Application, reviewer) -> Review | None:
    """`reviewer`'s review of `application`, if they were assigned."""
    return Review.objects.filter(application=application, reviewer=reviewer).first()


def admission_of(*, application: Application) -> Admission | None:
    """The admission `application` led to, if any (in scope)."""
    return Admission.objects.filter(application=application).first()


def reviews_assigned(*, site, reviewer) -> QuerySet[Review]:
    """`reviewer`'s reviews at `site` (never of a draft) with the application, those to score first."""
    return (
        Review.objects.filter(site=site, reviewer=reviewer)
        .exclude(application__status=ApplicationStatus.DRAFT)
        .select_related("application__startup", "application__call")
        .order_by(F("submitted_at").asc(nulls_first=True), "-assigned_at", "-pk")
    )


def active_criteria() -> QuerySet[Criterion]:
    """The criteria reviewers score, in their order."""
    return Criterion.objects.filter(is_active=True)


def reviewer_candidates(*, site, application: Application) -> QuerySet:
    """Who may review `application`: the site's active managers and committee not assigned yet."""
    already = Review.objects.filter(application=application).values("reviewer")
    return site_staff_allowed(site=site, action=REVIEW).exclude(pk__in=already).order_by("full_name", "email")


# --- A site's residents and members -------------------------------------------------------
# Which admissions the residents list shows: active on the day, ended by it, or all.
STATUS_ACTIVE, STATUS_ENDED, STATUS_ALL = "active", "ended", "all"
_DISPLAY_NAME = Lower(
    Case(When(startup__brand_name="", then=F("startup__legal_name")), default=F("startup__brand_name"))
)
SORT_ORDERS = {
    "startup": [F("display_name").asc(), "pk"],
    "-startup": [F("display_name").desc(), "-pk"],
    "start": ["starts_on", "pk"],
    "-start": ["-starts_on", "-pk"],
    "end": [F("planned_end_on").asc(nulls_last=True), "pk"],
    "-end": [F("planned_end_on").desc(nulls_last=True), "-pk"],
    "kind": ["kind", F("display_name").asc(), "pk"],
    "-kind": ["-kind", F("display_name").asc(), "pk"],
}
DEFAULT_SORT = "startup"


def admission_rows(*, admissions: QuerySet[Admission], on: datetime.date) -> QuerySet[Admission]:
    """`admissions` with startup, sectors and the offices held on `on`, in a fixed number of queries."""
    return admissions.select_related("startup").prefetch_related(
        "startup__sectors",
        Prefetch(
            "allocations",
            queryset=OfficeAllocation.objects.running_on(on).select_related("office").order_by("office__number"),
            to_attr="current_allocations",
        ),
    )


def admissions_listed(
    *,
    on: datetime.date,
    status: str = STATUS_ACTIVE,
    query: str = "",
    sector=None,
    kind: str = "",
    has_office: bool | None = None,
    office_id: int | None = None,
    ends_before: datetime.date | None = None,
    ending_soon: bool = False,
    sort: str = DEFAULT_SORT,
) -> QuerySet[Admission]:
    """The residents list: admissions in `status` on `on`, with the filters given, by a `SORT_ORDERS` key."""
    if status == STATUS_ACTIVE:
        admissions = active_admissions(on)
    elif status == STATUS_ENDED:
        admissions = Admission.objects.ended_by(on)
    else:
        admissions = Admission.objects.all()
    if query:
        admissions = admissions.filter(
            Q(startup__legal_name__icontains=query)
            | Q(startup__brand_name__icontains=query)
            | Q(startup__ice__icontains=query)
        )
    if sector:
        admissions = admissions.filter(startup__sectors=sector)
    if kind:
        admissions = admissions.filter(kind=kind)
    if has_office is not None:
        admissions = admissions.holding_office_on(on, holding=has_office, office_id=office_id)
    if ends_before:
        admissions = admissions.filter(planned_end_on__lt=ends_before)
    if ending_soon:
        admissions = admissions.ending_within(on, days=ENDING_SOON_DAYS)
    admissions = admissions.annotate(display_name=_DISPLAY_NAME).order_by(*SORT_ORDERS[sort])
    return admission_rows(admissions=admissions, on=on)


def admissions_with_startup() -> QuerySet[Admission]:
    """Admissions (in scope) with their startup and site: a detail page's look-up."""
    return Admission.objects.select_related("startup", "site")


# --- A site's offices ---------------------------------------------------------------------
def office_totals(*, on: datetime.date) -> dict:
    """Offices in service (in scope), their area, and those occupied on `on`: counts and m², one query."""
    occupied = Exists(OfficeAllocation.objects.running_on(on).filter(office=OuterRef("pk")))
    return (
        Office.objects.filter(is_active=True)
        .annotate(occupied=occupied)
        .aggregate(
            offices=Count("pk"),
            area=Sum("area_m2"),
            occupied_offices=Count("pk", filter=Q(occupied=True)),
            occupied_area=Sum("area_m2", filter=Q(occupied=True)),
        )
    )


def offices_listed(*, on: datetime.date) -> QuerySet[Office]:
    """The scope's offices by floor and number, with who holds them on `on` (`current_allocations`)."""
    return Office.objects.order_by("floor", "number", "pk").prefetch_related(
        Prefetch(
            "allocations",
            queryset=OfficeAllocation.objects.running_on(on).select_related("admission__startup"),
            to_attr="current_allocations",
        )
    )


def office_numbers() -> QuerySet:
    """`(pk, number)` of the scope's offices by floor and number."""
    return Office.objects.order_by("floor", "number").values_list("pk", "number")


def office_number_taken(*, site, number: str, office_pk: int | None) -> bool:
    """Whether another office of `site` than `office_pk` has this number (case ignored)."""
    return Office.objects.filter(site=site, number__iexact=number).exclude(pk=office_pk).exists()


def office_allocations(*, office: Office) -> QuerySet[OfficeAllocation]:
    """Every allocation of `office` with its startup and author, latest start first."""
    return (
        OfficeAllocation.objects.filter(office=office)
        .select_related("admission__startup", "created_by")
        .order_by("-starts_on", "-pk")
    )


def allocations_with_office() -> QuerySet[OfficeAllocation]:
    """Allocations (in scope) with their office: the release's look-up."""
    return OfficeAllocation.objects.select_related("office")


def allocatable_admissions(*, site) -> QuerySet[Admission]:
    """The site's residencies active today, by startup: who may be given an office."""
    return (
        active_admissions()
        .filter(site=site, kind=AdmissionKind.RESIDENT)
        .select_related("startup")
        .order_by("startup__legal_name", "pk")
    )


# --- Yearly declarations ------------------------------------------------------------------
def is_admitted(*, startup: Startup) -> bool:
    """Whether `startup` has an admission in the request's scope (at a site the user sees)."""
    return Admission.objects.filter(startup=startup).exists()


def active_founders() -> QuerySet[StartupMember]:
    """Team members who are founders with an active account, with the account."""
    return StartupMember.objects.filter(role=TeamRole.FOUNDER, user__is_active=True).select_related("user")


def undeclared_admissions_listed(*, fiscal_year: int) -> QuerySet[Admission]:
    """`undeclared_admissions` with the startup and its active founders (`founder_members`), by name."""
    founders = Prefetch("startup__members", queryset=active_founders(), to_attr="founder_members")
    return (
        undeclared_admissions(fiscal_year=fiscal_year)
        .select_related("startup")
        .prefetch_related(founders)
        .order_by("startup__legal_name", "pk")
    )


def declared_for_site(*, fiscal_year: int) -> QuerySet[Declaration]:
    """`fiscal_year`'s declarations of the startups admitted at the scope's site that year, by name."""
    year_start, year_end = datetime.date(fiscal_year, 1, 1), datetime.date(fiscal_year, 12, 31)
    admitted_that_year = Admission.objects.filter(starts_on__lte=year_end).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=year_start)
    )
    return (
        Declaration.objects.filter(fiscal_year=fiscal_year, startup__in=admitted_that_year.values("startup"))
        .select_related("startup")
        .order_by("startup__legal_name", "pk")
    )


# --- A startup's profile and team ---------------------------------------------------------
def startups_of_member_listed(*, user) -> QuerySet[Startup]:
    """`user`'s startups with `my_role`, `current_admissions` and `live_applications` (not withdrawn)."""
    return (
        startups_of_member(user)
        .annotate(my_role=_role_of(user))
        .prefetch_related(
            Prefetch("admissions", queryset=active_admissions().select_related("site"), to_attr="current_admissions"),
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
        .prefetch_related(Prefetch("allocations", queryset=_offices_held_on(on), to_attr="current_allocations"))
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
