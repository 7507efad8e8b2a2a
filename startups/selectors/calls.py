"""Calls for applications, a team's applications and a site's pipeline and committee review."""

from django.db.models import Count, F, Q, QuerySet

from core.multilingual import translated_order
from sites.roles import REVIEW
from sites.selectors import site_staff_allowed

from ..models import Admission, Application, ApplicationStatus, Call, Criterion, Review
from .visibility import open_calls, startups_of_member


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
    return calls.prefetch_related("target_sectors").order_by("closes_on", translated_order("title"), "pk")


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
        .order_by("-opens_on", translated_order("title"), "pk")
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
