"""List pages of the invoicing back-office issue as many queries for 50 rows as for 1
(tests/querycount.py): the invoices list (every state a row shows differently: a draft, an
issued invoice partly paid, one overdue, lines at two VAT rates) and the arrears' ageing
(a startup per row, each late by a different number of days), and the other charges (to
bill, billed on a draft, billed on an issued invoice; at three VAT rates, over two months)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from billing import actions
from billing.models import Charge
from billing.selectors.owed import charge_line
from tests.billing.world import site_issuer
from tests.factories import AdmissionFactory
from tests.querycount import ListRoute, check_list_route, row_name, startup_row

INVOICES = "/manage/site-a/invoices/"
LINES = [
    {"description": "Loyer bureau", "quantity": Decimal("1"), "unit_price": Decimal("3000.00")},
    {"description": "Formation", "quantity": Decimal("2"), "unit_price": Decimal("450.50"), "vat_rate": Decimal("10")},
]


def issuer_setup(ctx) -> dict:
    return {"issuer": site_issuer(ctx.site_a, "SA")}


def _invoice(ctx, index: int, *, state: str):
    """Site A's invoice to the startup of row `index`: a draft, issued today and partly
    paid, or issued 40 + index days ago and overdue."""
    startup = startup_row(index)
    draft = actions.invoice_draft_create(actor=None, site=ctx.site_a, startup=startup, lines=LINES)
    if state == "draft":
        return draft
    today = timezone.localdate()
    issued_on = today if state == "issued" else today - datetime.timedelta(days=40 + index)
    invoice = actions.invoice_issue(actor=None, invoice=draft, today=issued_on)
    actions.payment_record(
        actor=None, invoice=invoice, amount=Decimal("100.00"), paid_on=issued_on, method="cheque", reference="CHQ"
    )
    return invoice


def invoice_row(ctx, index: int):
    return _invoice(ctx, index, state=("draft", "issued", "overdue")[index % 3])


def overdue_row(ctx, index: int):
    return _invoice(ctx, index, state="overdue")


def _charge(ctx, index: int, *, state: str):
    """Site A's charge named after row `index` (its startup is not: the add form lists the
    site's startups), to bill, billed on a draft or billed on an issued invoice."""
    startup = startup_row(index, name=f"Startup {index}")
    AdmissionFactory(startup=startup, site=ctx.site_a)
    today = timezone.localdate()
    month = today.replace(day=1) if index % 2 else (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    charge = actions.charge_add(
        actor=None,
        site=ctx.site_a,
        startup=startup,
        description=row_name(index),
        quantity=Decimal("2"),
        unit_price=Decimal("12.50"),
        vat_rate=(Decimal("20"), Decimal("10"), Decimal("0"))[index % 3],
        month=month,
    )
    if state == "to_bill":
        return charge
    invoice = actions.invoice_draft_create(
        actor=None, site=ctx.site_a, startup=startup, lines=[charge_line(charge, month=month)], month=month
    )
    Charge.objects.filter(pk=charge.pk).update(invoice_line=invoice.lines.get())
    if state == "issued":
        actions.invoice_issue(actor=None, invoice=invoice)
    return charge


def charge_row(ctx, index: int):
    return _charge(ctx, index, state=("to_bill", "draft", "issued")[index % 3])


def billed_charge_row(ctx, index: int):
    return _charge(ctx, index, state="issued")


ROUTES = [
    ListRoute("billing:invoice_list", INVOICES, "manager_a", invoice_row, issuer_setup),
    ListRoute(
        "billing:invoice_list", INVOICES + "?status=overdue", "manager_a", overdue_row, issuer_setup, id="overdue"
    ),
    ListRoute("billing:ageing", INVOICES + "ageing/", "manager_a", overdue_row, issuer_setup),
    ListRoute("billing:charge_list", INVOICES + "charges/", "manager_a", charge_row, issuer_setup),
    ListRoute(
        "billing:charge_list",
        INVOICES + "charges/?state=billed",
        "staff",
        billed_charge_row,
        issuer_setup,
        id="billed",
    ),
]


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.test_id)
def test_list_queries_do_not_grow_with_rows(route, client, personas, site_a, site_b):
    check_list_route(route, client=client, personas=personas, site_a=site_a, site_b=site_b)
