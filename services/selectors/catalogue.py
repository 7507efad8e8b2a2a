"""Reads of the public catalogue (every site's and the network's offer: inside
`network_scope()`), of a user's registrations and of their calendar feed."""

import datetime

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from sites.models import Language, Site, SiteStatus

from ..models import Registration, RegistrationStatus, Service, ServiceSession, SessionStatus


def _registration_count(status: str) -> QuerySet[Registration]:
    """The number of the outer session's registrations in `status`, as a subquery."""
    return (
        Registration.objects.filter(session=OuterRef("pk"), status=status)
        .order_by()
        .values("session")
        .annotate(n=Count("pk"))
        .values("n")
    )


def sessions_with_seats_left(sessions: QuerySet[ServiceSession]) -> QuerySet[ServiceSession]:
    """`sessions` annotated with `seats_left` (never below 0) and `waitlisted_count`."""
    return sessions.annotate(
        seats_left=Greatest(
            F("seats") - Coalesce(Subquery(_registration_count(RegistrationStatus.CONFIRMED)), Value(0)), Value(0)
        ),
        waitlisted_count=Coalesce(Subquery(_registration_count(RegistrationStatus.WAITLISTED)), Value(0)),
    )


def published_services() -> QuerySet[Service]:
    """Published services of every site in the scope, with what their cards show."""
    return Service.objects.filter(is_published=True).select_related("site", "partner").prefetch_related("languages")


def catalogue_services() -> QuerySet[Service]:
    """Published services annotated with their next scheduled session and its seats left,
    the soonest first (those without one last)."""
    next_sessions = sessions_with_seats_left(
        ServiceSession.objects.filter(
            service=OuterRef("pk"), status=SessionStatus.SCHEDULED, starts_at__gte=timezone.now()
        ).order_by("starts_at", "pk")
    )
    return (
        published_services()
        .annotate(
            next_starts_at=Subquery(next_sessions.values("starts_at")[:1]),
            next_seats_left=Subquery(next_sessions.values("seats_left")[:1]),
        )
        .order_by(F("next_starts_at").asc(nulls_last=True), "title", "pk")
    )


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def services_filtered(
    services: QuerySet[Service],
    *,
    q: str = "",
    dimension: str = "",
    network: bool = False,
    site_slug: str = "",
    format: str = "",
    service_type: str = "",
    language: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    published: bool | None = None,
) -> QuerySet[Service]:
    """`services` narrowed by the catalogue's or the back-office's filters (an empty value
    filters nothing): words in the title or summary, the network's offer or one site's, and
    a scheduled session between two local days (both included). Run inside the scope the
    services were read in (sessions are site-owned too)."""
    if q:
        services = services.filter(Q(title__icontains=q) | Q(summary__icontains=q))
    if dimension:
        services = services.filter(dimension=dimension)
    if network:
        services = services.owned_by(None)
    elif site_slug:
        services = services.filter(site__slug=site_slug)
    if format:
        services = services.filter(format=format)
    if service_type:
        services = services.filter(service_type=service_type)
    if language:
        services = services.filter(languages__code=language)
    if date_from or date_to:
        sessions = ServiceSession.objects.filter(service=OuterRef("pk"), status=SessionStatus.SCHEDULED)
        if date_from:
            sessions = sessions.filter(starts_at__gte=_local_midnight(date_from))
        if date_to:
            sessions = sessions.filter(starts_at__lt=_local_midnight(date_to + datetime.timedelta(days=1)))
        services = services.filter(Exists(sessions))
    if published is not None:
        services = services.filter(is_published=published)
    return services


def published_sessions_with_seats() -> QuerySet[ServiceSession]:
    """Sessions of published services, with their seats left (`sessions_with_seats_left`)."""
    return sessions_with_seats_left(
        ServiceSession.objects.filter(service__is_published=True).select_related("service__site", "service__partner")
    )


def operational_sites() -> QuerySet[Site]:
    """The sites open to startups, by slug (the catalogue's site filter)."""
    return Site.objects.filter(status=SiteStatus.OPERATIONAL).order_by("slug")


def languages() -> QuerySet[Language]:
    """Every language a service may be given in, by code."""
    return Language.objects.order_by("code")


def registrations_of(*, user) -> QuerySet[Registration]:
    """The user's registrations, and those made without an account with their (verified)
    address."""
    return Registration.objects.filter(Q(user=user) | Q(user__isnull=True, email=user.email.lower()))


def is_registration_of(*, user, registration: Registration) -> bool:
    """Whether `registration` is one of the user's (`registrations_of`)."""
    return registrations_of(user=user).filter(pk=registration.pk).exists()


def live_registrations_of(*, user, sessions: list[ServiceSession]) -> QuerySet[Registration]:
    """The user's registrations (`registrations_of`) to `sessions` that are not cancelled."""
    return registrations_of(user=user).filter(session__in=[s.pk for s in sessions]).live()


def registrations_with_service() -> QuerySet[Registration]:
    """Registrations with their session, service and site (a cancel link's page)."""
    return Registration.objects.select_related("session__service__site")


def registrations_upcoming_and_past(*, user, now: datetime.datetime) -> tuple[QuerySet, QuerySet]:
    """The user's registrations to sessions not over at `now` (the soonest first), and to
    those over (the latest first)."""
    mine = registrations_of(user=user).select_related("session__service__site", "startup")
    return (
        mine.filter(session__ends_at__gte=now).order_by("session__starts_at", "pk"),
        mine.filter(session__ends_at__lt=now).order_by("-session__starts_at", "-pk"),
    )


def user_for_calendar_token(*, token: str):
    """The active user whose calendar feed `token` opens, or None."""
    return get_user_model().objects.filter(calendar_token=token, is_active=True).first()


def calendar_registrations(*, user, since: datetime.datetime) -> QuerySet[Registration]:
    """The user's confirmed seats at sessions starting from `since` and not cancelled."""
    return (
        registrations_of(user=user)
        .filter(status=RegistrationStatus.CONFIRMED, session__starts_at__gte=since)
        .exclude(session__status=SessionStatus.CANCELLED)
        .select_related("session__service")
        .order_by("session__starts_at", "pk")
    )
