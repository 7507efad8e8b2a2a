"""Reads of the invoicing back-office (issue 21): the site's invoices with their amounts, the
list's filters and totals, one document with everything it shows, the arrears' ageing.

Amounts are exact: a document's total including tax is computed by billing.money (VAT per
rate, each rate rounded once), which SQL cannot reproduce on every database (SQLite keeps
decimals as floats). So the amounts of a set of documents come in a fixed number of queries
(the documents, their lines, their payments per document) and are added up in Python:
`documents_amounts`. All reads run inside the request's site scope."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from ..models import DocumentKind, Invoice, InvoiceLine, InvoiceStatus, NumberSequence, Payment
from ..money import totals

ZERO = Decimal("0.00")
OVERDUE = "overdue"  # a status filter: issued, past due and not fully paid
# The open invoices are found in SQL with an approximate total (lines not rounded): one that
# is paid to within this margin is checked exactly in Python like the others. Per-line
# rounding moves a total by less than a centime a line; this covers a hundred lines.
OPEN_MARGIN = Decimal("1.00")


@dataclass
class Amounts:
    """A document's figures: total including tax, paid, credited (by its credit notes)."""

    kind: str
    status: str
    due_on: datetime.date | None
    incl_tax: Decimal = ZERO
    paid: Decimal = ZERO
    credited: Decimal = ZERO

    @property
    def is_invoice(self) -> bool:
        return self.kind == DocumentKind.INVOICE

    @property
    def due(self) -> Decimal:
        """What is left to pay (negative: paid on an invoice a credit note cancelled)."""
        return self.incl_tax - self.paid - self.credited

    def is_overdue(self, today: datetime.date) -> bool:
        return (
            self.is_invoice
            and self.status == InvoiceStatus.ISSUED
            and self.due_on is not None
            and self.due_on < today
            and self.due > 0
        )


def _ids(invoices: QuerySet) -> QuerySet:
    return invoices.order_by().values("pk")


def _fill_amounts(docs: dict[int, Amounts], invoices: QuerySet) -> None:
    """Fill in `docs` (the documents of `invoices`, by pk) from their lines, their issued
    credit notes' lines and their payments: two queries."""
    if not docs:
        return
    ids = _ids(invoices)
    lines: dict[int, list] = {}
    corrects: dict[int, int] = {}
    rows = (
        InvoiceLine.objects.filter(Q(invoice__in=ids) | Q(invoice__corrects__in=ids, invoice__status="issued"))
        .order_by()
        .values_list("invoice_id", "invoice__corrects_id", "quantity", "unit_price", "vat_rate")
    )
    for invoice_id, corrects_id, quantity, unit_price, vat_rate in rows:
        lines.setdefault(invoice_id, []).append((quantity, unit_price, vat_rate))
        if corrects_id is not None:
            corrects[invoice_id] = corrects_id
    for invoice_id, document_lines in lines.items():
        incl_tax = totals(document_lines).incl_tax
        if invoice_id in docs:
            docs[invoice_id].incl_tax = incl_tax
        corrected = corrects.get(invoice_id)
        if corrected in docs:
            docs[corrected].credited += incl_tax
    paid = Payment.objects.filter(invoice__in=ids).order_by().values("invoice_id").annotate(total=Sum("amount"))
    for row in paid:
        docs[row["invoice_id"]].paid = row["total"]


def documents_amounts(invoices: QuerySet) -> dict[int, Amounts]:
    """The amounts of every document of `invoices`, by pk: three queries, whatever their number."""
    docs = {
        pk: Amounts(kind=kind, status=status, due_on=due_on)
        for pk, kind, status, due_on in invoices.order_by().values_list("pk", "kind", "status", "due_on")
    }
    _fill_amounts(docs, invoices)
    return docs


# --- The list ----------------------------------------------------------------------------
def _month_end(month: datetime.date) -> datetime.date:
    return (month + datetime.timedelta(days=32)).replace(day=1)


def invoices_filtered(
    *, status: str = "", month: datetime.date | None = None, query: str = "", today: datetime.date
) -> tuple[QuerySet, dict[int, Amounts]]:
    """The scope's invoices and credit notes matching the filters (drafts first, then the
    latest issued) and the amounts of all of them (for the list's totals and its rows).

    `status`: draft, issued, cancelled, or overdue (issued, past due and not fully paid);
    `month`: the billed month (the monthly run's), or for a document billed for no month,
    the month it was issued; `query`: part of the startup's name or of the number."""
    invoices = Invoice.objects.all()
    if status == OVERDUE:
        invoices = invoices.filter(kind=DocumentKind.INVOICE, status=InvoiceStatus.ISSUED, due_on__lt=today)
    elif status in InvoiceStatus.values:
        invoices = invoices.filter(status=status)
    if month is not None:
        invoices = invoices.filter(
            Q(month=month) | Q(month__isnull=True, issued_on__gte=month, issued_on__lt=_month_end(month))
        )
    if query:
        invoices = invoices.filter(
            Q(startup__legal_name__icontains=query)
            | Q(startup__brand_name__icontains=query)
            | Q(number__icontains=query)
        )
    amounts = documents_amounts(invoices)
    if status == OVERDUE:
        amounts = {pk: figures for pk, figures in amounts.items() if figures.is_overdue(today)}
        invoices = invoices.filter(pk__in=list(amounts))
    listed = invoices.select_related("startup", "corrects").order_by(
        F("issued_on").desc(nulls_first=True), "-sequence", "-pk"
    )
    return listed, amounts


@dataclass(frozen=True)
class ListTotals:
    billed: Decimal  # issued documents including tax, credit notes deducted
    collected: Decimal
    overdue: Decimal
    overdue_count: int
    drafts: int


def list_totals(amounts: dict[int, Amounts], *, today: datetime.date) -> ListTotals:
    billed = collected = overdue = ZERO
    overdue_count = drafts = 0
    for figures in amounts.values():
        if figures.status == InvoiceStatus.DRAFT:
            drafts += 1
            continue
        billed += figures.incl_tax if figures.is_invoice else -figures.incl_tax
        collected += figures.paid
        if figures.is_overdue(today):
            overdue += figures.due
            overdue_count += 1
    return ListTotals(billed, collected, overdue, overdue_count, drafts)


def draft_months() -> list[dict]:
    """The billed months that have drafts, with how many: [{"month": date, "count": 3}]."""
    return list(
        Invoice.objects.filter(status=InvoiceStatus.DRAFT, kind=DocumentKind.INVOICE, month__isnull=False)
        .order_by()
        .values("month")
        .annotate(count=Count("pk"))
        .order_by("month")
    )


# --- One document ------------------------------------------------------------------------
def invoice_documents() -> QuerySet:
    """The scope's documents with what their page shows: lines, payments, credit notes."""
    return Invoice.objects.select_related("startup", "site", "corrects").prefetch_related(
        "lines",
        "payments",
        Prefetch(
            "credit_notes",
            queryset=Invoice.objects.filter(status=InvoiceStatus.ISSUED).order_by("pk").prefetch_related("lines"),
        ),
    )


def next_number_sequence(*, site_id: int, kind: str, year: int) -> int:
    """The number issuing would give now (another issue before it takes it)."""
    last = NumberSequence.objects.filter(site_id=site_id, kind=kind, year=year).values_list("last", flat=True).first()
    return (last or 0) + 1


# --- Ageing ------------------------------------------------------------------------------
BUCKETS = ("not_due", "days_30", "days_60", "days_90", "over_90")


def bucket_of(days_late: int) -> str:
    """Days past the due date → its column: not yet due, 1–30, 31–60, 61–90, over 90."""
    if days_late <= 0:
        return "not_due"
    if days_late <= 30:
        return "days_30"
    if days_late <= 60:
        return "days_60"
    if days_late <= 90:
        return "days_90"
    return "over_90"


@dataclass
class AgeingRow:
    startup_id: int | None
    name: str
    buckets: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(BUCKETS, ZERO))
    invoices: int = 0

    @property
    def total(self) -> Decimal:
        return sum(self.buckets.values(), ZERO)

    @property
    def cells(self) -> list[Decimal]:
        return [self.buckets[name] for name in BUCKETS]


def open_invoices() -> QuerySet:
    """The scope's issued invoices that may still be owed: SQL keeps those whose payments
    are below their approximate total (plus OPEN_MARGIN); `ageing` checks them exactly."""
    money = DecimalField(max_digits=30, decimal_places=6)
    paid = (
        Payment.objects.filter(invoice=OuterRef("pk"))
        .order_by()
        .values("invoice")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    gross = (
        InvoiceLine.objects.filter(invoice=OuterRef("pk"))
        .order_by()
        .values("invoice")
        .annotate(total=Sum(ExpressionWrapper(F("quantity") * F("unit_price") * (100 + F("vat_rate")) / 100, money)))
        .values("total")
    )
    zero = Value(Decimal("0"), output_field=money)
    return (
        Invoice.objects.filter(kind=DocumentKind.INVOICE, status=InvoiceStatus.ISSUED)
        .annotate(paid_approx=Coalesce(Subquery(paid, output_field=money), zero))
        .annotate(gross_approx=Coalesce(Subquery(gross, output_field=money), zero))
        .filter(paid_approx__lt=ExpressionWrapper(F("gross_approx") + Value(OPEN_MARGIN), money))
    )


def ageing(*, today: datetime.date) -> tuple[list[AgeingRow], AgeingRow]:
    """What each startup owes the site, by how late: one row per startup with something
    due (sorted by name), and the site's totals. Three queries."""
    invoices = open_invoices()
    docs: dict[int, Amounts] = {}
    owner: dict[int, tuple[int, str]] = {}
    for pk, due_on, startup_id, legal_name, brand_name in invoices.order_by().values_list(
        "pk", "due_on", "startup_id", "startup__legal_name", "startup__brand_name"
    ):
        docs[pk] = Amounts(kind=DocumentKind.INVOICE, status=InvoiceStatus.ISSUED, due_on=due_on)
        owner[pk] = (startup_id, brand_name or legal_name)
    _fill_amounts(docs, invoices)
    rows: dict[int, AgeingRow] = {}
    total = AgeingRow(startup_id=None, name="")
    for pk, figures in docs.items():
        if figures.due <= 0:
            continue
        startup_id, name = owner[pk]
        row = rows.setdefault(startup_id, AgeingRow(startup_id=startup_id, name=name))
        bucket = bucket_of((today - figures.due_on).days)
        for target in (row, total):
            target.buckets[bucket] += figures.due
            target.invoices += 1
    return sorted(rows.values(), key=lambda row: (row.name.casefold(), row.startup_id)), total
