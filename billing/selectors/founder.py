"""A founder's invoices (issue 21): the issued invoices and credit notes of the startups whose
team the user is in, at any site, and each startup's statement of account.

A startup may be billed by a site that is none of the request's sites (the middleware's scope:
where the startup applied or is admitted), so these reads open the network-wide scope and
filter on the user's teams explicitly (tests/sites/test_wide_scopes.py: USER). Everything a
page shows is read inside that scope (lines, payments, credit notes): nothing is left to a
lazy query evaluated later in the request's narrower scope. Drafts are never shown."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet
from django.http import Http404

from sites.scoping import network_scope
from startups.models import Startup, StartupMember

from ..models import DocumentKind, Invoice, InvoiceLine, InvoiceStatus, Payment
from ..money import totals

ZERO = Decimal("0.00")


def _teams(user):
    return StartupMember.objects.filter(user=user).values("startup")


def startups_of_user(user) -> list[Startup]:
    """The startups whose team `user` is in, by name."""
    return list(Startup.objects.filter(pk__in=_teams(user)).order_by("legal_name", "pk"))


def issued_documents_of_user(user) -> QuerySet[Invoice]:
    """The issued (or cancelled) invoices and credit notes of the user's startups, at any
    site, newest first. Built inside the network-wide scope, filtered on the user's teams;
    evaluate it with `document_rows` (which reads the figures in that scope too)."""
    with network_scope():  # a person's own startups' invoices on every site, filtered on them explicitly
        return (
            Invoice.objects.filter(startup__in=_teams(user))
            .exclude(status=InvoiceStatus.DRAFT)
            .select_related("site", "startup", "corrects")
            .order_by("-issued_on", "-pk")
        )


def document_of_user(user, pk: int) -> Invoice:
    """One issued document of the user's startups (any site), else 404 — a draft too."""
    document = issued_documents_of_user(user).filter(pk=pk).first()
    if document is None:
        raise Http404
    return document


@dataclass
class DocumentRow:
    """A document with its figures: what a founder's list shows of it."""

    document: Invoice
    incl_tax: Decimal
    paid: Decimal = ZERO
    credited: Decimal = ZERO

    @property
    def is_credit_note(self) -> bool:
        return self.document.kind == DocumentKind.CREDIT_NOTE

    @property
    def due(self) -> Decimal:
        return self.incl_tax - self.paid - self.credited

    def state(self, today: datetime.date) -> str:
        """paid, partly_paid, open, overdue, cancelled (or credit_note)."""
        if self.is_credit_note:
            return "credit_note"
        if self.document.status == InvoiceStatus.CANCELLED:
            return "cancelled"
        if self.due <= 0:
            return "paid"
        if self.document.due_on and self.document.due_on < today:
            return "overdue"
        return "partly_paid" if self.paid > 0 else "open"


def document_rows(documents) -> list[DocumentRow]:
    """`documents` (already the user's: filtered by `issued_documents_of_user`) with their
    totals, payments and credited amounts, in four queries whatever their number."""
    documents = list(documents)
    ids = [document.pk for document in documents]
    lines: dict[int, list] = defaultdict(list)
    paid: dict[int, Decimal] = defaultdict(lambda: ZERO)
    credited: dict[int, Decimal] = defaultdict(lambda: ZERO)
    with network_scope():  # the figures of the user's own documents (ids above), at their sites
        notes = list(
            Invoice.objects.filter(corrects_id__in=ids, status=InvoiceStatus.ISSUED).values_list("pk", "corrects_id")
        )
        note_ids = [pk for pk, _corrects in notes]
        for invoice_id, quantity, unit_price, rate in InvoiceLine.objects.filter(
            invoice_id__in=ids + note_ids
        ).values_list("invoice_id", "quantity", "unit_price", "vat_rate"):
            lines[invoice_id].append((quantity, unit_price, rate))
        for invoice_id, amount in Payment.objects.filter(invoice_id__in=ids).values_list("invoice_id", "amount"):
            paid[invoice_id] += amount
    for pk, corrects_id in notes:
        credited[corrects_id] += totals(lines[pk]).incl_tax
    return [
        DocumentRow(document, totals(lines[document.pk]).incl_tax, paid[document.pk], credited[document.pk])
        for document in documents
    ]


# --- A statement of account ------------------------------------------------------------------
@dataclass(frozen=True)
class Entry:
    """One movement of a statement: an invoice (debit), a credit note or a payment (credit)."""

    date: datetime.date
    kind: str  # "invoice", "credit_note", "payment"
    document: Invoice
    debit: Decimal
    credit: Decimal
    reference: str = ""
    balance: Decimal = ZERO  # after this entry


@dataclass
class SiteStatement:
    site: object
    entries: list[Entry] = field(default_factory=list)

    @property
    def debit(self) -> Decimal:
        return sum((entry.debit for entry in self.entries), ZERO)

    @property
    def credit(self) -> Decimal:
        return sum((entry.credit for entry in self.entries), ZERO)

    @property
    def due(self) -> Decimal:
        return self.debit - self.credit


_ORDER = {"invoice": 0, "credit_note": 1, "payment": 2}


def statement_rows(entries: list[Entry]) -> list[Entry]:
    """`entries` in chronological order (on a day: invoices, then credit notes, then
    payments), each with the running balance after it (debits less credits)."""
    ordered = sorted(entries, key=lambda entry: (entry.date, _ORDER[entry.kind], entry.document.pk))
    balance = ZERO
    rows = []
    for entry in ordered:
        balance += entry.debit - entry.credit
        rows.append(Entry(entry.date, entry.kind, entry.document, entry.debit, entry.credit, entry.reference, balance))
    return rows


def startup_statement(user, startup_id: int) -> list[SiteStatement]:
    """The statement of account of one of the user's startups, one per site that billed it
    (by site name); 404 for a startup whose team the user is not in."""
    if not StartupMember.objects.filter(user=user, startup_id=startup_id).exists():
        raise Http404
    documents = issued_documents_of_user(user).filter(startup_id=startup_id)
    rows = document_rows(documents)
    with network_scope():  # the payments of the user's own startup's invoices (filtered above)
        payments = list(
            Payment.objects.filter(invoice_id__in=[row.document.pk for row in rows]).order_by("paid_on", "pk")
        )
    by_invoice = {row.document.pk: row.document for row in rows}
    entries: dict[int, list[Entry]] = defaultdict(list)
    sites = {}
    for row in rows:
        document = row.document
        sites[document.site_id] = document.site
        if row.is_credit_note:
            entries[document.site_id].append(Entry(document.issued_on, "credit_note", document, ZERO, row.incl_tax))
        else:
            entries[document.site_id].append(Entry(document.issued_on, "invoice", document, row.incl_tax, ZERO))
    for payment in payments:
        invoice = by_invoice[payment.invoice_id]
        entries[invoice.site_id].append(
            Entry(payment.paid_on, "payment", invoice, ZERO, payment.amount, payment.reference)
        )
    statements = [SiteStatement(site, statement_rows(entries[site_id])) for site_id, site in sites.items()]
    return sorted(statements, key=lambda statement: (str(statement.site), statement.site.pk))
