"""Forms of the services back-office (a site's services and sessions, and head office's
e-Technopark offer): the list's filters, a service, a session, cancelling, attendance."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import style_fields
from core.multilingual_forms import TranslatedFieldsMixin

from ..extensions import session_places
from ..models import Attendance, Dimension, Eligibility, Format, ProviderKind, Service, ServiceSession, ServiceType
from ..selectors import backoffice as backoffice_selectors
from ..selectors import catalogue as catalogue_selectors
from ..selectors import partners as partners_selectors

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
PUBLISHED_YES, PUBLISHED_NO = "yes", "no"


def _any(choices) -> list:
    return [("", _("Any"))] + list(choices)


class ServiceFilterForm(forms.Form):
    """GET filters of the service list. Invalid values are ignored (the view only uses
    `cleaned_data`, which holds the fields that validated)."""

    q = forms.CharField(
        label=_("Search"), required=False, max_length=100, widget=forms.TextInput(attrs={"type": "search"})
    )
    dimension = forms.ChoiceField(label=_("Support dimension"), required=False, choices=_any(Dimension.choices))
    service_type = forms.ChoiceField(label=_("Type"), required=False, choices=_any(ServiceType.choices))
    format = forms.ChoiceField(label=_("Format"), required=False, choices=_any(Format.choices))
    published = forms.ChoiceField(
        label=_("Published"),
        required=False,
        choices=_any([(PUBLISHED_YES, _("Published")), (PUBLISHED_NO, _("Not published"))]),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)

    def filters(self) -> dict:
        """The valid filters, as `catalogue_selectors.services_filtered` takes them."""
        self.is_valid()
        data = self.cleaned_data
        published = data.get("published")
        return {
            "q": (data.get("q") or "").strip(),
            **{name: data.get(name) or "" for name in ("dimension", "service_type", "format")},
            "published": published == PUBLISHED_YES if published else None,
        }


class ServiceForm(TranslatedFieldsMixin, forms.ModelForm):
    """A service of one site, or (`network=True`) of the network's e-Technopark offer. The
    instance arrives with its owner set by the view, never from the form. The partner is
    chosen among the active partners (plus the service's current one, so editing an older
    service does not silently drop it). Title, summary and description in French, Arabic
    and English, one tab per language (French required)."""

    translated_fields = ("title", "summary", "description")

    class Meta:
        model = Service
        fields = [
            "title_fr",
            "title_ar",
            "title_en",
            "summary_fr",
            "summary_ar",
            "summary_en",
            "description_fr",
            "description_ar",
            "description_en",
            "dimension",
            "service_type",
            "provider_kind",
            "partner",
            "expert_name",
            "format",
            "eligibility",
            "languages",
            "is_published",
        ]
        widgets = {
            **{f"description_{language}": forms.Textarea(attrs={"rows": 5}) for language in ("fr", "ar", "en")},
            "languages": forms.CheckboxSelectMultiple,
            "provider_kind": forms.RadioSelect,
            "eligibility": forms.RadioSelect,
        }

    def __init__(self, *args, network: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        current = [self.instance.partner_id] if self.instance.partner_id else []
        self.fields["partner"].queryset = partners_selectors.partner_choices(current=current)
        self.fields["partner"].required = False
        self.fields["partner"].help_text = _("Required when the provider is a partner organisation.")
        self.fields["expert_name"].help_text = _("Required when the provider is an expert.")
        self.fields["languages"].queryset = catalogue_selectors.languages()
        self.fields["languages"].required = True
        if self.instance.pk is None:
            self.initial.setdefault("provider_kind", ProviderKind.SITE_TEAM)
            self.initial.setdefault("eligibility", Eligibility.ADMITTED if network else Eligibility.SITE_RESIDENTS)
        eligibility = self.fields["eligibility"]
        if network:
            # The network's services are for every admitted startup or the public, never
            # for one site's residents.
            eligibility.choices = [
                (value, label) for value, label in Eligibility.choices if value != Eligibility.SITE_RESIDENTS
            ]
        else:
            eligibility.choices = [
                (
                    Eligibility.SITE_RESIDENTS,
                    _("Residents of this site"),
                ),
                *[(value, label) for value, label in Eligibility.choices if value != Eligibility.SITE_RESIDENTS],
            ]
        # Radio lists render their own blank-less choices.
        for name in ("provider_kind", "eligibility"):
            self.fields[name].choices = [(v, label) for v, label in self.fields[name].choices if v != ""]
        style_fields(self)
        for name in ("provider_kind", "eligibility"):
            self.fields[name].widget.attrs["class"] = "form-check-input"

    def clean_title_fr(self):
        title = self.cleaned_data["title_fr"].strip()
        if not title:
            raise forms.ValidationError(_("Give the service a title."))
        return title

    def clean(self):
        data = super().clean()
        provider = data.get("provider_kind")
        if provider == ProviderKind.PARTNER:
            if not data.get("partner") and "partner" not in self.errors:
                self.add_error("partner", _("Choose the partner organisation that provides this service."))
        else:
            data["partner"] = None
        if provider == ProviderKind.EXPERT:
            data["expert_name"] = (data.get("expert_name") or "").strip()
            if not data["expert_name"]:
                self.add_error("expert_name", _("Give the name of the expert who provides this service."))
        elif provider:
            data["expert_name"] = ""
        return data


class SessionForm(TranslatedFieldsMixin, forms.ModelForm):
    """A session of a service. Times are typed as local wall-clock time (datetime-local
    inputs); Django reads them in the current time zone (Africa/Casablanca) and stores UTC.
    The registration deadline defaults to the start. The place in French, Arabic and
    English, one tab per language."""

    translated_fields = ("location",)

    join_url = forms.URLField(
        label=_("Join or stream link"),
        required=False,
        assume_scheme="https",
        max_length=200,
        help_text=_("Shown to confirmed participants only."),
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )

    class Meta:
        model = ServiceSession
        fields = [
            "starts_at",
            "ends_at",
            "location_fr",
            "location_ar",
            "location_en",
            "join_url",
            "seats",
            "registration_deadline",
        ]
        widgets = {
            "starts_at": DATETIME_WIDGET,
            "ends_at": DATETIME_WIDGET,
            "registration_deadline": DATETIME_WIDGET,
            "seats": forms.NumberInput(attrs={"min": "1"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("starts_at", "ends_at", "registration_deadline"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
        seats = self.fields["seats"]
        seats.min_value = 1
        seats.validators = []  # clean_seats says it in words
        seats.widget.attrs["min"] = "1"
        deadline = self.fields["registration_deadline"]
        deadline.required = False
        deadline.help_text = _("Leave empty to close registration when the session starts.")
        places = session_places()
        if places is not None and self.instance.site_id is not None:
            # The site's rooms (spaces): the chosen one is held like a booking.
            self.fields["place"] = forms.TypedChoiceField(
                label=_("Room"),
                choices=[
                    ("", _("None: an outside venue")),
                    *places.choices(self.instance.site_id),
                ],
                coerce=int,
                empty_value=None,
                required=False,
                initial=places.current(self.instance) if self.instance.pk else None,
                help_text=_(
                    "The room is blocked for the session's times; a room already taken is refused. "
                    "For an outside venue, write the place below."
                ),
            )
        style_fields(self)

    def clean_seats(self):
        seats = self.cleaned_data["seats"]
        if seats is None or seats < 1:
            raise forms.ValidationError(_("A session has at least one seat."))
        if self.instance.pk:
            confirmed = backoffice_selectors.session_confirmed_count(session=self.instance)
            if seats < confirmed:
                raise forms.ValidationError(
                    _("%(count)s participants are already confirmed: the session needs at least that many seats.")
                    % {"count": confirmed}
                )
        return seats

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The session must end after it starts."))
        if "registration_deadline" not in self.errors:
            deadline = data.get("registration_deadline") or starts
            data["registration_deadline"] = deadline
            if deadline and ends and deadline > ends:
                self.add_error("registration_deadline", _("Registration must close before the session ends."))
        return data


class SessionCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (sent to everyone registered)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


class AttendanceForm(forms.Form):
    """One tap on the attendance list: a participant (looked up by the view among the
    session's confirmed registrations) and what they were."""

    registration = forms.IntegerField(min_value=1)
    attendance = forms.ChoiceField(
        choices=[(Attendance.PRESENT, _("Present")), (Attendance.NO_SHOW, _("No-show")), ("clear", _("Clear"))]
    )

    def value(self) -> str:
        choice = self.cleaned_data["attendance"]
        return Attendance.UNKNOWN if choice == "clear" else choice
