"""Forms of the pages where rooms are booked (issue 20): a startup's booking, an outside
organisation's request, cancelling. Times are Casablanca wall clock on the half hour,
chosen from the room's opening hours; `clean()` turns day + time into aware datetimes
(`start_at`, `end_at`). Whether the times are right (ahead, open, free) is the action's
to say: its keyed messages land on the fields of the same names (start, end, startup…)."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import style_fields

from .actions.bookings import MAX_DAYS_AHEAD
from .selectors.rooms_public import half_hours, local_moment, opening_span


def time_choices(opening: dict) -> list[tuple[str, str]]:
    """ "HH:MM" on the half hour from the room's earliest opening to its latest closing."""
    span = opening_span(opening)
    if span is None:
        return []
    return [(time.strftime("%H:%M"), time.strftime("%H:%M")) for time in half_hours(*span)]


def parse_day(value) -> datetime.date | None:
    if not isinstance(value, str) or len(value) != 10:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return None


class _TimesForm(forms.Form):
    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    start = forms.ChoiceField(label=_("From"))
    end = forms.ChoiceField(label=_("To"))
    purpose = forms.CharField(
        label=_("Purpose"),
        max_length=200,
        help_text=_("In a few words: a meeting with a client, a training, an interview…"),
    )

    def __init__(self, *args, opening: dict, **kwargs):
        super().__init__(*args, **kwargs)
        choices = time_choices(opening)
        self.fields["start"].choices = [("", "—"), *choices[:-1]]
        self.fields["end"].choices = [("", "—"), *choices[1:]]
        self.fields["purpose"].widget.attrs["dir"] = "auto"

    def clean(self):
        data = super().clean()
        day, start, end = data.get("day"), data.get("start"), data.get("end")
        if day is not None and start and end:
            data["start_at"] = local_moment(day, datetime.time.fromisoformat(start))
            data["end_at"] = local_moment(day, datetime.time.fromisoformat(end))
            if data["end_at"] <= data["start_at"]:
                self.add_error("end", _("The end must come after the start."))
        return data


class RoomBookingForm(_TimesForm):
    """A startup's booking: which of the user's startups admitted at the room's site."""

    startup = forms.TypedChoiceField(label=_("For the startup"), coerce=int)
    field_order = ["startup", "day", "start", "end", "purpose"]

    def __init__(self, *args, admissions: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.startups = {admission.startup_id: admission.startup for admission in admissions}
        self.fields["startup"].choices = [(pk, str(startup)) for pk, startup in self.startups.items()]
        if len(self.startups) == 1:
            self.fields["startup"].initial = next(iter(self.startups))
        style_fields(self)

    def clean_startup(self):
        return self.startups[self.cleaned_data["startup"]]


class RoomRequestForm(_TimesForm):
    """An outside organisation's request, which the site's managers approve."""

    organisation = forms.CharField(label=_("Organisation"), max_length=200)
    field_order = ["organisation", "day", "start", "end", "purpose"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].widget.attrs["dir"] = "auto"
        style_fields(self)


def day_bounds(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The days a booking may start on: today to MAX_DAYS_AHEAD ahead."""
    return today, today + datetime.timedelta(days=MAX_DAYS_AHEAD)


class CancelForm(forms.Form):
    """The cancel button's form: a confirmation ticked (the page says what it will cost)."""

    confirm = forms.BooleanField(label=_("Yes, cancel this booking"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)
