"""Form helpers every app uses: Bootstrap classes on widgets, an action's errors on a form,
a decimal typed as the language writes it."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats


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


# The spaces people put between groups of digits: plain, no-break, narrow no-break, thin.
GROUP_SPACES = re.compile(r"[ \u00a0\u202f\u2009]")


class LocalizedDecimalField(forms.DecimalField):
    """A decimal typed as the page's language writes it: "1 234,50" (fr, ar: with plain or
    no-break spaces), "1,234.50" (en), Arabic-Indic digits and separators ("١٬٢٣٤٫٥").
    Django drops the groups only when USE_THOUSAND_SEPARATOR is on, which would group every
    number the templates print (years, ids): it stays off, and core.formatting groups the
    numbers it shows. The value is shown back ungrouped ("1234,50"), which parses again."""

    def __init__(self, **kwargs):
        kwargs.setdefault("localize", True)
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "inputmode": "decimal"}

    def to_python(self, value):
        if isinstance(value, str):
            value = GROUP_SPACES.sub("", value.strip()).replace("\u066c", "").replace("\u066b", ".")
            thousand, decimal = formats.get_format("THOUSAND_SEPARATOR"), formats.get_format("DECIMAL_SEPARATOR")
            if thousand and not thousand.isspace() and thousand != decimal:
                value = value.replace(thousand, "")
        return super().to_python(value)
