"""A founder's invoices (issue 21): the issued invoices and credit notes of the user's
startups, at any site (newest first, 25 a page, with what is paid and left to pay), and a
startup's statement of account per site. Read through billing.selectors_founder (filtered
on the user's teams explicitly); drafts are never shown."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from ..selectors.founder import document_rows, issued_documents_of_user, startup_statement, startups_of_user

PAGE_SIZE = 25


@login_required
def my_invoices(request):
    page = Paginator(issued_documents_of_user(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = [(row, row.state(today)) for row in document_rows(page.object_list)]
    startups = startups_of_user(request.user)
    return render(request, "billing/founder/my_invoices.html", {"page": page, "rows": rows, "startups": startups})


def _startup_id(request, startups) -> int | None:
    """`?startup=<id>`; the user's only startup when not given; 404 for one not theirs."""
    value = request.GET.get("startup")
    if not value:
        return startups[0].pk if startups else None
    try:
        startup_id = int(value)
    except ValueError:
        raise Http404 from None
    if startup_id not in {startup.pk for startup in startups}:
        raise Http404
    return startup_id


@login_required
def my_statement(request):
    startups = startups_of_user(request.user)
    startup_id = _startup_id(request, startups)
    statements = startup_statement(request.user, startup_id) if startup_id else []
    return render(
        request,
        "billing/founder/statement.html",
        {
            "startups": startups,
            "startup": next((startup for startup in startups if startup.pk == startup_id), None),
            "statements": statements,
        },
    )


urlpatterns = [
    path("me/invoices/", my_invoices, name="my_invoices"),
    path("me/invoices/statement/", my_statement, name="my_statement"),
]
