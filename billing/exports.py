"""The sales journal of a site and month, for the accountant (issue 21): one row per invoice
and credit note issued that month (number order), with the customer and its ICE, the total
excluding tax, the VAT of each rate met that month (one column per rate), and the total
including tax; credit notes count negatively; a last row totals each column.

Written through the kernel's writers (core.exports: CSV for French Excel, XLSX). Amounts are
Decimal throughout, exact to the centime: the totals row is the sum of the rows above it.
Read in the site's scope (the back-office's, opened by the middleware)."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from core import exports

from .models import DocumentKind, Invoice, InvoiceStatus
from .money import totals
from .pdf import vat_label

ZERO = Decimal("0.00")
MONEY_FORMAT = "#,##0.00"


@dataclass(frozen=True)
class Journal:
    header: list[str]
    rows: list[list]  # the documents' rows, then the totals' row
    rates: list[Decimal]


def journal_documents(*, month: datetime.date):
    """The documents issued in `month` at the scope's site (never drafts)."""
    start = month.replace(day=1)
    end = (start + datetime.timedelta(days=32)).replace(day=1)
    return (
        Invoice.objects.exclude(status=InvoiceStatus.DRAFT)
        .filter(issued_on__gte=start, issued_on__lt=end)
        .prefetch_related("lines")
        .order_by("issued_on", "sequence", "pk")
    )


def sales_journal(*, month: datetime.date) -> Journal:
    # By day; on a day, invoices before credit notes, each series in number order.
    documents = sorted(
        journal_documents(month=month),
        key=lambda document: (document.issued_on, document.kind != DocumentKind.INVOICE, document.sequence),
    )
    figures = []
    rates: set[Decimal] = set()
    for document in documents:
        sign = -1 if document.kind == DocumentKind.CREDIT_NOTE else 1
        document_totals = totals((line.quantity, line.unit_price, line.vat_rate) for line in document.lines.all())
        rates |= set(document_totals.vat_by_rate)
        figures.append((document, sign, document_totals))
    rates_sorted = sorted(rates)
    header = [
        _("Number"),
        _("Type"),
        _("Date"),
        _("Customer"),
        _("Customer's ICE"),
        _("Total excl. tax"),
        *[vat_label(rate) for rate in rates_sorted],
        _("Total incl. tax"),
    ]
    rows = []
    sums = [ZERO] * (len(rates_sorted) + 2)
    for document, sign, document_totals in figures:
        amounts = [
            sign * document_totals.excl_tax,
            *[sign * document_totals.vat_by_rate.get(rate, ZERO) for rate in rates_sorted],
            sign * document_totals.incl_tax,
        ]
        sums = [total + amount for total, amount in zip(sums, amounts, strict=True)]
        rows.append(
            [
                document.number,
                document.get_kind_display(),
                document.issued_on,
                document.buyer_name,
                document.buyer_ice,
                *amounts,
            ]
        )
    rows.append([_("Total"), "", None, "", "", *sums])
    return Journal(header=header, rows=rows, rates=rates_sorted)


def journal_filename(*, site, month: datetime.date, extension: str) -> str:
    return f"journal-ventes-{site.slug}-{month:%Y-%m}.{extension}"


def _cell(sheet, value):
    if isinstance(value, Decimal):
        return exports.xlsx_cell(sheet, value, number_format=MONEY_FORMAT)
    return exports.xlsx_cell(sheet, value)


def sales_journal_response(*, site, month: datetime.date, file_format: str):
    """The journal as a CSV (French Excel) or XLSX download."""
    journal = sales_journal(month=month)
    filename = journal_filename(site=site, month=month, extension=file_format)
    if file_format == "xlsx":
        sheet = exports.Sheet(
            title=_("Sales journal"),
            header=journal.header,
            rows=journal.rows,
            widths=[18, 12, 12, 32, 18, 16, *[14] * len(journal.rates), 16],
        )
        return exports.xlsx_workbook_response(filename=filename, sheets=[sheet], cell=_cell)
    return exports.csv_response(filename=filename, header=journal.header, rows=journal.rows)
