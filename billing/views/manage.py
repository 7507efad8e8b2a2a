"""Site back-office of invoicing (issue 21): a site's invoices and credit notes, one document
with its writes, the site's issuer identity, the arrears' ageing.

Routes live under `/manage/<site_slug>/invoices/` (scoped by `SiteScopeMiddleware`): an
invoice looked up by id is only found at this site, so another site's is a 404. Everyone who
works at the site reads the list, the documents and the ageing; the writes are the managers'
and head office's (the middleware refuses other roles' POSTs: `sites.roles`), and the issuer
form is theirs even to open (`@site_action(MANAGE)`).

- `invoices/`: filters (status, month, startup or number), the filtered rows' totals, 50 a
  page; "Issue all drafts of <month>" for each month that has drafts (`issue-all/`, POST:
  `billing.actions_run.drafts_issue_all`, all or none).
- `invoices/<pk>/`: the document as it reads (seller, buyer, lines, VAT per rate, total in
  words, payments, balance). A draft takes new lines, is deleted or issued; an issued
  invoice records payments or is cancelled by a credit note. Each write is a POST to its own
  URL that goes back to the document (POST, redirect, GET); a form's errors re-render the
  document with the values typed. Their GET (a reload, a language switch) shows the document.
- `invoices/issuer/`: the site's issuer (legal name, IF, ICE, RC, TP, CNSS, bank, RIB…).
- `invoices/ageing/`: what each startup owes, by how late.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.errors import Conflict
from core.forms import add_action_errors
from sites.roles import MANAGE, can, site_action

from .. import actions
from ..actions.issuer import issuer_save
from ..actions.run import drafts_issue_all
from ..forms import CreditNoteForm, InvoiceFilterForm, IssuerForm, LineForm, MonthField, PaymentForm
from ..models import DocumentKind, Invoice, InvoiceStatus
from ..money import line_amounts
from ..selectors import manage as selectors
from ..selectors.documents import Balance, invoice_buyer, invoice_totals, site_issuer
from ..words import amount_in_words, credit_note_words

PAGE_SIZE = 50


# --- The list ----------------------------------------------------------------------------
def _badge(invoice: Invoice, figures: selectors.Amounts | None, today) -> str:
    if invoice.kind == DocumentKind.CREDIT_NOTE:
        return "credit_note"
    if figures is not None and figures.is_overdue(today):
        return "overdue"
    return invoice.status


@login_required
def invoice_list(request, site_slug):
    today = timezone.localdate()
    form = InvoiceFilterForm(request.GET or None)
    filters = form.filters()
    invoices, amounts = selectors.invoices_filtered(**filters, today=today)
    page = Paginator(invoices, PAGE_SIZE).get_page(request.GET.get("page"))
    for invoice in page:
        invoice.figures = amounts.get(invoice.pk)
        invoice.badge = _badge(invoice, invoice.figures, today)
        invoice.billed_month = invoice.month or invoice.issued_on
    return render(
        request,
        "billing/manage/list.html",
        {
            "site": request.site,
            "form": form,
            "page": page,
            "totals": selectors.list_totals(amounts, today=today),
            "draft_months": selectors.draft_months(),
            "filtered": any(request.GET.get(name) for name in form.fields),
            "can_manage": can(request, MANAGE),
            "today": today,
        },
    )


def _list_url(request, **query) -> str:
    url = reverse("billing:invoice_list", kwargs={"site_slug": request.site.slug})
    return f"{url}?{'&'.join(f'{key}={value}' for key, value in query.items())}" if query else url


@login_required
def invoice_issue_all(request, site_slug):
    """POST `month=2026-11`: issue the site's drafts of that month, all or none, in the
    order they were created so that their numbers follow it (`drafts_issue_all`); back to
    the list of that month, saying how many or why none."""
    if request.method != "POST":
        return redirect("billing:invoice_list", site_slug=request.site.slug)
    try:
        month = MonthField().clean(request.POST.get("month", ""))
    except ValidationError:
        month = None
    if month is None:
        messages.error(request, _("Choose the month whose drafts are to be issued."))
        return HttpResponseRedirect(_list_url(request))
    try:
        issued = drafts_issue_all(actor=request.user, site=request.site, month=month)
    except ValidationError as error:
        _refused(request, error)
    except Conflict as conflict:
        messages.error(request, conflict.message)
    else:
        if issued:
            count = len(issued)
            messages.success(
                request, ngettext("%(count)s invoice issued.", "%(count)s invoices issued.", count) % {"count": count}
            )
        else:
            messages.info(request, _("No draft left to issue for that month."))
    return HttpResponseRedirect(_list_url(request, month=month.strftime("%Y-%m")))


# --- One document ------------------------------------------------------------------------
def _document(pk: int) -> Invoice:
    return get_object_or_404(selectors.invoice_documents(), pk=pk)  # scoped: another site's is not found


def _in_words(invoice: Invoice, amount) -> str:
    words = credit_note_words if invoice.kind == DocumentKind.CREDIT_NOTE else amount_in_words
    try:
        return words(amount, invoice.language)
    except ValueError:  # beyond what words can say
        return ""


def _detail(request, invoice: Invoice, *, line_form=None, payment_form=None, credit_form=None):
    today = timezone.localdate()
    lines = list(invoice.lines.all())
    for line in lines:
        line.excl_tax = line_amounts(
            quantity=line.quantity, unit_price=line.unit_price, vat_rate=line.vat_rate
        ).excl_tax
    document = invoice_totals(invoice)
    payments = list(invoice.payments.all())
    notes = list(invoice.credit_notes.all())
    balance = Balance(
        document.incl_tax,
        sum((payment.amount for payment in payments), selectors.ZERO),
        sum((invoice_totals(note).incl_tax for note in notes), selectors.ZERO),
    )
    issuer = site_issuer(invoice.site_id)
    can_manage = can(request, MANAGE)
    is_invoice = invoice.kind == DocumentKind.INVOICE
    issued = is_invoice and invoice.status == InvoiceStatus.ISSUED
    next_number = None
    if invoice.is_draft and issuer is not None:
        sequence = selectors.next_number_sequence(site_id=invoice.site_id, kind=invoice.kind, year=today.year)
        next_number = actions.document_number(
            prefix=issuer.prefix, kind=invoice.kind, year=today.year, sequence=sequence
        )
    if can_manage and invoice.is_draft:
        line_form = line_form or LineForm()
    if can_manage and issued:
        payment_form = payment_form or PaymentForm()
        credit_form = credit_form or CreditNoteForm()
    return render(
        request,
        "billing/manage/detail.html",
        {
            "site": request.site,
            "invoice": invoice,
            "is_invoice": is_invoice,
            "issuer": issuer,
            "buyer": {key.removeprefix("buyer_"): value for key, value in invoice_buyer(invoice).items()},
            "lines": lines,
            "totals": document,
            "in_words": _in_words(invoice, document.incl_tax),
            "payments": payments,
            "credit_notes": notes,
            "balance": balance,
            "overdue": issued and invoice.due_on < today and balance.due > 0,
            "next_number": next_number,
            "can_manage": can_manage,
            "can_pay": can_manage and issued and balance.due > 0,
            "line_form": line_form,
            "payment_form": payment_form,
            "credit_form": credit_form,
            "today": today,
        },
    )


def _to_document(invoice: Invoice, anchor: str = ""):
    url = reverse("billing:invoice_detail", kwargs={"site_slug": invoice.site.slug, "pk": invoice.pk})
    return HttpResponseRedirect(f"{url}#{anchor}" if anchor else url)


def _refused(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@login_required
def invoice_detail(request, site_slug, pk):
    return _detail(request, _document(pk))


@login_required
def invoice_line_add(request, site_slug, pk):
    """POST: a new line on a draft, back to it; errors re-render it with the values typed."""
    invoice = _document(pk)
    if request.method != "POST":
        return _to_document(invoice)
    form = LineForm(request.POST)
    if form.is_valid():
        try:
            actions.invoice_line_add(actor=request.user, invoice=invoice, line=form.line())
        except ValidationError as error:
            add_action_errors(form, error)
        except Conflict as conflict:
            messages.error(request, conflict.message)
            return _to_document(invoice)
        else:
            messages.success(request, _("Line added."))
            return _to_document(invoice, "lines")
    return _detail(request, invoice, line_form=form)


@login_required
def invoice_delete(request, site_slug, pk):
    """POST: delete a draft, back to the list."""
    invoice = _document(pk)
    if request.method != "POST":
        return _to_document(invoice)
    try:
        actions.invoice_draft_delete(actor=request.user, invoice=invoice)
    except Conflict as conflict:
        messages.error(request, conflict.message)
        return _to_document(invoice)
    messages.success(request, _("Draft of %(startup)s deleted.") % {"startup": invoice.startup})
    return redirect("billing:invoice_list", site_slug=request.site.slug)


@login_required
def invoice_issue(request, site_slug, pk):
    """POST: issue a draft (it takes the next number of the site's series), back to it."""
    invoice = _document(pk)
    if request.method != "POST":
        return _to_document(invoice)
    try:
        issued = actions.invoice_issue(actor=request.user, invoice=invoice)
    except ValidationError as error:
        _refused(request, error)
    except Conflict as conflict:
        messages.error(request, conflict.message)
    else:
        messages.success(request, _("Invoice issued with the number %(number)s.") % {"number": issued.number})
    return _to_document(invoice)


@login_required
def invoice_payment(request, site_slug, pk):
    """POST: record a payment of an issued invoice, back to it; a refusal (more than what is
    left to pay, a date ahead) re-renders it with the values typed."""
    invoice = _document(pk)
    if request.method != "POST":
        return _to_document(invoice)
    form = PaymentForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.payment_record(
                actor=request.user,
                invoice=invoice,
                amount=data["amount"],
                paid_on=data["paid_on"],
                method=data["method"],
                reference=data["reference"],
            )
        except ValidationError as error:
            add_action_errors(form, error, aliases=PaymentForm.ALIASES)
        except Conflict as conflict:
            messages.error(request, conflict.message)
            return _to_document(invoice)
        else:
            messages.success(request, _("Payment recorded."))
            return _to_document(invoice, "payments")
    return _detail(request, invoice, payment_form=form)


@login_required
def invoice_credit_note(request, site_slug, pk):
    """POST `reason`: cancel an issued invoice with a credit note of its whole amount, then
    show the credit note."""
    invoice = _document(pk)
    if request.method != "POST":
        return _to_document(invoice)
    form = CreditNoteForm(request.POST)
    if form.is_valid():
        try:
            note = actions.credit_note_issue(actor=request.user, invoice=invoice, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_action_errors(form, error)
        except Conflict as conflict:
            messages.error(request, conflict.message)
            return _to_document(invoice)
        else:
            messages.success(
                request,
                _("Invoice %(invoice)s cancelled by the credit note %(note)s.")
                % {"invoice": invoice.number, "note": note.number},
            )
            return _to_document(note)
    return _detail(request, invoice, credit_form=form)


# --- The issuer --------------------------------------------------------------------------
@login_required
@site_action(MANAGE)  # read-only roles do not even open the form
def issuer_edit(request, site_slug):
    issuer = site_issuer(request.site.pk)
    form = IssuerForm(request.POST if request.method == "POST" else None, initial=IssuerForm.initial_from(issuer))
    if form.is_valid():
        try:
            issuer_save(actor=request.user, site=request.site, **form.cleaned_data)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("Issuer details saved."))
            return redirect("billing:invoice_list", site_slug=request.site.slug)
    return render(request, "billing/manage/issuer.html", {"site": request.site, "form": form, "issuer": issuer})


# --- Ageing ------------------------------------------------------------------------------
@login_required
def invoice_ageing(request, site_slug):
    today = timezone.localdate()
    rows, total = selectors.ageing(today=today)
    return render(
        request,
        "billing/manage/ageing.html",
        {"site": request.site, "rows": rows, "total": total, "today": today},
    )


urlpatterns = [
    path("manage/<slug:site_slug>/invoices/", invoice_list, name="invoice_list"),
    path("manage/<slug:site_slug>/invoices/issue-all/", invoice_issue_all, name="invoice_issue_all"),
    path("manage/<slug:site_slug>/invoices/issuer/", issuer_edit, name="issuer"),
    path("manage/<slug:site_slug>/invoices/ageing/", invoice_ageing, name="ageing"),
    path("manage/<slug:site_slug>/invoices/<int:pk>/", invoice_detail, name="invoice_detail"),
    path("manage/<slug:site_slug>/invoices/<int:pk>/lines/", invoice_line_add, name="invoice_line_add"),
    path("manage/<slug:site_slug>/invoices/<int:pk>/delete/", invoice_delete, name="invoice_delete"),
    path("manage/<slug:site_slug>/invoices/<int:pk>/issue/", invoice_issue, name="invoice_issue"),
    path("manage/<slug:site_slug>/invoices/<int:pk>/payments/", invoice_payment, name="invoice_payment"),
    path("manage/<slug:site_slug>/invoices/<int:pk>/credit-note/", invoice_credit_note, name="invoice_credit_note"),
]
