"""The invoicing part of the isolation matrix's `world` (tests/conftest.py): each site's
issuer, an issued invoice of each site's startup (site A's partly paid), a draft at site A
and a charge at site A not billed yet (its startup admitted there if it is not yet). Built
through the actions, so the numbers are real."""

import datetime
from decimal import Decimal

from billing import actions
from billing.models import IssuerProfile
from billing.validators import rib_key
from startups.models import Admission, AdmissionKind

ACCOUNT = "0001234567890123"
RENT = {"description": "Loyer bureau — novembre 2026", "quantity": Decimal("1"), "unit_price": Decimal("3000.00")}


def site_issuer(site, prefix: str) -> IssuerProfile:
    return IssuerProfile.objects.create(
        site=site,
        legal_name=f"Technopark {site.slug} SA",
        address="Route de Nouaceur",
        city="Casablanca",
        if_number="1234567",
        ice="001234567000089",
        rc="123456",
        tp="12345678",
        bank_name="CIH Bank",
        rib="230780" + ACCOUNT + rib_key("230", "780", ACCOUNT),
        prefix=prefix,
    )


def invoice_world(*, site_a, site_b, startup_a, startup_b, staff) -> dict:
    """Call with scopes disabled."""
    site_issuer(site_a, "SA")
    site_issuer(site_b, "SB")
    today = datetime.date.today()
    invoice_a = actions.invoice_issue(
        actor=staff,
        invoice=actions.invoice_draft_create(actor=staff, site=site_a, startup=startup_a, lines=[RENT]),
        today=today,
    )
    actions.payment_record(
        actor=staff, invoice=invoice_a, amount=Decimal("1000.00"), paid_on=today, method="transfer", reference="VIR-1"
    )
    invoice_b = actions.invoice_issue(
        actor=staff,
        invoice=actions.invoice_draft_create(actor=staff, site=site_b, startup=startup_b, lines=[RENT]),
        today=today,
    )
    draft_a = actions.invoice_draft_create(actor=staff, site=site_a, startup=startup_a, lines=[RENT])
    # A charge to bill at site A (named `invoice_…` like the rest: tests/billing/test_manage_pages.py
    # fills the matrix's URLs with these keys). charge_add takes a startup admitted at the site.
    if not Admission.objects.filter(site=site_a, startup=startup_a).exists():
        Admission.objects.create(
            site=site_a, startup=startup_a, kind=AdmissionKind.RESIDENT, starts_on=today - datetime.timedelta(days=90)
        )
    charge_a = actions.charge_add(
        actor=staff,
        site=site_a,
        startup=startup_a,
        description="Impression badges",
        quantity=Decimal("3"),
        unit_price=Decimal("25.50"),
        month=today.replace(day=1),
    )
    return {
        "invoice_a": invoice_a.pk,
        "invoice_b": invoice_b.pk,
        "invoice_draft_a": draft_a.pk,
        "invoice_charge_a": charge_a.pk,
    }
