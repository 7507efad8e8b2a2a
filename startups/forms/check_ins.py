"""The yearly alumni check-in's form: a few questions a founder answers on a phone, without
signing in (startups.views.check_ins). What goes with what (a closing date only when the
startup stopped, no jobs then, a revenue band when it is active) is the model's clean(),
whose messages land on their fields."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import LocalizedDecimalField, style_fields

from ..models import AlumniCheckIn, Declaration, RevenueBand

YES, NO = "yes", "no"


class CheckInForm(forms.ModelForm):
    still_active = forms.TypedChoiceField(
        label=_("Is the startup still active?"),
        choices=[(YES, _("Yes, it is still active")), (NO, _("No, it has stopped its activity"))],
        coerce=lambda value: value == YES,
        empty_value=None,
        widget=forms.RadioSelect,
        error_messages={"required": _("Tell us whether the startup is still active.")},
    )
    revenue_band = forms.ChoiceField(
        label=_("Revenue of the year"), choices=RevenueBand.choices, required=False, widget=forms.RadioSelect
    )
    funds_raised_mad = LocalizedDecimalField(
        label=_("Funds raised during the year (MAD)"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        help_text=_("Equity, loans, grants and prizes received during the year; 0 if none."),
    )

    class Meta:
        model = AlumniCheckIn
        fields = [
            "still_active",
            "closed_on",
            "direct_jobs",
            "indirect_jobs",
            "revenue_band",
            "funds_raised_mad",
            "city",
            "country",
        ]
        labels = {
            "closed_on": _("If it has stopped: on which date?"),
            "direct_jobs": _("Direct jobs at the end of the year"),
            "indirect_jobs": _("Indirect jobs at the end of the year"),
            "city": _("City where the startup is now"),
            "country": _("Country where the startup is now"),
        }
        help_texts = {
            "closed_on": _("Leave it empty if the startup is still active."),
            "direct_jobs": _("People employed by the startup, founders included."),
            "indirect_jobs": _("Freelancers, subcontractors and other jobs the startup sustains."),
        }
        widgets = {"closed_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, declaration: Declaration | None = None, **kwargs):
        """A first answer starts from the year's declaration, if there is one (its jobs and
        funds), in Morocco; an answer given already is shown as it was given."""
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["still_active"] = YES if self.instance.still_active else NO
        else:
            self.initial.pop("still_active", None)
            self.initial["country"] = "MA"
            if declaration is not None:
                self.initial.update(
                    direct_jobs=declaration.direct_jobs,
                    indirect_jobs=declaration.indirect_jobs,
                    funds_raised_mad=declaration.funds_raised_mad,
                )
        for name in ("direct_jobs", "indirect_jobs"):
            self.fields[name].required = False  # empty means none
            self.fields[name].widget.attrs.update({"min": 0, "inputmode": "numeric"})
        self.fields["city"].widget.attrs["autocomplete"] = "address-level2"
        style_fields(self)
        for name, field in self.fields.items():
            if field.help_text:
                field.widget.attrs["aria-describedby"] = f"id_{name}_helptext"

    def clean_direct_jobs(self):
        return self.cleaned_data.get("direct_jobs") or 0

    def clean_indirect_jobs(self):
        return self.cleaned_data.get("indirect_jobs") or 0

    def clean_funds_raised_mad(self):
        return self.cleaned_data.get("funds_raised_mad") or Decimal(0)
