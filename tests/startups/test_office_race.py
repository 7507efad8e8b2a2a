"""An office is never allocated to two overlapping residencies, even under concurrent
requests: the office row lock queues them, PostgreSQL's exclusion constraint is the
last word. Real threads, real commits, on PostgreSQL."""

import datetime
import threading

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from core.errors import Conflict
from startups import actions
from startups.models import OfficeAllocation
from tests.factories import AdmissionFactory, OfficeFactory, SiteFactory, UserFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrency proof needs PostgreSQL"),
]

START = datetime.date(2026, 1, 1)


def _race(office, admissions, *, starts_on):
    barrier = threading.Barrier(len(admissions))
    outcomes = []
    lock = threading.Lock()

    def attempt(admission, actor):
        try:
            barrier.wait()
            with scopes_disabled():
                actions.office_allocate(actor=actor, office=office, admission=admission, starts_on=starts_on)
            result = "allocated"
        except Conflict:
            result = "conflict"
        except Exception as error:  # anything else would be a 500
            result = f"error: {error!r}"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    actor = UserFactory()
    threads = [threading.Thread(target=attempt, args=(admission, actor)) for admission in admissions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_twenty_residents_race_for_one_office():
    with scopes_disabled():
        site = SiteFactory()
        office = OfficeFactory(site=site)
        admissions = [AdmissionFactory(site=site, starts_on=START) for _ in range(20)]
    outcomes = _race(office, admissions, starts_on=START)
    assert sorted(outcomes) == ["allocated"] + ["conflict"] * 19
    with scopes_disabled():
        assert OfficeAllocation.objects.filter(office=office).count() == 1


def test_races_on_many_offices_never_overlap():
    with scopes_disabled():
        site = SiteFactory()
        offices = [OfficeFactory(site=site) for _ in range(5)]
        admissions = [AdmissionFactory(site=site, starts_on=START) for _ in range(40)]
    outcomes = []
    for index, office in enumerate(offices):
        outcomes += _race(office, admissions[index * 8 : (index + 1) * 8], starts_on=START)
    assert outcomes.count("allocated") == 5
    assert not [outcome for outcome in outcomes if outcome.startswith("error")]


def test_the_database_refuses_an_overlap_even_without_the_lock():
    """The exclusion constraint alone, bypassing the action: a direct insert fails."""
    with scopes_disabled():
        site = SiteFactory()
        office = OfficeFactory(site=site)
        first, second = AdmissionFactory(site=site), AdmissionFactory(site=site)
        OfficeAllocation.objects.create(office=office, admission=first, site=site, starts_on=START)
        with pytest.raises(IntegrityError), transaction.atomic():
            OfficeAllocation.objects.create(
                office=office,
                admission=second,
                site=site,
                starts_on=START + datetime.timedelta(days=30),
                ends_on=START + datetime.timedelta(days=60),
            )
        # Back-to-back allocations (end is excluded) are fine.
        OfficeAllocation.objects.filter(admission=first).update(ends_on=START + datetime.timedelta(days=30))
        OfficeAllocation.objects.create(
            office=office, admission=second, site=site, starts_on=START + datetime.timedelta(days=30)
        )


def test_a_cancelled_allocation_no_longer_holds_the_office():
    """The constraint (migration 0009) ignores cancelled allocations: the office can be
    given again over the same dates, by the action and by a direct insert."""
    with scopes_disabled():
        site = SiteFactory()
        office = OfficeFactory(site=site)
        first, second, third = (AdmissionFactory(site=site, starts_on=START) for _ in range(3))
        actor = UserFactory()
        mistake = actions.office_allocate(actor=actor, office=office, admission=first, starts_on=START)
        OfficeAllocation.objects.filter(pk=mistake.pk).update(cancelled_at=timezone.now())
        actions.office_allocate(actor=actor, office=office, admission=second, starts_on=START)
        with pytest.raises(IntegrityError), transaction.atomic():
            OfficeAllocation.objects.create(office=office, admission=third, site=site, starts_on=START)
        OfficeAllocation.objects.create(
            office=office, admission=third, site=site, starts_on=START, cancelled_at=timezone.now()
        )
        assert OfficeAllocation.objects.filter(office=office).not_cancelled().get().admission == second
