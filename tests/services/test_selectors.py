"""The services app's reads on their own (`services.selectors`, the models' querysets): the
rules the pages rely on, checked row by row (the views' tests check them in their scopes)."""

import datetime

import pytest
from django.utils import timezone

from services.models import IncubatedStartup, Registration, RegistrationStatus, Service, ServiceSession, SessionStatus
from services.selectors import catalogue as catalogue_selectors
from services.selectors import partners as partners_selectors
from tests.factories import (
    AdmissionFactory,
    IncubatorFactory,
    PartnerFactory,
    ProgrammeFactory,
    RegistrationFactory,
    ServiceFactory,
    ServiceSessionFactory,
    StartupFactory,
    UserFactory,
)

TODAY = timezone.localdate()


def _titles(rows) -> set[str]:
    return {row.title for row in rows}


def test_owned_by_keeps_one_sites_rows_or_the_networks(site_a, unscoped):
    ServiceFactory(site=site_a, title="Site A's")
    ServiceFactory(site=None, title="The network's")
    assert _titles(Service.objects.owned_by(site_a)) == {"Site A's"}
    assert _titles(Service.objects.owned_by(site_a.pk)) == {"Site A's"}
    assert _titles(Service.objects.owned_by(None)) == {"The network's"}


def test_live_registrations_are_the_seats_and_the_waitlist(site_a, unscoped):
    session = ServiceSessionFactory(service=ServiceFactory(site=site_a))
    for status in RegistrationStatus:
        RegistrationFactory(session=session, status=status)
    assert {r.status for r in Registration.objects.filter(session=session).live()} == {
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.WAITLISTED,
    }


def test_upcoming_sessions_are_scheduled_and_not_over(site_a, unscoped):
    now = timezone.now()
    service = ServiceFactory(site=site_a)
    running = ServiceSessionFactory(service=service, starts_at=now - datetime.timedelta(hours=1))
    ServiceSessionFactory(service=service, starts_at=now - datetime.timedelta(days=2))  # over
    ServiceSessionFactory(service=service, status=SessionStatus.CANCELLED)
    later = ServiceSessionFactory(service=service)
    assert set(ServiceSession.objects.upcoming(now)) == {running, later}


def test_reminders_due_are_confirmed_seats_booked_before_the_last_24_hours(site_a, unscoped):
    now = timezone.now()
    soon = ServiceSessionFactory(service=ServiceFactory(site=site_a), starts_at=now + datetime.timedelta(hours=20))
    due = RegistrationFactory(session=soon)
    RegistrationFactory(session=soon, status=RegistrationStatus.WAITLISTED)
    RegistrationFactory(session=soon, reminded_at=now)
    late = RegistrationFactory(session=soon)
    next_week = RegistrationFactory(session=ServiceSessionFactory(service=soon.service))
    cancelled = ServiceSessionFactory(
        service=soon.service, starts_at=now + datetime.timedelta(hours=2), status=SessionStatus.CANCELLED
    )
    RegistrationFactory(session=cancelled)
    Registration.objects.exclude(pk=late.pk).update(created_at=now - datetime.timedelta(days=3))
    assert list(catalogue_selectors.registrations_due_reminder(now=now)) == [due.pk]
    in_six_days = now + datetime.timedelta(days=6, hours=12)
    assert list(catalogue_selectors.registrations_due_reminder(now=in_six_days)) == [next_week.pk]


def test_registrations_of_account_leave_out_those_by_address_and_number_the_waitlist(site_a, unscoped):
    user = UserFactory()
    session = ServiceSessionFactory(service=ServiceFactory(site=site_a))
    now = timezone.now()
    first = RegistrationFactory(session=session, status=RegistrationStatus.WAITLISTED, waitlisted_at=now)
    mine = RegistrationFactory(
        session=session, user=user, status=RegistrationStatus.WAITLISTED, waitlisted_at=now, email=user.email
    )
    RegistrationFactory(session=session, status=RegistrationStatus.WAITLISTED, waitlisted_at=now)  # after mine
    RegistrationFactory(session=ServiceSessionFactory(service=session.service), email=user.email)  # by address
    assert first.pk < mine.pk  # same time: the id decides
    assert [(r.pk, r.waitlist_position) for r in catalogue_selectors.registrations_of_account(user=user)] == [
        (mine.pk, 2)
    ]


def test_cohort_open_to_startups_admitted_at_the_programmes_site_or_any_for_the_network(site_a, site_b, unscoped):
    at_a = AdmissionFactory(site=site_a).startup
    at_b = AdmissionFactory(site=site_b).startup
    ended = AdmissionFactory(site=site_a, ended_on=TODAY - datetime.timedelta(days=1), exit_reason="graduated").startup
    programme = ProgrammeFactory(site=site_a)
    assert set(partners_selectors.programme_admitted_startups(programme=programme)) == {at_a}
    network = ProgrammeFactory(site=None)
    assert set(partners_selectors.programme_admitted_startups(programme=network)) == {at_a, at_b}
    assert partners_selectors.may_join_cohort(programme=programme, startup=at_a)
    assert not partners_selectors.may_join_cohort(programme=programme, startup=at_b)
    assert not partners_selectors.may_join_cohort(programme=network, startup=ended)


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, {"Draft at A", "Published at A", "Network's"}),
        ({"published": True}, {"Published at A", "Network's"}),
        ({"published": False}, {"Draft at A"}),
        ({"network": True}, {"Network's"}),
        ({"site_slug": "site-a"}, {"Draft at A", "Published at A"}),
        ({"q": "hands-on"}, {"Draft at A", "Published at A", "Network's"}),  # the summary counts
        ({"q": "draft"}, {"Draft at A"}),
    ],
)
def test_services_filtered_applies_only_the_values_given(site_a, unscoped, filters, expected):
    ServiceFactory(site=site_a, title="Draft at A", is_published=False)
    ServiceFactory(site=site_a, title="Published at A")
    ServiceFactory(site=None, title="Network's")
    assert _titles(catalogue_selectors.services_filtered(Service.objects.all(), **filters)) == expected


def test_partner_choices_keep_the_current_inactive_partner_only(db):
    active = PartnerFactory(name="Active")
    current = PartnerFactory(name="Retired, named by the row", is_active=False)
    PartnerFactory(name="Retired", is_active=False)
    assert list(partners_selectors.partner_choices()) == [active]
    assert list(partners_selectors.partner_choices(current=[current.pk])) == [active, current]


def test_incubations_current_ended_or_all_and_by_site(site_a, site_b, unscoped):
    incubator = IncubatorFactory(affiliated_site=site_a)
    other_at_a = IncubatorFactory(affiliated_site=site_a)
    at_b = IncubatorFactory(affiliated_site=site_b)
    running = IncubatedStartup.objects.create(incubator=incubator, startup=StartupFactory(), since=TODAY)
    ended = IncubatedStartup.objects.create(
        incubator=incubator, startup=StartupFactory(), since=datetime.date(2023, 1, 1), until=datetime.date(2024, 1, 1)
    )
    elsewhere = IncubatedStartup.objects.create(incubator=other_at_a, startup=StartupFactory(), since=TODAY)
    IncubatedStartup.objects.create(incubator=at_b, startup=StartupFactory(), since=TODAY)

    assert list(partners_selectors.incubations(incubator=incubator, current=True)) == [running]
    assert list(partners_selectors.incubations(incubator=incubator, current=False)) == [ended]
    assert list(partners_selectors.incubations(incubator=incubator)) == [running, ended]  # running first
    assert set(partners_selectors.incubations(site=site_a, current=True)) == {running, elsewhere}
    assert list(partners_selectors.incubations(site=site_a, incubator=other_at_a)) == [elsewhere]
    assert partners_selectors.current_incubation(incubator=incubator, startup_pk=ended.startup_id) is None
    assert partners_selectors.current_incubation(incubator=incubator, startup_pk=running.startup_id) == running


def test_programme_rows_narrowed_to_the_network_or_one_site(site_a, site_b, unscoped):
    ProgrammeFactory(site=site_a, title="At A")
    ProgrammeFactory(site=site_b, title="At B")
    ProgrammeFactory(site=None, title="Network's")
    assert _titles(partners_selectors.programme_rows(site=None)) == {"At A", "At B", "Network's"}
    assert _titles(partners_selectors.programme_rows(site=None, network=True)) == {"Network's"}
    assert _titles(partners_selectors.programme_rows(site=None, site_slug="site-b")) == {"At B"}
    assert _titles(partners_selectors.programme_rows(site=site_a)) == {"At A"}


def test_startups_found_by_ice_or_exact_name(db):
    startup = StartupFactory(legal_name="Atlas Robotics SARL", brand_name="Atlas", ice="001234567000089")
    StartupFactory(legal_name="Atlas Robotics Maroc SARL", brand_name="Atlas Maroc")
    assert list(partners_selectors.startups_found(ice="001234567000089")) == [startup]
    assert list(partners_selectors.startups_found(name="atlas")) == [startup]
    assert list(partners_selectors.startups_found(name="atlas robotics sarl")) == [startup]
    assert list(partners_selectors.startups_found(name="Atlas Robotics")) == []
