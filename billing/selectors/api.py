"""Reads of the invoicing API and of the payment reminders: who sees which invoices, and a
document's figures (totals, VAT per rate, paid, balance) from rows fetched with it.

The figures are computed by billing.money from the prefetched lines, payments and credit
notes, not in SQL: VAT is rounded once per rate, which a SQL sum would have to mirror. So
a list of 50 invoices costs the same few queries as one. "Overdue" (an issued invoice past
its due date with something left to pay) is decided the same way, on the candidates SQL
finds (issued, past due), in a constant number of queries."""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet, Sum

from sites.scoping import managed_sites, network_scope
from startups.selectors.visibility import startups_of_member

from ..models import DocumentKind, Invoice, InvoiceLine, InvoiceStatus, Payment
from ..money import Totals, totals

ZERO = Decimal("0.00")
OVERDUE = "overdue"  # a status of the API's, derived: issued, past due, not fully paid


def invoices_visible_to(user) -> QuerySet[Invoice]:
    """The invoices and credit notes `user` may read: the issued ones of their startups
    (never a draft), and every one of the sites where they work, drafts included (every
    site for head office). The condition names the user explicitly, so it is read
    network-wide, like `spaces.selectors.bookings.bookings_visible_to`. Built here, with
    what a row shows fetched along (`with_figures`), evaluated later."""
    if not user.is_authenticated or not user.is_active:
        return Invoice.objects.none()
    condition = Q(startup__in=startups_of_member(user).values("pk")) & ~Q(status=InvoiceStatus.DRAFT)
    if user.is_head_office:
        condition |= Q(site__isnull=False)
    else:
        condition |= Q(site__in=managed_sites(user).values("pk"))
    with network_scope():  # filtered on the user explicitly (tests/sites/test_wide_scopes.py)
        return with_figures(Invoice.objects.filter(condition))


def with_figures(invoices: QuerySet[Invoice]) -> QuerySet[Invoice]:
    """`invoices` with their site, startup, lines, payments and issued credit notes (with
    their lines): what `invoice_figures` reads, in four more queries for any number of
    rows. Call it in the scope the invoices were found in."""
    return invoices.select_related("site", "startup").prefetch_related(
        Prefetch("lines", queryset=InvoiceLine.objects.order_by("position", "pk")),
        Prefetch("payments", queryset=Payment.objects.order_by("paid_on", "pk")),
        Prefetch(
            "credit_notes",
            queryset=Invoice.objects.filter(status=InvoiceStatus.ISSUED).prefetch_related(
                Prefetch("lines", queryset=InvoiceLine.objects.order_by("position", "pk"))
            ),
            to_attr="issued_credit_notes",
        ),
    )


@dataclass(frozen=True)
class Figures:
    totals: Totals
    paid: Decimal
    credited: Decimal
    due: Decimal  # what is left to pay (0 for a credit note; below 0: owed back)
    overdue: bool


def _document_totals(invoice: Invoice) -> Totals:
    return totals((line.quantity, line.unit_price, line.vat_rate) for line in invoice.lines.all())


def invoice_figures(invoice: Invoice, *, today: datetime.date) -> Figures:
    """A document's figures from what `with_figures` fetched (no query)."""
    document = _document_totals(invoice)
    if invoice.kind == DocumentKind.CREDIT_NOTE:
        return Figures(document, ZERO, ZERO, ZERO, False)
    paid = sum((payment.amount for payment in invoice.payments.all()), ZERO)
    credited = sum((_document_totals(note).incl_tax for note in invoice.issued_credit_notes), ZERO)
    due = document.incl_tax - paid - credited
    overdue = invoice.status == InvoiceStatus.ISSUED and invoice.due_on is not None and invoice.due_on < today
    return Figures(document, paid, credited, due, overdue and due > 0)


def api_status(invoice: Invoice, figures: Figures) -> str:
    return OVERDUE if figures.overdue else invoice.status


def _unpaid(invoices: QuerySet[Invoice]) -> list[int]:
    """The ids of the issued invoices among `invoices` with something left to pay: their
    lines, payments and credit notes read in three queries, the figures by billing.money."""
    candidates = dict(
        invoices.filter(kind=DocumentKind.INVOICE, status=InvoiceStatus.ISSUED).values_list("pk", "pk").order_by()
    )
    if not candidates:
        return []
    lines: dict[int, list] = defaultdict(list)
    notes: dict[int, int] = {}
    credit_lines = InvoiceLine.objects.filter(
        invoice__corrects__in=list(candidates), invoice__status=InvoiceStatus.ISSUED
    ).values_list("invoice_id", "invoice__corrects_id", "quantity", "unit_price", "vat_rate")
    for invoice_id, corrected, *amounts in credit_lines:
        notes[invoice_id] = corrected
        lines[invoice_id].append(amounts)
    rows = InvoiceLine.objects.filter(invoice__in=list(candidates)).values_list(
        "invoice_id", "quantity", "unit_price", "vat_rate"
    )
    for invoice_id, *amounts in rows:
        lines[invoice_id].append(amounts)
    paid = dict(
        Payment.objects.filter(invoice__in=list(candidates))
        .values("invoice")
        .annotate(total=Sum("amount"))
        .values_list("invoice", "total")
        .order_by()
    )
    due = {pk: totals(lines[pk]).incl_tax - (paid.get(pk) or ZERO) for pk in candidates}
    for note, corrected in notes.items():
        due[corrected] -= totals(lines[note]).incl_tax
    return sorted(pk for pk, amount in due.items() if amount > 0)


def invoices_overdue(invoices: QuerySet[Invoice], *, today: datetime.date) -> list[int]:
    """The ids of the invoices among `invoices` that are issued, past their due date and not
    fully paid. Run in the scope `invoices` were found in."""
    return _unpaid(invoices.filter(due_on__lt=today))


def invoices_unpaid(invoices: QuerySet[Invoice]) -> list[int]:
    """The ids of the issued invoices among `invoices` with something left to pay."""
    return _unpaid(invoices)


def month_q(first: datetime.date) -> Q:
    """A month's documents: the month a run billed, else the month of issue."""
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return Q(month=first) | Q(month__isnull=True, issued_on__gte=first, issued_on__lt=following)
