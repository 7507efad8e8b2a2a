"""Forms of the site back-office's residents and members pages: the list's filters, the
renewal and the exit of an admission."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import style_fields
from sites.selectors import sector_choices

from ..models import AdmissionKind, ExitReason
from ..selectors.residents import DEFAULT_SORT, STATUS_ACTIVE, STATUS_ALL, STATUS_ENDED, office_numbers

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

OFFICE_ANY, OFFICE_NONE = "any", "none"

# Whitelisted sort keys: anything else is ignored (the default order applies).
SORT_CHOICES = [
    ("startup", _("Startup (A → Z)")),
    ("-startup", _("Startup (Z → A)")),
    ("start", _("Start date (oldest first)")),
    ("-start", _("Start date (newest first)")),
    ("end", _("Planned end (soonest first)")),
    ("-end", _("Planned end (latest first)")),
    ("kind", _("Kind (A → Z)")),
    ("-kind", _("Kind (Z → A)")),
]
SORT_KEYS = {key for key, _label in SORT_CHOICES}


class StyledForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


class AdmissionFilterForm(forms.Form):
    """GET filters of the residents list. Invalid values are reported and ignored:
    `filters()` reads `cleaned_data`, which only holds the fields that validated."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("Legal name, brand name or ICE."),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    sector = forms.ModelChoiceField(label=_("Sector"), queryset=sector_choices(), required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("All kinds")), *AdmissionKind.choices], required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            (STATUS_ACTIVE, _("Active today")),
            (STATUS_ENDED, _("Ended")),
            (STATUS_ALL, _("All")),
        ],
        required=False,
    )
    office = forms.ChoiceField(label=_("Office"), required=False)
    ends_before = forms.DateField(label=_("Planned end before"), required=False, widget=DATE_WIDGET)
    ending_soon = forms.BooleanField(label=_("Ending within 60 days"), required=False)
    sort = forms.CharField(label=_("Sort by"), required=False, widget=forms.Select(choices=SORT_CHOICES))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Office is scoped: only the current site's offices are offered.
        offices = [(str(pk), number) for pk, number in office_numbers()]
        self.fields["office"].choices = [
            ("", _("Any")),
            (OFFICE_ANY, _("Has an office now")),
            (OFFICE_NONE, _("No office now")),
            (_("Offices"), offices),
        ]
        style_fields(self, small=True)

    def clean_status(self):
        return self.cleaned_data["status"] or STATUS_ACTIVE

    def clean_sort(self):
        sort = self.cleaned_data["sort"]
        return sort if sort in SORT_KEYS else ""

    def filters(self) -> dict:
        """The valid filters as `selectors.admissions_listed`'s arguments (`sort` always set)."""
        self.is_valid()
        data = self.cleaned_data
        office = data.get("office")
        return {
            "status": data.get("status") or STATUS_ACTIVE,
            "query": (data.get("q") or "").strip(),
            "sector": data.get("sector"),
            "kind": data.get("kind") or "",
            "has_office": None if not office else office != OFFICE_NONE,
            "office_id": int(office) if office and office not in (OFFICE_ANY, OFFICE_NONE) else None,
            "ends_before": data.get("ends_before"),
            "ending_soon": bool(data.get("ending_soon")),
            "sort": data.get("sort") or DEFAULT_SORT,
        }


class RenewForm(StyledForm):
    new_end_on = forms.DateField(label=_("New planned end"), widget=DATE_WIDGET)


class ExitForm(StyledForm):
    ended_on = forms.DateField(label=_("Exit date"), widget=DATE_WIDGET, initial=timezone.localdate)
    reason = forms.ChoiceField(label=_("Reason"), choices=[("", "---------"), *ExitReason.choices])
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
