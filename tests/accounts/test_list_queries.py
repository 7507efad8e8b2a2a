"""List pages of accounts — signed-in sessions, the personal-data export, the landing pages
that list rows: as many queries for 50 rows as for 1 (tests/querycount.py)."""

import secrets

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from accounts.actions import api_token_create
from accounts.models import Role, UserSession
from core.models import AuditEntry
from sites.models import IncubatorMembership, SiteStatus
from spaces.models import RoomBooking
from startups.models import OfficeAllocation, Startup
from tests.factories import (
    AdmissionFactory,
    ApplicationFactory,
    BookingFactory,
    CallFactory,
    IncubatorFactory,
    OfficeFactory,
    RegistrationFactory,
    ServiceFactory,
    ServiceSessionFactory,
    SiteFactory,
    SiteMembershipFactory,
    UserFactory,
)
from tests.querycount import ListRoute, check_list_route, mentor_row, row_name, startup_row, when
from tests.sites.test_list_queries import site_row
from tests.spaces.factories import RoomFactory


def session_row(ctx, index: int):
    """Another browser signed in as founder_a (the place column shows the row's name)."""
    return UserSession.objects.create(
        user=ctx.founder_a,
        session_key=secrets.token_hex(16),
        ip=row_name(index),
        user_agent="Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
        last_seen_at=timezone.now(),
    )


def personal_data_row(ctx, index: int):
    """founder_a's data, one of each kind per row: a team, an application, a registration,
    a mentor booking, a room booking (each naming the row) and a change in the audit trail."""
    name = row_name(index)
    site = [ctx.site_a, ctx.site_b][index % 2]
    startup = startup_row(index, founder=ctx.founder_a)
    ApplicationFactory(call=CallFactory(site=site, title=name), startup=startup, created_by=ctx.founder_a)
    session = ServiceSessionFactory(service=ServiceFactory(site=site, title=name))
    RegistrationFactory(session=session, user=ctx.founder_a, startup=startup, email=ctx.founder_a.email)
    BookingFactory(mentor=mentor_row(index, sites=[site]), startup=startup, site=site, booked_by=ctx.founder_a)
    room = RoomFactory(site=site, name=name, opening_hours=False)
    RoomBooking.objects.create(
        room=room,
        site=site,
        startup=startup,
        booked_by=ctx.founder_a,
        starts_at=when(2),
        ends_at=when(2.1),
        purpose=name,
    )
    AuditEntry.objects.create(
        actor=ctx.founder_a,
        action=AuditEntry.Action.UPDATE,
        content_type=ContentType.objects.get_for_model(Startup),
        object_id=str(startup.pk),
        object_repr=str(startup),
        changes={"stage": ["idea", "seed"]},
    )


def managed_site_row(ctx, index: int):
    """Another site where manager_a works."""
    site = site_row(ctx, index)
    SiteMembershipFactory(site=site, user=ctx.manager_a)
    return site


def partner_setup(ctx) -> dict:
    return {"partner": UserFactory(role=Role.PARTNER)}


def incubator_membership_row(ctx, index: int):
    incubator = IncubatorFactory(name=row_name(index), affiliated_site=[ctx.site_a, ctx.site_b][index % 2])
    return IncubatorMembership.objects.create(incubator=incubator, user=ctx.partner)


def mentor_setup(ctx) -> dict:
    mentor = mentor_row(99, sites=[ctx.site_a], name="Nadia Mentor")
    return {"mentor": mentor, "mentor_user": mentor.user}


def mentor_booking_row(ctx, index: int):
    """An upcoming booking of the mentor with the startup named by the row, in person or by video."""
    site = [ctx.site_a, ctx.site_b][index % 2]
    in_person = {"mode": "in_person", "meeting_site": site} if index % 2 else {}
    return BookingFactory(
        mentor=ctx.mentor, startup=startup_row(index), site=site, starts_at=when(2 + index), **in_person
    )


def founder_landing_row(ctx, index: int):
    """What a founder's landing page lists, one of each per row: an operational site (and a
    planned one, not listed), founder_a's startup admitted there with an office, its
    application to that site's open call."""
    site = site_row(ctx, index)
    SiteFactory(status=SiteStatus.PLANNED)
    startup = startup_row(index, founder=ctx.founder_a)
    admission = AdmissionFactory(startup=startup, site=site)
    OfficeAllocation.objects.create(
        office=OfficeFactory(site=site), admission=admission, site=site, starts_on=admission.starts_on
    )
    ApplicationFactory(call=CallFactory(site=site, title=f"Call {index}"), startup=startup)


def user_row(ctx, index: int):
    """An account named by the row (with its verified email address)."""
    return UserFactory(full_name=row_name(index))


def token_row(ctx, index: int):
    return api_token_create(user=user_row(ctx, index), name=row_name(index))[0]


def own_token_row(ctx, index: int):
    """One of founder_a's API tokens, named by the row (past 20, older ones are replaced:
    still listed, as revoked)."""
    return api_token_create(user=ctx.founder_a, name=row_name(index))[0]


def authenticator_row(ctx, index: int):
    return Authenticator.objects.create(user=user_row(ctx, index), type=Authenticator.Type.TOTP, data={})


ROUTES = [
    ListRoute("accounts:sessions", "/profile/sessions/", "founder_a", session_row),
    ListRoute("accounts:data_export", "/profile/privacy/export.json", "founder_a", personal_data_row),
    ListRoute(
        "accounts:data_export",
        "/profile/privacy/export.json",
        "mentor_user",
        mentor_booking_row,
        mentor_setup,
        id="mentor",
    ),
    ListRoute("accounts:landing", "/dashboard/", "founder_a", founder_landing_row, id="founder"),
    ListRoute("accounts:landing", "/dashboard/", "manager_a", managed_site_row, id="site manager"),
    ListRoute("accounts:landing", "/dashboard/", "partner", incubator_membership_row, partner_setup, id="partner"),
    # The mentor's landing page shows the next few bookings only.
    ListRoute("accounts:landing", "/dashboard/", "mentor_user", mentor_booking_row, mentor_setup, shown=5, id="mentor"),
    # The admin's lists (the libraries' models included)
    ListRoute("admin:accounts_user_changelist", "/admin/accounts/user/", "staff", user_row),
    ListRoute("admin:account_emailaddress_changelist", "/admin/account/emailaddress/", "staff", user_row),
    ListRoute("accounts:api_tokens", "/profile/api-tokens/", "founder_a", own_token_row),
    ListRoute("api:tokens", "/api/v1/auth/tokens/", "founder_a", own_token_row),
    ListRoute("admin:accounts_apitoken_changelist", "/admin/accounts/apitoken/", "staff", token_row),
    ListRoute("admin:mfa_authenticator_changelist", "/admin/mfa/authenticator/", "staff", authenticator_row),
    ListRoute(
        "admin:auth_group_changelist",
        "/admin/auth/group/",
        "staff",
        lambda ctx, index: Group.objects.create(name=row_name(index)),
    ),
]


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.test_id)
def test_list_queries_do_not_grow_with_rows(route, client, personas, site_a, site_b):
    check_list_route(route, client=client, personas=personas, site_a=site_a, site_b=site_b)
