"""The startup side of mentoring: the public mentor directory, a mentor's page with the
free slots of a week, booking a slot (warned when the startup already has something at that
time), and the startup team's own bookings ("my mentoring": details, the mentor's notes,
cancel, move, rate, attendance); and a booking's calendar file, for each of its parties.

Profiles are network-level (not site-owned): the directory and the mentor pages read them
without any scope. Bookings are site-owned: every read here goes through
`selectors.bookings_of_startups_of(user)` inside the request's `user_scope` (opened by the
middleware), so a booking is found only by the team of its startup; anyone else gets the
same 404 as for a booking that does not exist. Writes go through `mentors.actions` in that
same scope. The calendar file is the API's rule instead (`selectors.booking_roles`): the
team, the mentor and the site's staff, who all find the booking in their request's scope.
"""

import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import Conflict
from core.files import public_image_response
from core.forms import add_action_errors
from core.ics import calendar_response
from services.forms.catalogue import FeedbackForm
from sites.models import Site
from startups.selectors.visibility import startups_of_member

from .. import actions, ics
from ..availability import LOCAL, MAX_RANGE_DAYS, Slot
from ..booking_checks import clashes_to_confirm
from ..forms.directory import (
    AttendanceForm,
    BookingForm,
    CancelForm,
    DirectoryFilterForm,
    SlotForm,
    parse_instant,
)
from ..models import Attendance, Booking, BookingStatus, MeetingMode, MentorProfile
from ..selectors.bookings import (
    CANCEL_CUTOFF,
    booking_roles,
    booking_with_parties,
    can_change,
    team_booking_details,
    team_bookings,
)
from ..selectors.choices import sites_by_pk
from ..selectors.directory import mentor_search, published_mentors
from ..selectors.slots import bookable_startups, find_slot, free_slots

PAGE_SIZE = 24
HISTORY_PAGE_SIZE = 25
DETAIL_DAYS = 7  # the mentor's page shows a week of free slots
RESCHEDULE_DAYS = 14  # moving a booking shows two weeks
CUTOFF_HOURS = int(CANCEL_CUTOFF.total_seconds() // 3600)


# --- Helpers ---------------------------------------------------------------------------
def _published_mentor(pk) -> MentorProfile:
    return get_object_or_404(published_mentors(), pk=pk)


def _initials(mentor: MentorProfile) -> str:
    words = [word for word in mentor.name.replace("-", " ").split() if word[:1].isalnum()]
    return "".join(word[0] for word in words[:2]).upper() or mentor.name[:1].upper()


def _parse_date(value) -> datetime.date | None:
    if not isinstance(value, str) or not 8 <= len(value) <= 10:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return None


def _horizon() -> tuple[datetime.date, datetime.date]:
    """The local dates a startup may book: from today to MAX_RANGE_DAYS ahead."""
    today = timezone.localdate()
    return today, today + datetime.timedelta(days=MAX_RANGE_DAYS)


def _in_horizon(start: datetime.datetime | None) -> bool:
    if start is None:
        return False
    first, last = _horizon()
    return first <= start.astimezone(LOCAL).date() <= last


def _offered_slot(mentor: MentorProfile, start: datetime.datetime | None, mode: str | None) -> Slot | None:
    """The free slot of `mentor` starting at `start`, if it is one the pages offer."""
    if not _in_horizon(start):
        return None
    return find_slot(mentor, start, mode=mode)


def _detail_url(mentor: MentorProfile, start: datetime.datetime | None = None) -> str:
    """The mentor's page, on the week of `start` when there is one."""
    url = reverse("mentors:detail", kwargs={"pk": mentor.pk})
    if _in_horizon(start):
        url += "?" + urlencode({"week": start.astimezone(LOCAL).date().isoformat()})
    return url


def _book_url(mentor: MentorProfile, slot: Slot) -> str:
    query = urlencode({"start": slot.start.isoformat(), "mode": slot.mode})
    return reverse("mentors:book", kwargs={"pk": mentor.pk}) + "?" + query


def _sites_of(slots) -> dict[int, Site]:
    return sites_by_pk({slot.site_id for slot in slots if slot.site_id})


def _week(request, mentor: MentorProfile, *, days: int) -> dict:
    """`days` local dates of free slots from `?week=YYYY-MM-DD` (today when missing or
    invalid), kept between today and the booking horizon; with the previous and next
    periods' first dates for navigation."""
    today, last = _horizon()
    last_start = last - datetime.timedelta(days=days - 1)
    start = _parse_date(request.GET.get("week")) or today
    start = min(max(start, today), last_start)
    end = start + datetime.timedelta(days=days - 1)
    slots = free_slots(mentor, date_from=start, date_to=end)
    sites = _sites_of(slots)
    by_day: dict[datetime.date, list] = {}
    for slot in slots:
        by_day.setdefault(slot.local_start.date(), []).append(
            {
                "slot": slot,
                "start": slot.start.isoformat(),
                "site": sites.get(slot.site_id),
                "book_url": _book_url(mentor, slot),
            }
        )
    step = datetime.timedelta(days=days)
    return {
        "start": start,
        "end": end,
        "days": [
            {
                "date": start + datetime.timedelta(days=offset),
                "slots": by_day.get(start + datetime.timedelta(days=offset), []),
            }
            for offset in range(days)
        ],
        "count": len(slots),
        "previous": max(start - step, today) if start > today else None,
        "next": min(start + step, last_start) if start < last_start else None,
    }


# --- Directory and mentor page ---------------------------------------------------------
def directory(request):
    form = DirectoryFilterForm(request.GET)
    mentors = mentor_search(published_mentors(), **form.filters())
    page = Paginator(mentors, PAGE_SIZE).get_page(request.GET.get("page"))
    for mentor in page:
        mentor.initials = _initials(mentor)
    return render(request, "mentors/directory/directory.html", {"form": form, "page": page})


def mentor_detail(request, pk):
    mentor = _published_mentor(pk)
    mentor.initials = _initials(mentor)
    user = request.user
    can_book = user.is_authenticated and bookable_startups(user).exists()
    return render(
        request,
        "mentors/directory/detail.html",
        {
            "mentor": mentor,
            "week": _week(request, mentor, days=DETAIL_DAYS),
            "can_book": can_book,
            "has_startup": user.is_authenticated and not can_book and startups_of_member(user).exists(),
        },
    )


def mentor_photo(request, pk):
    mentor = get_object_or_404(published_mentors().prefetch_related(None), pk=pk)
    return public_image_response(mentor.photo)


# --- Booking ---------------------------------------------------------------------------
@login_required
def book(request, pk):
    mentor = _published_mentor(pk)
    user = request.user
    startups = bookable_startups(user)
    if not startups.exists():
        return render(
            request,
            "mentors/directory/not_bookable.html",
            {"mentor": mentor, "has_startup": startups_of_member(user).exists()},
            status=403,
        )
    start = parse_instant(request.GET.get("start"))
    mode = request.GET.get("mode") if request.GET.get("mode") in MeetingMode.values else None
    if not _in_horizon(start):
        messages.error(request, _("This slot cannot be booked: choose one of the free slots below."))
        return redirect(_detail_url(mentor, start))
    form = BookingForm(request.POST or None, startups=startups)
    valid = request.method == "POST" and form.is_valid()
    # What else the startup has then is shown as soon as the startup is known (the only one,
    # or the one chosen); booking over it needs the "book anyway" box ticked.
    startup = form.cleaned_data.get("startup") if form.is_bound else form.single_startup
    clashes = clashes_to_confirm(mentor=mentor, startup=startup, start=start) if startup else None
    if valid and clashes and not form.cleaned_data["book_anyway"]:
        form.add_error("book_anyway", _("Tick this box to book although your startup has another session then."))
        valid = False
    if valid:
        # The action decides whether the slot is still free (under the mentor's row lock).
        try:
            booking = actions.booking_create(
                actor=user,
                mentor=mentor,
                startup=form.cleaned_data["startup"],
                start=start,
                topic=form.cleaned_data["topic"],
                questions=form.cleaned_data["questions"],
                mode=mode,
            )
        except Conflict as conflict:
            messages.error(request, conflict.message)
            return redirect(_detail_url(mentor, start))
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(
                request,
                _("Your session is booked. You and the mentor will receive a confirmation with a calendar file."),
            )
            return redirect("mentors:my_booking", pk=booking.pk)
    slot = _offered_slot(mentor, start, mode)
    if slot is None:
        messages.error(request, _("This slot is no longer free: choose another one."))
        return redirect(_detail_url(mentor, start))
    return render(
        request,
        "mentors/directory/book.html",
        {
            "mentor": mentor,
            "slot": slot,
            "site": _sites_of([slot]).get(slot.site_id),
            "form": form,
            "clashes": clashes,
            "cutoff_hours": CUTOFF_HOURS,
        },
    )


# --- My mentoring ----------------------------------------------------------------------
@login_required
def my_bookings(request):
    now = timezone.now()
    upcoming = list(team_bookings(request.user, now=now))
    history = team_bookings(request.user, now=now, past=True)
    page = Paginator(history, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "mentors/directory/my_bookings.html", {"upcoming": upcoming, "page": page, "now": now})


def _my_booking(request, pk) -> Booking:
    """One booking of the user's startups; 404 for anybody else's."""
    return get_object_or_404(team_booking_details(request.user), pk=pk)


def _booking_page(request, booking: Booking, *, cancel_form=None, rating_form=None):
    now = timezone.now()
    confirmed = booking.status == BookingStatus.CONFIRMED
    started = booking.starts_at <= now
    ended = booking.ends_at <= now
    no_show = booking.attendance in (Attendance.STARTUP_NO_SHOW, Attendance.MENTOR_NO_SHOW)
    return render(
        request,
        "mentors/directory/my_booking.html",
        {
            "booking": booking,
            "mentor": booking.mentor,
            "rescheduled_to": getattr(booking, "rescheduled_to", None),
            "can_change": can_change(booking, now),
            "cutoff_hours": CUTOFF_HOURS,
            "started": started,
            "ended": ended,
            "video_url": booking.mentor.video_url
            if confirmed and booking.mode == MeetingMode.VIDEO and not ended
            else "",
            "can_rate": confirmed and ended and not no_show,
            "can_mark": confirmed and started,
            "cancel_form": cancel_form or CancelForm(),
            "rating_form": rating_form
            or FeedbackForm(initial={"rating": booking.rating, "comment": booking.rating_comment}),
            "attendance_choices": AttendanceForm.base_fields["attendance"].choices,
        },
    )


@login_required
def my_booking(request, pk):
    return _booking_page(request, _my_booking(request, pk))


@require_POST
@login_required
def my_booking_cancel(request, pk):
    booking = _my_booking(request, pk)
    form = CancelForm(request.POST)
    if not form.is_valid():
        return _booking_page(request, booking, cancel_form=form)
    try:
        actions.booking_cancel(actor=request.user, booking=booking, reason=form.cleaned_data["reason"])
    except Conflict as conflict:
        messages.error(request, conflict.message)
    else:
        messages.success(request, _("The booking is cancelled and the mentor has been told. The slot is free again."))
    return redirect("mentors:my_booking", pk=booking.pk)


@require_POST
@login_required
def my_booking_rate(request, pk):
    booking = _my_booking(request, pk)
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        return _booking_page(request, booking, rating_form=form)
    try:
        actions.booking_rate(
            actor=request.user,
            booking=booking,
            rating=form.cleaned_data["rating"],
            comment=form.cleaned_data["comment"],
        )
    except Conflict as conflict:
        messages.error(request, conflict.message)
        return redirect("mentors:my_booking", pk=booking.pk)
    except ValidationError as error:
        add_action_errors(form, error)
        return _booking_page(request, booking, rating_form=form)
    messages.success(request, _("Thank you for rating this session."))
    return redirect("mentors:my_booking", pk=booking.pk)


@require_POST
@login_required
def my_booking_attendance(request, pk):
    booking = _my_booking(request, pk)
    form = AttendanceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether the session took place or the mentor did not come."))
        return redirect("mentors:my_booking", pk=booking.pk)
    try:
        actions.booking_mark_attendance(actor=request.user, booking=booking, attendance=form.cleaned_data["attendance"])
    except Conflict as conflict:
        messages.error(request, conflict.message)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Thank you: attendance recorded."))
    return redirect("mentors:my_booking", pk=booking.pk)


@login_required
def my_booking_reschedule(request, pk):
    booking = _my_booking(request, pk)
    if booking.status != BookingStatus.CONFIRMED:
        messages.error(request, _("This booking is cancelled: book a new slot from the mentor's page instead."))
        return redirect("mentors:my_booking", pk=booking.pk)
    if not can_change(booking):
        messages.error(
            request,
            _("Bookings can be cancelled or moved until %(hours)d hours before they start.") % {"hours": CUTOFF_HOURS},
        )
        return redirect("mentors:my_booking", pk=booking.pk)
    here = reverse("mentors:my_booking_reschedule", kwargs={"pk": booking.pk})
    if request.method == "POST":
        form = SlotForm(request.POST)
        if not form.is_valid() or not _in_horizon(form.cleaned_data["start"]):
            messages.error(request, _("Choose one of the free slots."))
            return redirect(here)
        try:
            new = actions.booking_reschedule(
                actor=request.user, booking=booking, start=form.cleaned_data["start"], mode=form.cleaned_data["mode"]
            )
        except Conflict as conflict:
            messages.error(request, conflict.message)
            return redirect(here)
        messages.success(
            request,
            _("Your session has been moved. You and the mentor will receive the new time with a calendar file."),
        )
        return redirect("mentors:my_booking", pk=new.pk)
    mentor = booking.mentor
    return render(
        request,
        "mentors/directory/reschedule.html",
        {
            "booking": booking,
            "mentor": mentor,
            "week": _week(request, mentor, days=RESCHEDULE_DAYS) if mentor.is_published else None,
        },
    )


# --- A booking's calendar file (any of its parties) --------------------------------------
@login_required
def booking_ics(request, pk):
    """A confirmed booking as an `.ics` file to add to one's calendar, with the UID and the
    place (room or video link) the personal feed gives it, for anyone who has a part in it
    (`booking_roles`: the startup's team, the mentor, the site's staff); 404 for the others
    and for a cancelled booking."""
    booking = booking_with_parties(pk=pk)
    if booking is None or booking.status != BookingStatus.CONFIRMED or not booking_roles(request.user, booking):
        raise Http404
    return calendar_response(ics.calendar([ics.booking_event(booking)]), filename=f"mentoring-{booking.pk}.ics")


urlpatterns = [
    path("mentors/", directory, name="directory"),
    path("mentors/<int:pk>/", mentor_detail, name="detail"),
    path("mentors/<int:pk>/photo/", mentor_photo, name="photo"),
    path("mentors/<int:pk>/book/", book, name="book"),
    path("me/mentoring/", my_bookings, name="my_bookings"),
    path("me/mentoring/<int:pk>/", my_booking, name="my_booking"),
    path("me/mentoring/<int:pk>/reschedule/", my_booking_reschedule, name="my_booking_reschedule"),
    path("me/mentoring/<int:pk>/cancel/", my_booking_cancel, name="my_booking_cancel"),
    path("me/mentoring/<int:pk>/rate/", my_booking_rate, name="my_booking_rate"),
    path("me/mentoring/<int:pk>/attendance/", my_booking_attendance, name="my_booking_attendance"),
    path("mentors/bookings/<int:pk>/booking.ics", booking_ics, name="booking_ics"),
]
