"""Reads of invoicing, imported by topic: a document's figures (`documents`), what a startup
owes for a month (`owed`), the back-office's lists and ageing (`manage`), a founder's
invoices and statement (`founder`), the API's (`api`)."""
