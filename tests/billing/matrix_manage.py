"""Isolation matrix: a site's invoices in its back-office (issue 21).

Under /manage/site-a/invoices/: site A's manager and head office get in, everybody else gets
the 404 of a site that does not exist (anonymous visitors are sent to sign in). Everyone at
the site reads the list, the documents and the ageing; the issuer form needs `manage` even to
open. The writes are POSTs, posted empty: adding a line to `invoice_draft_a`, recording a
payment or a credit note on `invoice_a` re-render the document with the form's errors (200);
issuing and deleting `invoice_draft_a` do it and redirect; "issue all" without a month says
so and goes back to the list (302). The other charges: the list is read by everyone at the
site; adding one posted empty re-renders the list with the form's errors (200); deleting the
unbilled `invoice_charge_a` does it and goes back to the list (302). Site A's read-only roles
get 403 on every POST."""

from tests.matrix import SITE_A, Route

#                  anonymous outsider founder_a manager_a manager_b staff
SITE_A_REDIRECT = (302, 404, 404, 302, 404, 302)
INVOICES = "/manage/site-a/invoices/"

MATRIX: dict[str, Route] = {
    "billing:invoice_list": Route(INVOICES, SITE_A),
    "billing:invoice_detail": Route(INVOICES + "{invoice_a}/", SITE_A),
    "billing:issuer": Route(INVOICES + "issuer/", SITE_A, action="manage"),
    "billing:ageing": Route(INVOICES + "ageing/", SITE_A),
    "billing:invoice_issue_all": Route(INVOICES + "issue-all/", SITE_A_REDIRECT, "post"),
    "billing:invoice_line_add": Route(INVOICES + "{invoice_draft_a}/lines/", SITE_A, "post"),
    "billing:invoice_delete": Route(INVOICES + "{invoice_draft_a}/delete/", SITE_A_REDIRECT, "post"),
    "billing:invoice_issue": Route(INVOICES + "{invoice_draft_a}/issue/", SITE_A_REDIRECT, "post"),
    "billing:invoice_payment": Route(INVOICES + "{invoice_a}/payments/", SITE_A, "post"),
    "billing:invoice_credit_note": Route(INVOICES + "{invoice_a}/credit-note/", SITE_A, "post"),
    "billing:charge_list": Route(INVOICES + "charges/", SITE_A),
    "billing:charge_add": Route(INVOICES + "charges/add/", SITE_A, "post"),
    "billing:charge_delete": Route(INVOICES + "charges/{invoice_charge_a}/delete/", SITE_A_REDIRECT, "post"),
}
