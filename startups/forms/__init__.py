from django import forms
from django.utils.translation import gettext_lazy as _

from core.validators import normalize_phone, phone_validator


class MoroccanPhoneField(forms.CharField):
    """A +212 number typed any usual way ("06 61 23 45 67", "+212 6 61…"), stored
    normalised ("+212661234567"). Longer than the stored value: spaces and dashes are
    typed, then removed."""

    def __init__(self, *, example: str = "06 61 23 45 67", **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 30)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
        kwargs.setdefault(
            "help_text",
            _("A Moroccan number, e.g. %(local)s or +212 %(international)s.")
            % {"local": example, "international": example[1:]},
        )
        super().__init__(**kwargs)

    def clean(self, value):
        phone = (super().clean(value) or "").strip()
        if not phone:
            return ""
        phone = normalize_phone(phone)
        phone_validator(phone)
        return phone
