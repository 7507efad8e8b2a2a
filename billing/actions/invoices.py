"""Every write of invoicing (issue 21): drafts and their lines, issuing with a gapless number,
credit notes, payments. Each is atomic and audited.

Gapless numbers: issuing locks the series' row (`NumberSequence`: one per site, kind and
year) and takes the next number in the same transaction that issues the document, so a
rolled-back issue gives its number back and two managers issuing at once queue; the unique
constraints on the number and on (site, kind, year, sequence) are the last word."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import AuditEntry, audit_record, instance_values
from core.errors import Conflict
from core.locking import lock_row

from ..models import DocumentKind, Invoice, InvoiceLine, InvoiceStatus, NumberSequence, Payment, PaymentMethod
from ..selectors.documents import invoice_balance, invoice_buyer, invoice_totals, site_issuer

CREDIT_NOTE_CODE = "AV"  # "avoir": CAS-AV-2026-00003


def document_number(*, prefix: str, kind: str, year: int, sequence: int) -> str:
    middle = f"{CREDIT_NOTE_CODE}-" if kind == DocumentKind.CREDIT_NOTE else ""
    return f"{prefix}-{middle}{year}-{sequence:05d}"


def _next_sequence(*, site_id: int, kind: str, year: int) -> int:
    """The series' next number, its row locked until the transaction ends."""
    try:
        with transaction.atomic():
            NumberSequence.objects.get_or_create(site_id=site_id, kind=kind, year=year)
    except IntegrityError:  # created meanwhile by a concurrent issue: it exists now
        pass
    series = NumberSequence.objects.filter(site_id=site_id, kind=kind, year=year).values_list("pk", flat=True).get()
    locked = lock_row(
        NumberSequence.objects.all(),
        series,
        busy_message=_("Another invoice of this site is being issued: please try again in a moment."),
    )
    locked.last += 1
    locked.save(update_fields=["last"])
    return locked.last


def _locked_invoice(invoice: Invoice) -> Invoice:
    return lock_row(
        Invoice.objects.select_related("site", "startup"),
        invoice.pk,
        busy_message=_("This invoice is being changed right now: please try again in a moment."),
    )


# --- Drafts ------------------------------------------------------------------------------
@transaction.atomic
def invoice_draft_create(
    *, actor, site, startup, lines: list[dict], month: datetime.date | None = None, language: str = "fr"
) -> Invoice:
    """A draft invoice with `lines` ({description, quantity, unit_price, vat_rate, source,
    source_ref}); `month`: the billed month of the monthly run (one invoice per startup,
    site and month: a second one is a Conflict)."""
    invoice = Invoice(site=site, startup=startup, month=month, language=language, created_by=actor)
    try:
        with transaction.atomic():
            invoice.save()
    except IntegrityError as error:
        raise Conflict(_("This startup already has an invoice for that month at this site.")) from error
    for position, line in enumerate(lines):
        _line_save(invoice, position, line)
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, instance=invoice)
    return invoice


def _line_save(invoice: Invoice, position: int, data: dict) -> InvoiceLine:
    line = InvoiceLine(invoice=invoice, site_id=invoice.site_id, position=position, **data)
    line.full_clean(exclude=["invoice", "site"])
    line.save()
    return line


@transaction.atomic
def invoice_line_add(*, actor, invoice: Invoice, line: dict) -> InvoiceLine:
    invoice = _locked_invoice(invoice)
    if not invoice.is_draft:
        raise Conflict(_("An issued invoice cannot be changed: correct it with a credit note."))
    saved = _line_save(invoice, invoice.lines.count(), line)
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, instance=saved)
    return saved


@transaction.atomic
def invoice_draft_delete(*, actor, invoice: Invoice) -> None:
    invoice = _locked_invoice(invoice)
    if not invoice.is_draft:
        raise Conflict(_("An issued invoice cannot be deleted: correct it with a credit note."))
    audit_record(
        actor=actor, action=AuditEntry.Action.DELETE, instance=invoice, before=instance_values(invoice), after={}
    )
    invoice.delete()


# --- Issuing -----------------------------------------------------------------------------
@transaction.atomic
def invoice_issue(*, actor, invoice: Invoice, today: datetime.date | None = None) -> Invoice:
    """Give a draft the next number of its site's series for the year and freeze it; its
    due date follows the issuer's payment terms."""
    invoice = _locked_invoice(invoice)
    if not invoice.is_draft:
        raise Conflict(_("This document is already issued."))
    if not invoice.lines.exists():
        raise ValidationError(_("An invoice needs at least one line."))
    issuer = site_issuer(invoice.site_id)
    if issuer is None:
        raise ValidationError(_("Fill in the site's issuer details (legal name, IF, ICE, RC, RIB) before issuing."))
    today = today or timezone.localdate()
    before = instance_values(invoice)
    sequence = _next_sequence(site_id=invoice.site_id, kind=invoice.kind, year=today.year)
    for field, value in invoice_buyer(invoice).items():
        setattr(invoice, field, value)
    invoice.year, invoice.sequence = today.year, sequence
    invoice.number = document_number(prefix=issuer.prefix, kind=invoice.kind, year=today.year, sequence=sequence)
    invoice.status = InvoiceStatus.ISSUED
    invoice.incl_tax = invoice_totals(invoice).incl_tax
    invoice.issued_on = today
    invoice.due_on = today + datetime.timedelta(days=issuer.payment_days)
    invoice.issued_by = actor
    invoice.save()
    audit_record(actor=actor, action=AuditEntry.Action.UPDATE, instance=invoice, before=before)
    return invoice


@transaction.atomic
def credit_note_issue(*, actor, invoice: Invoice, reason: str, today: datetime.date | None = None) -> Invoice:
    """Cancel an issued invoice with a credit note of its whole amount (its own gapless
    series); what was paid stays recorded against the invoice."""
    invoice = _locked_invoice(invoice)
    if invoice.kind != DocumentKind.INVOICE or invoice.status != InvoiceStatus.ISSUED:
        raise Conflict(_("Only an issued invoice can be corrected by a credit note."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the invoice is cancelled: the credit note states it.")})
    note = Invoice.objects.create(
        site_id=invoice.site_id,
        startup_id=invoice.startup_id,
        kind=DocumentKind.CREDIT_NOTE,
        corrects=invoice,
        reason=reason.strip()[:300],
        buyer_address=invoice.buyer_address,
        language=invoice.language,
        created_by=actor,
    )
    for position, line in enumerate(invoice.lines.all()):
        _line_save(
            note,
            position,
            {
                "description": line.description,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
                "vat_rate": line.vat_rate,
                "source": line.source,
            },
        )
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, instance=note)
    note = invoice_issue(actor=actor, invoice=note, today=today)
    before = instance_values(invoice)
    invoice.status = InvoiceStatus.CANCELLED
    invoice.save(update_fields=["status"])
    audit_record(actor=actor, action=AuditEntry.Action.UPDATE, instance=invoice, before=before)
    return note


# --- Payments ----------------------------------------------------------------------------
@transaction.atomic
def payment_record(
    *, actor, invoice: Invoice, amount: Decimal, paid_on: datetime.date, method: str, reference: str = ""
) -> Payment:
    """A transfer, cheque or cash received for an issued invoice; never more than what is
    left to pay (the invoice's row is locked, so two payments recorded at once cannot
    together overpay it)."""
    invoice = _locked_invoice(invoice)
    if invoice.kind != DocumentKind.INVOICE or invoice.status != InvoiceStatus.ISSUED:
        raise ValidationError(_("Payments are recorded against an issued invoice."))
    if not isinstance(amount, Decimal) or amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({"amount_mad": _("Give a positive amount in MAD with at most two decimals.")})
    if method not in PaymentMethod.values:
        raise ValidationError({"method": _("Choose transfer, cheque or cash.")})
    if paid_on > timezone.localdate():
        raise ValidationError({"paid_on": _("A payment cannot be dated in the future.")})
    due = invoice_balance(invoice).due
    if amount > due:
        raise ValidationError(
            {"amount_mad": _("This is more than the %(due)s MAD left to pay on this invoice.") % {"due": due}}
        )
    payment = Payment.objects.create(
        invoice=invoice,
        site_id=invoice.site_id,
        amount=amount,
        paid_on=paid_on,
        method=method,
        reference=reference.strip()[:100],
        recorded_by=actor,
    )
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, instance=payment)
    return payment
