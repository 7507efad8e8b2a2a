"""Forms of the founder's startup profile and team."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from sites.selectors import sector_choices

from ..models import Startup, TeamRole
from . import MoroccanPhoneField


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class StartupForm(forms.ModelForm):
    website = forms.URLField(label=_("Website"), required=False, max_length=200, assume_scheme="https")
    contact_phone = MoroccanPhoneField(label=_("Contact phone"))
    ice = forms.CharField(
        label=_("ICE"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        help_text=_("Common Company Identifier: 15 digits."),
    )
    sectors = forms.ModelMultipleChoiceField(
        label=_("Sectors"), queryset=sector_choices(), required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Startup
        fields = [
            "legal_name",
            "brand_name",
            "ice",
            "rc_number",
            "legal_form",
            "founded_on",
            "closed_on",
            "sectors",
            "stage",
            "description",
            "website",
            "logo",
            "contact_email",
            "contact_phone",
        ]
        widgets = {
            "founded_on": DateInput(),
            "closed_on": DateInput(),
            "description": forms.Textarea(attrs={"rows": 5}),
            "logo": forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
        }
        help_texts = {
            "logo": _("PNG, JPEG or WebP, at most 2 MB."),
        }

    def clean_ice(self):
        ice = self.cleaned_data.get("ice")
        return re.sub(r"\s", "", ice) if ice else None


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    role = forms.ChoiceField(label=_("Role"), choices=TeamRole.choices, initial=TeamRole.MEMBER)
