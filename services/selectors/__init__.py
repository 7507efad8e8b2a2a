"""Reads of the services app, used by views, forms, actions and the API, by topic:

- here, what the pages, the API and the actions share: who may register to a service, a
  session's upcoming dates, live registrations and waitlist, and who sees which programme;
- `catalogue`: the public catalogue, a user's registrations and calendar feed;
- `backoffice`: the services back-office's lists (a site's or the network's);
- `partners`: programmes, partners and partner incubators.

Every read runs in the tenant scope its caller opened: site-owned rows are filtered by it
(the catalogue's and the programme pages' reads across sites run inside
`sites.scoping.network_scope()`, opened by the view)."""

from django.db.models import Q, QuerySet
from django.utils import timezone

from sites.scoping import managed_site_ids
from startups.models import Admission, AdmissionKind, Startup, StartupMember

from ..models import (
    Eligibility,
    Programme,
    ProgrammeParticipant,
    Registration,
    RegistrationStatus,
    Service,
    ServiceSession,
)


def eligible_startups(user, service: Service) -> QuerySet[Startup]:
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


def is_eligible(user, service: Service) -> bool:
    return service.eligibility == Eligibility.PUBLIC or eligible_startups(user, service).exists()


def upcoming_sessions(service: Service | None = None) -> QuerySet[ServiceSession]:
    sessions = ServiceSession.objects.upcoming(timezone.now())
    if service is not None:
        sessions = sessions.filter(service=service)
    return sessions.select_related("service").order_by("starts_at")


def live_registrations(session: ServiceSession) -> QuerySet[Registration]:
    return Registration.objects.filter(session=session).live()


def waitlist(session: ServiceSession) -> QuerySet[Registration]:
    """In order: who joined the waitlist first (then the oldest id)."""
    return Registration.objects.filter(session=session, status=RegistrationStatus.WAITLISTED).order_by(
        "waitlisted_at", "pk"
    )


def programmes_visible_to(user) -> QuerySet[Programme]:
    """Head office: every programme; site staff: their sites'; founders and teams: the
    programmes their startups take part in (a network programme included); anonymous
    visitors: none. Used by the pages and the API alike.

    Programmes may belong to the network (no site): call inside
    `sites.scoping.network_scope()`, where this filter is the only one."""
    if not user.is_authenticated:
        return Programme.objects.none()
    site_ids = managed_site_ids(user)
    if site_ids is None:  # head office
        return Programme.objects.all()
    taking_part = ProgrammeParticipant.objects.filter(startup__members__user=user)
    return Programme.objects.filter(Q(site__in=site_ids) | Q(pk__in=taking_part.values("programme")))
