"""The services app's reads on their own (`services.selectors`, the models' querysets): the
rules the pages rely on, checked row by row (the views' tests check them in their scopes)."""

import datetime

import pytest
from django.utils import timezone

from services.models import IncubatedStartup, Registration, RegistrationStatus, Service, ServiceSession, SessionStatus
from services.selectors import catalogue as catalogue_selectors
from services.selectors import partners as partners_selectors
from tests.factories import (
    IncubatorFactory,
    PartnerFactory,
    ProgrammeFactory,
    RegistrationFactory,
    ServiceFactory,
    ServiceSessionFactory,
    StartupFactory,
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
