"""Isolation matrix: invoicing documents as files and a founder's invoices (issue 21,
billing/views/documents.py and billing/views/founder.py).

`invoice_a` is site A's issued invoice to founder_a's startup; `invoice_draft_a` a draft of
it. A site's staff download any document of their site (head office of any), and its sales
journal; a document under `/me/` is found only by its startup's team (a draft never: the
404 of a missing one, tests/billing/test_founder_pages.py), everybody else gets that 404. A
startup's statement of account is its team's; the list of one's invoices is everyone's own
(empty for whoever has none)."""

from tests.matrix import SIGNED_IN, SITE_A, Route

#          anonymous outsider founder_a manager_a manager_b staff
TEAM_ONLY = (302, 404, 200, 404, 404, 404)

MATRIX: dict[str, Route] = {
    "billing:invoice_pdf": Route("/manage/site-a/invoices/{invoice_a}/pdf/", SITE_A),
    "billing:sales_journal": Route("/manage/site-a/invoices/journal/?format=xlsx", SITE_A),
    "billing:my_invoices": Route("/me/invoices/", SIGNED_IN),
    "billing:my_invoice_pdf": Route("/me/invoices/{invoice_a}/pdf/", TEAM_ONLY),
    "billing:my_statement": Route("/me/invoices/statement/?startup={startup_a}", TEAM_ONLY),
}
