"""REST API of invoicing (issue 21): the invoices and credit notes a caller may read, one with
its lines and figures, its PDF, and recording a payment.

Founders read their startups' issued documents (never a draft); site staff every document
of their sites, drafts included; head office every site's (`selectors_api.invoices_visible_to`,
built network-wide on the caller's own condition). Amounts are strings with two decimals,
in MAD. Recording a payment is a site manager's (or head office's) write, run in the
invoice's site scope through `billing.actions.payment_record`: a founder or a read-only site
role gets 403, an overpayment, a bad amount or date a 400 naming the field."""

import datetime

from django.conf import settings
from django.http import HttpResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django_filters.rest_framework import FilterSet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, renderers, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import error_responses
from core.filters import Param, query_params
from core.serializers import AmountField, IdField, id_parameter, read_only_choice, validated
from sites.roles import SiteAction, site_permission
from sites.scoping import site_scope

from .actions.invoices import payment_record
from .models import DocumentKind, Invoice, InvoiceStatus, Payment, PaymentMethod
from .money import line_amounts
from .selectors.api import OVERDUE, api_status, invoice_figures, invoices_overdue, invoices_visible_to, month_q

MONTH_PATTERN = r"^[1-9][0-9]{3}-(0[1-9]|1[0-2])$"
STATUS_CHOICES = [*InvoiceStatus.choices, (OVERDUE, "Overdue")]


def _money(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True, **kwargs)


class InvoiceLineSerializer(serializers.Serializer):
    description = serializers.CharField(read_only=True)
    quantity = _money()
    unit_price = _money(help_text="Excluding tax, in MAD.")
    vat_rate = _money(help_text="A percentage: 20.00 for 20 %.")
    total_excl_tax = _money(help_text="Quantity × unit price, to the centime.")


class VatSerializer(serializers.Serializer):
    rate = _money(help_text="A percentage.")
    amount = _money(help_text="The VAT at that rate, rounded once on the rate's total.")


class InvoiceSerializer(serializers.Serializer):
    """Read from an invoice fetched by `invoices_visible_to` (lines, payments and credit
    notes along): no query of its own."""

    id = serializers.IntegerField(read_only=True)
    number = serializers.CharField(read_only=True, allow_null=True, help_text="None while a draft.")
    kind = read_only_choice(DocumentKind.choices)
    status = read_only_choice(
        STATUS_CHOICES, help_text="`overdue`: issued, past its due date and not fully paid; else as stored."
    )
    site = serializers.SlugField(read_only=True, help_text="The issuing site's slug.")
    startup = serializers.IntegerField(read_only=True)
    startup_name = serializers.CharField(read_only=True)
    corrects = serializers.IntegerField(read_only=True, allow_null=True, help_text="A credit note's invoice.")
    issued_on = serializers.DateField(read_only=True, allow_null=True)
    due_on = serializers.DateField(read_only=True, allow_null=True)
    month = serializers.CharField(
        read_only=True, allow_null=True, help_text="The billed month (YYYY-MM) of a monthly invoice."
    )
    lines = InvoiceLineSerializer(many=True, read_only=True)
    total_excl_tax = _money()
    vat = VatSerializer(many=True, read_only=True, help_text="The VAT per rate, by rate.")
    total_incl_tax = _money()
    paid_mad = _money(help_text="The payments recorded (0.00 for a credit note).")
    balance_mad = _money(
        help_text="Left to pay: incl. tax − paid − credited (0.00 for a credit note; below 0, owed back)."
    )

    def to_representation(self, invoice: Invoice):
        figures = invoice_figures(invoice, today=self.context.get("today") or timezone.localdate())
        data = {
            "id": invoice.pk,
            "number": invoice.number,
            "kind": invoice.kind,
            "status": api_status(invoice, figures),
            "site": invoice.site.slug,
            "startup": invoice.startup_id,
            "startup_name": str(invoice.startup),
            "corrects": invoice.corrects_id,
            "issued_on": invoice.issued_on,
            "due_on": invoice.due_on,
            "month": invoice.month.strftime("%Y-%m") if invoice.month else None,
            "lines": [
                {
                    "description": line.description,
                    "quantity": line.quantity,
                    "unit_price": line.unit_price,
                    "vat_rate": line.vat_rate,
                    "total_excl_tax": line_amounts(
                        quantity=line.quantity, unit_price=line.unit_price, vat_rate=line.vat_rate
                    ).excl_tax,
                }
                for line in invoice.lines.all()
            ],
            "total_excl_tax": figures.totals.excl_tax,
            "vat": [{"rate": rate, "amount": amount} for rate, amount in figures.totals.vat_by_rate.items()],
            "total_incl_tax": figures.totals.incl_tax,
            "paid_mad": figures.paid,
            "balance_mad": figures.due,
        }
        return super().to_representation(data)


class MonthField(serializers.RegexField):
    """`2026-11` → the month's first day."""

    def __init__(self, **kwargs):
        super().__init__(MONTH_PATTERN, max_length=7, **kwargs)

    def run_validation(self, data=serializers.empty):
        value = super().run_validation(data)  # the pattern and the length checked on the text
        return datetime.date(int(value[:4]), int(value[5:]), 1)


class InvoiceFilterSet(FilterSet):
    site = Param(serializers.SlugField(max_length=50, help_text="A site's slug."), field_name="site__slug")
    startup = Param(IdField(help_text="A startup's id."))
    status = Param(
        serializers.ChoiceField(
            choices=STATUS_CHOICES, help_text="`issued` leaves out the overdue ones, as the `status` field does."
        ),
        method="filter_status",
    )
    month = Param(MonthField(help_text="YYYY-MM: the billed month, else the month of issue."), method="filter_month")

    def filter_status(self, invoices, name, value):
        if value == OVERDUE:
            return invoices.filter(pk__in=invoices_overdue(invoices, today=timezone.localdate()))
        invoices = invoices.filter(status=value)
        if value == InvoiceStatus.ISSUED:
            invoices = invoices.exclude(pk__in=invoices_overdue(invoices, today=timezone.localdate()))
        return invoices

    def filter_month(self, invoices, name, value):
        return invoices.filter(month_q(value))


@extend_schema(tags=["invoices"], responses={200: InvoiceSerializer, **error_responses(400, 401)})
class InvoiceList(generics.ListAPIView):
    """The invoices and credit notes you may read: your startups' issued ones, and for site
    staff every one of their sites, drafts included (every site for head office); the
    latest first. Amounts in MAD, as strings with two decimals."""

    serializer_class = InvoiceSerializer
    filterset_class = InvoiceFilterSet

    def get_queryset(self):
        return invoices_visible_to(self.request.user).order_by("-issued_on", "-sequence", "-pk")


def _invoice_or_404(user, pk: int) -> Invoice:
    invoice = invoices_visible_to(user).filter(pk=pk).first()
    if invoice is None:
        raise exceptions.NotFound()
    return invoice


@extend_schema(
    tags=["invoices"],
    parameters=[id_parameter("An invoice")],
    responses={200: InvoiceSerializer, **error_responses(401, 404)},
)
class InvoiceDetail(APIView):
    """One invoice or credit note you may read, with its lines, its VAT per rate, what was
    paid and what is left to pay."""

    def get(self, request, pk: int):
        return Response(InvoiceSerializer(_invoice_or_404(request.user, pk)).data)


class PaymentCreateSerializer(serializers.Serializer):
    amount_mad = AmountField(help_text="In MAD, at most what is left to pay, e.g. `1500.00`.")
    paid_on = serializers.DateField(help_text="The day it was received (not in the future).")
    method = serializers.ChoiceField(choices=PaymentMethod.choices)
    reference = serializers.CharField(
        required=False, allow_blank=True, max_length=100, help_text="The transfer's or cheque's reference."
    )


class PaymentSerializer(serializers.ModelSerializer):
    amount_mad = serializers.DecimalField(source="amount", max_digits=14, decimal_places=2, read_only=True)
    method = read_only_choice(PaymentMethod.choices)

    class Meta:
        model = Payment
        fields = ["id", "invoice", "amount_mad", "paid_on", "method", "reference"]
        read_only_fields = fields


@extend_schema(
    tags=["invoices"],
    parameters=[id_parameter("An invoice")],
    request=PaymentCreateSerializer,
    # 400: a bad amount or date, more than is left to pay, a draft or cancelled invoice;
    # 403: you only read it (a founder, a site's committee or team); 404: not yours.
    responses={201: PaymentSerializer, **error_responses(400, 401, 403, 404)},
)
class InvoicePayments(APIView):
    """Record a payment received for an issued invoice (a site manager's or head office's):
    a transfer, a cheque or cash, never more than what is left to pay."""

    def post(self, request, pk: int):
        invoice = _invoice_or_404(request.user, pk)
        if not site_permission(request.user, invoice.site_id, SiteAction.MANAGE, request=request):
            raise exceptions.PermissionDenied(_("Only the site's managers record payments."))
        data = validated(PaymentCreateSerializer, request.data)
        with site_scope(invoice.site):  # the payment concerns the invoice's site alone
            payment = payment_record(
                actor=request.user,
                invoice=invoice,
                amount=data["amount_mad"],
                paid_on=data["paid_on"],
                method=data["method"],
                reference=data.get("reference", ""),
            )
        return Response(PaymentSerializer(payment).data, status=status.HTTP_201_CREATED)


class PdfQuerySerializer(serializers.Serializer):
    lang = serializers.ChoiceField(
        choices=[code for code, _name in settings.LANGUAGES],
        required=False,
        help_text="The document's language; by default the one it was issued in.",
    )


@extend_schema(
    tags=["invoices"],
    parameters=[
        id_parameter("An invoice"),
        OpenApiParameter(
            "lang",
            str,
            enum=[code for code, _name in settings.LANGUAGES],
            description="The document's language (fr, ar or en); by default the one it was issued in.",
        ),
    ],
    responses={(200, "application/pdf"): OpenApiTypes.BINARY, **error_responses(400, 401, 404)},
)
class InvoicePdf(APIView):
    """One invoice or credit note you may read, as the A4 PDF the site issued (a draft
    carries a "draft" banner), in its language or the one `lang` asks for."""

    renderer_classes = [renderers.JSONRenderer]  # errors; the PDF itself is a plain HttpResponse

    def get(self, request, pk: int):
        from .pdf import PDF_CONTENT_TYPE, invoice_filename, invoice_pdf  # WeasyPrint is loaded when a PDF is made

        invoice = _invoice_or_404(request.user, pk)
        language = query_params(request, PdfQuerySerializer).get("lang")
        with site_scope(invoice.site):  # the document concerns its site alone
            content = invoice_pdf(invoice, language=language)
        response = HttpResponse(content, content_type=PDF_CONTENT_TYPE)
        response["Content-Disposition"] = f'inline; filename="{invoice_filename(invoice)}"'
        return response

    def perform_content_negotiation(self, request, force=False):
        """`Accept: application/pdf` is no 406: the PDF is the answer, an error is JSON."""
        return renderers.JSONRenderer(), renderers.JSONRenderer.media_type


# Mounted under /api/v1/ (namespace "api") by technopark/urls.py.
api_urlpatterns = [
    path("invoices/", InvoiceList.as_view(), name="invoices"),
    path("invoices/<int:pk>/", InvoiceDetail.as_view(), name="invoice"),
    path("invoices/<int:pk>/pdf/", InvoicePdf.as_view(), name="invoice_pdf"),
    path("invoices/<int:pk>/payments/", InvoicePayments.as_view(), name="invoice_payments"),
]
