"""Every write of invoicing, by area: documents, numbers and payments (`invoices`), the site's
issuer identity (`issuer`), the monthly run and its charges (`run`), deleting a charge
(`charges`). Callers write `actions.invoice_issue(…)`."""

from .charges import charge_delete
from .invoices import (
    credit_note_issue,
    document_number,
    invoice_draft_create,
    invoice_draft_delete,
    invoice_issue,
    invoice_line_add,
    payment_record,
)
from .issuer import issuer_save
from .run import charge_add, drafts_issue_all, monthly_run

__all__ = [
    "charge_add",
    "charge_delete",
    "credit_note_issue",
    "document_number",
    "drafts_issue_all",
    "invoice_draft_create",
    "invoice_draft_delete",
    "invoice_issue",
    "invoice_line_add",
    "issuer_save",
    "monthly_run",
    "payment_record",
]
