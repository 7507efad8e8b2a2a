"""The head-office audit trail's filters."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.models import AuditEntry

from ..selectors import audit_sites, audited_content_types


class AuditFilterForm(forms.Form):
    q = forms.CharField(label=_("Search (person or record)"), required=False)
    action = forms.ChoiceField(label=_("Action"), required=False, choices=[("", _("Any"))] + AuditEntry.Action.choices)
    content_type = forms.ModelChoiceField(
        label=_("Record type"),
        required=False,
        queryset=audited_content_types(),
    )
    site = forms.ModelChoiceField(label=_("Site"), required=False, queryset=audit_sites(), to_field_name="slug")
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def filters(self) -> dict:
        """The filters as `selectors.audit_entries` takes them: none unless every field is valid."""
        return self.cleaned_data if self.is_valid() else {}
