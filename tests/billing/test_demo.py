"""Demo invoicing (billing/demo.py) on a small network: each operational site's issuer with a
valid RIB, twelve closed months billed (last month left as drafts but at one site), numbers
gapless per site, kind and year with the series' last number saved (the next real issue
continues it), payments never above their invoice's total nor in the future, late payers
filling the arrears' ageing, credit notes cancelling their invoice, the charges linked to
the lines that bill them, and a second run that creates nothing. Last, the whole demo."""

import datetime
from collections import defaultdict
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from billing import actions
from billing.demo import seed_billing
from billing.models import (
    Charge,
    DocumentKind,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    IssuerProfile,
    NumberSequence,
    Payment,
    PaymentMethod,
)
from billing.money import totals
from billing.selectors.manage import BUCKETS, ageing, documents_amounts
from billing.selectors.owed import month_next, month_previous
from billing.validators import validate_rib
from sites.models import Site, SiteStatus
from startups.models import AdmissionKind, OfficeAllocation
from tests.factories import AdmissionFactory, OfficeFactory, SiteFactory, SiteMembershipFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]

OVERDUE_BUCKETS = [bucket for bucket in BUCKETS if bucket != "not_due"]


def _closed_months(today: datetime.date) -> list[datetime.date]:
    months = [month_previous(today)]
    while len(months) < 12:
        months.insert(0, month_previous(months[0]))
    return months


def _populate(site: Site, today: datetime.date) -> None:
    """A manager, nine residents in their office for two years, one admitted two months ago,
    and four e-Technopark members."""
    SiteMembershipFactory(site=site)
    long_ago = today - datetime.timedelta(days=730)
    recently = month_previous(month_previous(today)) + datetime.timedelta(days=9)
    for starts_on in [long_ago] * 9 + [recently]:
        admission = AdmissionFactory(
            site=site, starts_on=starts_on, planned_end_on=starts_on + datetime.timedelta(days=5 * 365)
        )
        office = OfficeFactory(site=site, monthly_rent_mad="1140.00")
        OfficeAllocation.objects.create(office=office, admission=admission, site=site, starts_on=starts_on)
    for _ in range(4):
        AdmissionFactory(site=site, kind=AdmissionKind.ETECHNOPARK, starts_on=long_ago, planned_end_on=None)


@pytest.fixture
def network():
    """Casablanca (last month left as drafts) and another site (whose slug sorts last: its
    last month is issued), both operational; a planned site."""
    today = timezone.localdate()
    casablanca = SiteFactory(slug="casablanca", address="Route de Nouaceur", city="Casablanca")
    other = SiteFactory(slug="zz-oujda", city="Oujda")
    planned = SiteFactory(status=SiteStatus.PLANNED, opened_on=None)
    for site in (casablanca, other):
        _populate(site, today)
    created = seed_billing()
    return {"sites": (casablanca, other), "planned": planned, "created": created, "today": today}


def _series(site) -> dict[tuple[str, int], list[Invoice]]:
    series = defaultdict(list)
    for invoice in Invoice.objects.filter(site=site).exclude(status=InvoiceStatus.DRAFT).order_by("sequence"):
        series[invoice.kind, invoice.year].append(invoice)
    return series


def _total(invoice: Invoice) -> Decimal:
    return totals((line.quantity, line.unit_price, line.vat_rate) for line in invoice.lines.all()).incl_tax


def test_each_operational_site_has_an_issuer_whose_rib_validates(network):
    casablanca, other = network["sites"]
    issuers = {issuer.site_id: issuer for issuer in IssuerProfile.objects.all()}
    assert set(issuers) == {casablanca.pk, other.pk}  # not the planned site
    for issuer in issuers.values():
        issuer.full_clean()  # IF, ICE, RC, TP, CNSS, prefix
        validate_rib(issuer.rib)
        assert issuer.payment_days == 30 and issuer.legal_name.startswith("MITC")
    assert issuers[casablanca.pk].prefix == "CAS"
    assert issuers[casablanca.pk].bank_name == "CIH Bank" and issuers[casablanca.pk].rib.startswith("230780")
    assert issuers[other.pk].prefix == "ZZO"


def test_twelve_closed_months_are_billed_and_last_month_waits_as_drafts_but_at_one_site(network):
    casablanca, other = network["sites"]
    months = _closed_months(network["today"])
    assert network["created"] == Invoice.objects.filter(kind=DocumentKind.INVOICE).count()
    for site in (casablanca, other):
        invoices = Invoice.objects.filter(site=site, kind=DocumentKind.INVOICE)
        assert set(invoices.values_list("month", flat=True)) == set(months)
        for month in months:
            residents = invoices.filter(month=month, lines__source="rent").distinct().count()
            assert residents >= 9  # every resident pays its rent every month
        assert not invoices.filter(lines__isnull=True).exists()
        older = invoices.exclude(month=months[-1])
        assert not older.filter(status=InvoiceStatus.DRAFT).exists()
        issued = older.filter(status=InvoiceStatus.ISSUED).first()
        assert issued.buyer_name == issued.startup.legal_name and issued.buyer_ice == issued.startup.ice
        assert issued.due_on == issued.issued_on + datetime.timedelta(days=30)
        assert issued.month < issued.issued_on <= network["today"] and issued.issued_on.weekday() < 5
    last = Invoice.objects.filter(kind=DocumentKind.INVOICE, month=months[-1])
    assert set(last.filter(site=casablanca).values_list("status", flat=True)) == {InvoiceStatus.DRAFT}
    assert set(last.filter(site=other).values_list("status", flat=True)) == {InvoiceStatus.ISSUED}
    # The run would bill nothing more for that month: every startup has its invoice.
    assert actions.monthly_run(actor=None, month=months[-1], dry_run=True).drafts == 0


def test_numbers_are_gapless_per_series_and_the_next_issue_continues_them(network, staff):
    today = network["today"]
    for site in network["sites"]:
        prefix = IssuerProfile.objects.get(site=site).prefix
        series = _series(site)
        assert {kind for kind, _year in series} == {DocumentKind.INVOICE, DocumentKind.CREDIT_NOTE}
        for (kind, year), documents in series.items():
            assert [document.sequence for document in documents] == list(range(1, len(documents) + 1))
            assert [document.number for document in documents] == [
                actions.document_number(prefix=prefix, kind=kind, year=year, sequence=n)
                for n in range(1, len(documents) + 1)
            ]
            dates = [document.issued_on for document in documents]
            assert dates == sorted(dates) and {date.year for date in dates} == {year}
            assert NumberSequence.objects.get(site=site, kind=kind, year=year).last == len(documents)
        last = NumberSequence.objects.filter(site=site, kind=DocumentKind.INVOICE, year=today.year).first()
        startup = Invoice.objects.filter(site=site).first().startup
        line = {"description": "Badge perdu", "quantity": Decimal("1"), "unit_price": Decimal("100")}
        draft = actions.invoice_draft_create(actor=staff, site=site, startup=startup, lines=[line])
        issued = actions.invoice_issue(actor=staff, invoice=draft, today=today)
        expected = (last.last if last else 0) + 1
        assert issued.sequence == expected
        assert issued.number == f"{prefix}-{today.year}-{expected:05d}"


def test_payments_never_exceed_the_invoice_nor_fall_in_the_future(network):
    today = network["today"]
    payments = Payment.objects.select_related("invoice")
    assert payments.exists()
    assert not payments.filter(paid_on__gt=today).exists()
    assert {payment.method for payment in payments} <= set(PaymentMethod.values)
    for payment in payments:
        assert payment.invoice.kind == DocumentKind.INVOICE and payment.invoice.status == InvoiceStatus.ISSUED
        assert payment.site_id == payment.invoice.site_id
        assert payment.invoice.issued_on <= payment.paid_on and payment.amount > 0
        assert payment.reference
    paid = dict(payments.order_by().values("invoice").annotate(total=Sum("amount")).values_list("invoice", "total"))
    for invoice in Invoice.objects.filter(pk__in=list(paid)).prefetch_related("lines"):
        assert paid[invoice.pk] <= _total(invoice)
    # Most invoices due two months ago or earlier were paid in full.
    old = Invoice.objects.filter(status=InvoiceStatus.ISSUED, due_on__lt=today - datetime.timedelta(days=60))
    full = [invoice for invoice in old.prefetch_related("lines") if paid.get(invoice.pk) == _total(invoice)]
    assert len(full) > 0.6 * old.count()


def test_late_payers_fill_the_arrears_ageing(network):
    today = network["today"]
    for site in network["sites"]:
        with scope(site=site.pk):
            amounts = documents_amounts(Invoice.objects.all())
            overdue = [figures for figures in amounts.values() if figures.is_overdue(today)]
            assert len(overdue) >= 3
            rows, total = ageing(today=today)
        assert rows
        filled = [bucket for bucket in OVERDUE_BUCKETS if total.buckets[bucket] > 0]
        assert len(filled) >= 3, total.buckets


def test_credit_notes_cancel_their_invoice(network):
    for site in network["sites"]:
        prefix = IssuerProfile.objects.get(site=site).prefix
        notes = list(Invoice.objects.filter(site=site, kind=DocumentKind.CREDIT_NOTE).select_related("corrects"))
        assert 1 <= len(notes) <= 2
        for note in notes:
            assert note.status == InvoiceStatus.ISSUED and note.reason
            assert note.number == f"{prefix}-AV-{note.year}-{note.sequence:05d}"
            assert note.corrects.status == InvoiceStatus.CANCELLED
            assert note.issued_on >= note.corrects.issued_on
            assert _total(note) == _total(note.corrects)
            assert not Payment.objects.filter(invoice=note.corrects).exists()


def test_charges_are_linked_to_the_lines_that_bill_them(network):
    months = _closed_months(network["today"])
    charges = Charge.objects.select_related("invoice_line__invoice")
    assert {"Domiciliation e-Technopark", "Frais de dossier d'admission"} <= {charge.description for charge in charges}
    for charge in charges:
        if charge.month > months[-1]:  # this month's: the next run bills them
            assert charge.invoice_line is None
            continue
        line = charge.invoice_line
        assert line.source_ref == f"charge:{charge.pk}"
        assert (line.invoice.startup_id, line.invoice.month, line.invoice.site_id) == (
            charge.startup_id,
            charge.month,
            charge.site_id,
        )
        assert (line.quantity, line.unit_price, line.vat_rate) == (charge.quantity, charge.unit_price, charge.vat_rate)
    invoice_lines = InvoiceLine.objects.filter(invoice__kind=DocumentKind.INVOICE, source="other")
    assert not invoice_lines.filter(charge__isnull=True).exists()


def test_a_second_run_creates_nothing(network):
    counts = [model.objects.count() for model in (Invoice, InvoiceLine, Payment, Charge, IssuerProfile)]
    sequences = list(NumberSequence.objects.values_list("site", "kind", "year", "last").order_by("pk"))
    assert network["created"] > 0
    assert seed_billing() == 0
    assert [model.objects.count() for model in (Invoice, InvoiceLine, Payment, Charge, IssuerProfile)] == counts
    assert list(NumberSequence.objects.values_list("site", "kind", "year", "last").order_by("pk")) == sequences


@pytest.mark.usefixtures("db")
def test_the_demo_network_bills_a_year_with_late_payers_at_every_site(settings):
    settings.DEBUG = True  # the embedded default (see tests/technopark/test_seed_demo.py)
    call_command("seed_demo", stdout=None)
    today = timezone.localdate()
    months = _closed_months(today)
    with scopes_disabled():
        sites = list(Site.objects.filter(status=SiteStatus.OPERATIONAL))
        issued_last_month = Invoice.objects.filter(month=months[-1], status=InvoiceStatus.ISSUED)
        assert len({invoice.site_id for invoice in issued_last_month}) == 1
        assert seed_billing() == 0
    for site in sites:
        with scope(site=site.pk):
            validate_rib(IssuerProfile.objects.get().rib)
            billed = set(Invoice.objects.filter(kind=DocumentKind.INVOICE).values_list("month", flat=True))
            assert billed == set(months)
            assert Invoice.objects.filter(kind=DocumentKind.CREDIT_NOTE).exists()
            _rows, total = ageing(today=today)
        assert all(total.buckets[bucket] > 0 for bucket in OVERDUE_BUCKETS), (site.slug, total.buckets)
    assert month_next(months[-1]) == today.replace(day=1)
