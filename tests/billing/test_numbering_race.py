"""20 managers issue 20 drafts of one site at once (real threads, real commits, PostgreSQL):
20 consecutive numbers, no gap, no twin, no error."""

import datetime
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection, connections
from django_scopes import scope, scopes_disabled

from billing import actions
from billing.models import Invoice
from tests.billing.test_issue import RENT, issuer
from tests.factories import AdmissionFactory, SiteFactory, UserFactory

ON_POSTGRES = connection.vendor == "postgresql"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not ON_POSTGRES, reason="concurrency proof needs PostgreSQL")
def test_twenty_concurrent_issues_give_twenty_consecutive_numbers():
    with scopes_disabled():
        site = SiteFactory(slug="casablanca")
        issuer(site)
        staff = UserFactory(role="head_office")
        drafts = [
            actions.invoice_draft_create(
                actor=staff, site=site, startup=AdmissionFactory(site=site).startup, lines=[RENT]
            )
            for _ in range(20)
        ]

    def issue(invoice):
        try:
            with scope(site=[site.pk]):
                return actions.invoice_issue(actor=staff, invoice=invoice, today=datetime.date(2026, 12, 6)).number
        except Exception as error:  # reported below, never swallowed
            return repr(error)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=20) as pool:
        numbers = list(pool.map(issue, drafts, timeout=120))
    assert sorted(numbers) == [f"CAS-2026-{n:05d}" for n in range(1, 21)], numbers
    with scopes_disabled():
        assert sorted(Invoice.objects.values_list("sequence", flat=True)) == list(range(1, 21))
        assert Decimal(len(numbers)) == Decimal(20)
