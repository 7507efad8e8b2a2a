"""Forms of the invoicing back-office (issue 21): the list's filters, a draft's new line, a
payment, a credit note's reason, the site's issuer identity, the other charges' filters and
a new charge.

The actions (billing.actions, billing.actions_issuer) decide; these forms only turn what was
typed into values (decimals as the page's language writes them) and carry the actions'
messages back to their fields (`core.forms.add_action_errors`)."""

import datetime
import re
from decimal import Decimal

from django import forms
from django.forms.models import fields_for_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import LocalizedDecimalField, style_fields

from .models import InvoiceStatus, IssuerProfile, PaymentMethod
from .selectors.charges import BILLED, TO_BILL, charge_startups
from .selectors.manage import OVERDUE

# The VAT rates a line may take (percentages), the standard one first. Moroccan rates in 2026;
# could move to settings if head office needs to change them without a release.
BILLING_VAT_RATES = [20, 14, 10, 7, 0]
VAT_CHOICES = [(str(rate), f"{rate} %") for rate in BILLING_VAT_RATES]

MONTH = re.compile(r"^(\d{4})-(\d{2})$")
MAX_QUERY_LENGTH = 100


class MonthField(forms.CharField):
    """A month typed as "2026-11" (`<input type="month">`), cleaned to its first day."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "2026-11"})

    def clean(self, value):
        raw = super().clean(value)
        if not raw:
            return None
        match = MONTH.match(raw)
        try:
            return datetime.date(int(match[1]), int(match[2]), 1)
        except (TypeError, ValueError):  # no match, or month 13
            raise forms.ValidationError(
                _("Give a month as year and month, e.g. 2026-11."), code="invalid_month"
            ) from None


class InvoiceFilterForm(forms.Form):
    """GET filters of the invoices list: an invalid value shows its error and is ignored."""

    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("Any")),
            (InvoiceStatus.DRAFT, _("Draft")),
            (InvoiceStatus.ISSUED, _("Issued")),
            (OVERDUE, _("Overdue")),
            (InvoiceStatus.CANCELLED, _("Cancelled")),
        ],
    )
    month = MonthField(label=_("Month"), required=False)
    q = forms.CharField(label=_("Startup or number"), required=False, max_length=MAX_QUERY_LENGTH)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["type"] = "search"
        style_fields(self, small=True)

    def filters(self) -> dict:
        """The valid filters, as `selectors_manage.invoices_filtered` takes them."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {"status": data.get("status") or "", "month": data.get("month"), "query": data.get("q") or ""}


class LineForm(forms.Form):
    """A new line of a draft invoice."""

    description = forms.CharField(label=_("Description"), max_length=300)
    quantity = LocalizedDecimalField(label=_("Quantity"), max_digits=10, decimal_places=2, initial=Decimal("1"))
    unit_price = LocalizedDecimalField(label=_("Unit price excl. tax (MAD)"), max_digits=14, decimal_places=2)
    vat_rate = forms.TypedChoiceField(
        label=_("VAT rate"),
        coerce=Decimal,
        choices=VAT_CHOICES,
        initial=str(BILLING_VAT_RATES[0]),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "line")
        super().__init__(*args, **kwargs)
        style_fields(self)

    def line(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("description", "quantity", "unit_price", "vat_rate")}


def _this_month() -> str:
    return timezone.localdate().strftime("%Y-%m")


class ChargeFilterForm(forms.Form):
    """GET filters of the other charges' list: an invalid value shows its error and is ignored."""

    month = MonthField(label=_("Month"), required=False)
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("Any")), (TO_BILL, _("To bill")), (BILLED, _("Billed"))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self, small=True)

    def filters(self) -> dict:
        """The valid filters, as `selectors.charges.charges_filtered` takes them."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {"month": data.get("month"), "state": data.get("state") or ""}


class ChargeForm(forms.Form):
    """A charge for one of the site's startups (`charge_startups`: a posted id of another
    site's startup is a form error), billed by the monthly run of its month."""

    startup = forms.ModelChoiceField(
        label=_("Startup"),
        queryset=None,  # the site's, set in __init__
        error_messages={"invalid_choice": _("Choose one of this site's startups from the list.")},
    )
    description = forms.CharField(label=_("Description"), max_length=300)
    quantity = LocalizedDecimalField(label=_("Quantity"), max_digits=10, decimal_places=2, initial=Decimal("1"))
    unit_price = LocalizedDecimalField(label=_("Unit price excl. tax (MAD)"), max_digits=14, decimal_places=2)
    vat_rate = forms.TypedChoiceField(
        label=_("VAT rate"), coerce=Decimal, choices=VAT_CHOICES, initial=str(BILLING_VAT_RATES[0])
    )
    month = MonthField(
        label=_("Month"), initial=_this_month, help_text=_("Billed by this month's run, or the next one if it is done.")
    )

    def __init__(self, *args, site, **kwargs):
        kwargs.setdefault("prefix", "charge")
        super().__init__(*args, **kwargs)
        self.fields["startup"].queryset = charge_startups(site=site)
        style_fields(self)


class PaymentForm(forms.Form):
    """A payment received for an issued invoice."""

    amount = LocalizedDecimalField(label=_("Amount (MAD)"), max_digits=14, decimal_places=2)
    paid_on = forms.DateField(label=_("Paid on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    method = forms.ChoiceField(label=_("Method"), choices=PaymentMethod.choices)
    reference = forms.CharField(
        label=_("Reference"),
        required=False,
        max_length=100,
        help_text=_("The transfer's reference, the cheque's number…"),
    )

    # The action's keys → this form's fields.
    ALIASES = {"amount_mad": "amount"}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "payment")
        kwargs.setdefault("initial", {"paid_on": timezone.localdate(), "method": PaymentMethod.TRANSFER})
        super().__init__(*args, **kwargs)
        style_fields(self)


class CreditNoteForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (stated on the credit note)"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "credit")
        super().__init__(*args, **kwargs)
        style_fields(self)


ISSUER_FIELDS = [
    "legal_name",
    "address",
    "city",
    "if_number",
    "ice",
    "rc",
    "tp",
    "cnss",
    "bank_name",
    "rib",
    "prefix",
    "payment_days",
]


class IssuerForm(forms.Form):
    """The site's legal identity as an issuer. The fields (labels, help texts, lengths) are
    the model's; its validators run in `issuer_save` (full_clean), whose errors land on the
    fields, all at once. The RIB may be typed with spaces between its groups."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(fields_for_model(IssuerProfile, fields=ISSUER_FIELDS))
        model_rib = self.fields["rib"]
        self.fields["rib"] = forms.CharField(
            label=model_rib.label,
            help_text=_("24 digits, key included; spaces between the groups are fine."),
            max_length=40,  # the 24 digits and their spaces
            widget=forms.TextInput(attrs={"inputmode": "numeric", "dir": "ltr", "autocomplete": "off"}),
        )
        for name in ("if_number", "ice", "rc", "tp", "cnss", "prefix"):
            self.fields[name].widget.attrs["dir"] = "ltr"
        style_fields(self)

    @staticmethod
    def initial_from(issuer: IssuerProfile | None) -> dict:
        if issuer is None:
            return {"payment_days": 30}
        return {name: getattr(issuer, name) for name in ISSUER_FIELDS}
