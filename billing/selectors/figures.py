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
from collections import defaultdict
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
    last = min(date_to, today)  # a later month has no row
    months = _months(date_from, last)
    if not months:
        return []
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
    payments = list(
        Payment.objects.filter(invoice__in=documents.order_by().values("pk")).values_list(
            "invoice_id", "paid_on", "amount"
        )
    )

    # One pass over the documents and one over the payments: each counts in its own month.
    billed: dict[tuple[int, datetime.date], Decimal] = defaultdict(Decimal)
    for _pk, site_id, kind, issued_on, _due, _corrects, incl_tax, _name in docs.values():
        if date_from <= issued_on <= last:
            billed[site_id, issued_on.replace(day=1)] += incl_tax if kind == DocumentKind.INVOICE else -incl_tax
    collected: dict[tuple[int, datetime.date], Decimal] = defaultdict(Decimal)
    for pk, paid_on, paid in payments:
        if date_from <= paid_on <= last:
            collected[docs[pk][1], paid_on.replace(day=1)] += paid
    overdue = _overdue(docs, payments, [end for _first, _start, end in months])

    names = {doc[1]: doc[7] for doc in docs.values()}
    return [
        SiteMonthBilling(
            site_id,
            name,
            first,
            billed.get((site_id, first), ZERO),
            collected.get((site_id, first), ZERO),
            overdue.get((site_id, end), ZERO),
        )
        for site_id, name in sorted(names.items(), key=lambda item: (item[1].casefold(), item[0]))
        for first, _start, end in months
    ]


def _overdue(docs: dict, payments: list, ends: list[datetime.date]) -> dict[tuple[int, datetime.date], Decimal]:
    """What was left to pay on each of `ends` (ascending) on the invoices due before it, per
    (site, end) (see the module docstring). Each invoice walks the ends from its due date
    with what took it down (its credit notes and payments) in date order: linear in the
    documents, payments and months."""
    reductions: dict[int, list[tuple[datetime.date, Decimal]]] = defaultdict(list)
    for _pk, _site, kind, issued_on, _due, corrects, incl_tax, _name in docs.values():
        if kind == DocumentKind.CREDIT_NOTE:
            reductions[corrects].append((issued_on, incl_tax))
    for pk, paid_on, paid in payments:
        reductions[pk].append((paid_on, paid))
    overdue: dict[tuple[int, datetime.date], Decimal] = defaultdict(Decimal)
    for pk, site_id, kind, issued_on, due_on, _corrects, incl_tax, _name in docs.values():
        if kind != DocumentKind.INVOICE or due_on is None:
            continue
        events = sorted(reductions.get(pk, ()))
        left, taken = incl_tax, 0
        for end in ends:
            if end < issued_on or end <= due_on:
                continue
            while taken < len(events) and events[taken][0] <= end:
                left -= events[taken][1]
                taken += 1
            if left > 0:
                overdue[site_id, end] += left
            elif taken == len(events):
                break  # settled, and nothing left to change it
    return overdue
