"""Forms of the public catalogue and of registration."""

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from ..models import Dimension, Eligibility, Format, ServiceType
from ..selectors import catalogue as catalogue_selectors

MAX_QUERY_LENGTH = 100
# Who a service is open to, as its card's "Open to: …" badge says it
# (templates/services/catalogue/_open_to_label.html).
OPEN_TO_CHOICES = [
    (Eligibility.PUBLIC, _("Everyone")),
    (Eligibility.ADMITTED, _("Admitted startups")),
    (Eligibility.SITE_RESIDENTS, _("Residents of the site")),
]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _choices(empty_label, choices):
    return [("", empty_label), *choices]


class CatalogueFilterForm(forms.Form):
    """Search and filters of the public catalogue; an invalid value is simply ignored."""

    NETWORK = "network"

    q = forms.CharField(label=_("Search"), required=False, max_length=MAX_QUERY_LENGTH)
    dimension = forms.ChoiceField(
        label=_("Support dimension"), required=False, choices=_choices(_("All dimensions"), Dimension.choices)
    )
    site = forms.ChoiceField(label=_("Site"), required=False)
    format = forms.ChoiceField(label=_("Format"), required=False, choices=_choices(_("All formats"), Format.choices))
    language = forms.ChoiceField(label=_("Language"), required=False)
    type = forms.ChoiceField(label=_("Type"), required=False, choices=_choices(_("All types"), ServiceType.choices))
    eligibility = forms.ChoiceField(
        label=_("Open to"), required=False, choices=_choices(_("Any audience"), OPEN_TO_CHOICES)
    )
    date_from = forms.DateField(label=_("Sessions from"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("Sessions until"), required=False, widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        sites = catalogue_selectors.operational_sites()
        self.fields["site"].choices = [
            ("", _("All sites")),
            (self.NETWORK, _("e-Technopark (network)")),
            *[(site.slug, site.name) for site in sites],
        ]
        self.fields["language"].choices = [
            ("", _("All languages")),
            *[(language.code, language.name) for language in catalogue_selectors.languages()],
        ]
        for field in self.fields.values():
            css = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def filters(self) -> dict:
        """The valid filters, as `catalogue_selectors.services_filtered` takes them (an invalid value
        is left out of `cleaned_data`: ignored)."""
        self.is_valid()
        data = self.cleaned_data
        site = data.get("site") or ""
        return {
            "q": (data.get("q") or "").strip(),
            "dimension": data.get("dimension") or "",
            "network": site == self.NETWORK,
            "site_slug": "" if site == self.NETWORK else site,
            "format": data.get("format") or "",
            "service_type": data.get("type") or "",
            "language": data.get("language") or "",
            "eligibility": data.get("eligibility") or "",
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
        }


class StartupChoiceForm(forms.Form):
    """A startup member registers on behalf of one of their eligible startups."""

    startup = forms.ModelChoiceField(label=_("For the startup"), queryset=None, empty_label=None)

    def __init__(self, *args, startups: QuerySet, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["startup"].queryset = startups
        self.fields["startup"].widget.attrs["class"] = "form-select"


class PublicRegistrationForm(forms.Form):
    """Registration to a public event, with or without an account."""

    name = forms.CharField(label=_("Full name"), max_length=150)
    email = forms.EmailField(label=_("Email address"))
    organisation = forms.CharField(
        label=_("Organisation"),
        max_length=200,
        required=False,
        help_text=_("Your company, school or association, if any."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs.update({"class": "form-control", "autocomplete": "name"})
        self.fields["email"].widget.attrs.update({"class": "form-control", "autocomplete": "email"})
        self.fields["organisation"].widget.attrs.update({"class": "form-control", "autocomplete": "organization"})

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Enter your name."))
        return name

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Your rating"),
        coerce=int,
        choices=[("", _("Choose…"))] + [(value, str(value)) for value in range(5, 0, -1)],
        help_text=_("5 is the best."),
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rating"].widget.attrs["class"] = "form-select"
        self.fields["comment"].widget.attrs["class"] = "form-control"
