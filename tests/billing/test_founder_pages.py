"""A founder's invoices (issue 21): the issued invoices and credit notes of their startups at
any site (never a draft, never another startup's), their PDFs, and a startup's statement of
account with its running balance; the site's staff download any document of their site."""

import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled
from pypdf import PdfReader

from billing import actions
from billing.models import Invoice
from billing.selectors.founder import Entry, statement_rows
from tests.factories import StartupMemberFactory

pytestmark = pytest.mark.django_db

RENT = {"description": "Loyer", "quantity": Decimal("1"), "unit_price": Decimal("1000.00")}


def _get(pk: int) -> Invoice:
    with scopes_disabled():
        return Invoice.objects.get(pk=pk)


@pytest.fixture
def founder_b(world):
    """A founder of the startup at site B."""
    with scopes_disabled():
        return StartupMemberFactory(startup_id=world["startup_b"]).user


def _issue(staff, *, site, startup, lines=(RENT,), today=None) -> Invoice:
    with scopes_disabled():
        draft = actions.invoice_draft_create(actor=staff, site=site, startup=startup, lines=list(lines))
        return actions.invoice_issue(actor=staff, invoice=draft, today=today)


# --- The list ------------------------------------------------------------------------------------
def test_a_founder_sees_their_startups_issued_invoices_only(client, world, founder_a):
    client.force_login(founder_a)
    response = client.get("/me/invoices/")
    assert response.status_code == 200
    body = response.content.decode()
    invoice_a, invoice_b = _get(world["invoice_a"]), _get(world["invoice_b"])
    assert invoice_a.number in body and invoice_b.number not in body
    assert [row.document.pk for row, _state in response.context["rows"]] == [invoice_a.pk]  # no draft
    row, state = response.context["rows"][0]
    assert (row.incl_tax, row.paid, row.due, state) == (
        Decimal("3600.00"),
        Decimal("1000.00"),
        Decimal("2600.00"),
        "partly_paid",
    )
    assert f"/me/invoices/{invoice_a.pk}/pdf/" in body
    assert f"/me/invoices/{world['invoice_draft_a']}/pdf/" not in body


def test_invoices_at_any_site_and_their_states(client, world, founder_a, staff, site_b):
    """An invoice of founder_a's startup at site B (a site none of the request's scope) is
    listed; paid, overdue, cancelled and credit notes read as such."""
    with scopes_disabled():
        startup_a = _get(world["invoice_a"]).startup
    today = timezone.localdate()
    at_b = _issue(staff, site=site_b, startup=startup_a, today=today - datetime.timedelta(days=40))  # overdue
    client.force_login(founder_a)
    states = {row.document.pk: state for row, state in client.get("/me/invoices/").context["rows"]}
    assert states == {world["invoice_a"]: "partly_paid", at_b.pk: "overdue"}
    with scopes_disabled():
        actions.payment_record(
            actor=staff, invoice=_get(world["invoice_a"]), amount=Decimal("2600.00"), paid_on=today, method="cheque"
        )
        note = actions.credit_note_issue(actor=staff, invoice=at_b, reason="Erreur")
    rows = client.get("/me/invoices/").context["rows"]
    states = {row.document.pk: state for row, state in rows}
    assert states == {world["invoice_a"]: "paid", at_b.pk: "cancelled", note.pk: "credit_note"}
    assert [row.document.pk for row, _state in rows][0] == note.pk  # newest first


def test_the_list_is_paginated_and_has_an_empty_state(client, world, outsider):
    client.force_login(outsider)
    response = client.get("/me/invoices/")
    assert response.status_code == 200 and response.context["rows"] == []
    assert response.context["page"].paginator.count == 0 and "<table" not in response.content.decode()


# --- The PDFs ------------------------------------------------------------------------------------
def test_a_founder_downloads_their_invoice(client, world, founder_a):
    client.force_login(founder_a)
    invoice = _get(world["invoice_a"])
    response = client.get(f"/me/invoices/{invoice.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{invoice.number}.pdf"'
    assert invoice.number in PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    arabic = client.get(f"/me/invoices/{invoice.pk}/pdf/?lang=ar")
    assert PdfReader(io.BytesIO(arabic.content)).trailer["/Root"]["/Lang"] == "ar"


def test_a_founder_never_gets_a_draft_nor_another_startup_s_invoice(client, world, founder_a, founder_b):
    client.force_login(founder_a)
    assert client.get(f"/me/invoices/{world['invoice_draft_a']}/pdf/").status_code == 404
    assert client.get(f"/me/invoices/{world['invoice_b']}/pdf/").status_code == 404
    client.force_login(founder_b)
    assert client.get(f"/me/invoices/{world['invoice_a']}/pdf/").status_code == 404
    assert client.get(f"/me/invoices/{world['invoice_b']}/pdf/").status_code == 200


def test_the_site_s_staff_download_any_document_of_their_site(client, world, manager_a, manager_b):
    client.force_login(manager_a)
    invoice = _get(world["invoice_a"])
    response = client.get(f"/manage/site-a/invoices/{invoice.pk}/pdf/?lang=ar")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{invoice.number}.pdf"'
    assert PdfReader(io.BytesIO(response.content)).trailer["/Root"]["/Lang"] == "ar"
    draft = client.get(f"/manage/site-a/invoices/{world['invoice_draft_a']}/pdf/?lang=xx")
    assert draft["Content-Disposition"] == f'attachment; filename="projet-{world["invoice_draft_a"]}.pdf"'
    assert PdfReader(io.BytesIO(draft.content)).trailer["/Root"]["/Lang"] == "fr"  # unknown: its own
    assert client.get(f"/manage/site-a/invoices/{world['invoice_b']}/pdf/").status_code == 404  # site B's
    client.force_login(manager_b)
    assert client.get(f"/manage/site-a/invoices/{invoice.pk}/pdf/").status_code == 404


# --- The statement of account --------------------------------------------------------------------
def test_the_statement_s_running_balance(client, world, founder_a, staff, site_a, site_b):
    invoice_a = _get(world["invoice_a"])
    startup_a = invoice_a.startup_id
    today = timezone.localdate()
    with scopes_disabled():
        second = _issue(staff, site=site_a, startup=invoice_a.startup, today=today)
        actions.payment_record(
            actor=staff, invoice=second, amount=Decimal("200.50"), paid_on=today, method="cash", reference="R-7"
        )
        note = actions.credit_note_issue(actor=staff, invoice=second, reason="Doublon")
        at_b = _issue(staff, site=site_b, startup=invoice_a.startup, today=today)
    client.force_login(founder_a)
    response = client.get(f"/me/invoices/statement/?startup={startup_a}")
    assert response.status_code == 200
    statements = {statement.site.pk: statement for statement in response.context["statements"]}
    assert set(statements) == {site_a.pk, site_b.pk}
    at_a = statements[site_a.pk]
    movements = [(entry.kind, entry.document.pk, entry.debit, entry.credit, entry.balance) for entry in at_a.entries]
    zero = Decimal("0.00")
    assert movements == [
        ("invoice", invoice_a.pk, Decimal("3600.00"), zero, Decimal("3600.00")),
        ("invoice", second.pk, Decimal("1200.00"), zero, Decimal("4800.00")),
        ("credit_note", note.pk, zero, Decimal("1200.00"), Decimal("3600.00")),
        ("payment", invoice_a.pk, zero, Decimal("1000.00"), Decimal("2600.00")),
        ("payment", second.pk, zero, Decimal("200.50"), Decimal("2399.50")),
    ]
    assert at_a.due == Decimal("2399.50")
    assert statements[site_b.pk].due == Decimal("1200.00")
    body = response.content.decode()
    assert at_b.number in body and "R-7" in body
    assert world["invoice_draft_a"] not in {entry.document.pk for entry in at_a.entries}


def test_the_statement_of_a_startup_not_the_user_s_is_404(client, world, founder_a, outsider):
    client.force_login(founder_a)
    assert client.get(f"/me/invoices/statement/?startup={world['startup_b']}").status_code == 404
    assert client.get("/me/invoices/statement/?startup=abc").status_code == 404
    default = client.get("/me/invoices/statement/")  # the user's only startup
    assert default.status_code == 200 and default.context["startup"].pk == world["startup_a"]
    client.force_login(outsider)
    empty = client.get("/me/invoices/statement/")
    assert empty.status_code == 200 and empty.context["startup"] is None and empty.context["statements"] == []
    assert client.get(f"/me/invoices/statement/?startup={world['startup_a']}").status_code == 404


def test_a_startup_without_invoices_has_an_empty_statement(client, world, founder_b):
    client.force_login(founder_b)
    response = client.get(f"/me/invoices/statement/?startup={world['startup_b']}")
    assert len(response.context["statements"]) == 1
    fresh = StartupMemberFactory(user=founder_b).startup
    response = client.get(f"/me/invoices/statement/?startup={fresh.pk}")
    assert response.status_code == 200 and response.context["statements"] == []


def test_statement_rows_order_a_day_s_movements():
    day = datetime.date(2026, 11, 5)
    invoice = Invoice(pk=1)
    rows = statement_rows(
        [
            Entry(day, "payment", invoice, Decimal("0"), Decimal("10.00")),
            Entry(day, "invoice", invoice, Decimal("100.00"), Decimal("0")),
            Entry(day - datetime.timedelta(days=1), "invoice", Invoice(pk=2), Decimal("5.00"), Decimal("0")),
        ]
    )
    assert [(row.kind, row.balance) for row in rows] == [
        ("invoice", Decimal("5.00")),
        ("invoice", Decimal("105.00")),
        ("payment", Decimal("95.00")),
    ]
