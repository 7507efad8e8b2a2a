"""What the pipeline's decision pages read: who the decision email goes to, whether the
decision would clash, what comes next (the next application, an office for the resident)."""

from django.contrib.auth import get_user_model
from django.db.models import F, QuerySet

from ..models import Admission, Application, ApplicationStatus, TeamRole
from .calls import applications_of_site
from .residents import office_candidates

# The applications still waiting for the committee (the waiting list is set aside).
TO_REVIEW = (ApplicationStatus.SUBMITTED, ApplicationStatus.UNDER_REVIEW)


def decision_recipients(*, startup) -> QuerySet:
    """The active founders of `startup`, who receive the decision email
    (`actions.applications.application_decide` writes to the same people)."""
    return (
        get_user_model()
        .objects.filter(
            startup_memberships__startup=startup, startup_memberships__role=TeamRole.FOUNDER, is_active=True
        )
        .order_by("email")
    )


def open_admission_exists(*, startup, site, kind: str) -> bool:
    """Whether `startup` already has an open admission of `kind` at `site`: admitting it
    again is refused (`actions.admission_create`)."""
    return Admission.objects.filter(startup=startup, site=site, kind=kind, ended_on__isnull=True).exists()


def next_application_to_review(*, site, after: Application) -> Application | None:
    """The site's application, other than `after`, that has waited longest for the
    committee (submitted or under review), with its startup."""
    return (
        applications_of_site(site=site)
        .filter(status__in=TO_REVIEW)
        .exclude(pk=after.pk)
        .select_related("startup")
        .order_by(F("submitted_at").asc(nulls_last=True), "pk")
        .first()
    )


def can_take_office(*, admission: Admission) -> bool:
    """Whether `admission` is among the site's `office_candidates` (a residency without office)."""
    return office_candidates(site=admission.site_id).filter(pk=admission.pk).exists()
