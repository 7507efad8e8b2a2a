"""Forms of the partners area: partners, programmes and their cohorts, partner incubators,
their managers and their incubated startups.

Choice querysets come from `services.selectors`, built for one programme's site, and are
evaluated in the view's tenant scope: a site's back-office only ever offers that site's rows.
"""

import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import style_fields
from core.multilingual_forms import TranslatedFieldsMixin
from sites.models import Incubator, Partner, Site
from startups.forms import MoroccanPhoneField

from ..models import Programme
from ..selectors import partners as partners_selectors

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class StyledModelForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


class StyledForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


# --- Partners ---------------------------------------------------------------------------
class PartnerForm(TranslatedFieldsMixin, StyledModelForm):
    """A partner organisation; its description in French, Arabic and English (tabs)."""

    translated_fields = ("description",)
    website = forms.URLField(label=_("Website"), required=False, max_length=200, assume_scheme="https")
    contact_phone = MoroccanPhoneField(
        label=_("Contact phone"),
        example="05 22 12 34 56",
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )

    class Meta:
        model = Partner
        fields = [
            "name",
            "is_international",
            "category",
            "description_fr",
            "description_ar",
            "description_en",
            "website",
            "logo",
            "contact_name",
            "contact_email",
            "contact_phone",
            "is_active",
        ]
        widgets = {
            **{f"description_{language}": forms.Textarea(attrs={"rows": 4}) for language in ("fr", "ar", "en")},
            "logo": forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
        }
        help_texts = {
            "is_international": _("Tick for an organisation based outside Morocco."),
            "logo": _("PNG, JPEG or WebP, at most 2 MB. Shown on the public partners page."),
            "is_active": _("Only active partners are listed publicly and offered for new programmes."),
        }


# --- Programmes -------------------------------------------------------------------------
class ProgrammeForm(TranslatedFieldsMixin, StyledModelForm):
    """A programme; its title and description in French, Arabic and English (tabs)."""

    translated_fields = ("title", "description")
    # Querysets set for the programme's site in __init__.
    partners = forms.ModelMultipleChoiceField(
        label=_("Partners"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    incubators = forms.ModelMultipleChoiceField(
        label=_("Partner incubators"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    services = forms.ModelMultipleChoiceField(
        label=_("Services"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Programme
        fields = [
            *(f"{name}_{language}" for name in ("title", "description") for language in ("fr", "ar", "en")),
            "starts_on",
            "ends_on",
            "partners",
            "incubators",
            "services",
        ]
        widgets = {
            **{f"description_{language}": forms.Textarea(attrs={"rows": 4}) for language in ("fr", "ar", "en")},
            "starts_on": DATE_WIDGET,
            "ends_on": DATE_WIDGET,
        }

    def __init__(self, *args, site: Site | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.site = site
        current_partners = self.instance.partners.values("pk") if self.instance.pk else []
        self.fields["partners"].queryset = partners_selectors.partner_choices(current=current_partners)
        self.fields["incubators"].queryset = partners_selectors.programme_incubator_choices(site=site)
        self.fields["services"].queryset = partners_selectors.programme_service_choices(site=site)
        if site is None:
            self.fields["incubators"].help_text = _("Any partner incubator of the network.")
            self.fields["services"].help_text = _("The network's e-Technopark services.")
        else:
            self.fields["incubators"].help_text = _("Incubators affiliated to this site.")
            self.fields["services"].help_text = _("This site's services.")

    def clean(self):
        data = super().clean()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("The programme cannot end before it starts."))
        return data

    def _post_clean(self):
        # Assign the site before the model validation runs (a new programme has none yet).
        if not self.instance.pk:
            self.instance.site = self.site
        super()._post_clean()


class ParticipantForm(StyledForm):
    startup = forms.ModelChoiceField(label=_("Startup"), queryset=None, empty_label=_("Choose…"))

    def __init__(self, *args, eligible, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["startup"].queryset = eligible.order_by("legal_name", "pk")


class ProgrammeFilterForm(forms.Form):
    """Head office's list of programmes: network ones or one site's (invalid → ignored)."""

    NETWORK = "network"

    site = forms.ChoiceField(label=_("Owner"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        sites = [(site.slug, site.name) for site in partners_selectors.sites_by_slug()]
        self.fields["site"].choices = [("", _("All")), (self.NETWORK, _("Network (e-Technopark)")), *sites]
        style_fields(self)

    def filters(self) -> dict:
        """The valid filter, as `partners_selectors.programme_rows` takes it (invalid: none)."""
        owner = self.cleaned_data.get("site") if self.is_valid() else ""
        return {"network": owner == self.NETWORK, "site_slug": "" if owner == self.NETWORK else owner}


# --- Incubators -------------------------------------------------------------------------
class IncubatorForm(TranslatedFieldsMixin, StyledModelForm):
    """A partner incubator; its description in French, Arabic and English (tabs)."""

    translated_fields = ("description",)
    website = forms.URLField(label=_("Website"), required=False, max_length=200, assume_scheme="https")

    class Meta:
        model = Incubator
        fields = [
            "name",
            "slug",
            "affiliated_site",
            "partner",
            "description_fr",
            "description_ar",
            "description_en",
            "website",
            "is_active",
        ]
        widgets = {f"description_{language}": forms.Textarea(attrs={"rows": 4}) for language in ("fr", "ar", "en")}
        help_texts = {
            "slug": _("Lower-case letters, digits and dashes; used in the incubator's back-office address."),
            "partner": _("The partner organisation behind the incubator, if any."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["affiliated_site"].queryset = partners_selectors.sites_by_slug()
        current = [self.instance.partner_id] if self.instance.partner_id else []
        self.fields["partner"].queryset = partners_selectors.partner_choices(current=current)


class IncubatorManagerForm(StyledForm):
    email = forms.EmailField(label=_("User's email address"))

    def __init__(self, *args, incubator: Incubator, **kwargs):
        super().__init__(*args, **kwargs)
        self.incubator = incubator

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        user = partners_selectors.active_user_by_email(email=email)
        if user is None:
            raise forms.ValidationError(_("No active account uses this address; ask the person to sign up first."))
        if partners_selectors.is_incubator_manager(incubator=self.incubator, user=user):
            raise forms.ValidationError(_("This person already manages this incubator."))
        self.cleaned_data["user"] = user
        return email


ICE = re.compile(r"^[0-9]{15}$")


class IncubationForm(StyledForm):
    """An incubator adds a startup of the portal, found by its ICE or its exact name."""

    startup = forms.CharField(
        label=_("Startup (ICE or exact name)"),
        max_length=200,
        help_text=_("The 15-digit ICE, or the startup's legal or brand name exactly as registered."),
    )
    since = forms.DateField(label=_("Incubated since"), widget=DATE_WIDGET)

    def clean_startup(self):
        value = " ".join(self.cleaned_data["startup"].split())
        compact = re.sub(r"\s", "", value)
        startups = (
            partners_selectors.startups_found(ice=compact)
            if ICE.match(compact)
            else partners_selectors.startups_found(name=value)
        )
        found = list(startups[:2])
        if not found:
            raise forms.ValidationError(_("No startup of the portal has this ICE or name."))
        if len(found) > 1:
            raise forms.ValidationError(_("Several startups have this name: use the ICE instead."))
        self.cleaned_data["startup_object"] = found[0]
        return value

    def clean_since(self):
        since = self.cleaned_data["since"]
        if since > timezone.localdate():
            raise forms.ValidationError(_("The incubation cannot start in the future."))
        return since
