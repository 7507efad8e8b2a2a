"""What waits at a site from this app, for the back-office home's "To do" and the site
manager's landing page (startups.home defines the queues, sites.extensions shows them).

Each function returns the queue at the sites of ids `sites`, in the order shown, filtered
only (no aggregate: `sites.extensions.WorkQueue` counts it by site in one query); `user` is
who asks (for the reviews assigned to them). The rules are those of the pages where the
work is done: the pipeline's statuses, `residents.residents_ending_soon`'s residencies,
`declarations.undeclared_admissions`."""

import datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from ..models import (
    OPEN_STATUSES,
    Admission,
    Application,
    ApplicationStatus,
    Office,
    OfficeAllocation,
    Review,
)
from .declarations import undeclared_admissions
from .residents import ENDING_SOON_DAYS, active_admissions


# --- Applications and reviews -------------------------------------------------------------
def _reviews() -> QuerySet[Review]:
    return Review.objects.filter(application=OuterRef("pk"))


def applications_to_decide(*, sites: list[int], user=None) -> QuerySet[Application]:
    """Applications under review whose reviews are all scored: the committee is done, a
    decision is due. Longest waiting first."""
    reviews = _reviews()
    return (
        Application.objects.filter(site__in=sites, status=ApplicationStatus.UNDER_REVIEW)
        .filter(Exists(reviews), ~Exists(reviews.filter(submitted_at__isnull=True)))
        .order_by("submitted_at", "pk")
    )


def applications_awaiting_reviews(*, sites: list[int], user=None) -> QuerySet[Application]:
    """Submitted applications without a reviewer yet (to assign), then those under review
    with a review still to score. Longest waiting first."""
    unscored = _reviews().filter(submitted_at__isnull=True)
    return (
        Application.objects.filter(site__in=sites)
        .filter(Q(status=ApplicationStatus.SUBMITTED) | Q(Exists(unscored), status=ApplicationStatus.UNDER_REVIEW))
        .order_by("status", "submitted_at", "pk")  # "submitted" (to assign) sorts first
    )


def with_review_counts(applications: QuerySet[Application]) -> QuerySet[Application]:
    """`applications` with startup and call, `review_count` and `scored_count` (as the pipeline shows them)."""
    return applications.select_related("startup", "call").annotate(
        review_count=Count("reviews", distinct=True),
        scored_count=Count("reviews", filter=Q(reviews__submitted_at__isnull=False), distinct=True),
    )


def reviews_to_score(*, sites: list[int], user) -> QuerySet[Review]:
    """`user`'s reviews not scored yet of applications still open (the ones the score form
    accepts), assigned first first."""
    return Review.objects.filter(
        site__in=sites, reviewer=user, submitted_at__isnull=True, application__status__in=OPEN_STATUSES
    ).order_by("assigned_at", "pk")


def with_application(reviews: QuerySet[Review]) -> QuerySet[Review]:
    return reviews.select_related("application__startup", "application__call")


# --- Residents and offices ------------------------------------------------------------------
def residencies_ending(*, sites: list[int], user=None, on: datetime.date | None = None) -> QuerySet[Admission]:
    """Active residencies whose planned end falls within `ENDING_SOON_DAYS`, soonest first
    (`residents.residents_ending_soon` at several sites)."""
    on = on or timezone.localdate()
    return (
        active_admissions(on)
        .ending_within(on, days=ENDING_SOON_DAYS)
        .filter(site__in=sites)
        .order_by("planned_end_on", "pk")
    )


def offices_free(*, sites: list[int], user=None, on: datetime.date | None = None) -> QuerySet[Office]:
    """Offices in service that nobody holds on `on` (today), by floor and number."""
    on = on or timezone.localdate()
    held = OfficeAllocation.objects.running_on(on).filter(office=OuterRef("pk"))
    return Office.objects.filter(site__in=sites, is_active=True).filter(~Exists(held)).order_by("floor", "number", "pk")


def not_declared(*, sites: list[int], fiscal_year: int, user=None) -> QuerySet[Admission]:
    """The admissions active today whose startup has not declared `fiscal_year`
    (`declarations.undeclared_admissions`, as the declarations page lists them), by name."""
    return undeclared_admissions(fiscal_year=fiscal_year).filter(site__in=sites).order_by("startup__legal_name", "pk")


def with_startup(admissions: QuerySet[Admission]) -> QuerySet[Admission]:
    return admissions.select_related("startup")
