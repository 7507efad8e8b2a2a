"""Query counts of invoicing's lists (issue 21, tests/querycount.py): a founder's invoices,
a startup's statement of account and a site's sales journal (CSV and XLSX) issue as many
queries for 50 rows as for 1."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from billing import actions
from billing.selectors.documents import invoice_balance
from tests.billing.world import site_issuer
from tests.querycount import ListRoute, check_list_route, row_name, startup_row

LINE = {"description": "Loyer", "quantity": Decimal("1"), "unit_price": Decimal("1000.00")}
TRAINING = {"description": "Formation", "quantity": Decimal("2"), "unit_price": Decimal("150.00"), "vat_rate": 10}


def issuers(ctx) -> dict:
    site_issuer(ctx.site_a, "SA")
    site_issuer(ctx.site_b, "SB")
    return {}


def _issue(ctx, *, site, startup, index: int):
    """An invoice, issued today or 40 days ago (overdue), with one or two VAT rates."""
    today = timezone.localdate()
    lines = [LINE, {**TRAINING, "vat_rate": Decimal(TRAINING["vat_rate"])}] if index % 2 else [LINE]
    draft = actions.invoice_draft_create(actor=ctx.staff, site=site, startup=startup, lines=lines)
    issued_on = today - datetime.timedelta(days=40) if index % 3 == 2 else today
    return actions.invoice_issue(actor=ctx.staff, invoice=draft, today=issued_on)


def _settle(ctx, invoice, index: int, *, reference: str = ""):
    """Nothing paid, partly paid, paid in full, or cancelled by a credit note, by row."""
    today = timezone.localdate()
    state = index % 4
    if state == 1 or reference:
        actions.payment_record(
            actor=ctx.staff,
            invoice=invoice,
            amount=Decimal("100.00"),
            paid_on=today,
            method="transfer",
            reference=reference,
        )
    if state == 2:
        due = invoice_balance(invoice).due
        actions.payment_record(actor=ctx.staff, invoice=invoice, amount=due, paid_on=today, method="cheque")
    if state == 3:
        actions.credit_note_issue(actor=ctx.staff, invoice=invoice, reason="Erreur")


def founder_invoice_row(ctx, index: int):
    """An invoice of another startup of founder_a's (named by the row), at site A or B."""
    startup = startup_row(index, founder=ctx.founder_a)
    invoice = _issue(ctx, site=[ctx.site_a, ctx.site_b][index % 2], startup=startup, index=index)
    if index % 4 != 3:  # a credit note would be a second row of the same name
        _settle(ctx, invoice, index)


def statement_setup(ctx) -> dict:
    issuers(ctx)
    return {"startup": startup_row(99, founder=ctx.founder_a, name="Atlas Billing")}


def statement_row(ctx, index: int):
    """An invoice of one startup at site A or B, with a payment referenced by the row's name."""
    invoice = _issue(ctx, site=[ctx.site_a, ctx.site_b][index % 2], startup=ctx.startup, index=index)
    _settle(ctx, invoice, index, reference=row_name(index))


def journal_row(ctx, index: int):
    """An invoice of site A this month to a startup named by the row (credit notes too)."""
    startup = startup_row(index)
    today = timezone.localdate()
    draft = actions.invoice_draft_create(
        actor=ctx.staff, site=ctx.site_a, startup=startup, lines=[LINE, {**TRAINING, "vat_rate": Decimal(10)}]
    )
    invoice = actions.invoice_issue(actor=ctx.staff, invoice=draft, today=today)
    if index % 4 == 3:
        actions.credit_note_issue(actor=ctx.staff, invoice=invoice, reason="Erreur", today=today)


ROUTES = [
    ListRoute("billing:my_invoices", "/me/invoices/", "founder_a", founder_invoice_row, issuers, shown=25),
    ListRoute(
        "billing:my_statement", "/me/invoices/statement/?startup={startup}", "founder_a", statement_row, statement_setup
    ),
    ListRoute(
        "billing:sales_journal",
        "/manage/site-a/invoices/journal/?format=csv",
        "manager_a",
        journal_row,
        issuers,
        id="csv",
    ),
    ListRoute(
        "billing:sales_journal",
        "/manage/site-a/invoices/journal/?format=xlsx",
        "manager_a",
        journal_row,
        issuers,
        id="xlsx",
    ),
]


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.test_id)
def test_list_queries_do_not_grow_with_rows(route, client, personas, site_a, site_b):
    check_list_route(route, client=client, personas=personas, site_a=site_a, site_b=site_b)
