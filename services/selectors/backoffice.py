"""Reads of the services back-office: a site's services, sessions and registrations, or
(`site` None) the network's e-Technopark offer (`OwnedQuerySet.owned_by`); a session's live
registrations and its waitlist (the actions' too)."""

from django.db.models import Count, Q, QuerySet

from core.multilingual import translated_order
from sites.models import Site

from .. import stats
from ..models import Attendance, Registration, RegistrationStatus, Service, ServiceSession
from .catalogue import services_filtered


def live_registrations(*, session: ServiceSession) -> QuerySet[Registration]:
    """The session's registrations not cancelled: its seats and its waitlist."""
    return Registration.objects.filter(session=session).live()


def waitlist(*, session: ServiceSession) -> QuerySet[Registration]:
    """In order: who joined the waitlist first (then the oldest id)."""
    return Registration.objects.filter(session=session, status=RegistrationStatus.WAITLISTED).order_by(
        "waitlisted_at", "pk"
    )


def session_confirmed_count(*, session: ServiceSession) -> int:
    """How many seats of `session` are taken."""
    return Registration.objects.filter(session=session, status=RegistrationStatus.CONFIRMED).count()


def backoffice_services(*, site: Site | None) -> QuerySet[Service]:
    """The back-office's services (`owned_by(site)`), with their partner."""
    return Service.objects.owned_by(site).select_related("partner")


def backoffice_service_rows(*, site: Site | None, **filters) -> QuerySet[Service]:
    """The back-office's services narrowed by `services_filtered`'s `filters`, with their
    figures (`stats.with_service_stats`), by title."""
    services = services_filtered(backoffice_services(site=site), **filters)
    return stats.with_service_stats(services).order_by(translated_order("title"), "pk")


def backoffice_sessions(*, site: Site | None) -> QuerySet[ServiceSession]:
    """The back-office's sessions (`owned_by(site)`), with their service and its partner."""
    return ServiceSession.objects.owned_by(site).select_related("service", "service__partner")


def service_sessions_with_counts(*, site: Site | None, service: Service) -> QuerySet[ServiceSession]:
    """The service's sessions, the latest first, with their registrations counted (`stats`)."""
    sessions = ServiceSession.objects.owned_by(site).filter(service=service)
    return stats.with_session_counts(sessions).order_by("-starts_at", "-pk")


def session_registration_lists(*, site: Site | None, session: ServiceSession) -> tuple[list, list]:
    """The session's confirmed and cancelled registrations (in the order they came), and its
    waitlist (in promotion order), with their startups: two queries whatever their number."""
    others = (
        Registration.objects.owned_by(site)
        .filter(session=session)
        .exclude(status=RegistrationStatus.WAITLISTED)
        .select_related("startup")
        .order_by("created_at", "pk")
    )
    waitlisted = waitlist(session=session).owned_by(session.site_id).select_related("startup")
    return list(others), list(waitlisted)


def session_live_count(*, session: ServiceSession) -> int:
    """How many people hold a seat or a place on the waitlist of `session`."""
    return live_registrations(session=session).owned_by(session.site_id).count()


def session_participants(*, site: Site | None, session: ServiceSession, query: str = "") -> QuerySet[Registration]:
    """The session's confirmed participants by name, whose name, email or organisation
    contains `query` when given."""
    participants = (
        Registration.objects.owned_by(site)
        .filter(session=session, status=RegistrationStatus.CONFIRMED)
        .select_related("startup")
        .order_by("name", "pk")
    )
    if query:
        participants = participants.filter(
            Q(name__icontains=query) | Q(email__icontains=query) | Q(organisation__icontains=query)
        )
    return participants


def session_attendance_counts(*, site: Site | None, session: ServiceSession) -> dict:
    """The session's confirmed participants, and how many were present or no-shows."""
    return (
        Registration.objects.owned_by(site)
        .filter(session=session, status=RegistrationStatus.CONFIRMED)
        .aggregate(
            confirmed=Count("pk"),
            present=Count("pk", filter=Q(attendance=Attendance.PRESENT)),
            no_show=Count("pk", filter=Q(attendance=Attendance.NO_SHOW)),
        )
    )


def session_checkin_rows(*, site: Site | None, session: ServiceSession) -> QuerySet[Registration]:
    """The check-in list: the session's live registrations, confirmed then waitlisted, by name."""
    return Registration.objects.owned_by(site).filter(session=session).live().order_by("status", "name", "pk")
