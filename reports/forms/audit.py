"""The head-office audit trail's filters."""

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import AuditEntry
from sites.models import Site


class AuditFilterForm(forms.Form):
    q = forms.CharField(label=_("Search (person or record)"), required=False)
    action = forms.ChoiceField(label=_("Action"), required=False, choices=[("", _("Any"))] + AuditEntry.Action.choices)
    content_type = forms.ModelChoiceField(
        label=_("Record type"),
        required=False,
        queryset=ContentType.objects.filter(
            app_label__in=["accounts", "tp_sites", "startups", "services", "mentors", "reports", "core"]
        ),
    )
    site = forms.ModelChoiceField(label=_("Site"), required=False, queryset=Site.objects.all(), to_field_name="slug")
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def filter(self, entries):
        data = self.cleaned_data
        if data["q"]:
            entries = entries.filter(Q(actor_email__icontains=data["q"]) | Q(object_repr__icontains=data["q"]))
        if data["action"]:
            entries = entries.filter(action=data["action"])
        if data["content_type"]:
            entries = entries.filter(content_type=data["content_type"])
        if data["site"]:
            entries = entries.filter(site=data["site"])
        if data["since"]:
            entries = entries.filter(created_at__date__gte=data["since"])
        if data["until"]:
            entries = entries.filter(created_at__date__lte=data["until"])
        return entries
