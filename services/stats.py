"""Figures the back-office shows about services and sessions: upcoming sessions,
satisfaction (average rating and number of ratings) and attendance.

Everything is computed by the database as annotations (correlated subqueries), so a list of
services costs the same number of queries whatever its length. The subqueries use the scoped
managers: call these inside the scope the rows were read in.

Attendance rate = present / (present + no-show), over the confirmed participants of *held*
sessions; like every rate of the portal it is 0 when its denominator is empty, and the pages
show "—" there, never 0 % (the `percent` filter of core.templatetags.rates, for None).
"""

from django.db.models import Avg, Count, FloatField, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import (
    Attendance,
    Registration,
    RegistrationStatus,
    Service,
    ServiceSession,
    SessionStatus,
)


def _registration_figure(aggregate, *, output_field, **filters) -> Subquery:
    """One aggregate over the registrations of the outer service's sessions."""
    rows = (
        Registration.objects.filter(session__service=OuterRef("pk"), **filters)
        .order_by()
        .values("session__service")
        .annotate(figure=aggregate)
        .values("figure")
    )
    return Subquery(rows, output_field=output_field)


def with_service_stats(services: QuerySet[Service], *, now=None) -> QuerySet[Service]:
    """Annotate each service with `upcoming_sessions`, `rating_average` (None without
    ratings), `rating_count`, `present_count` and `no_show_count`."""
    now = now or timezone.now()
    upcoming = (
        ServiceSession.objects.upcoming(now)
        .filter(service=OuterRef("pk"))
        .order_by()
        .values("service")
        .annotate(figure=Count("pk"))
        .values("figure")
    )
    rated = {"status": RegistrationStatus.CONFIRMED, "rating__isnull": False}
    held = {"status": RegistrationStatus.CONFIRMED, "session__status": SessionStatus.HELD}
    return services.annotate(
        upcoming_sessions=Coalesce(Subquery(upcoming, output_field=IntegerField()), Value(0)),
        rating_average=_registration_figure(Avg("rating"), output_field=FloatField(), **rated),
        rating_count=Coalesce(_registration_figure(Count("pk"), output_field=IntegerField(), **rated), Value(0)),
        present_count=Coalesce(
            _registration_figure(Count("pk"), output_field=IntegerField(), attendance=Attendance.PRESENT, **held),
            Value(0),
        ),
        no_show_count=Coalesce(
            _registration_figure(Count("pk"), output_field=IntegerField(), attendance=Attendance.NO_SHOW, **held),
            Value(0),
        ),
    )


def with_session_counts(sessions: QuerySet[ServiceSession]) -> QuerySet[ServiceSession]:
    """Annotate each session with `confirmed_count`, `waitlisted_count`, `present_count`
    and `no_show_count` (one query for the whole list)."""
    return sessions.annotate(
        confirmed_count=Count("registrations", filter=Q(registrations__status=RegistrationStatus.CONFIRMED)),
        waitlisted_count=Count("registrations", filter=Q(registrations__status=RegistrationStatus.WAITLISTED)),
        present_count=Count(
            "registrations",
            filter=Q(registrations__status=RegistrationStatus.CONFIRMED, registrations__attendance=Attendance.PRESENT),
        ),
        no_show_count=Count(
            "registrations",
            filter=Q(registrations__status=RegistrationStatus.CONFIRMED, registrations__attendance=Attendance.NO_SHOW),
        ),
    )


def attendance_rate(present: int, no_show: int) -> float:
    """present / (present + no-show), between 0 and 1; 0 when nobody was marked."""
    marked = (present or 0) + (no_show or 0)
    return (present or 0) / marked if marked else 0.0


def service_attendance_rate(service: Service) -> float:
    """For a service annotated by `with_service_stats`."""
    return attendance_rate(service.present_count, service.no_show_count)
