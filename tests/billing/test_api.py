"""The invoicing API (issue 21): who reads which invoices (founders their startups' issued
ones, site staff their sites' with drafts, head office all), the filters, a document's
lines and figures as exact two-decimal strings, the PDF, and recording payments (a
manager's: 201, 400 naming the field, 403 for those who only read, 404 elsewhere)."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from billing import actions
from billing.models import Invoice, Payment
from tests.billing.world import RENT

# Every test here uses the world: built once for the module (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_world")]

LIST = "/api/v1/invoices/"


def _ids(client, query: str = "") -> set[int]:
    response = client.get(LIST + query)
    assert response.status_code == 200, response.json()
    return {row["id"] for row in response.json()["results"]}


def _pay(client, invoice: int, **body):
    data = {"amount_mad": "100.00", "paid_on": timezone.localdate().isoformat(), "method": "transfer", **body}
    return client.post(f"/api/v1/invoices/{invoice}/payments/?lang=en", data, content_type="application/json")


def test_each_persona_lists_the_invoices_they_may_read(api, world):
    a, b, draft = world["invoice_a"], world["invoice_b"], world["invoice_draft_a"]
    assert _ids(api("founder_a")) == {a}  # their startup's issued invoice: not B's, not the draft
    assert _ids(api("manager_a")) == {a, draft}
    assert _ids(api("team_a")) == {a, draft}  # site A's read-only roles read its invoices
    assert _ids(api("manager_b")) == {b}
    assert _ids(api("staff")) == {a, b, draft}
    assert _ids(api("outsider")) == set()
    assert api("anonymous").get(LIST).status_code == 401


def test_filters_and_their_bad_values(api, world, unscoped):
    a, b, draft = world["invoice_a"], world["invoice_b"], world["invoice_draft_a"]
    client = api("staff")
    assert _ids(client, "?site=site-b") == {b}
    startup_a = Invoice.objects.get(pk=a).startup_id
    assert _ids(client, f"?startup={startup_a}") == {a, draft}
    assert _ids(client, "?status=draft") == {draft}
    assert _ids(client, "?status=issued") == {a, b}
    assert _ids(client, "?status=cancelled") == set()
    assert _ids(client, "?status=overdue") == set()
    this_month = timezone.localdate().strftime("%Y-%m")
    assert _ids(client, f"?month={this_month}") == {a, b}  # the month of issue (no billed month)
    assert _ids(client, "?month=2001-01") == set()
    for query in (
        "?status=paid",
        "?month=2026-13",
        "?month=2026-1",
        "?month=junk",
        "?startup=0",
        "?site=",
        "?site=a b",
    ):
        response = client.get(LIST + query)
        assert response.status_code == 400, query
        assert set(response.json()) <= {"status", "month", "startup", "site"}, query


def test_the_billed_month_wins_over_the_month_of_issue(api, world, unscoped, staff):
    invoice_a = Invoice.objects.select_related("site", "startup").get(pk=world["invoice_a"])
    monthly = actions.invoice_issue(
        actor=staff,
        invoice=actions.invoice_draft_create(
            actor=staff,
            site=invoice_a.site,
            startup=invoice_a.startup,
            lines=[RENT],
            month=datetime.date(2026, 3, 1),
        ),
    )
    client = api("founder_a")
    assert _ids(client, "?month=2026-03") == {monthly.pk}
    assert monthly.pk not in _ids(client, f"?month={timezone.localdate().strftime('%Y-%m')}")
    assert client.get(f"/api/v1/invoices/{monthly.pk}/").json()["month"] == "2026-03"


def test_an_invoice_with_its_lines_and_figures(api, world, unscoped):
    body = api("founder_a").get(f"/api/v1/invoices/{world['invoice_a']}/").json()
    invoice = Invoice.objects.get(pk=world["invoice_a"])
    assert body == {
        "id": invoice.pk,
        "number": invoice.number,
        "kind": "invoice",
        "status": "issued",
        "site": "site-a",
        "startup": invoice.startup_id,
        "startup_name": str(invoice.startup),
        "corrects": None,
        "issued_on": invoice.issued_on.isoformat(),
        "due_on": invoice.due_on.isoformat(),
        "month": None,
        "lines": [
            {
                "description": "Loyer bureau — novembre 2026",
                "quantity": "1.00",
                "unit_price": "3000.00",
                "vat_rate": "20.00",
                "total_excl_tax": "3000.00",
            }
        ],
        "total_excl_tax": "3000.00",
        "vat": [{"rate": "20.00", "amount": "600.00"}],
        "total_incl_tax": "3600.00",
        "paid_mad": "1000.00",
        "balance_mad": "2600.00",
    }
    assert invoice.number.startswith("SA-")


def test_vat_per_rate_and_centimes_are_exact(api, world, unscoped, staff):
    invoice_a = Invoice.objects.select_related("site", "startup").get(pk=world["invoice_a"])
    lines = [
        {"description": "Impressions", "quantity": Decimal("3"), "unit_price": Decimal("0.34")},
        {"description": "Café", "quantity": Decimal("2.5"), "unit_price": Decimal("10.01"), "vat_rate": Decimal("10")},
        {
            "description": "Formation",
            "quantity": Decimal("1"),
            "unit_price": Decimal("99.99"),
            "vat_rate": Decimal("0"),
        },
    ]
    draft = actions.invoice_draft_create(actor=staff, site=invoice_a.site, startup=invoice_a.startup, lines=lines)
    body = api("manager_a").get(f"/api/v1/invoices/{draft.pk}/").json()
    assert (body["number"], body["status"], body["issued_on"]) == (None, "draft", None)
    assert [line["total_excl_tax"] for line in body["lines"]] == ["1.02", "25.03", "99.99"]  # 25.025 → 25.03
    assert body["vat"] == [
        {"rate": "0.00", "amount": "0.00"},
        {"rate": "10.00", "amount": "2.50"},
        {"rate": "20.00", "amount": "0.20"},
    ]
    assert (body["total_excl_tax"], body["total_incl_tax"]) == ("126.04", "128.74")
    # A draft is its site's staff's: its founders do not see it yet.
    assert api("founder_a").get(f"/api/v1/invoices/{draft.pk}/").status_code == 404


def test_others_invoices_are_not_found(api, world):
    for persona, invoice in (("founder_a", "invoice_b"), ("manager_b", "invoice_a"), ("outsider", "invoice_a")):
        assert api(persona).get(f"/api/v1/invoices/{world[invoice]}/").status_code == 404, persona
    assert api("founder_a").get(f"/api/v1/invoices/{world['invoice_draft_a']}/").status_code == 404
    assert api("manager_a").get(f"/api/v1/invoices/{world['invoice_draft_a']}/").json()["status"] == "draft"


def test_overdue_and_cancelled_invoices(api, world, unscoped, staff):
    invoice_a = Invoice.objects.select_related("site", "startup").get(pk=world["invoice_a"])
    today = timezone.localdate()
    late = actions.invoice_issue(
        actor=staff,
        invoice=actions.invoice_draft_create(actor=staff, site=invoice_a.site, startup=invoice_a.startup, lines=[RENT]),
        today=today - datetime.timedelta(days=40),  # due 30 days after: 10 days ago
    )
    client = api("manager_a")
    assert client.get(f"/api/v1/invoices/{late.pk}/").json()["status"] == "overdue"
    assert _ids(client, "?status=overdue") == {late.pk}
    assert late.pk not in _ids(client, "?status=issued")
    # Paid in full: no longer overdue, simply issued.
    actions.payment_record(actor=staff, invoice=late, amount=Decimal("3600.00"), paid_on=today, method="cheque")
    assert _ids(client, "?status=overdue") == set()
    body = client.get(f"/api/v1/invoices/{late.pk}/").json()
    assert (body["status"], body["paid_mad"], body["balance_mad"]) == ("issued", "3600.00", "0.00")
    # Cancelled by a credit note: both listed; the note is owed nothing.
    note = actions.credit_note_issue(actor=staff, invoice=invoice_a, reason="Erreur")
    assert _ids(client, "?status=cancelled") == {invoice_a.pk}
    body = client.get(f"/api/v1/invoices/{invoice_a.pk}/").json()
    assert (body["status"], body["paid_mad"], body["balance_mad"]) == ("cancelled", "1000.00", "-1000.00")
    note_body = api("founder_a").get(f"/api/v1/invoices/{note.pk}/").json()
    assert (note_body["kind"], note_body["corrects"], note_body["total_incl_tax"]) == (
        "credit_note",
        invoice_a.pk,
        "3600.00",
    )
    assert (note_body["paid_mad"], note_body["balance_mad"]) == ("0.00", "0.00")


def test_a_manager_records_a_payment(api, world, unscoped, django_capture_on_commit_callbacks):
    response = _pay(api("manager_a"), world["invoice_a"], amount_mad="600.50", method="cheque", reference=" CHQ-42 ")
    assert response.status_code == 201, response.json()
    payment = Payment.objects.get(pk=response.json()["id"])
    assert response.json() == {
        "id": payment.pk,
        "invoice": world["invoice_a"],
        "amount_mad": "600.50",
        "paid_on": timezone.localdate().isoformat(),
        "method": "cheque",
        "reference": "CHQ-42",
    }
    assert payment.amount == Decimal("600.50") and payment.site.slug == "site-a"
    balance = api("founder_a").get(f"/api/v1/invoices/{world['invoice_a']}/").json()["balance_mad"]
    assert balance == "1999.50"
    # Head office may too.
    assert _pay(api("staff"), world["invoice_b"]).status_code == 201


def test_payments_refused_with_the_field_named(api, world):
    client = api("manager_a")
    invoice = world["invoice_a"]
    over = _pay(client, invoice, amount_mad="2600.01")
    assert over.status_code == 400
    assert over.json() == {"amount_mad": ["This is more than the 2600.00 MAD left to pay on this invoice."]}
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    cases = {
        "amount_mad": ["12,50", "-5.00", "1.001", "0", "abc", 12.5],
        "paid_on": ["2026-02-30", "yesterday", tomorrow],
        "method": ["bitcoin"],
    }
    for field, values in cases.items():
        for value in values:
            response = _pay(client, invoice, **{field: value})
            assert response.status_code == 400, (field, value)
            assert set(response.json()) == {field}, (field, value, response.json())
    assert set(client.post(f"/api/v1/invoices/{invoice}/payments/", {}).json()) == {"amount_mad", "paid_on", "method"}
    # A draft is not paid: a 400 too.
    draft = _pay(client, world["invoice_draft_a"])
    assert draft.status_code == 400
    # The whole balance is fine.
    assert _pay(client, invoice, amount_mad="2600.00").status_code == 201
    assert _pay(client, invoice, amount_mad="0.01").status_code == 400


@pytest.mark.parametrize(("persona", "status"), [("founder_a", 403), ("team_a", 403), ("committee_a", 403)])
def test_those_who_only_read_an_invoice_record_no_payment(api, world, persona, status, unscoped):
    response = _pay(api(persona), world["invoice_a"])
    assert response.status_code == status and set(response.json()) == {"detail"}
    assert Payment.objects.filter(invoice_id=world["invoice_a"]).count() == 1


def test_another_sites_invoice_is_not_found_to_pay(api, world):
    assert _pay(api("manager_b"), world["invoice_a"]).status_code == 404
    assert _pay(api("manager_a"), world["invoice_b"]).status_code == 404
    assert _pay(api("outsider"), world["invoice_a"]).status_code == 404
    assert _pay(api("anonymous"), world["invoice_a"]).status_code == 401


@pytest.mark.skipif(not Path(__file__).resolve().parents[2].joinpath("billing/pdf.py").exists(), reason="no PDF yet")
def test_the_pdf_in_its_language_or_the_one_asked(api, world, monkeypatch):
    from billing import pdf

    made = []
    real = pdf.invoice_pdf

    def spy(invoice, *, language=None):
        made.append(language)
        return real(invoice, language=language)

    monkeypatch.setattr(pdf, "invoice_pdf", spy)
    client = api("founder_a")
    response = client.get(f"/api/v1/invoices/{world['invoice_a']}/pdf/", HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
    assert response["Content-Disposition"].startswith('inline; filename="SA-')
    assert client.get(f"/api/v1/invoices/{world['invoice_a']}/pdf/?lang=ar").status_code == 200
    assert made == [None, "ar"]
    assert client.get(f"/api/v1/invoices/{world['invoice_a']}/pdf/?lang=xx").status_code == 400
    missing = client.get(f"/api/v1/invoices/{world['invoice_b']}/pdf/", HTTP_ACCEPT="application/pdf")
    assert missing.status_code == 404 and missing["Content-Type"] == "application/json"
    assert client.get(f"/api/v1/invoices/{world['invoice_draft_a']}/pdf/").status_code == 404
    assert api("manager_a").get(f"/api/v1/invoices/{world['invoice_draft_a']}/pdf/").status_code == 200
