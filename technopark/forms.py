from django import forms
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sites.models import Site

from .models import AuditEntry


def style_fields(form: forms.BaseForm, *, small: bool = False) -> None:
    """Bootstrap classes on every widget (templates render `{{ field }}` as is); `small`
    for the compact controls of filter bars."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.HiddenInput):
            continue
        if isinstance(widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple, forms.RadioSelect)):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select" + (" form-select-sm" if small else "")
        else:
            css = "form-control" + (" form-control-sm" if small else "")
        widget.attrs.setdefault("class", css)


class AuditFilterForm(forms.Form):
    q = forms.CharField(label=_("Search (person or record)"), required=False)
    action = forms.ChoiceField(label=_("Action"), required=False, choices=[("", _("Any"))] + AuditEntry.Action.choices)
    content_type = forms.ModelChoiceField(
        label=_("Record type"),
        required=False,
        queryset=ContentType.objects.filter(
            app_label__in=["accounts", "tp_sites", "startups", "services", "mentors", "reports", "technopark"]
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


def add_action_errors(form: forms.BaseForm, error: ValidationError, *, aliases: dict | None = None) -> None:
    """Put an action's ValidationError on the form: keyed messages on the matching field
    (through `aliases` when the action's key differs from the form's), the rest at the top
    of the form (never a ValueError for an unknown field)."""
    aliases = aliases or {}
    if hasattr(error, "error_dict"):
        for key, errors in error.error_dict.items():
            field = aliases.get(key, key)
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
