"""Reads of invoicing: a document's totals (VAT per rate, billing.money) and what is left to
pay on it."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum

from ..models import Invoice, InvoiceStatus, IssuerProfile, Payment
from ..money import Totals, totals


def invoice_totals(invoice: Invoice) -> Totals:
    """From its lines (one query unless they were prefetched)."""
    return totals((line.quantity, line.unit_price, line.vat_rate) for line in invoice.lines.all())


def paid_total(invoice: Invoice) -> Decimal:
    return Payment.objects.filter(invoice=invoice).aggregate(total=Sum("amount"))["total"] or Decimal("0.00")


def credited_total(invoice: Invoice) -> Decimal:
    """The total including tax of the issued credit notes that correct `invoice`."""
    notes = Invoice.objects.filter(corrects=invoice, status=InvoiceStatus.ISSUED).prefetch_related("lines")
    return sum((invoice_totals(note).incl_tax for note in notes), Decimal("0.00"))


@dataclass(frozen=True)
class Balance:
    incl_tax: Decimal
    paid: Decimal
    credited: Decimal

    @property
    def due(self) -> Decimal:
        return self.incl_tax - self.paid - self.credited


def invoice_balance(invoice: Invoice) -> Balance:
    return Balance(invoice_totals(invoice).incl_tax, paid_total(invoice), credited_total(invoice))


def site_issuer(site_id: int) -> IssuerProfile | None:
    return IssuerProfile.objects.filter(site_id=site_id).first()


def invoice_buyer(invoice: Invoice) -> dict:
    """Who the document is addressed to: frozen when issued; for a draft, what issuing will
    write: the startup's legal name and ICE, at its site's address unless one was typed."""
    if not invoice.is_draft:
        return {
            "buyer_name": invoice.buyer_name,
            "buyer_address": invoice.buyer_address,
            "buyer_ice": invoice.buyer_ice,
        }
    site = invoice.site
    return {
        "buyer_name": invoice.startup.legal_name,
        "buyer_address": invoice.buyer_address or ", ".join(part for part in (site.address, site.city) if part),
        "buyer_ice": invoice.startup.ice or "",
    }
