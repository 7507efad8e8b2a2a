"""Forms of the site back-office's offices pages: an office, an allocation, a release."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import Office, OfficeAllocation
from ..selectors.residents import allocatable_admissions, office_number_taken
from .residents import StyledForm, style_fields

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OfficeForm(forms.ModelForm):
    """Create or edit one of the site's offices. The instance arrives with its site set
    (never from the form). The number is checked against the site's other offices here so
    the manager reads a clear message rather than the database's IntegrityError."""

    class Meta:
        model = Office
        fields = ["number", "floor", "area_m2", "seats", "monthly_rent_mad", "is_active"]
        widgets = {
            "area_m2": forms.NumberInput(attrs={"min": "1", "step": "0.01"}),
            "seats": forms.NumberInput(attrs={"min": "1"}),
            "monthly_rent_mad": forms.NumberInput(attrs={"min": "0", "step": "0.01"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)

    def clean_number(self):
        number = self.cleaned_data["number"].strip()
        if not number:
            raise forms.ValidationError(_("Give the office a number."))
        if office_number_taken(site=self.instance.site, number=number, office_pk=self.instance.pk):
            raise forms.ValidationError(
                _("Office %(number)s already exists at this site: choose another number.") % {"number": number}
            )
        return number

    def clean_area_m2(self):
        area = self.cleaned_data["area_m2"]
        if area is not None and area <= 0:
            raise forms.ValidationError(_("The area must be positive."))
        return area

    def clean_seats(self):
        seats = self.cleaned_data["seats"]
        if seats is not None and seats <= 0:
            raise forms.ValidationError(_("An office has at least one seat."))
        return seats

    def clean_monthly_rent_mad(self):
        rent = self.cleaned_data["monthly_rent_mad"]
        if rent is not None and rent < 0:
            raise forms.ValidationError(_("The rent cannot be negative."))
        return rent


class AdmissionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, admission):
        end = admission.planned_end_on.isoformat() if admission.planned_end_on else "—"
        return f"{admission.startup} ({admission.starts_on.isoformat()} → {end})"


class AllocationForm(StyledForm):
    """Allocate an office to one of the site's active residencies. The choices come from the
    scoped manager and are narrowed to `site` explicitly: another site's admission is
    "not one of the available choices"."""

    admission = AdmissionChoiceField(label=_("Resident"), queryset=None)  # set per site in __init__
    starts_on = forms.DateField(label=_("From"), widget=DATE_WIDGET, initial=timezone.localdate)
    ends_on = forms.DateField(
        label=_("Until (excluded)"),
        required=False,
        widget=DATE_WIDGET,
        help_text=_("Leave empty for an allocation until further notice."),
    )

    def __init__(self, *args, site, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["admission"].queryset = allocatable_admissions(site=site)

    def clean(self):
        cleaned = super().clean()
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on <= starts_on:
            self.add_error("ends_on", _("The end must come after the start."))
        return cleaned


class ReleaseForm(StyledForm):
    """The day the office becomes free again (the allocation's excluded end): today by
    default, or the day after the start for an allocation that has not begun by today
    (`actions.office_release` has the last word)."""

    ends_on = forms.DateField(label=_("Release on"), widget=DATE_WIDGET)

    def __init__(self, *args, allocation: OfficeAllocation, **kwargs):
        super().__init__(*args, **kwargs)
        earliest = allocation.starts_on + datetime.timedelta(days=1)
        self.fields["ends_on"].initial = max(timezone.localdate(), earliest)
        self.fields["ends_on"].widget.attrs["min"] = earliest.isoformat()
