from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import style_fields
from core.multilingual_forms import TranslatedFieldsMixin
from core.validators import normalize_phone, phone_validator

from .models import MembershipRole, Region, Site
from .selectors import active_user_with_email, has_site_role

NAME_TABS_HELP = _("The name in each of the three languages (all three are required).")


class RegionForm(TranslatedFieldsMixin, forms.ModelForm):
    """A region's names, one tab per language (sites.models.TranslatedName)."""

    translated_fields = ("name",)
    language_tabs_help = NAME_TABS_HELP

    class Meta:
        model = Region
        fields = ["name_fr", "name_ar", "name_en"]
        labels = {"name_fr": _("Name")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


class SiteForm(TranslatedFieldsMixin, forms.ModelForm):
    """A site; its names one tab per language (sites.models.TranslatedName)."""

    translated_fields = ("name",)
    language_tabs_help = NAME_TABS_HELP

    # Typed any usual way ("05 22 12 34 56", "+212 5 22…"), stored normalised ("+212522123456").
    contact_phone = forms.CharField(
        label=_("Public contact phone"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
        help_text=_("A Moroccan number, e.g. 05 22 12 34 56 or +212 5 22 12 34 56."),
    )

    class Meta:
        model = Site
        fields = [
            "slug",
            "name_fr",
            "name_ar",
            "name_en",
            "region",
            "status",
            "opened_on",
            "city",
            "address",
            "contact_email",
            "contact_phone",
            "area_m2",
            "capacity_startups",
            "residency_max_years",
            "vocations",
        ]
        widgets = {
            "opened_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "vocations": forms.CheckboxSelectMultiple,
        }
        labels = {"name_fr": _("Name")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)

    def clean_contact_phone(self):
        phone = (self.cleaned_data.get("contact_phone") or "").strip()
        if not phone:
            return ""
        phone = normalize_phone(phone)
        phone_validator(phone)
        return phone

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") == "operational" and not cleaned.get("opened_on"):
            self.add_error("opened_on", _("An operational site needs its opening date."))
        return cleaned


class MembershipForm(forms.Form):
    email = forms.EmailField(label=_("User's email address"))
    role = forms.ChoiceField(label=_("Role"), choices=MembershipRole.choices)

    def __init__(self, *args, site: Site, **kwargs):
        super().__init__(*args, **kwargs)
        self.site = site

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        user = active_user_with_email(email=email)
        if user is None:
            raise forms.ValidationError(_("No active account uses this address; ask the person to sign up first."))
        if has_site_role(site=self.site, user=user):
            raise forms.ValidationError(_("This person already has a role at this site."))
        self.cleaned_data["user"] = user
        return email
