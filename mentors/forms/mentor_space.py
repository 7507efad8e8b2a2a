"""Forms of the mentor's own space: their profile, their availability (weekly rules,
one-off windows, blocked dates) and what they record after a session (notes, attendance)
or before it (cancelling).

Forms check what a person can fix on the page (times in order, a site for in-person
meetings, a link for video calls); the actions check the rest and their ValidationErrors
land on the same fields (`core.forms.add_action_errors`)."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import style_fields
from services.models import Dimension
from sites.selectors import language_choices, sector_choices

from ..models import Attendance, BlockedPeriod, ExtraWindow, MeetingMode, MentorProfile, WeeklyRule
from ..selectors.choices import default_language_ids, sites_offered_to, sites_served_by

TAG_MAX_LENGTH = 40  # Tag.name
TAGS_MAX = 20
IMAGE_TYPES = "image/png,image/jpeg,image/webp"


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%H:%M")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def parse_tags(text: str) -> list[str]:
    """ "SaaS, pricing ,saas,,B2B" → ["SaaS", "pricing", "B2B"]: trimmed, inner spaces
    collapsed, duplicates (whatever their case) dropped, in the order typed. The Arabic
    comma "،" separates too."""
    names, seen = [], set()
    for raw in (text or "").replace("،", ",").split(","):
        name = " ".join(raw.split())
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            names.append(name)
    return names


class MentorProfileForm(forms.ModelForm):
    """The mentor's profile. Dimensions and tags are not model fields (rows of their own):
    the view hands `cleaned_data["dimensions"]` and `["tags"]` to `actions.profile_save`,
    with the languages, sectors and sites, instead of calling `save()`."""

    dimensions = forms.MultipleChoiceField(
        label=_("Support dimensions"),
        choices=Dimension.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one support dimension.")},
        help_text=_("What you help startups with. Choose at least one."),
    )
    tags = forms.CharField(
        label=_("Expertise keywords"),
        required=False,
        max_length=1000,
        help_text=_("Separated by commas, e.g. “fundraising, SaaS pricing, export to Africa”. 40 characters each."),
    )
    linkedin_url = forms.URLField(label=_("LinkedIn profile"), required=False, max_length=200, assume_scheme="https")
    video_url = forms.URLField(
        label=_("Video meeting link"),
        required=False,
        max_length=200,
        assume_scheme="https",
        help_text=_("Your personal meeting room (Meet, Teams, Zoom…), sent to startups who book a video call."),
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )
    remove_photo = forms.BooleanField(label=_("Remove my photo"), required=False)

    class Meta:
        model = MentorProfile
        fields = [
            "kind",
            "headline",
            "bio",
            "photo",
            "remove_photo",
            "organisation",
            "linkedin_url",
            "dimensions",
            "languages",
            "sectors",
            "tags",
            "sites",
            "offers_video",
            "video_url",
            "session_minutes",
            "buffer_minutes",
            "min_notice_hours",
            "max_bookings_per_startup_month",
        ]
        widgets = {
            "kind": forms.RadioSelect,
            "bio": forms.Textarea(attrs={"rows": 6}),
            "photo": forms.FileInput(attrs={"accept": IMAGE_TYPES}),
            "languages": forms.CheckboxSelectMultiple,
            "sectors": forms.CheckboxSelectMultiple,
            "sites": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        profile = self.instance
        fields = self.fields
        fields["kind"].choices = [(value, label) for value, label in fields["kind"].choices if value != ""]
        fields["languages"].queryset = language_choices()
        fields["languages"].error_messages["required"] = _("Choose at least one language.")
        fields["sectors"].queryset = sector_choices()
        fields["sites"].queryset = sites_offered_to(profile)
        fields["photo"].help_text = _("PNG, JPEG or WebP, 2 MB at most.")
        if not profile.photo:
            del fields["remove_photo"]
        if profile.pk:
            self.initial.setdefault("dimensions", [row.dimension for row in profile.dimension_rows.all()])
            # `tags` is typed text here, not the model's list of Tag rows.
            self.initial["tags"] = ", ".join(tag.name for tag in profile.tags.all())
        else:
            self.initial.setdefault("languages", default_language_ids())
        style_fields(self)
        fields["kind"].widget.attrs["class"] = "form-check-input"

    def clean_headline(self):
        headline = " ".join(self.cleaned_data["headline"].split())
        if not headline:
            raise forms.ValidationError(_("Say in one line what you help startups with."))
        return headline

    def clean_bio(self):
        bio = self.cleaned_data["bio"].strip()
        if not bio:
            raise forms.ValidationError(_("Tell startups about your background in a few lines."))
        return bio

    def clean_tags(self):
        names = parse_tags(self.cleaned_data.get("tags", ""))
        too_long = [name for name in names if len(name) > TAG_MAX_LENGTH]
        if too_long:
            raise forms.ValidationError(
                _("Keep each keyword under %(max)d characters: “%(tag)s” is longer.")
                % {"max": TAG_MAX_LENGTH, "tag": too_long[0][:60]}
            )
        if len(names) > TAGS_MAX:
            raise forms.ValidationError(_("At most %(max)d keywords.") % {"max": TAGS_MAX})
        return names

    def clean(self):
        data = super().clean()
        # The same rules as actions.profile_save, checked here too so that every error shows
        # at once.
        if data.get("offers_video"):
            if not data.get("video_url") and "video_url" not in self.errors:
                self.add_error("video_url", _("Give the link of your video meeting room, or untick video calls."))
        elif not data.get("sites") and "sites" not in self.errors:
            self.add_error("sites", _("Offer video calls or choose at least one site where you meet in person."))
        if data.get("remove_photo") and not self.files.get(self.add_prefix("photo")):
            data["photo"] = False  # FileField's way of saying "clear it"
        return data


class WindowForm(forms.ModelForm):
    """Shared by weekly rules and one-off windows: times in Morocco time, a meeting mode and,
    in person, one of the sites the mentor serves. A window shorter than one session would
    never give a slot: refused too."""

    def __init__(self, *args, profile: MentorProfile, served_sites=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.profile = profile
        site = self.fields["meeting_site"]
        site.queryset = sites_served_by(profile) if served_sites is None else served_sites
        site.required = False
        site.help_text = _("For in-person meetings: one of the sites you serve.")
        site.empty_label = _("— (video call)")
        for name in ("starts_at", "ends_at"):
            self.fields[name].input_formats = ["%H:%M", "%H:%M:%S"]
        if not profile.offers_video and self.instance.pk is None:
            self.initial.setdefault("mode", MeetingMode.IN_PERSON)
        self.fields["mode"].choices = [(v, label) for v, label in self.fields["mode"].choices if v != ""]
        style_fields(self)

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends:
            if ends <= starts:
                self.add_error("ends_at", _("The window must end after it starts."))
            else:
                day = datetime.date(2000, 1, 3)
                length = datetime.datetime.combine(day, ends) - datetime.datetime.combine(day, starts)
                if length < self.profile.session_length:
                    self.add_error(
                        "ends_at",
                        _("The window is shorter than one session (%(minutes)d minutes): it would give no slot.")
                        % {"minutes": self.profile.session_minutes},
                    )
        mode = data.get("mode")
        if mode == MeetingMode.IN_PERSON:
            if not data.get("meeting_site") and "meeting_site" not in self.errors:
                self.add_error("meeting_site", _("Choose the site where you meet startups in person."))
        elif mode == MeetingMode.VIDEO:
            data["meeting_site"] = None
            if not self.profile.offers_video:
                self.add_error("mode", _("Your profile does not offer video calls: tick them in your profile first."))
        return data


class WeeklyRuleForm(WindowForm):
    class Meta:
        model = WeeklyRule
        fields = ["weekday", "starts_at", "ends_at", "mode", "meeting_site"]
        widgets = {"starts_at": TimeInput(), "ends_at": TimeInput()}


class ExtraWindowForm(WindowForm):
    class Meta:
        model = ExtraWindow
        fields = ["date", "starts_at", "ends_at", "mode", "meeting_site"]
        widgets = {"date": DateInput(), "starts_at": TimeInput(), "ends_at": TimeInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].widget.attrs["min"] = timezone.localdate().isoformat()

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date < timezone.localdate():
            raise forms.ValidationError(_("This date is in the past."))
        return date


class BlockedPeriodForm(forms.ModelForm):
    class Meta:
        model = BlockedPeriod
        fields = ["starts_on", "ends_on", "reason"]
        widgets = {"starts_on": DateInput(), "ends_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].help_text = _("For you only, e.g. “holidays”.")
        style_fields(self)

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends:
            if ends < starts:
                self.add_error("ends_on", _("The last day cannot be before the first."))
            elif ends < timezone.localdate():
                self.add_error("ends_on", _("These dates are in the past."))
        return data


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Your notes"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Seen by the startup and its site team only. Saving them marks the session as held."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


class MentorAttendanceForm(forms.Form):
    attendance = forms.ChoiceField(
        label=_("What happened"),
        choices=[
            (Attendance.HELD, _("The session was held")),
            (Attendance.STARTUP_NO_SHOW, _("The startup did not come")),
        ],
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)
        self.fields["attendance"].widget.attrs["class"] = "form-check-input"


class MentorCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (sent to the startup)"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Tell the startup why, in a few words.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)
