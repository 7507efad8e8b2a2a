"""The mentor's own space: their profile (create, edit, submit for approval), their
availability (weekly rules, one-off windows, blocked dates, and a preview of the free slots
startups see) and their agenda, where they write notes after a session, record whether it
was held, or cancel it before the cut-off.

A profile and its availability belong to the network: every read here is filtered to the
signed-in user's own rows (`mentor__user=request.user`). Bookings are site-owned: the
request's scope (`user_scope`) already spans the home sites of the startups that booked the
mentor, and `selectors.bookings.bookings_of_mentor` narrows it to the mentor's own bookings; any
other booking is the 404 of a missing one.
"""

import datetime
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.errors import Conflict
from core.files import public_image_response
from core.forms import add_action_errors
from core.limits import upload_limit
from core.validators import MAX_LOGO_BYTES

from .. import actions
from ..forms.mentor_space import (
    BlockedPeriodForm,
    ExtraWindowForm,
    MentorAttendanceForm,
    MentorCancelForm,
    MentorProfileForm,
    NoteForm,
    WeeklyRuleForm,
)
from ..models import (
    BlockedPeriod,
    Booking,
    BookingStatus,
    ExtraWindow,
    MeetingMode,
    MentorProfile,
    ProfileStatus,
    WeeklyRule,
)
from ..selectors.bookings import CANCEL_CUTOFF, can_change, mentor_agenda, mentor_booking_details
from ..selectors.choices import sites_served_by
from ..selectors.directory import mentor_profile_of
from ..selectors.slots import free_slots

PAGE_SIZE = 20
PREVIEW_DAYS = 14


def mentor_required(view):
    """Signed in with a mentor profile; anyone else is sent to create one."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        profile = mentor_profile_of(request.user)
        if profile is None:
            messages.info(
                request,
                _("You have no mentor profile yet: create it first, then set your availability and see your agenda."),
            )
            return redirect("mentors:my_profile")
        return view(request, profile, *args, **kwargs)

    return wrapper


def _error_messages(error: ValidationError) -> str:
    return " ".join(error.messages)


# --- Profile ---------------------------------------------------------------------------
@upload_limit(MAX_LOGO_BYTES)  # the photo
@login_required
def my_profile(request):
    """Create the profile ("become a mentor or expert") or edit it. Saving never changes
    the status: a draft is submitted for approval separately; a published profile stays
    published."""
    user = request.user
    profile = mentor_profile_of(user) or MentorProfile(user=user)
    form = MentorProfileForm(request.POST or None, request.FILES or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        creating = profile.pk is None
        data = form.cleaned_data
        try:
            profile = actions.profile_save(
                actor=user,
                profile=form.save(commit=False),
                dimensions=data["dimensions"],
                languages=data["languages"],
                sectors=data["sectors"],
                sites=data["sites"],
                tags=data["tags"],
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            if creating:
                messages.success(
                    request,
                    _("Your profile is created. Add your availability, then submit your profile for approval."),
                )
            else:
                messages.success(request, _("Your profile is saved."))
            return redirect("mentors:my_profile")
    if form.errors:
        messages.error(request, _("Your profile was not saved: please correct the errors below."))
    context = {"form": form, "profile": profile if profile.pk else None}
    if profile.pk:
        context["window_count"] = profile.weekly_rules.count() + profile.extra_windows.count()
        context["can_submit"] = profile.status in (ProfileStatus.DRAFT, ProfileStatus.REJECTED)
    return render(request, "mentors/mentor_space/profile.html", context)


@require_POST
@login_required
def profile_submit(request):
    profile = mentor_profile_of(request.user)
    if profile is None:
        messages.info(request, _("Create your mentor profile first."))
        return redirect("mentors:my_profile")
    try:
        actions.profile_submit(actor=request.user, profile=profile)
    except Conflict as conflict:
        messages.error(request, conflict.message)
    else:
        messages.success(
            request,
            _("Your profile is submitted. The Technopark team will review it and email you their decision."),
        )
    return redirect("mentors:my_profile")


@login_required
def my_photo(request):
    """The mentor's own photo, whatever the profile's status (the directory serves the
    published ones)."""
    profile = mentor_profile_of(request.user)
    if profile is None:
        raise Http404
    response = public_image_response(profile.photo)
    response["Cache-Control"] = "private, no-cache"
    return response


# --- Availability ----------------------------------------------------------------------
ADD_FORMS = {
    "weekly": (
        WeeklyRuleForm,
        WeeklyRule,
        actions.weekly_rule_save,
        "rule",
        gettext_lazy("Weekly availability added."),
    ),
    "extra": (
        ExtraWindowForm,
        ExtraWindow,
        actions.extra_window_save,
        "window",
        gettext_lazy("Extra availability added."),
    ),
    "blocked": (
        BlockedPeriodForm,
        BlockedPeriod,
        actions.blocked_period_save,
        "period",
        gettext_lazy("Dates blocked."),
    ),
}
DELETABLE = {"weekly": WeeklyRule, "extra": ExtraWindow, "blocked": BlockedPeriod}


def _availability_forms(profile: MentorProfile, served_sites, bound: str | None = None, data=None) -> dict:
    forms = {}
    for kind, (form_class, model, *_rest) in ADD_FORMS.items():
        kwargs = {"prefix": kind, "instance": model(mentor=profile)}
        if form_class is not BlockedPeriodForm:
            kwargs.update(profile=profile, served_sites=served_sites)
        forms[kind] = form_class(data if kind == bound else None, **kwargs)
    return forms


def _tiling_example(profile: MentorProfile) -> list[str]:
    """The start times a 09:00–12:00 window gives with this profile's session and buffer."""
    day = datetime.date(2000, 1, 3)
    start = datetime.datetime.combine(day, datetime.time(9))
    end = datetime.datetime.combine(day, datetime.time(12))
    starts = []
    while start + profile.session_length <= end:
        starts.append(start.strftime("%H:%M"))
        start += profile.session_length + profile.buffer
    return starts


@mentor_required
def availability(request, profile):
    served_sites = sites_served_by(profile)
    bound = request.POST.get("add") if request.method == "POST" else None
    if bound is not None and bound not in ADD_FORMS:
        bound = None
    forms = _availability_forms(profile, served_sites, bound, request.POST)
    if bound:
        form = forms[bound]
        save, argument, done = ADD_FORMS[bound][2:]
        if form.is_valid():
            try:
                save(actor=request.user, **{argument: form.save(commit=False)})
            except ValidationError as error:
                add_action_errors(form, error)
            else:
                messages.success(request, done)
                return redirect("mentors:availability")
        messages.error(request, _("Nothing was added: please correct the errors below."))

    today = timezone.localdate()
    sites_by_pk = {site.pk: site for site in served_sites}
    slots = free_slots(profile, date_from=today, date_to=today + datetime.timedelta(days=PREVIEW_DAYS - 1))
    preview: dict[datetime.date, list] = {}
    for slot in slots:
        preview.setdefault(slot.local_start.date(), []).append(
            {"slot": slot, "site": sites_by_pk.get(slot.site_id), "is_video": slot.mode == MeetingMode.VIDEO}
        )
    context = {
        "profile": profile,
        "forms": forms,
        "bound": bound,
        "weekly_rules": profile.weekly_rules.select_related("meeting_site"),
        "extra_windows": profile.extra_windows.ahead(today).select_related("meeting_site"),
        "blocked_periods": profile.blocked_periods.ahead(today),
        "preview": sorted(preview.items()),
        "preview_count": len(slots),
        "preview_days": PREVIEW_DAYS,
        "tiling_example": _tiling_example(profile),
        "has_sites": bool(sites_by_pk),
    }
    return render(request, "mentors/mentor_space/availability.html", context, status=200)


@require_POST
@login_required
def availability_delete(request, kind, pk):
    model = DELETABLE.get(kind)
    if model is None:
        raise Http404
    instance = get_object_or_404(model.objects.of_user(request.user), pk=pk)
    actions.availability_delete(actor=request.user, instance=instance)
    if kind == "blocked":
        messages.success(request, _("These dates are open again."))
    else:
        messages.success(request, _("Availability removed. Sessions already booked stay booked."))
    return redirect("mentors:availability")


# --- Agenda ----------------------------------------------------------------------------
@mentor_required
def agenda(request, profile):
    now = timezone.now()
    when = "past" if request.GET.get("when") == "past" else "upcoming"
    bookings = mentor_agenda(request.user, now=now, past=(when == "past"))
    page = Paginator(bookings, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "profile": profile,
        "when": when,
        "page": page,
        "now": now,
        "upcoming_count": mentor_agenda(request.user, now=now).confirmed().count(),
    }
    return render(request, "mentors/mentor_space/agenda.html", context)


def _own_booking(request, pk) -> Booking:
    return get_object_or_404(mentor_booking_details(request.user), pk=pk)


def _agenda_detail_response(request, booking: Booking, *, bound: dict | None = None, status: int = 200):
    bound = bound or {}
    now = timezone.now()
    started = booking.starts_at <= now
    confirmed = booking.status == BookingStatus.CONFIRMED
    context = {
        "booking": booking,
        "now": now,
        "started": started,
        "can_record": confirmed and started,
        "can_cancel": can_change(booking, now),
        "cutoff_hours": int(CANCEL_CUTOFF.total_seconds() // 3600),
        "note_form": bound.get("note") or NoteForm(initial={"note": booking.note}),
        "attendance_form": bound.get("attendance") or MentorAttendanceForm(initial={"attendance": booking.attendance}),
        "cancel_form": bound.get("cancel") or MentorCancelForm(),
    }
    return render(request, "mentors/mentor_space/agenda_detail.html", context, status=status)


@login_required
def agenda_detail(request, pk):
    return _agenda_detail_response(request, _own_booking(request, pk))


def _booking_post(request, pk, form_class, key: str, act):
    """One POST on a booking of the mentor's: validate the form, call the action; a Conflict
    (too early, too late, cancelled) is a message; form errors re-render the page."""
    booking = _own_booking(request, pk)
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, _("Nothing was saved: please correct the errors below."))
        return _agenda_detail_response(request, booking, bound={key: form})
    try:
        message = act(booking, form.cleaned_data)
    except Conflict as conflict:
        messages.error(request, conflict.message)
    except PermissionDenied as denied:  # a booking of theirs: only a stale state gets here
        raise Http404 from denied
    except ValidationError as error:
        messages.error(request, _error_messages(error))
    else:
        messages.success(request, message)
    return redirect("mentors:agenda_detail", pk=booking.pk)


@require_POST
@login_required
def agenda_note(request, pk):
    def act(booking, data):
        actions.booking_note(actor=request.user, booking=booking, note=data["note"])
        return _("Your notes are saved. The startup and its site team can read them.")

    return _booking_post(request, pk, NoteForm, "note", act)


@require_POST
@login_required
def agenda_attendance(request, pk):
    def act(booking, data):
        actions.booking_mark_attendance(actor=request.user, booking=booking, attendance=data["attendance"])
        return _("Attendance recorded.")

    return _booking_post(request, pk, MentorAttendanceForm, "attendance", act)


@require_POST
@login_required
def agenda_cancel(request, pk):
    def act(booking, data):
        actions.booking_cancel(actor=request.user, booking=booking, reason=data["reason"])
        return _("The session is cancelled. The startup has been told by email.")

    return _booking_post(request, pk, MentorCancelForm, "cancel", act)


urlpatterns = [
    path("mentor/profile/", my_profile, name="my_profile"),
    path("mentor/profile/submit/", profile_submit, name="profile_submit"),
    path("mentor/profile/photo/", my_photo, name="my_photo"),
    path("mentor/availability/", availability, name="availability"),
    path("mentor/availability/<slug:kind>/<int:pk>/delete/", availability_delete, name="availability_delete"),
    path("mentor/agenda/", agenda, name="agenda"),
    path("mentor/agenda/<int:pk>/", agenda_detail, name="agenda_detail"),
    path("mentor/agenda/<int:pk>/note/", agenda_note, name="agenda_note"),
    path("mentor/agenda/<int:pk>/attendance/", agenda_attendance, name="agenda_attendance"),
    path("mentor/agenda/<int:pk>/cancel/", agenda_cancel, name="agenda_cancel"),
]
