"""Board reports: head office requests one (scope, month and language) and filters the list."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.forms import style_fields
from core.jobs import JobStatus

from ..board.content import FIRST_MONTH, last_complete_month
from ..models import BoardReportLanguage

NETWORK = "network"


def scope_choices(sites) -> list[tuple[str, str]]:
    """The network, then the given sites by name in the active language."""
    return [(NETWORK, _("Technopark network"))] + [
        (f"site:{site.slug}", site.name) for site in sorted(sites, key=lambda site: site.name.casefold())
    ]


class BoardReportRequestForm(forms.Form):
    scope = forms.ChoiceField(label=_("Scope"))
    month = forms.DateField(
        label=_("Month"),
        input_formats=["%Y-%m"],
        widget=forms.DateInput(format="%Y-%m", attrs={"type": "month", "placeholder": "YYYY-MM"}),
        help_text=_("A month that is over, as YYYY-MM."),
        error_messages={"invalid": _("Enter a month as YYYY-MM, e.g. 2026-05.")},
    )
    # Not required: a request without it (an older form, a script) is in the requester's language.
    language = forms.ChoiceField(label=_("Language"), choices=BoardReportLanguage.choices, required=False)

    def __init__(self, *args, sites, language: str = "fr", **kwargs):
        """`language`: the one chosen at first (the requester's)."""
        super().__init__(*args, **kwargs)
        self.fields["scope"].choices = scope_choices(sites)
        latest = last_complete_month()
        self.fields["month"].widget.attrs.update(
            {"min": FIRST_MONTH.strftime("%Y-%m"), "max": latest.strftime("%Y-%m")}
        )
        if not self.is_bound:
            self.initial.setdefault("scope", NETWORK)
            self.initial.setdefault("month", latest)
            self.initial.setdefault("language", language)
        style_fields(self)

    def clean_month(self):
        month = self.cleaned_data["month"].replace(day=1)
        if month < FIRST_MONTH:
            raise ValidationError(_("Board reports start in January 2001."), code="too_early")
        if month > last_complete_month():
            raise ValidationError(_("Choose a month that is over."), code="not_over")
        return month


class BoardReportFilterForm(forms.Form):
    """Filters of head office's list; invalid values are reported and ignored."""

    scope = forms.ChoiceField(label=_("Scope"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Any status")), *JobStatus.choices])

    def __init__(self, *args, sites, **kwargs):
        kwargs.setdefault("auto_id", "filter_%s")  # the request form on the same page has id_scope
        super().__init__(*args, **kwargs)
        self.fields["scope"].choices = [("", _("Every scope")), *scope_choices(sites)]
        style_fields(self, small=True)

    def filters(self) -> dict:
        """The filters as `selectors.board_reports_listed` takes them: the valid fields' values (the
        others show their error)."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}
