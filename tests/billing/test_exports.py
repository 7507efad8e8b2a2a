"""A site's sales journal of a month for the accountant (issue 21): one row per invoice and
credit note issued that month, the VAT of each rate in its own column, credit notes
negative, a totals row exact to the centime; CSV for French Excel and XLSX."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from openpyxl import load_workbook

from billing import actions
from billing.exports import sales_journal
from billing.models import Invoice

# Every test here uses the world: built once for the module (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_world")]


@pytest.fixture
def month_of_documents(world, staff, site_a):
    """At site A this month: invoice_a (3 600,00 at 20 %), an invoice at 20 % and 10 %, and a
    credit note cancelling the latter; site B's invoice and site A's draft are not in it."""
    today = timezone.localdate()
    with scopes_disabled():
        invoice_a = Invoice.objects.get(pk=world["invoice_a"])
        draft = actions.invoice_draft_create(
            actor=staff,
            site=site_a,
            startup=invoice_a.startup,
            lines=[
                {"description": "Salle", "quantity": Decimal("3"), "unit_price": Decimal("133.33")},
                {
                    "description": "Formation",
                    "quantity": Decimal("1"),
                    "unit_price": Decimal("99.99"),
                    "vat_rate": Decimal("10"),
                },
            ],
        )
        mixed = actions.invoice_issue(actor=staff, invoice=draft, today=today)
        note = actions.credit_note_issue(actor=staff, invoice=mixed, reason="Annulation", today=today)
    return {"invoice_a": invoice_a, "mixed": mixed, "note": note, "month": today.replace(day=1)}


def test_the_journal_s_rows_and_totals(month_of_documents, site_a):
    docs = month_of_documents
    with scope(site=site_a.pk):
        journal = sales_journal(month=docs["month"])
    assert journal.rates == [Decimal("10"), Decimal("20")]
    numbers = [row[0] for row in journal.rows[:-1]]
    assert numbers == [docs["invoice_a"].number, docs["mixed"].number, docs["note"].number]
    # excl. tax, VAT 10 %, VAT 20 %, incl. tax: 399.99 at 20 % → 80.00; 99.99 at 10 % → 10.00
    figures = [row[5:] for row in journal.rows]
    assert figures == [
        [Decimal("3000.00"), Decimal("0.00"), Decimal("600.00"), Decimal("3600.00")],
        [Decimal("499.98"), Decimal("10.00"), Decimal("80.00"), Decimal("589.98")],
        [Decimal("-499.98"), Decimal("-10.00"), Decimal("-80.00"), Decimal("-589.98")],
        [Decimal("3000.00"), Decimal("0.00"), Decimal("600.00"), Decimal("3600.00")],  # the totals row
    ]
    first = journal.rows[0]
    assert first[3] == "Atlas Data SARL" and first[4] == docs["invoice_a"].buyer_ice
    assert first[2] == docs["invoice_a"].issued_on


def test_another_month_is_empty_but_for_its_totals(month_of_documents, site_a):
    with scope(site=site_a.pk):
        journal = sales_journal(month=datetime.date(2001, 1, 1))
    assert journal.rates == [] and len(journal.rows) == 1


def _csv(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_the_csv_download(client, month_of_documents, manager_a):
    docs = month_of_documents
    client.force_login(manager_a)
    month = f"{docs['month']:%Y-%m}"
    response = client.get(f"/manage/site-a/invoices/journal/?month={month}&format=csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == f'attachment; filename="journal-ventes-site-a-{month}.csv"'
    rows = _csv(response)
    assert len(rows) == 1 + 3 + 1
    assert rows[3][0] == docs["note"].number and rows[3][-1] == "-589.98"  # negative, not a formula guard
    assert rows[-1][5:] == ["3000.00", "0.00", "600.00", "3600.00"]
    assert rows[1][2] == docs["invoice_a"].issued_on.isoformat()


def test_the_xlsx_download(client, month_of_documents, manager_a):
    docs = month_of_documents
    client.force_login(manager_a)
    month = f"{docs['month']:%Y-%m}"
    response = client.get(f"/manage/site-a/invoices/journal/?month={month}&format=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 5
    assert rows[2][0] == docs["mixed"].number
    assert [Decimal(str(value)) for value in rows[-1][5:]] == [
        Decimal("3000"),
        Decimal("0"),
        Decimal("600"),
        Decimal("3600"),
    ]
    assert sheet.cell(row=2, column=9).number_format == "#,##0.00"


def test_a_bad_month_or_format_is_a_400(client, world, manager_a, manager_b):
    client.force_login(manager_a)
    assert client.get("/manage/site-a/invoices/journal/?month=2026-13").status_code == 400
    assert client.get("/manage/site-a/invoices/journal/?format=pdf").status_code == 400
    assert client.get("/manage/site-a/invoices/journal/").status_code == 200  # this month, CSV
    client.force_login(manager_b)
    assert client.get("/manage/site-a/invoices/journal/").status_code == 404


def test_site_b_s_invoice_is_in_site_b_s_journal_only(client, world, manager_a, manager_b):
    with scopes_disabled():
        invoice_a, invoice_b = Invoice.objects.get(pk=world["invoice_a"]), Invoice.objects.get(pk=world["invoice_b"])
    client.force_login(manager_b)
    body = client.get("/manage/site-b/invoices/journal/").content.decode()
    assert invoice_b.number in body and invoice_a.number not in body
