"""Isolation matrix: the invoicing API (`/api/v1/invoices/…`) — issue 21.

`invoice_a` is an issued invoice of founder_a's startup at site A (partly paid): read by that
startup's team, site A's staff (its committee and team too) and head office; elsewhere it is
the 404 of a missing one. Recording a payment is a site manager's or head office's: posted
empty it is a 400 for them (the body is checked once the caller may pay), a 403 for the
founder and site A's read-only roles, who only read it (payments are tested in
tests/billing/test_api.py)."""

from tests.matrix import API_SIGNED_IN, Route

#             anonymous outsider founder_a manager_a manager_b staff
INVOICE_A = (401, 404, 200, 200, 404, 200)
PAY_INVOICE_A = (401, 404, 403, 400, 404, 400)

MATRIX: dict[str, Route] = {
    "api:invoices": Route("/api/v1/invoices/", API_SIGNED_IN),
    "api:invoice": Route("/api/v1/invoices/{invoice_a}/", INVOICE_A),
    "api:invoice_pdf": Route("/api/v1/invoices/{invoice_a}/pdf/", INVOICE_A),
    "api:invoice_payments": Route("/api/v1/invoices/{invoice_a}/payments/", PAY_INVOICE_A, "post"),
}
