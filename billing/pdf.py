"""An invoice or a credit note as an A4 PDF (issue 21): templates/billing/pdf/invoice.html,
rendered by the kernel's `core.pdf.render_pdf` (WeasyPrint, embedded Noto fonts, right to
left in Arabic, no network).

What a Moroccan invoice states: the seller (the site's issuer: legal name, address, IF, ICE,
RC, TP, CNSS), the buyer (name, address, ICE as frozen when issued), the number and dates,
the payment terms with the RIB, the lines, the totals with the VAT per rate, and the total in
words (billing.words) closing it. Every figure arrives written in the document's language
(core.formatting: no-break spaces, never split across lines). A draft has no number: it
carries a "draft, no value" banner and watermark instead.

The caller opens the scope of the invoice's site (its back-office page does; a founder's page
opens `site_scope(invoice.site)` for their own invoice, found beforehand)."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils import translation
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from core import formatting
from core.pdf import PDF_CONTENT_TYPE, render_pdf

from .models import DocumentKind, Invoice
from .money import line_amounts
from .selectors.documents import invoice_totals, site_issuer
from .words import amount_in_words, credit_note_words

__all__ = ["PDF_CONTENT_TYPE", "invoice_filename", "invoice_pdf", "vat_label"]

TEMPLATE = "billing/pdf/invoice.html"
NBSP = formatting.NBSP


def invoice_filename(invoice: Invoice) -> str:
    """ "CAS-2026-00042.pdf"; a draft (no number yet): "projet-17.pdf"."""
    return f"{invoice.number}.pdf" if invoice.number else f"projet-{invoice.pk}.pdf"


def _number(value: Decimal, decimals: int = 2) -> str:
    return formatting.format_number(value, decimals)


def rate_text(rate: Decimal) -> str:
    """A VAT rate as the language writes a percentage: "20 %" (no-break space), "5,5 %"."""
    return _("%(rate)s %%") % {"rate": formatting.format_number(rate, -2)}


def vat_label(rate: Decimal) -> str:
    """ "TVA 20 %": one VAT rate's total."""
    return (_("VAT %(rate)s") % {"rate": rate_text(rate)}).replace(" ", NBSP)


def vat_html(rate: Decimal) -> SafeString:
    """`vat_label` for the PDF: the rate isolated left to right ("% 20" never in Arabic)."""
    rate_html = format_html('<bdi dir="ltr">{}</bdi>', rate_text(rate).replace(" ", NBSP))
    return mark_safe(escape(_("VAT %(rate)s")).replace(" ", NBSP) % {"rate": rate_html})  # noqa: S308


def rib_text(rib: str) -> str:
    """A RIB in its four parts: bank (3), town (3), account (16), key (2)."""
    if len(rib) != 24:
        return rib
    return NBSP.join((rib[:3], rib[3:6], rib[6:22], rib[22:]))


@dataclass(frozen=True)
class Line:
    description: str
    quantity: str
    unit_price: str
    vat_rate: str
    excl_tax: str


def pdf_context(invoice: Invoice) -> dict:
    """What the template shows, in the active language (the document's)."""
    issuer = site_issuer(invoice.site_id)
    lines = list(invoice.lines.all())
    totals = invoice_totals(invoice)
    language = translation.get_language()
    is_credit_note = invoice.kind == DocumentKind.CREDIT_NOTE
    words = credit_note_words if is_credit_note else amount_in_words
    if invoice.is_draft:
        title = _("Draft credit note") if is_credit_note else _("Draft invoice")
    elif is_credit_note:
        title = _("Credit note No. %(number)s") % {"number": invoice.number}
    else:
        title = _("Invoice No. %(number)s") % {"number": invoice.number}
    corrects = invoice.corrects if is_credit_note else None
    payment_terms = ""
    if issuer is not None:
        payment_terms = _("Payment within %(days)s days by bank transfer to the account RIB %(rib)s, %(bank)s.") % {
            "days": issuer.payment_days,
            "rib": rib_text(issuer.rib),
            "bank": issuer.bank_name,
        }
    return {
        "invoice": invoice,
        "issuer": issuer,
        "is_credit_note": is_credit_note,
        "is_draft": invoice.is_draft,
        "title": title,
        "number": invoice.number or "",
        "corrects_number": corrects.number if corrects is not None else "",
        "issued_on": formatting.format_date(invoice.issued_on),
        "due_on": formatting.format_date(invoice.due_on),
        "month": formatting.format_month(invoice.month) if invoice.month else "",
        "payment_terms": payment_terms,
        "lines": [_line(line) for line in lines],
        "excl_tax": formatting.format_amount(totals.excl_tax),
        "vat_rows": [(vat_html(rate), formatting.format_amount(vat)) for rate, vat in totals.vat_by_rate.items()],
        "incl_tax": formatting.format_amount(totals.incl_tax),
        "words": words(totals.incl_tax, language) if totals.incl_tax >= 0 else "",
        # The buyer as the document will state it: frozen at issue, the startup's until then.
        "buyer_name": invoice.buyer_name or invoice.startup.legal_name,
        "buyer_address": invoice.buyer_address,
        "buyer_ice": invoice.buyer_ice or (invoice.startup.ice if invoice.is_draft else ""),
    }


def _line(line) -> Line:
    amounts = line_amounts(quantity=line.quantity, unit_price=line.unit_price, vat_rate=line.vat_rate)
    return Line(
        description=line.description,
        quantity=formatting.format_number(line.quantity, -2),
        unit_price=_number(line.unit_price),
        vat_rate=rate_text(line.vat_rate).replace(" ", NBSP),
        excl_tax=_number(amounts.excl_tax),
    )


def invoice_pdf(invoice: Invoice, *, language: str | None = None) -> bytes:
    """The document as an A4 PDF in `language` (by default the invoice's own)."""
    language = language or invoice.language or "fr"
    with translation.override(language):
        context = pdf_context(invoice)
    return render_pdf(TEMPLATE, context, language=language)
