"""What waits at a site from this app, for the back-office home's "To do" and the site
manager's landing page (services.home defines the queue, sites.extensions shows it): the
sessions of the day, whose participants are checked in on the attendance page."""

import datetime

from django.db.models import QuerySet
from django.utils import timezone

from .. import stats
from ..models import ServiceSession, SessionStatus


def day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The start of `day` and of the next day, in the portal's time zone (Africa/Casablanca)."""
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    return start, timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min))


def sessions_of_the_day(*, sites: list[int], user=None, day: datetime.date | None = None) -> QuerySet[ServiceSession]:
    """The sites' own sessions (not the network's) starting on `day` (today) and not
    cancelled, by start time."""
    start, end = day_bounds(day or timezone.localdate())
    return (
        ServiceSession.objects.filter(site__in=sites, starts_at__gte=start, starts_at__lt=end)
        .exclude(status=SessionStatus.CANCELLED)
        .order_by("starts_at", "pk")
    )


def with_registration_counts(sessions: QuerySet[ServiceSession]) -> QuerySet[ServiceSession]:
    """`sessions` with their service and registrations counted (`stats.with_session_counts`)."""
    return stats.with_session_counts(sessions.select_related("service"))
