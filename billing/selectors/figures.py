"""Invoicing figures per site and month for the dashboards and the board report (issue 21),
read by the KPI engine's activity (`reports.activity`), which runs unscoped across the sites
its caller may see.

For each site of `site_ids` (every site when None) with a document or a payment, and each
calendar month that meets the period [date_from, date_to] cut at today (a later month has
no row):

- `billed`: the total including tax of the invoices issued in the month (within the period)
  less the credit notes issued in it. An invoice later cancelled was billed in its month;
  its credit note takes it back in the credit note's month.
- `collected`: the payments received (`paid_on`) in the month (within the period).
- `overdue`: on the month's last day within the period, what was
  left to pay on the invoices issued by then and due before then, after the payments
  received and the credit notes issued by then.

Amounts are the documents' totals frozen when they were issued (`Invoice.incl_tax`, as the
documents show them: VAT per rate, each rounded once), added up in Python per month. Two
queries whatever the number of documents: the documents issued by the period's end and their
payments.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from core.multilingual import translated_value

from ..models import DocumentKind, Invoice, InvoiceStatus, Payment

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class SiteMonthBilling:
    site_id: int
    site_name: str
    month: datetime.date  # its first day
    billed: Decimal
    collected: Decimal
    overdue: Decimal


def _months(
    date_from: datetime.date, date_to: datetime.date
) -> list[tuple[datetime.date, datetime.date, datetime.date]]:
    """(first day, first day within the period, last day within the period) of each month
    meeting [date_from, date_to] (none when it is empty)."""
    months = []
    first = date_from.replace(day=1)
    while first <= date_to and date_from <= date_to:
        following = (first + datetime.timedelta(days=32)).replace(day=1)
        months.append((first, max(first, date_from), min(following - datetime.timedelta(days=1), date_to)))
        first = following
    return months


def billing_by_site_month(
    *, site_ids: tuple[int, ...] | None, date_from: datetime.date, date_to: datetime.date, today: datetime.date
) -> list[SiteMonthBilling]:
    """The period's invoicing per site and month (see the module docstring), by site name
    then month. Call it unscoped (the KPI engine does)."""
    documents = Invoice.objects.filter(
        status__in=(InvoiceStatus.ISSUED, InvoiceStatus.CANCELLED), issued_on__lte=date_to
    )
    if site_ids is not None:
        documents = documents.filter(site_id__in=site_ids)
    docs = {
        row[0]: row
        for row in documents.order_by().values_list(
            "pk", "site_id", "kind", "issued_on", "due_on", "corrects_id", "incl_tax", translated_value("site__name")
        )
    }
    if not docs:
        return []
    amount = {pk: doc[6] for pk, doc in docs.items()}
    payments = list(
        Payment.objects.filter(invoice__in=documents.order_by().values("pk")).values_list(
            "invoice_id", "paid_on", "amount"
        )
    )

    names = {doc[1]: doc[7] for doc in docs.values()}
    rows = []
    for site_id, name in sorted(names.items(), key=lambda item: (item[1].casefold(), item[0])):
        site_docs = [doc for doc in docs.values() if doc[1] == site_id]
        site_payments = [(pk, paid_on, paid) for pk, paid_on, paid in payments if docs[pk][1] == site_id]
        for first, start, end in _months(date_from, min(date_to, today)):
            billed = sum(
                (
                    amount[pk] if kind == DocumentKind.INVOICE else -amount[pk]
                    for pk, _site, kind, issued_on, _due, _corrects, _amount, _name in site_docs
                    if start <= issued_on <= end
                ),
                ZERO,
            )
            collected = sum((paid for _pk, paid_on, paid in site_payments if start <= paid_on <= end), ZERO)
            rows.append(
                SiteMonthBilling(
                    site_id, name, first, billed, collected, _overdue(site_docs, site_payments, amount, end)
                )
            )
    return rows


def _overdue(site_docs: list, site_payments: list, amount: dict, day: datetime.date) -> Decimal:
    """What was left to pay on `day` on the invoices due before it (see the module docstring)."""
    due: dict[int, Decimal] = {
        pk: amount[pk]
        for pk, _site, kind, issued_on, due_on, _corrects, _amount, _name in site_docs
        if kind == DocumentKind.INVOICE and issued_on <= day and due_on is not None and due_on < day
    }
    for pk, _site, kind, issued_on, _due, corrects, _amount, _name in site_docs:
        if kind == DocumentKind.CREDIT_NOTE and corrects in due and issued_on <= day:
            due[corrects] -= amount[pk]
    for pk, paid_on, paid in site_payments:
        if pk in due and paid_on <= day:
            due[pk] -= paid
    return sum((left for left in due.values() if left > 0), ZERO)
