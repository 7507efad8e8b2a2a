"""Issuing invoices (issue 21): a draft gets the next number of its site's series for the
year, gapless and unique, and is frozen; a credit note (its own series) cancels it; payments
never exceed what is left to pay."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from billing import actions
from billing.models import Invoice, IssuerProfile, NumberSequence
from billing.selectors.documents import invoice_balance, invoice_totals
from billing.validators import rib_key
from core.errors import Conflict
from core.models import AuditEntry
from tests.factories import AdmissionFactory, SiteFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]

TODAY = datetime.date(2026, 12, 6)
RENT = {
    "description": "Loyer bureau B12 — décembre 2026",
    "quantity": Decimal("1"),
    "unit_price": Decimal("3000"),
    "vat_rate": Decimal("20"),
}


def issuer(site, prefix="CAS") -> IssuerProfile:
    return IssuerProfile.objects.create(
        site=site,
        legal_name="MITC Technopark Casablanca SA",
        address="Route de Nouaceur",
        city="Casablanca",
        if_number="1234567",
        ice="001234567000089",
        rc="123456",
        tp="12345678",
        bank_name="CIH Bank",
        rib="230780" + "0001234567890123" + rib_key("230", "780", "0001234567890123"),
        prefix=prefix,
    )


@pytest.fixture
def site():
    site = SiteFactory(slug="casablanca")
    issuer(site).full_clean()  # a real issuer: IF, ICE, RC, TP and RIB pass their checks
    return site


def draft(site, actor=None, **extra) -> Invoice:
    startup = AdmissionFactory(site=site).startup
    return actions.invoice_draft_create(actor=actor, site=site, startup=startup, lines=[RENT], **extra)


def test_issuing_numbers_each_series_without_gaps_and_freezes_the_invoice(site, staff):
    first = actions.invoice_issue(actor=staff, invoice=draft(site), today=TODAY)
    second = actions.invoice_issue(actor=staff, invoice=draft(site), today=TODAY)
    assert (first.number, second.number) == ("CAS-2026-00001", "CAS-2026-00002")
    assert first.due_on == TODAY + datetime.timedelta(days=30)
    assert first.buyer_name and first.status == "issued"
    # A new year starts its own series; another site has its own prefix and series.
    assert (
        actions.invoice_issue(actor=staff, invoice=draft(site), today=datetime.date(2027, 1, 2)).number
        == "CAS-2027-00001"
    )
    rabat = SiteFactory(slug="rabat")
    issuer(rabat, prefix="RAB")
    assert actions.invoice_issue(actor=staff, invoice=draft(rabat), today=TODAY).number == "RAB-2026-00001"
    # Frozen: no second issue, no new line, no deletion.
    with pytest.raises(Conflict):
        actions.invoice_issue(actor=staff, invoice=first, today=TODAY)
    with pytest.raises(Conflict):
        actions.invoice_line_add(actor=staff, invoice=first, line=RENT)
    with pytest.raises(Conflict):
        actions.invoice_draft_delete(actor=staff, invoice=first)
    assert AuditEntry.objects.filter(object_id=str(first.pk)).count() >= 2


def test_a_failed_issue_gives_its_number_back(site, staff):
    empty = actions.invoice_draft_create(actor=staff, site=site, startup=AdmissionFactory(site=site).startup, lines=[])
    with pytest.raises(ValidationError):
        actions.invoice_issue(actor=staff, invoice=empty, today=TODAY)
    assert actions.invoice_issue(actor=staff, invoice=draft(site), today=TODAY).number == "CAS-2026-00001"
    no_issuer = SiteFactory(slug="agadir")
    with pytest.raises(ValidationError):
        actions.invoice_issue(actor=staff, invoice=draft(no_issuer), today=TODAY)
    assert NumberSequence.objects.filter(site=no_issuer).count() == 0


def test_the_database_refuses_a_twin_number_or_a_numberless_issued_invoice(site, staff):
    first = actions.invoice_issue(actor=staff, invoice=draft(site), today=TODAY)
    other = draft(site)
    with pytest.raises(IntegrityError), transaction.atomic():
        Invoice.objects.filter(pk=other.pk).update(
            status="issued", number=first.number, sequence=2, year=2026, issued_on=TODAY
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Invoice.objects.filter(pk=other.pk).update(status="issued")


def test_one_invoice_per_startup_site_and_month(site, staff):
    month = datetime.date(2026, 11, 1)
    invoice = draft(site, month=month)
    with pytest.raises(Conflict):
        actions.invoice_draft_create(actor=staff, site=site, startup=invoice.startup, lines=[RENT], month=month)


def test_a_credit_note_cancels_the_invoice_in_its_own_series(site, staff):
    invoice = actions.invoice_issue(actor=staff, invoice=draft(site), today=TODAY)
    with pytest.raises(ValidationError):
        actions.credit_note_issue(actor=staff, invoice=invoice, reason=" ", today=TODAY)
    note = actions.credit_note_issue(actor=staff, invoice=invoice, reason="Erreur de loyer", today=TODAY)
    assert note.number == "CAS-AV-2026-00001" and note.corrects_id == invoice.pk
    invoice.refresh_from_db()
    assert invoice.status == "cancelled"
    assert invoice_totals(note).incl_tax == invoice_totals(invoice).incl_tax == Decimal("3600.00")
    assert invoice_balance(invoice).due == Decimal("0.00")
    with pytest.raises(Conflict):
        actions.credit_note_issue(actor=staff, invoice=invoice, reason="Encore", today=TODAY)


def test_payments_are_partial_or_whole_never_more(site, staff):
    invoice = actions.invoice_issue(actor=staff, invoice=draft(site), today=TODAY)
    actions.payment_record(
        actor=staff, invoice=invoice, amount=Decimal("1000.00"), paid_on=TODAY, method="transfer", reference="VIR 1"
    )
    assert invoice_balance(invoice).due == Decimal("2600.00")
    with pytest.raises(ValidationError) as refused:
        actions.payment_record(actor=staff, invoice=invoice, amount=Decimal("2600.01"), paid_on=TODAY, method="cheque")
    assert "amount_mad" in refused.value.message_dict
    for bad in (Decimal("0"), Decimal("-5"), Decimal("1.005")):
        with pytest.raises(ValidationError):
            actions.payment_record(actor=staff, invoice=invoice, amount=bad, paid_on=TODAY, method="cash")
    with pytest.raises(ValidationError):
        actions.payment_record(actor=staff, invoice=invoice, amount=Decimal("1"), paid_on=TODAY, method="bitcoin")
    actions.payment_record(actor=staff, invoice=invoice, amount=Decimal("2600.00"), paid_on=TODAY, method="cash")
    assert invoice_balance(invoice).due == Decimal("0.00")
    with pytest.raises(ValidationError):  # a draft takes no payment
        actions.payment_record(actor=staff, invoice=draft(site), amount=Decimal("1"), paid_on=TODAY, method="cash")


def test_an_issued_document_keeps_its_total_and_a_draft_has_none(site):
    """The total including tax is frozen with the document (sums over many documents read it);
    the database refuses a draft with one or an issued document without."""

    invoice = draft(site)
    assert invoice.incl_tax is None
    issued = actions.invoice_issue(actor=None, invoice=invoice, today=datetime.date(2026, 12, 6))
    assert issued.incl_tax == invoice_totals(issued).incl_tax == Decimal("3600.00")
    with pytest.raises(IntegrityError), transaction.atomic():
        Invoice.objects.filter(pk=issued.pk).update(incl_tax=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        Invoice.objects.filter(pk=draft(site).pk).update(incl_tax=Decimal("1.00"))
