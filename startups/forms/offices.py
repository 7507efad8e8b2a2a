"""Forms of the site back-office's offices pages: an office, an allocation, a release."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from ..models import Office, OfficeAllocation
from ..selectors.residents import office_candidates, office_number_taken
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
        start = date_format(admission.starts_on, "SHORT_DATE_FORMAT")
        end = date_format(admission.planned_end_on, "SHORT_DATE_FORMAT") if admission.planned_end_on else "—"
        return f"{admission.startup} ({start} → {end})"


class AllocationForm(StyledForm):
    """Allocate an office to one of the site's residents who can take one
    (`selectors.residents.office_candidates`: this site's residencies, not ended, without
    an office). The page shows the candidates as radio buttons (`offices/_resident_choices.html`,
    searched through `views.offices.office_residents`); the posted id is checked against the
    same queryset, so another site's startup, an e-Technopark member or a startup that
    already has an office is a form error, never an allocation."""

    admission = AdmissionChoiceField(
        label=_("Resident"),
        queryset=None,  # set per site in __init__
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the resident who takes the office."),
            "invalid_choice": _(
                "This startup cannot take an office here: choose one of this site's residents "
                "without an office from the list."
            ),
        },
    )
    starts_on = forms.DateField(label=_("From"), widget=DATE_WIDGET, initial=timezone.localdate)
    ends_on = forms.DateField(
        label=_("Until (excluded)"),
        required=False,
        widget=DATE_WIDGET,
        help_text=_("Leave empty for an allocation until further notice."),
    )

    def __init__(self, *args, site, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["admission"].queryset = office_candidates(site=site)

    def clean(self):
        cleaned = super().clean()
        admission, starts_on, ends_on = cleaned.get("admission"), cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on <= starts_on:
            self.add_error("ends_on", _("The end must come after the start."))
        if admission and starts_on and starts_on < admission.starts_on:
            self.add_error(
                "starts_on",
                _(
                    "The residency of %(startup)s starts on %(date)s: the office is theirs from that day at the earliest."
                )
                % {"startup": admission.startup, "date": date_format(admission.starts_on, "SHORT_DATE_FORMAT")},
            )
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
