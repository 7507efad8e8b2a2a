"""Form helpers every app uses: Bootstrap classes on widgets, an action's errors on a form."""

from django import forms
from django.core.exceptions import ValidationError


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
