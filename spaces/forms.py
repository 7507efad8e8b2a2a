"""Forms of the rooms back-office: a room (name and equipment in French, Arabic and English,
one tab per language; prices typed as the page's language writes them), its week of opening
hours (two times per weekday, both empty for a closed day) and the site's rooms policy.

Forms check what a person can fix on the page; the actions (spaces.actions.rooms) check
again and their ValidationErrors land on the same fields."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import LocalizedDecimalField, style_fields
from core.multilingual_forms import TranslatedFieldsMixin
from core.validators import validate_logo

from .actions.rooms import MAX_FREE_CANCELLATION_HOURS, MAX_MONTHLY_FREE_HOURS
from .models import OpeningHours, Room, SpacePolicy, Weekday

IMAGE_TYPES = "image/png,image/jpeg,image/webp"
TIME_FORMATS = ["%H:%M", "%H:%M:%S"]


def _price_field(name: str) -> LocalizedDecimalField:
    return LocalizedDecimalField(
        label=Room._meta.get_field(name).verbose_name,
        max_digits=10,
        decimal_places=2,
        widget=forms.TextInput(),
    )


class RoomForm(TranslatedFieldsMixin, forms.ModelForm):
    """A room of the site (the view sets the site, never the form). The photo is optional:
    a PNG, JPEG or WebP image of 2 MB at most; `remove_photo` clears the current one."""

    translated_fields = ("name", "equipment")

    price_hour_mad = _price_field("price_hour_mad")
    price_half_day_mad = _price_field("price_half_day_mad")
    price_day_mad = _price_field("price_day_mad")
    remove_photo = forms.BooleanField(label=_("Remove the photo"), required=False)

    class Meta:
        model = Room
        fields = [
            "name_fr",
            "name_ar",
            "name_en",
            "kind",
            "capacity",
            "floor",
            "equipment_fr",
            "equipment_ar",
            "equipment_en",
            "price_hour_mad",
            "price_half_day_mad",
            "price_day_mad",
            "for_residents",
            "for_members",
            "for_outsiders",
            "is_active",
            "photo",
        ]
        widgets = {
            "capacity": forms.NumberInput(attrs={"min": "1"}),
            "photo": forms.FileInput(attrs={"accept": IMAGE_TYPES}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = self.fields
        fields["capacity"].validators = []  # clean_capacity says it in words
        fields["capacity"].min_value = None
        fields["kind"].choices = [("", "—"), *[(v, label) for v, label in fields["kind"].choices if v != ""]]
        fields["name_fr"].error_messages["required"] = _("Give the room a name in French.")
        fields["photo"].validators = [validate_logo]
        fields["photo"].help_text = _("Optional. PNG, JPEG or WebP, 2 MB at most.")
        fields["equipment_fr"].help_text = _("Screen, video conference, whiteboard…")
        fields["is_active"].help_text = _("A room out of service can no longer be booked; its bookings stay.")
        if not self.instance.photo:
            del fields["remove_photo"]
        style_fields(self)

    def clean_name_fr(self):
        name = (self.cleaned_data.get("name_fr") or "").strip()
        if not name:
            raise forms.ValidationError(_("Give the room a name in French."))
        return name

    def clean_capacity(self):
        capacity = self.cleaned_data.get("capacity")
        if capacity is None or capacity < 1:
            raise forms.ValidationError(_("A room holds at least one person."))
        return capacity

    def _clean_price(self, name: str):
        price = self.cleaned_data.get(name)
        if price is not None and price < Decimal("0"):
            raise forms.ValidationError(_("A price cannot be negative."))
        return price

    def clean_price_hour_mad(self):
        return self._clean_price("price_hour_mad")

    def clean_price_half_day_mad(self):
        return self._clean_price("price_half_day_mad")

    def clean_price_day_mad(self):
        return self._clean_price("price_day_mad")

    def room_fields(self) -> dict:
        """What the actions take: the room's fields, the photo only when it changes (a new
        file, or "" to remove it)."""
        data = self.cleaned_data
        values = {name: data[name] for name in self._meta.fields if name != "photo"}
        upload = self.files.get(self.add_prefix("photo"))
        if upload is not None:
            values["photo"] = data["photo"]
        elif data.get("remove_photo"):
            values["photo"] = ""
        return values


class OpeningHoursForm(forms.Form):
    """The room's week: `opens_<day>` and `closes_<day>` for each weekday (0 = Monday), in
    Casablanca wall-clock time; both empty: closed that day."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for weekday, label in Weekday.choices:
            for kind, text in (("opens", _("opens at")), ("closes", _("closes at"))):
                self.fields[f"{kind}_{weekday}"] = forms.TimeField(
                    label=f"{label} · {text}",
                    required=False,
                    input_formats=TIME_FORMATS,
                    widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                )
        style_fields(self)

    @classmethod
    def initial_from(cls, rows: list[OpeningHours]) -> dict:
        initial = {}
        for row in rows:
            initial[f"opens_{row.weekday}"] = row.opens_at
            initial[f"closes_{row.weekday}"] = row.closes_at
        return initial

    def clean(self):
        data = super().clean()
        for weekday, label in Weekday.choices:
            opens, closes = f"opens_{weekday}", f"closes_{weekday}"
            if opens in self.errors or closes in self.errors:
                continue
            opens_at, closes_at = data.get(opens), data.get(closes)
            if (opens_at is None) != (closes_at is None):
                missing = closes if closes_at is None else opens
                self.add_error(
                    missing, _("%(day)s: give both the opening and the closing time, or neither.") % {"day": label}
                )
            elif opens_at is not None and closes_at <= opens_at:
                self.add_error(closes, _("%(day)s: the room must close after it opens.") % {"day": label})
        return data

    def hours(self) -> list[tuple[int, object, object]]:
        """(weekday, opens at, closes at) of the days the room opens."""
        data = self.cleaned_data
        return [
            (weekday, data[f"opens_{weekday}"], data[f"closes_{weekday}"])
            for weekday in Weekday.values
            if data.get(f"opens_{weekday}") is not None
        ]

    def days(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        """(day's name, opening field, closing field) for the template's table."""
        return [(label, self[f"opens_{weekday}"], self[f"closes_{weekday}"]) for weekday, label in Weekday.choices]

    @staticmethod
    def error_aliases() -> dict:
        """The actions key a day's error `hours_<day>`: shown under its closing time."""
        return {f"hours_{weekday}": f"closes_{weekday}" for weekday in Weekday.values}


class SpacePolicyForm(forms.Form):
    monthly_free_hours = forms.IntegerField(
        label=SpacePolicy._meta.get_field("monthly_free_hours").verbose_name,
        help_text=SpacePolicy._meta.get_field("monthly_free_hours").help_text,
        widget=forms.NumberInput(attrs={"min": "0", "max": str(MAX_MONTHLY_FREE_HOURS)}),
    )
    free_cancellation_hours = forms.IntegerField(
        label=SpacePolicy._meta.get_field("free_cancellation_hours").verbose_name,
        help_text=_("A booking cancelled later than this keeps its price."),
        widget=forms.NumberInput(attrs={"min": "0", "max": str(MAX_FREE_CANCELLATION_HOURS)}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)

    def clean_monthly_free_hours(self):
        hours = self.cleaned_data["monthly_free_hours"]
        if not 0 <= hours <= MAX_MONTHLY_FREE_HOURS:
            raise forms.ValidationError(
                _("The free hours per month are between 0 and %(max)s.") % {"max": MAX_MONTHLY_FREE_HOURS}
            )
        return hours

    def clean_free_cancellation_hours(self):
        hours = self.cleaned_data["free_cancellation_hours"]
        if not 0 <= hours <= MAX_FREE_CANCELLATION_HOURS:
            raise forms.ValidationError(
                _("The free cancellation deadline is between 0 and %(max)s hours (30 days) before the start.")
                % {"max": MAX_FREE_CANCELLATION_HOURS}
            )
        return hours
