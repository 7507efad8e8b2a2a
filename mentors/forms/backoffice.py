"""Forms of the mentoring back-office: the review of mentor profiles, a site's bookings
(filters, attendance, cancelling) and the hours ledger's period (and site) filters.

GET filter forms never raise: the views read only `cleaned_data`, which holds the fields
that validated (an invalid value shows its error and is otherwise ignored)."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import style_fields
from sites.models import Site
from sites.selectors import site_choices

from ..actions import Decision
from ..models import Attendance, BookingStatus, MentorProfile, ProfileStatus
from ..selectors.choices import mentors_of_site

# The review list's status filter: "all" is every submitted profile (drafts are the
# mentor's own work in progress and never reach the reviewers).
STATUS_ALL = "all"
REVIEW_STATUSES = [
    (ProfileStatus.PENDING, ProfileStatus.PENDING.label),
    (ProfileStatus.PUBLISHED, ProfileStatus.PUBLISHED.label),
    (ProfileStatus.SUSPENDED, ProfileStatus.SUSPENDED.label),
    (ProfileStatus.REJECTED, ProfileStatus.REJECTED.label),
    (STATUS_ALL, _("All")),
]
REVIEWABLE_STATUSES = [value for value, _label in REVIEW_STATUSES if value != STATUS_ALL]

DECISION_LABELS = {
    Decision.APPROVE: _("Approve and publish"),
    Decision.REQUEST_CHANGES: _("Request changes"),
    Decision.SUSPEND: _("Suspend"),
}

WHEN_UPCOMING, WHEN_PAST = "upcoming", "past"


def _any(choices) -> list:
    return [("", _("Any"))] + list(choices)


def cleaned(form: forms.Form) -> dict:
    """The fields that validated (an unbound form counts as empty)."""
    form.is_valid()
    return getattr(form, "cleaned_data", {})


# --- Review of mentor profiles ---------------------------------------------------------------
class ReviewFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=REVIEW_STATUSES)
    q = forms.CharField(
        label=_("Search (name, email, headline)"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)

    def chosen_status(self) -> str:
        return cleaned(self).get("status") or ProfileStatus.PENDING

    def filters(self) -> dict:
        """The valid filters as `selectors.directory.profiles_for_review` takes them."""
        status = self.chosen_status()
        return {
            "statuses": REVIEWABLE_STATUSES if status == STATUS_ALL else [status],
            "q": (cleaned(self).get("q") or "").strip(),
        }


def review_decisions(*, user, profile: MentorProfile) -> list[str]:
    """The decisions `user` may take on `profile` in its current status (the same rules as
    `actions.profile_review`, which has the last word): a submitted profile is approved or
    sent back; head office suspends a published one and lifts its own suspensions."""
    if profile.status == ProfileStatus.PENDING:
        return [Decision.APPROVE, Decision.REQUEST_CHANGES]
    if profile.status == ProfileStatus.PUBLISHED and user.is_head_office:
        return [Decision.SUSPEND]
    if profile.status == ProfileStatus.SUSPENDED and user.is_head_office:
        return [Decision.APPROVE]
    return []


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Note to the mentor"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required when you request changes or suspend the profile; sent to the mentor by email."),
    )

    def __init__(self, *args, decisions: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = [(decision, DECISION_LABELS[decision]) for decision in decisions]
        style_fields(self)

    def clean(self):
        data = super().clean()
        decision = data.get("decision")
        if decision in (Decision.REQUEST_CHANGES, Decision.SUSPEND) and not (data.get("note") or "").strip():
            self.add_error("note", _("Tell the mentor why, so that they can act on it."))
        return data


# --- A site's bookings -----------------------------------------------------------------------
class BookingFilterForm(forms.Form):
    when = forms.ChoiceField(
        label=_("When"),
        required=False,
        choices=_any([(WHEN_UPCOMING, _("Upcoming")), (WHEN_PAST, _("Past"))]),
    )
    status = forms.ChoiceField(label=_("Status"), required=False, choices=_any(BookingStatus.choices))
    mentor = forms.ModelChoiceField(label=_("Mentor"), required=False, queryset=None)  # set per site
    q = forms.CharField(
        label=_("Search (startup, topic)"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )

    def __init__(self, *args, site: Site, **kwargs):
        super().__init__(*args, **kwargs)
        # Read in the request's scope, as the bookings are.
        self.fields["mentor"].queryset = mentors_of_site(site)
        style_fields(self)

    def filters(self) -> dict:
        """The valid filters as `selectors.bookings.site_booking_list` takes them."""
        data = cleaned(self)
        return {
            "upcoming": {WHEN_UPCOMING: True, WHEN_PAST: False}.get(data.get("when")),
            "status": data.get("status") or "",
            "mentor": data.get("mentor"),
            "q": (data.get("q") or "").strip(),
        }


class AttendanceForm(forms.Form):
    attendance = forms.ChoiceField(label=_("What happened"), choices=Attendance.choices, widget=forms.RadioSelect)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


class BookingCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Sent by email to the mentor and to the startup."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


# --- The hours ledger ------------------------------------------------------------------------
MONTHS = [
    (1, _("January")),
    (2, _("February")),
    (3, _("March")),
    (4, _("April")),
    (5, _("May")),
    (6, _("June")),
    (7, _("July")),
    (8, _("August")),
    (9, _("September")),
    (10, _("October")),
    (11, _("November")),
    (12, _("December")),
]
FIRST_YEAR = 2001  # the network's first site


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


class HoursFilterForm(forms.Form):
    """The ledger's period: a year, a month of a year, or (nothing chosen, or an invalid
    choice) the last 12 months including the current one. The network's ledger adds a site."""

    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)
    month = forms.TypedChoiceField(label=_("Month"), required=False, coerce=int, empty_value=None, choices=_any(MONTHS))

    def __init__(self, *args, network: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        this_year = timezone.localdate().year
        self.fields["year"].choices = [("", _("Last 12 months"))] + [
            (year, str(year)) for year in range(this_year, FIRST_YEAR - 1, -1)
        ]
        if network:
            self.fields["site"] = forms.ModelChoiceField(
                label=_("Site"),
                required=False,
                queryset=site_choices(),
                to_field_name="slug",
                empty_label=_("All sites"),
            )
        style_fields(self)

    def clean(self):
        data = super().clean()
        if data.get("month") and not data.get("year"):
            self.add_error("month", _("Choose the year too."))
        return data

    def period(self) -> tuple[datetime.date, datetime.date]:
        """[first day, first day after) of the chosen period, in Casablanca dates."""
        data = cleaned(self) if self.is_valid() else {}
        year, month = data.get("year"), data.get("month")
        if year and month:
            first = datetime.date(year, month, 1)
            return first, _add_months(first, 1)
        if year:
            return datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1)
        this_month = timezone.localdate().replace(day=1)
        return _add_months(this_month, -11), _add_months(this_month, 1)

    def site(self):
        return cleaned(self).get("site")
