"""Forms of the startup side of mentoring: the directory's filters, booking a slot, and
what a startup does with its booking (cancel, move, rate, say whether it took place)."""

import datetime

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from core.forms import style_fields
from services.models import Dimension
from sites.selectors import language_choices, operational_site_choices, sector_choices

from ..models import Attendance, MeetingMode, MentorKind

MAX_QUERY_LENGTH = 100
# Longer than any ISO 8601 instant the pages write ("2026-03-02T09:00:00+00:00").
MAX_INSTANT_LENGTH = 40


def parse_instant(value) -> datetime.datetime | None:
    """An ISO 8601 instant with its UTC offset ("…T09:00:00+00:00" or "…Z"), as aware UTC;
    None for anything else (naive times, nonsense, dates out of range). A "+" that reached
    us as a space (an unencoded query string) is put back."""
    if not isinstance(value, str) or not value or len(value) > MAX_INSTANT_LENGTH:
        return None
    value = value.strip()
    candidates = [value]
    if " " in value:
        head, _space, tail = value.rpartition(" ")
        candidates.append(f"{head}+{tail}")
    for candidate in candidates:
        try:
            instant = datetime.datetime.fromisoformat(candidate)
        except ValueError:
            continue
        if instant.tzinfo is None or instant.utcoffset() is None:
            return None
        try:
            return instant.astimezone(datetime.UTC)
        except OverflowError:
            return None
    return None


# --- The directory ---------------------------------------------------------------------
class DirectoryFilterForm(forms.Form):
    """Search and filters of the mentor directory. A value that is not one of the choices
    is a form error (shown next to its filter); the other filters still apply."""

    q = forms.CharField(label=_("Search"), required=False, max_length=MAX_QUERY_LENGTH)
    dimension = forms.ChoiceField(label=_("Support dimension"), required=False)
    sector = forms.ChoiceField(label=_("Sector"), required=False)
    language = forms.ChoiceField(label=_("Language"), required=False)
    site = forms.ChoiceField(label=_("Meets in person at"), required=False)
    remote = forms.BooleanField(label=_("Video calls (remote)"), required=False)
    kind = forms.ChoiceField(label=_("Mentor or expert"), required=False)
    tag = forms.CharField(label=_("Expertise tag"), required=False, max_length=40)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # One query per vocabulary, whatever the number of mentors; values are codes and
        # slugs, checked against these lists (a bad value never reaches the database).
        sectors = sorted(sector_choices(), key=lambda sector: sector.name.casefold())
        languages = list(language_choices())
        sites = list(operational_site_choices())
        self._pks = {
            "sector": {sector.code: sector.pk for sector in sectors},
            "language": {language.code: language.pk for language in languages},
            "site": {site.slug: site.pk for site in sites},
        }
        self.fields["dimension"].choices = [("", _("All dimensions")), *Dimension.choices]
        self.fields["sector"].choices = [("", _("All sectors")), *[(s.code, s.name) for s in sectors]]
        self.fields["language"].choices = [("", _("All languages")), *[(lang.code, lang.name) for lang in languages]]
        self.fields["site"].choices = [("", _("Any site")), *[(site.slug, site.name) for site in sites]]
        self.fields["kind"].choices = [("", _("Mentors and experts")), *MentorKind.choices]
        style_fields(self)

    def filters(self) -> dict:
        """The valid filters as `selectors.directory.mentor_search` takes them (invalid fields
        are left out of cleaned_data, and shown as errors)."""
        self.is_valid()
        data = self.cleaned_data
        return {
            "q": " ".join((data.get("q") or "").split()),
            "dimension": data.get("dimension") or "",
            "sector": self._pks["sector"].get(data.get("sector") or ""),
            "language": self._pks["language"].get(data.get("language") or ""),
            "site": self._pks["site"].get(data.get("site") or ""),
            "remote": bool(data.get("remote")),
            "kind": data.get("kind") or "",
            "tag": (data.get("tag") or "").strip(),
        }

    @property
    def is_filtered(self) -> bool:
        return any(self.data.get(name) for name in self.fields)


# --- Booking ---------------------------------------------------------------------------
class BookingForm(forms.Form):
    startup = forms.ModelChoiceField(label=_("For the startup"), queryset=None, empty_label=None)
    topic = forms.CharField(
        label=_("Topic"),
        max_length=200,
        help_text=_("In a few words, what you want to talk about (200 characters at most)."),
    )
    questions = forms.CharField(
        label=_("Questions for the mentor"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Optional: what you would like the mentor to prepare."),
    )
    # Shown (and needed) only when the startup already has something at that time: the
    # view asks for it after `booking_checks.clashes_to_confirm`.
    book_anyway = forms.BooleanField(
        label=_("Book anyway: I know my startup already has another session at that time"), required=False
    )

    def __init__(self, *args, startups: QuerySet, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["startup"]
        field.queryset = startups
        self.single_startup = startups[0] if len(startups) == 1 else None
        if self.single_startup is not None:
            # Nothing to choose: the one bookable startup, sent along in a hidden field.
            field.widget = forms.HiddenInput()
            field.required = False
            field.initial = self.single_startup.pk
        style_fields(self)

    def clean_startup(self):
        return self.cleaned_data.get("startup") or self.single_startup

    def clean_topic(self):
        topic = " ".join(self.cleaned_data["topic"].split())
        if not topic:
            raise forms.ValidationError(_("Say in a few words what you want to talk about."))
        return topic


class SlotForm(forms.Form):
    """A slot chosen by its start instant (ISO 8601 with its UTC offset) and, after a "|",
    its meeting mode (a video and an in-person window may offer the same time)."""

    start = forms.CharField(max_length=MAX_INSTANT_LENGTH + 12)

    def clean_start(self):
        value, _separator, mode = self.cleaned_data["start"].partition("|")
        instant = parse_instant(value)
        if instant is None:
            raise forms.ValidationError(_("Choose one of the free slots."))
        self.cleaned_data["mode"] = mode if mode in MeetingMode.values else None
        return instant


# --- My booking ------------------------------------------------------------------------
class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (sent to the mentor)"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


class AttendanceForm(forms.Form):
    """What the startup may record: the session took place, or the mentor did not come."""

    attendance = forms.ChoiceField(
        label=_("Attendance"),
        choices=[
            (Attendance.HELD, _("The session took place")),
            (Attendance.MENTOR_NO_SHOW, _("The mentor did not come")),
        ],
    )
