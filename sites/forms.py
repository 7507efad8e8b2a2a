from django import forms
from django.utils.translation import gettext_lazy as _

from .models import MembershipRole, Region, Site
from .selectors import active_user_with_email, has_site_role


class RegionForm(forms.ModelForm):
    class Meta:
        model = Region
        fields = ["name_fr", "name_ar", "name_en"]


class SiteForm(forms.ModelForm):
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
            "area_m2",
            "capacity_startups",
            "residency_max_years",
            "vocations",
        ]
        widgets = {
            "opened_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "vocations": forms.CheckboxSelectMultiple,
        }

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
