"""Forms of the public catalogue and of registration."""

import datetime

from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sites.models import Language, Site, SiteStatus

from ..models import Dimension, Format, ServiceSession, ServiceType, SessionStatus

MAX_QUERY_LENGTH = 100


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
    date_from = forms.DateField(label=_("Sessions from"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("Sessions until"), required=False, widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        sites = Site.objects.filter(status=SiteStatus.OPERATIONAL).order_by("slug")
        self.fields["site"].choices = [
            ("", _("All sites")),
            (self.NETWORK, _("e-Technopark (network)")),
            *[(site.slug, site.name) for site in sites],
        ]
        self.fields["language"].choices = [
            ("", _("All languages")),
            *[(language.code, language.name) for language in Language.objects.order_by("code")],
        ]
        for field in self.fields.values():
            css = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def filter(self, services: QuerySet) -> QuerySet:
        """Run inside the scope the services were read in (sessions are site-owned too)."""
        self.is_valid()  # invalid values are left out of cleaned_data: ignored
        data = self.cleaned_data
        if query := (data.get("q") or "").strip():
            services = services.filter(Q(title__icontains=query) | Q(summary__icontains=query))
        if data.get("dimension"):
            services = services.filter(dimension=data["dimension"])
        if data.get("site") == self.NETWORK:
            services = services.filter(site__isnull=True)
        elif data.get("site"):
            services = services.filter(site__slug=data["site"])
        if data.get("format"):
            services = services.filter(format=data["format"])
        if data.get("type"):
            services = services.filter(service_type=data["type"])
        if data.get("language"):
            services = services.filter(languages__code=data["language"])
        date_from, date_to = data.get("date_from"), data.get("date_to")
        if date_from or date_to:
            sessions = ServiceSession.objects.filter(service=OuterRef("pk"), status=SessionStatus.SCHEDULED)
            if date_from:
                sessions = sessions.filter(starts_at__gte=_local_midnight(date_from))
            if date_to:
                sessions = sessions.filter(starts_at__lt=_local_midnight(date_to + datetime.timedelta(days=1)))
            services = services.filter(Exists(sessions))
        return services


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


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
