"""Forms of the yearly declarations: a founder's figures for one fiscal year, and the year
a site manager looks at."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.widgets import CountryPicker

from ..models import Declaration

FIRST_YEAR = 2001  # the network's first site opened in 2001


def last_fiscal_year() -> int:
    """The latest fiscal year that can be declared: the one before the current year."""
    return timezone.localdate().year - 1


def declarable_years() -> list[int]:
    return list(range(last_fiscal_year(), FIRST_YEAR - 1, -1))


class DeclarationForm(forms.ModelForm):
    """The model's clean() refuses the current year and exports above revenue; the country
    list comes from django_countries (names in the active language), shown as checkboxes
    with a filter (core.widgets.CountryPicker); the field checks the codes posted."""

    class Meta:
        model = Declaration
        fields = [
            "fiscal_year",
            "direct_jobs",
            "indirect_jobs",
            "revenue_mad",
            "export_revenue_mad",
            "export_countries",
            "funds_raised_mad",
        ]
        help_texts = {
            "fiscal_year": _("A fiscal year can be declared once it is over."),
            "direct_jobs": _("People employed by the startup at the end of the year."),
            "indirect_jobs": _("Freelancers, subcontractors and other jobs the startup sustains."),
            "export_revenue_mad": _("The part of the revenue invoiced abroad; at most the total revenue."),
            "export_countries": _("Tick each country the startup invoiced during the year, if any."),
        }
        widgets = {"export_countries": CountryPicker}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        year = self.fields["fiscal_year"]
        year.widget = forms.NumberInput(attrs={"min": FIRST_YEAR, "max": last_fiscal_year(), "step": 1})
        for name in ("revenue_mad", "export_revenue_mad", "funds_raised_mad"):
            self.fields[name].widget.attrs.update({"min": 0, "step": "0.01", "inputmode": "decimal"})
        for name in ("direct_jobs", "indirect_jobs"):
            self.fields[name].widget.attrs.update({"min": 0, "inputmode": "numeric"})
        for name, field in self.fields.items():
            if field.widget.use_fieldset:  # the template's fieldset points to the help text
                continue
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = css
            if field.help_text:
                field.widget.attrs["aria-describedby"] = f"id_{name}_helptext"


class DeclarationYearForm(forms.Form):
    """The fiscal year shown on the site's declarations page; anything invalid → last year."""

    MISSING, DECLARED, CHECK_INS = "missing", "declared", "check_ins"

    year = forms.TypedChoiceField(label=_("Fiscal year"), coerce=int, required=False)
    status = forms.ChoiceField(
        choices=[(MISSING, _("Not declared yet")), (DECLARED, _("Declared")), (CHECK_INS, _("Check-in answers"))],
        required=False,
        widget=forms.HiddenInput,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(year, str(year)) for year in declarable_years()]
        self.fields["year"].widget.attrs["class"] = "form-select"

    def _valid(self, name):
        self.is_valid()  # the fields that are valid land in cleaned_data, the others are ignored
        return getattr(self, "cleaned_data", {}).get(name)

    @property
    def chosen_year(self) -> int:
        return self._valid("year") or last_fiscal_year()

    @property
    def chosen_status(self) -> str:
        return self._valid("status") or self.MISSING
