"""The invoicing API's list: as many queries for 50 invoices as for 1 (tests/querycount.py),
with what a row shows in every state: lines at two VAT rates, payments, a credit note that
cancels an invoice (listed too), a draft, a monthly invoice."""

import datetime
from decimal import Decimal

import pytest

from billing import actions
from tests.billing.world import site_issuer
from tests.querycount import ListRoute, check_list_route, row_name, startup_row

# Every document of 50 rows on one page (credit notes add rows of the same startups).
URL = "/api/v1/invoices/?page_size=200"


def invoice_setup(ctx) -> dict:
    site_issuer(ctx.site_a, "QA")
    return {}


def _invoice(ctx, index: int, *, founder=None, drafts: bool = True):
    """An invoice of site A to a startup named by the row, with two lines at 20 % and 10 %:
    issued (paid in part on even rows), cancelled by a credit note (every third row, row 0 included), or a
    draft (every fifth, when `drafts`); monthly on odd rows."""
    startup = startup_row(index, founder=founder)
    month = datetime.date(2026, 1 + index % 12, 1) if index % 2 else None
    lines = [
        {"description": f"Loyer {row_name(index)}", "quantity": Decimal("1"), "unit_price": Decimal("3000.00")},
        {
            "description": "Salle de réunion",
            "quantity": Decimal("2.5"),
            "unit_price": Decimal("150.00"),
            "vat_rate": Decimal("10"),
        },
    ]
    invoice = actions.invoice_draft_create(actor=ctx.staff, site=ctx.site_a, startup=startup, lines=lines, month=month)
    if drafts and index % 5 == 4:
        return invoice
    invoice = actions.invoice_issue(actor=ctx.staff, invoice=invoice)
    if index % 2 == 0:
        actions.payment_record(
            actor=ctx.staff,
            invoice=invoice,
            amount=Decimal("500.00"),
            paid_on=datetime.date.today(),
            method="transfer",
        )
    if index % 3 == 0:
        actions.credit_note_issue(actor=ctx.staff, invoice=invoice, reason="Erreur de loyer")
    return invoice


def invoice_row(ctx, index: int):
    return _invoice(ctx, index)


def founder_invoice_row(ctx, index: int):
    """The same, of a startup of founder_a's (who sees no draft)."""
    return _invoice(ctx, index, founder=ctx.founder_a, drafts=False)


ROUTES = [
    ListRoute("api:invoices", URL, "manager_a", invoice_row, invoice_setup),
    ListRoute("api:invoices", URL, "founder_a", founder_invoice_row, invoice_setup, id="founder"),
    ListRoute("api:invoices", URL, "staff", invoice_row, invoice_setup, id="head office"),
]


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.test_id)
def test_list_queries_do_not_grow_with_rows(route, client, personas, site_a, site_b):
    check_list_route(route, client=client, personas=personas, site_a=site_a, site_b=site_b)
