"""Invoicing documents as files (issue 21): an invoice's or a credit note's PDF, for the site's
staff (`/manage/<site_slug>/…`: the middleware checks they work there and opens the site's
scope; `read`, the default for GET, is enough) and for the team of the invoiced startup
(`/me/…`: found among the user's own startups' issued documents, at any site; a draft is the
404 of a missing one), and a site's sales journal of a month (CSV or XLSX) for the accountant."""

import datetime

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from sites.scoping import site_scope

from ..exports import sales_journal_response
from ..models import Invoice
from ..pdf import PDF_CONTENT_TYPE, invoice_filename, invoice_pdf
from ..selectors.founder import document_of_user

LANGUAGES = {code for code, _name in settings.LANGUAGES}
FORMATS = ("csv", "xlsx")


def _pdf_response(invoice: Invoice, *, language: str | None) -> HttpResponse:
    response = HttpResponse(invoice_pdf(invoice, language=language), content_type=PDF_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{invoice_filename(invoice)}"'
    return response


def _language(request) -> str | None:
    """`?lang=fr|ar|en`: the document in that language; otherwise (or unknown) its own."""
    language = request.GET.get("lang")
    return language if language in LANGUAGES else None


@login_required
def invoice_pdf_view(request, site_slug, pk):
    invoice = get_object_or_404(
        Invoice.objects.select_related("site", "startup", "corrects").prefetch_related("lines"), pk=pk
    )
    return _pdf_response(invoice, language=_language(request))


@login_required
def my_invoice_pdf(request, pk):
    invoice = document_of_user(request.user, pk)  # the user's startups' only, never a draft
    with site_scope(invoice.site):  # the user's own document (found above), at its site
        return _pdf_response(invoice, language=_language(request))


def _month(value: str | None) -> datetime.date | None:
    if not value:
        return timezone.localdate().replace(day=1)
    try:
        return datetime.datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        return None


@login_required
def sales_journal(request, site_slug):
    """`?month=YYYY-MM` (this month by default) `&format=csv|xlsx` (CSV by default)."""
    month = _month(request.GET.get("month"))
    file_format = request.GET.get("format", "csv")
    if month is None or file_format not in FORMATS:
        return HttpResponseBadRequest(_("Give a month as YYYY-MM and a format, csv or xlsx."))
    return sales_journal_response(site=request.site, month=month, file_format=file_format)


urlpatterns = [
    path("manage/<slug:site_slug>/invoices/journal/", sales_journal, name="sales_journal"),
    path("manage/<slug:site_slug>/invoices/<int:pk>/pdf/", invoice_pdf_view, name="invoice_pdf"),
    path("me/invoices/<int:pk>/pdf/", my_invoice_pdf, name="my_invoice_pdf"),
]
