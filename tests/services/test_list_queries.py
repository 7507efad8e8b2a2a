"""List pages and endpoints of services — the catalogue, a service's sessions, my
registrations and calendar feed, the back-office's services, sessions, registrations,
attendance and check-in lists, partners, programmes and incubators: as many queries for 50
rows as for 1 (tests/querycount.py)."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import Role
from services.models import IncubatedStartup, Programme, ProgrammeParticipant, ProviderKind, RegistrationStatus
from sites.models import IncubatorMembership
from tests.factories import (
    AdmissionFactory,
    BookingFactory,
    IncubatorFactory,
    PartnerFactory,
    ProgrammeFactory,
    RegistrationFactory,
    ServiceFactory,
    ServiceSessionFactory,
    UserFactory,
)
from tests.querycount import ListRoute, check_list_route, languages, mentor_row, row_name, startup_row, when


def _owner(ctx, index: int):
    """Site A, site B or the network (e-Technopark), in turn."""
    return [ctx.site_a, ctx.site_b, None][index % 3]


def service_row(ctx, index: int, *, site="alternate", **fields):
    """A published service (of site A, B or the network), given by a partner every other
    time, in two languages, with an upcoming session that has registrations."""
    site = _owner(ctx, index) if site == "alternate" else site
    by_partner = {"provider_kind": ProviderKind.PARTNER, "partner": PartnerFactory()} if index % 2 else {}
    service = ServiceFactory(site=site, title=row_name(index), languages=languages("fr", "ar"), **by_partner, **fields)
    session = ServiceSessionFactory(service=service, starts_at=when(3 + index))
    RegistrationFactory(session=session)
    RegistrationFactory(session=session, status=RegistrationStatus.WAITLISTED, waitlisted_at=timezone.now())
    return service


def _registrations(session, index: int) -> None:
    """A registration to the session named by the row: confirmed (with a startup, rated,
    present, checked in), waitlisted or cancelled in turn."""
    status = [RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED, RegistrationStatus.CANCELLED][index % 3]
    fields = {"startup": startup_row(index, name=f"Startup {index}")}
    if status == RegistrationStatus.CONFIRMED:
        fields |= {"rating": 1 + index % 5, "attendance": "present", "checked_in_at": timezone.now()}
    if status == RegistrationStatus.WAITLISTED:
        fields["waitlisted_at"] = timezone.now()
    RegistrationFactory(
        session=session, name=row_name(index), organisation=f"Organisation {index}", status=status, **fields
    )


# --- Catalogue, my registrations, calendar --------------------------------------------------
def eligible_setup(ctx) -> dict:
    """founder_a's startup, a resident of site A: eligible to the sites' services."""
    startup = startup_row(99, founder=ctx.founder_a, name="Eligible Startup")
    AdmissionFactory(startup=startup, site=ctx.site_a)
    service = ServiceFactory(site=ctx.site_a, title="Service with sessions", languages=languages("fr", "ar"))
    return {"startup": startup, "service": service}


def upcoming_session_row(ctx, index: int):
    """An upcoming session of the service (its place names the row); founder_a is
    registered to every other one."""
    session = ServiceSessionFactory(service=ctx.service, starts_at=when(2 + index), location=row_name(index))
    RegistrationFactory(session=session, status=RegistrationStatus.CONFIRMED)
    if index % 2:
        RegistrationFactory(session=session, user=ctx.founder_a, startup=ctx.startup, email=ctx.founder_a.email)
    return session


def my_registration_row(ctx, index: int):
    """founder_a's registrations to two sessions of a service named by the row (of site A, B
    or the network), one to come and one past; confirmed, waitlisted or cancelled in turn."""
    service = service_row(ctx, index)
    status = [RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED, RegistrationStatus.CANCELLED][index % 3]
    for starts_at in (when(5 + index), when(-5 - index)):
        session = ServiceSessionFactory(service=service, starts_at=starts_at, join_url="https://meet.example.ma/x")
        RegistrationFactory(
            session=session, user=ctx.founder_a, startup=ctx.startup, email=ctx.founder_a.email, status=status
        )


def calendar_setup(ctx) -> dict:
    return {**eligible_setup(ctx), "calendar_token": ctx.founder_a.calendar_token}


def calendar_row(ctx, index: int):
    """A confirmed session (of a service named by the row) and a mentor booking of founder_a."""
    service = service_row(ctx, index)
    session = ServiceSessionFactory(service=service, starts_at=when(5 + index))
    RegistrationFactory(session=session, user=ctx.founder_a, startup=ctx.startup, email=ctx.founder_a.email)
    site = ctx.site_a
    in_person = {"mode": "in_person", "meeting_site": site} if index % 2 else {}
    BookingFactory(
        mentor=mentor_row(index, sites=[site], name=f"Mentor {index}"),
        startup=ctx.startup,
        site=site,
        starts_at=when(4 + index),
        **in_person,
    )


# --- Back-office ------------------------------------------------------------------------------
def site_service_row(ctx, index: int):
    service = service_row(ctx, index, site=ctx.site_a)
    held = ServiceSessionFactory(service=service, starts_at=when(-10 - index), status="held")
    _registrations(held, index)
    return service


def network_service_row(ctx, index: int):
    service = service_row(ctx, index, site=None)
    held = ServiceSessionFactory(service=service, starts_at=when(-10 - index), status="held")
    _registrations(held, index)
    return service


def site_service_setup(ctx) -> dict:
    return {"service": ServiceFactory(site=ctx.site_a, title="Site service")}


def network_service_setup(ctx) -> dict:
    return {"service": ServiceFactory(site=None, title="Network service")}


def session_row(ctx, index: int):
    """A session of the service (its place names the row), past or upcoming, with registrations."""
    starts_at = when(3 + index) if index % 2 else when(-3 - index)
    session = ServiceSessionFactory(service=ctx.service, starts_at=starts_at, location=row_name(index))
    _registrations(session, index)
    return session


def site_session_setup(ctx) -> dict:
    service = ServiceFactory(site=ctx.site_a, title="Site service")
    return {"service": service, "session": ServiceSessionFactory(service=service, seats=100)}


def network_session_setup(ctx) -> dict:
    service = ServiceFactory(site=None, title="Network service", eligibility="public")
    return {"service": service, "session": ServiceSessionFactory(service=service, seats=100)}


def public_session_setup(ctx) -> dict:
    service = ServiceFactory(site=ctx.site_a, title="Open day", eligibility="public", service_type="immersion_day")
    return {"service": service, "session": ServiceSessionFactory(service=service, seats=100)}


def registration_row(ctx, index: int):
    _registrations(ctx.session, index)


def confirmed_row(ctx, index: int):
    """A confirmed participant of the session (with a startup), marked present or not yet."""
    return RegistrationFactory(
        session=ctx.session,
        name=row_name(index),
        startup=startup_row(index, name=f"Startup {index}"),
        attendance="present" if index % 2 else "",
    )


def public_registration_row(ctx, index: int):
    """A visitor registered to the public event (no account, no startup): confirmed or waitlisted."""
    status = [RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED][index % 2]
    waitlisted = {"waitlisted_at": timezone.now()} if index % 2 else {}
    return RegistrationFactory(
        session=ctx.session, name=row_name(index), organisation="Visitor", status=status, **waitlisted
    )


# --- Partners, programmes, incubators -------------------------------------------------------
def partner_row(ctx, index: int):
    """A partner (named by the row) running a programme, and an incubator every other time."""
    partner = PartnerFactory(name=row_name(index), website="https://partner.example.ma", contact_name="Contact")
    ProgrammeFactory(site=ctx.site_a).partners.add(partner)
    if index % 2:
        IncubatorFactory(affiliated_site=ctx.site_a, partner=partner)
    return partner


def incubator_row(ctx, index: int, *, site=None):
    """An incubator (named by the row) at site A or B, of a partner, with a startup and a manager."""
    incubator = IncubatorFactory(
        name=row_name(index), affiliated_site=site or [ctx.site_a, ctx.site_b][index % 2], partner=PartnerFactory()
    )
    IncubatedStartup.objects.create(
        incubator=incubator, startup=startup_row(index, name=f"Startup {index}"), since=datetime.date(2024, 1, 1)
    )
    IncubatorMembership.objects.create(incubator=incubator, user=UserFactory(role=Role.PARTNER))
    return incubator


def programme_row(ctx, index: int, *, site="alternate", startup=None) -> Programme:
    """A programme (named by the row) with two partners, an incubator, a service and a cohort."""
    programme = ProgrammeFactory(site=_owner(ctx, index) if site == "alternate" else site, title=row_name(index))
    programme.partners.set([PartnerFactory(), PartnerFactory()])
    programme.incubators.add(IncubatorFactory(affiliated_site=ctx.site_a))
    programme.services.add(ServiceFactory(site=programme.site))
    ProgrammeParticipant.objects.create(
        programme=programme, site=programme.site, startup=startup or startup_row(index, name=f"Startup {index}")
    )
    return programme


def my_programme_row(ctx, index: int):
    return programme_row(ctx, index, startup=startup_row(index, founder=ctx.founder_a, name=f"Startup {index}"))


def programme_setup(ctx) -> dict:
    programme = ProgrammeFactory(site=ctx.site_a, title="Accélération")
    startup = startup_row(99, founder=ctx.founder_a, name="Cohort Startup")
    AdmissionFactory(startup=startup, site=ctx.site_a)
    ProgrammeParticipant.objects.create(programme=programme, site=ctx.site_a, startup=startup)
    return {"programme": programme}


def programme_content_row(ctx, index: int):
    """Another startup of the cohort (named by the row), partner, incubator, and service with
    its upcoming sessions."""
    programme = ctx.programme
    startup = startup_row(index)
    AdmissionFactory(startup=startup, site=ctx.site_a)
    ProgrammeParticipant.objects.create(programme=programme, site=ctx.site_a, startup=startup)
    programme.partners.add(PartnerFactory())
    programme.incubators.add(IncubatorFactory(affiliated_site=ctx.site_a))
    service = ServiceFactory(site=ctx.site_a, provider_kind=ProviderKind.PARTNER, partner=PartnerFactory())
    ServiceSessionFactory(service=service, starts_at=when(5 + index))
    programme.services.add(service)


def incubator_manager_setup(ctx) -> dict:
    incubator = IncubatorFactory(slug="incubator-q", name="Incubateur Q", affiliated_site=ctx.site_a)
    manager = UserFactory(role=Role.PARTNER)
    IncubatorMembership.objects.create(incubator=incubator, user=manager)
    return {"incubator": incubator, "incubator_manager": manager}


def incubation_row(ctx, index: int):
    return IncubatedStartup.objects.create(
        incubator=ctx.incubator, startup=startup_row(index), since=datetime.date(2024, 1, 1) + datetime.timedelta(index)
    )


def incubator_programme_row(ctx, index: int):
    programme = programme_row(ctx, index)
    programme.incubators.add(ctx.incubator)
    return programme


def site_incubator_row(ctx, index: int):
    """An incubator of site A (named by the row) with a startup named by the row too."""
    incubator = incubator_row(ctx, index, site=ctx.site_a)
    IncubatedStartup.objects.create(incubator=incubator, startup=startup_row(index), since=datetime.date(2025, 1, 1))
    return incubator


def incubator_managers_setup(ctx) -> dict:
    return {"incubator": IncubatorFactory(affiliated_site=ctx.site_a, name="Managed")}


def incubator_manager_row(ctx, index: int):
    return IncubatorMembership.objects.create(
        incubator=ctx.incubator, user=UserFactory(role=Role.PARTNER, full_name=row_name(index))
    )


ROUTES = [
    # Catalogue, my registrations, calendar
    ListRoute("services:catalogue", "/services/", "anonymous", service_row, shown=24),
    ListRoute("services:catalogue", "/services/", "founder_a", service_row, shown=24, id="signed in"),
    ListRoute("services:detail", "/services/{service}/", "anonymous", upcoming_session_row, eligible_setup),
    ListRoute(
        "services:detail", "/services/{service}/", "founder_a", upcoming_session_row, eligible_setup, id="eligible"
    ),
    # All the upcoming ones, and the first page of the past ones.
    ListRoute("services:my_registrations", "/me/registrations/", "founder_a", my_registration_row, eligible_setup),
    ListRoute("services:calendar_feed", "/calendar/{calendar_token}.ics", "anonymous", calendar_row, calendar_setup),
    # Back-office
    ListRoute("services:manage_service_list", "/manage/site-a/services/", "manager_a", site_service_row),
    ListRoute("services:network_service_list", "/network/services/", "staff", network_service_row),
    ListRoute(
        "services:manage_service_detail",
        "/manage/site-a/services/{service}/",
        "manager_a",
        session_row,
        site_service_setup,
        shown=25,
    ),
    ListRoute(
        "services:network_service_detail",
        "/network/services/{service}/",
        "staff",
        session_row,
        network_service_setup,
        shown=25,
    ),
    ListRoute(
        "services:manage_session_detail",
        "/manage/site-a/sessions/{session}/",
        "manager_a",
        registration_row,
        site_session_setup,
    ),
    ListRoute(
        "services:network_session_detail",
        "/network/services/sessions/{session}/",
        "staff",
        registration_row,
        network_session_setup,
    ),
    ListRoute(
        "services:manage_attendance",
        "/manage/site-a/sessions/{session}/attendance/",
        "manager_a",
        confirmed_row,
        site_session_setup,
    ),
    ListRoute(
        "services:network_attendance",
        "/network/services/sessions/{session}/attendance/",
        "staff",
        confirmed_row,
        network_session_setup,
    ),
    ListRoute(
        "services:manage_checkin_csv",
        "/manage/site-a/sessions/{session}/checkin.csv",
        "manager_a",
        public_registration_row,
        public_session_setup,
    ),
    ListRoute(
        "services:network_checkin_csv",
        "/network/services/sessions/{session}/checkin.csv",
        "staff",
        public_registration_row,
        network_session_setup,
    ),
    # Partners, programmes, incubators
    ListRoute("services:partners", "/partners/", "anonymous", partner_row, shown=48),
    ListRoute("services:incubators", "/incubators/", "anonymous", incubator_row),
    ListRoute("services:programmes", "/programmes/", "founder_a", my_programme_row, shown=25),
    ListRoute(
        "services:programme_detail", "/programmes/{programme}/", "founder_a", programme_content_row, programme_setup
    ),
    ListRoute("services:network_partners", "/network/partners/", "staff", partner_row),
    ListRoute("services:network_programmes", "/network/programmes/", "staff", programme_row, shown=25),
    ListRoute(
        "services:network_programme_detail",
        "/network/programmes/{programme}/",
        "staff",
        programme_content_row,
        programme_setup,
    ),
    ListRoute(
        "services:manage_programmes",
        "/manage/site-a/programmes/",
        "manager_a",
        lambda ctx, index: programme_row(ctx, index, site=ctx.site_a),
        shown=25,
    ),
    ListRoute(
        "services:manage_programme_detail",
        "/manage/site-a/programmes/{programme}/",
        "manager_a",
        programme_content_row,
        programme_setup,
    ),
    ListRoute("services:network_incubators", "/network/incubators/", "staff", incubator_row),
    ListRoute(
        "services:network_incubator_managers",
        "/network/incubators/{incubator}/managers/",
        "staff",
        incubator_manager_row,
        incubator_managers_setup,
    ),
    ListRoute("services:manage_incubators", "/manage/site-a/incubators/", "manager_a", site_incubator_row),
    ListRoute(
        "services:incubator_home",
        "/incubators/incubator-q/manage/",
        "incubator_manager",
        incubation_row,
        incubator_manager_setup,
        shown=25,
    ),
    ListRoute(
        "services:incubator_programmes",
        "/incubators/incubator-q/manage/programmes/",
        "incubator_manager",
        incubator_programme_row,
        incubator_manager_setup,
        shown=25,
    ),
    # API
    ListRoute("api:services", "/api/v1/services/", "anonymous", service_row),
    ListRoute("api:sessions", "/api/v1/sessions/", "anonymous", upcoming_session_row, eligible_setup),
    ListRoute("api:sessions", "/api/v1/sessions/", "founder_a", upcoming_session_row, eligible_setup, id="participant"),
    ListRoute("api:registrations", "/api/v1/registrations/", "founder_a", my_registration_row, eligible_setup),
    ListRoute("api:programmes", "/api/v1/programmes/", "founder_a", my_programme_row),
    ListRoute("api:programmes", "/api/v1/programmes/", "staff", programme_row, id="head office"),
    ListRoute("api:partners", "/api/v1/partners/", "anonymous", partner_row),
    ListRoute("api:incubators", "/api/v1/incubators/", "anonymous", incubator_row),
]


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.test_id)
def test_list_queries_do_not_grow_with_rows(route, client, personas, site_a, site_b):
    check_list_route(route, client=client, personas=personas, site_a=site_a, site_b=site_b)
