"""An invoice as a PDF (issue 21): an A4 Moroccan invoice in French (left to right) or Arabic
(right to left, shaped), its number, the seller's and buyer's identifiers, the totals with the
VAT per rate, the total in words; a draft has no number and says it is a draft; a credit
note names the invoice it corrects. Text is read back with pypdf."""

import io
import unicodedata
from decimal import Decimal

import pytest
from django.utils import translation
from django_scopes import scopes_disabled
from pypdf import PdfReader

from billing import actions
from billing.models import Invoice
from billing.pdf import invoice_filename, invoice_pdf, rib_text, vat_label

pytestmark = pytest.mark.django_db

NBSP = "\xa0"


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _invoice(pk: int) -> Invoice:
    return Invoice.objects.select_related("site", "startup", "corrects").prefetch_related("lines").get(pk=pk)


def _pdf(pk: int, **kwargs) -> tuple[Invoice, bytes]:
    with scopes_disabled():
        invoice = _invoice(pk)
        return invoice, invoice_pdf(invoice, **kwargs)


def test_the_french_invoice_states_what_a_moroccan_invoice_must(world):
    invoice, data = _pdf(world["invoice_a"])
    assert data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(data))
    assert reader.trailer["/Root"]["/Lang"] == "fr"
    assert reader.pages[0].mediabox.width == pytest.approx(595.28, abs=1)  # A4
    text = pdf_text(data)
    assert invoice.number and invoice.number in text
    assert "001234567000089" in text  # the seller's ICE
    for identifier in ("1234567", "123456", "12345678"):  # IF, RC, TP
        assert identifier in text
    assert "Technopark site-a SA" in text and "Atlas Data SARL" in text
    assert f"3{NBSP}000,00" in text  # the line and the total excl. tax
    assert f"3{NBSP}600,00" in text  # the total incl. tax, in one piece
    with translation.override("fr"):
        assert vat_label(Decimal("20")) in text and f"600,00{NBSP}MAD" in text  # the VAT at 20 %
    assert "Arrêtée la présente facture à la somme de trois mille six cents dirhams" in text.replace("\n", " ")
    assert "Facture" in text  # the document's kind, in French
    assert "230" in text and "CIH Bank" in text  # the RIB and the bank of the payment terms
    assert "1 / 1" in text  # page numbers in the footer


def test_the_arabic_invoice_is_shaped_arabic(world):
    invoice, data = _pdf(world["invoice_a"], language="ar")
    assert PdfReader(io.BytesIO(data)).trailer["/Root"]["/Lang"] == "ar"
    raw = pdf_text(data)
    text = unicodedata.normalize("NFKC", raw)
    assert "فاتورة" in text  # "Invoice"
    assert "درهم" in text  # the amounts' unit and the amount in words
    assert invoice.number in text  # Latin, isolated: in one piece
    assert "001234567000089" in text
    assert f"3{NBSP}600,00" in raw


def test_the_document_s_language_is_the_default(world):
    with scopes_disabled():
        Invoice.objects.filter(pk=world["invoice_a"]).update(language="ar")
    _invoice_a, data = _pdf(world["invoice_a"])
    assert PdfReader(io.BytesIO(data)).trailer["/Root"]["/Lang"] == "ar"


def test_a_draft_has_no_number_and_says_it_is_a_draft(world):
    invoice, data = _pdf(world["invoice_draft_a"])
    text = pdf_text(data)
    assert invoice.number is None
    with translation.override("fr"):
        draft = translation.gettext("Draft")
    assert draft in text
    assert "SA-" not in text  # no number of the series
    assert invoice_filename(invoice) == f"projet-{invoice.pk}.pdf"
    _invoice, arabic = _pdf(world["invoice_draft_a"], language="ar")
    assert "مسودة" in unicodedata.normalize("NFKC", pdf_text(arabic))


def test_a_credit_note_names_the_invoice_it_corrects(world, staff):
    with scopes_disabled():
        invoice = Invoice.objects.get(pk=world["invoice_a"])
        note = actions.credit_note_issue(actor=staff, invoice=invoice, reason="Bureau libéré en octobre")
    note, data = _pdf(note.pk)
    text = pdf_text(data).replace("\n", " ")
    assert note.number in text and invoice.number in text
    assert "Bureau libéré en octobre" in text
    assert "Arrêté le présent avoir à la somme de trois mille six cents dirhams" in text
    assert invoice_filename(note) == f"{note.number}.pdf"


def test_several_vat_rates_have_one_total_each(world, staff, site_a):
    with scopes_disabled():
        startup = Invoice.objects.get(pk=world["invoice_a"]).startup
        draft = actions.invoice_draft_create(
            actor=staff,
            site=site_a,
            startup=startup,
            lines=[
                {"description": "Loyer", "quantity": Decimal("1"), "unit_price": Decimal("1000.00")},
                {
                    "description": "Formation",
                    "quantity": Decimal("2"),
                    "unit_price": Decimal("250.00"),
                    "vat_rate": Decimal("10"),
                },
            ],
        )
        issued = actions.invoice_issue(actor=staff, invoice=draft)
    _note, data = _pdf(issued.pk)
    text = pdf_text(data)
    with translation.override("fr"):
        assert vat_label(Decimal("20")) in text and vat_label(Decimal("10")) in text
    assert f"1{NBSP}750,00" in text  # 1 500 + 200 + 50


def test_the_rib_reads_in_its_four_parts():
    assert rib_text("230780000123456789012345") == f"230{NBSP}780{NBSP}0001234567890123{NBSP}45"
