"""Reads of the public catalogue (every site's and the network's offer: inside
`network_scope()`), of who may register to a service, of a user's registrations (with their
place on a waitlist), of their calendar feed and files, of the reminders due and of a
startup's sessions at a given time."""

import datetime

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from core.local_time import local_midnight
from core.multilingual import any_language_q, translated_order
from sites.models import Language, Site, SiteStatus
from startups.models import Admission, AdmissionKind, Startup, StartupMember
from startups.selectors.visibility import startups_of_member

from ..models import Eligibility, Registration, RegistrationStatus, Service, ServiceSession, SessionStatus

REMINDER_AHEAD = datetime.timedelta(hours=24)


def count_subquery(rows: QuerySet, *, outer: str) -> Coalesce:
    """How many of `rows` (filtered on an `OuterRef`) per `outer` row, 0 for none: a
    subquery, so that the list it annotates has no GROUP BY."""
    return Coalesce(Subquery(rows.order_by().values(outer).annotate(n=Count("pk")).values("n")[:1]), 0)


def _registration_count(status: str) -> Coalesce:
    """The number of the outer session's registrations in `status`, as a subquery."""
    return count_subquery(Registration.objects.filter(session=OuterRef("pk"), status=status), outer="session")


def sessions_with_seats_left(sessions: QuerySet[ServiceSession]) -> QuerySet[ServiceSession]:
    """`sessions` annotated with `seats_left` (never below 0) and `waitlisted_count`."""
    return sessions.annotate(
        seats_left=Greatest(F("seats") - _registration_count(RegistrationStatus.CONFIRMED), Value(0)),
        waitlisted_count=_registration_count(RegistrationStatus.WAITLISTED),
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
        .order_by(F("next_starts_at").asc(nulls_last=True), translated_order("title"), "pk")
    )


SITE_PANEL_SIZE = 5


def site_public_services_panel(site: Site) -> dict:
    """The "Services at this site" block of `site`'s public page (sites.extensions.
    SITE_PUBLIC_PANELS, run in that site's scope): its first published services in the
    catalogue's order (the next session first) and how many it publishes."""
    services = catalogue_services().filter(site=site).prefetch_related(None)
    return {"site": site, "services": list(services[:SITE_PANEL_SIZE]), "total": services.count()}


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
    eligibility: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    published: bool | None = None,
) -> QuerySet[Service]:
    """`services` narrowed by the catalogue's or the back-office's filters (an empty value
    filters nothing): words in the title or summary, the network's offer or one site's, who
    the service is open to (`eligibility`), and a scheduled session between two local days
    (both included). Run inside the scope the services were read in (sessions are site-owned
    too)."""
    if q:
        services = services.filter(any_language_q("title", "icontains", q) | any_language_q("summary", "icontains", q))
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
    if eligibility:
        services = services.filter(eligibility=eligibility)
    if date_from or date_to:
        sessions = ServiceSession.objects.filter(service=OuterRef("pk"), status=SessionStatus.SCHEDULED)
        if date_from:
            sessions = sessions.filter(starts_at__gte=local_midnight(date_from))
        if date_to:
            sessions = sessions.filter(starts_at__lt=local_midnight(date_to + datetime.timedelta(days=1)))
        services = services.filter(Exists(sessions))
    if published is not None:
        services = services.filter(is_published=published)
    return services


def upcoming_sessions(*, service: Service) -> QuerySet[ServiceSession]:
    """The service's sessions scheduled and not over, the soonest first."""
    sessions = ServiceSession.objects.upcoming(timezone.now()).filter(service=service)
    return sessions.select_related("service").order_by("starts_at")


def published_sessions() -> QuerySet[ServiceSession]:
    """Sessions of published services, whatever their status."""
    return ServiceSession.objects.filter(service__is_published=True)


def published_sessions_with_seats() -> QuerySet[ServiceSession]:
    """Sessions of published services, with their seats left (`sessions_with_seats_left`)."""
    return sessions_with_seats_left(published_sessions().select_related("service__site", "service__partner"))


def published_sessions_for(*, user) -> QuerySet[ServiceSession]:
    """Sessions of published services with their service and site, `confirmed_count` and,
    for `user`, `is_participant` (a confirmed seat: the join link is theirs)."""
    confirmed = Registration.objects.filter(session=OuterRef("pk"), status=RegistrationStatus.CONFIRMED)
    participant = Exists(confirmed.filter(user=user)) if user.is_authenticated else Value(False)
    return (
        published_sessions()
        .select_related("service", "site")
        .annotate(confirmed_count=count_subquery(confirmed, outer="session"), is_participant=participant)
    )


def eligible_startups(*, user, service: Service) -> QuerySet[Startup]:
    """The user's startups that may register to `service` (empty for a public service:
    anyone may, with or without a startup).

    Reads admissions network-wide on purpose: run inside `sites.scoping.network_scope()`."""
    if not user.is_authenticated or service.eligibility == Eligibility.PUBLIC:
        return Startup.objects.none()
    today = timezone.localdate()
    admissions = Admission.objects.active_on(today)
    if service.eligibility == Eligibility.SITE_RESIDENTS:
        admissions = admissions.filter(kind=AdmissionKind.RESIDENT, site=service.site_id)
    mine = StartupMember.objects.filter(user=user).values("startup")
    return Startup.objects.filter(pk__in=mine).filter(pk__in=admissions.values("startup"))


def is_eligible(*, user, service: Service) -> bool:
    """Whether `user` may register to `service`: a public one, or one of their startups may."""
    return service.eligibility == Eligibility.PUBLIC or eligible_startups(user=user, service=service).exists()


def startup_of_member(*, user, pk: int) -> Startup | None:
    """The startup `pk` if `user` is in its team (`startups_of_member`), else None."""
    return startups_of_member(user).filter(pk=pk).first()


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


def _waitlisted_with_outer() -> QuerySet[Registration]:
    """The waitlisted registrations of the outer registration's session."""
    return Registration.objects.filter(session=OuterRef("session"), status=RegistrationStatus.WAITLISTED)


def _waitlist_position() -> Coalesce:
    """The outer registration's place on its session's waitlist, as a subquery: 1 for the
    next one to get a seat, in `backoffice.waitlist`'s order (meaningful for a waitlisted one)."""
    ahead = _waitlisted_with_outer().filter(
        Q(waitlisted_at__lt=OuterRef("waitlisted_at"))
        | Q(waitlisted_at=OuterRef("waitlisted_at"), pk__lte=OuterRef("pk"))
    )
    return count_subquery(ahead, outer="session")


def _with_waitlist_place(registrations: QuerySet[Registration]) -> QuerySet[Registration]:
    """`registrations` annotated with `waitlist_position` (`_waitlist_position()`) and
    `waitlist_length` (how many are waiting for that session): "position N of M", no query
    per row."""
    return registrations.annotate(
        waitlist_position=_waitlist_position(),
        waitlist_length=count_subquery(_waitlisted_with_outer(), outer="session"),
    )


def live_registrations_of(*, user, sessions: list[ServiceSession]) -> QuerySet[Registration]:
    """The user's registrations (`registrations_of`) to `sessions` that are not cancelled,
    with their place on the waitlist (`_with_waitlist_place`)."""
    return _with_waitlist_place(registrations_of(user=user).filter(session__in=[s.pk for s in sessions]).live())


def registration_for_calendar(*, user, pk: int) -> Registration | None:
    """The user's registration `pk` (`registrations_of`), a seat or a place on the waitlist
    at a session not cancelled, with its session and service; None for any other."""
    return (
        registrations_of(user=user)
        .live()
        .exclude(session__status=SessionStatus.CANCELLED)
        .select_related("session__service")
        .filter(pk=pk)
        .first()
    )


def registrations_of_account(*, user) -> QuerySet[Registration]:
    """The registrations made with `user`'s account (not those made with their address
    alone, unlike `registrations_of`; none for an anonymous visitor), with their session,
    service and site and their `waitlist_position` (`_waitlist_position()`)."""
    if not user.is_authenticated:
        return Registration.objects.none()
    return (
        Registration.objects.filter(user=user)
        .select_related("session__service", "site")
        .annotate(waitlist_position=_waitlist_position())
    )


def registrations_with_service() -> QuerySet[Registration]:
    """Registrations with their session, service and site (a cancel link's page)."""
    return Registration.objects.select_related("session__service__site")


def registrations_upcoming_and_past(*, user, now: datetime.datetime) -> tuple[QuerySet, QuerySet]:
    """The user's registrations to sessions not over at `now` (the soonest first, with their
    place on the waitlist: `_with_waitlist_place`), and to those over (the latest first)."""
    mine = registrations_of(user=user).select_related("session__service__site", "startup")
    return (
        _with_waitlist_place(mine.filter(session__ends_at__gte=now)).order_by("session__starts_at", "pk"),
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


def registrations_due_reminder(*, now: datetime.datetime) -> QuerySet[int]:
    """The ids of the confirmed seats at scheduled sessions starting within 24 hours of
    `now`, not yet reminded, booked before that 24-hour window opened (a late registrant
    has just received the confirmation with its calendar file), the soonest first."""
    return (
        Registration.objects.filter(
            status=RegistrationStatus.CONFIRMED,
            reminded_at__isnull=True,
            session__status=SessionStatus.SCHEDULED,
            session__starts_at__gt=now,
            session__starts_at__lte=now + REMINDER_AHEAD,
            created_at__lt=F("session__starts_at") - REMINDER_AHEAD,
        )
        .order_by("session__starts_at", "pk")
        .values_list("pk", flat=True)
    )


def startup_sessions_between(
    *, startup: Startup, start: datetime.datetime, end: datetime.datetime
) -> QuerySet[ServiceSession]:
    """The sessions, not cancelled, overlapping [start, end) where someone has a confirmed
    seat for `startup`, with their service, the soonest first (a mentor booking's overlap
    warning). Read inside `network_scope()`: e-Technopark's sessions have no site."""
    seats = Registration.objects.filter(session=OuterRef("pk"), startup=startup, status=RegistrationStatus.CONFIRMED)
    return (
        ServiceSession.objects.filter(Exists(seats), starts_at__lt=end, ends_at__gt=start)
        .exclude(status=SessionStatus.CANCELLED)
        .select_related("service")
        .order_by("starts_at", "pk")
    )
