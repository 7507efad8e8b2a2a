"""Site back-office: the room bookings of one site and their occupancy (issue 20).

Routes live under `/manage/<site_slug>/rooms/` (scoped by `SiteScopeMiddleware`): a booking
looked up by id is only found at this site, so another site's is a 404. The bookings list
shows prices and decides requests: for the site's managers and head office only, even to
read (`@site_action(MANAGE)`); the occupancy figures are read by everyone at the site.

- `bookings/`: filters (room, status, dates), the outside organisations' requests first, each
  with its Approve and Refuse forms (a refusal needs a reason: the organisation reads it),
  then what is ahead, then the past. A confirmed booking ahead has a Cancel form behind a
  disclosure that says what cancelling costs (free until the site's deadline, else charged).
- `bookings/<pk>/decide/`, `bookings/<pk>/cancel/`: POST only; they call the actions and go
  back to the list (its filters kept), saying what happened or why not (a Conflict: the room
  was taken meanwhile).
- `occupancy/`: the last 8 weeks and the last 6 months per room and for the site
  (`selectors.occupancy`), `?format=csv|xlsx&by=week|month` to download them.
"""

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.errors import Conflict
from core.forms import style_fields
from sites.roles import MANAGE, can, site_action

from ..actions.bookings import room_booking_cancel, room_booking_decide
from ..exports import FORMATS, occupancy_export
from ..models import RoomBooking, RoomBookingStatus
from ..selectors.bookings import site_policy
from ..selectors.manage_bookings import booking_rooms, requests_waiting, site_booking_details, site_bookings
from ..selectors.occupancy import occupancy

PAGE_SIZE = 25
WEEKS, MONTHS = 8, 6
MAX_BACK = 500  # characters of the list's query string carried through a decision


# --- Forms -----------------------------------------------------------------------------------
class BookingFilterForm(forms.Form):
    """GET filters: an invalid value shows its error and is otherwise ignored."""

    room = forms.ModelChoiceField(label=gettext_lazy("Room"), required=False, queryset=None)
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("Any"))] + list(RoomBookingStatus.choices),
    )
    date_from = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = booking_rooms()  # the scope's rooms
        self.fields["room"].empty_label = _("Any")
        style_fields(self, small=True)

    def clean(self):
        data = super().clean()
        first, last = data.get("date_from"), data.get("date_to")
        if first and last and last < first:
            self.add_error("date_to", _("The end of the period comes before its start."))
        return data

    def filters(self) -> dict:
        """The valid filters as `site_bookings` takes them."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "room": data.get("room"),
            "status": data.get("status") or "",
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
        }


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "approve"), ("refuse", "refuse")])
    reason = forms.CharField(required=False, max_length=300)
    back = forms.CharField(required=False, max_length=MAX_BACK)


class CancelForm(forms.Form):
    back = forms.CharField(required=False, max_length=MAX_BACK)


# --- The list --------------------------------------------------------------------------------
def _cancel_terms(booking: RoomBooking, *, now: datetime.datetime, deadline_hours: int) -> str:
    """What cancelling would do, or "" when it cannot be cancelled from this page."""
    if booking.session_id or booking.starts_at <= now:
        return ""
    if booking.status == RoomBookingStatus.REQUESTED:
        return ""  # a request is refused instead
    if booking.status != RoomBookingStatus.CONFIRMED:
        return ""
    if now <= booking.starts_at - datetime.timedelta(hours=deadline_hours):
        return "free"
    return "late"


@login_required
@site_action(MANAGE)  # prices and decisions: the site's managers only, even to read
def manage_bookings(request, site_slug):
    now = timezone.now()
    form = BookingFilterForm(request.GET or None)
    page = Paginator(site_bookings(now=now, **form.filters()), PAGE_SIZE).get_page(request.GET.get("page"))
    deadline_hours = site_policy(request.site.pk).free_cancellation_hours
    for booking in page:
        booking.cancel_terms = _cancel_terms(booking, now=now, deadline_hours=deadline_hours)
        booking.is_request = booking.status == RoomBookingStatus.REQUESTED and booking.ends_at > now
    return render(
        request,
        "spaces/manage/bookings.html",
        {
            "site": request.site,
            "form": form,
            "page": page,
            "now": now,
            "deadline_hours": deadline_hours,
            "waiting": requests_waiting(now=now),
            "filtered": any(request.GET.get(name) for name in form.fields),
            "back": request.GET.urlencode()[:MAX_BACK],
        },
    )


def _back_to_list(request, back: str) -> HttpResponseRedirect:
    """The list, with the filters and page it was posted from (re-encoded: only a query
    string can come through, never another address)."""
    url = reverse("spaces:manage_bookings", kwargs={"site_slug": request.site.slug})
    query = QueryDict(back or "").urlencode()
    return HttpResponseRedirect(f"{url}?{query}" if query else url)


def _booking(pk: int) -> RoomBooking:
    return get_object_or_404(site_booking_details(), pk=pk)  # scoped: another site's is not found


def _error_messages(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@require_POST
@login_required
def manage_booking_decide(request, site_slug, pk):
    """Approve or refuse an outside organisation's request, back to the list."""
    booking = _booking(pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to approve or to refuse the request."))
        return _back_to_list(request, request.POST.get("back", "")[:MAX_BACK])
    approve = form.cleaned_data["decision"] == "approve"
    try:
        room_booking_decide(actor=request.user, booking=booking, approve=approve, reason=form.cleaned_data["reason"])
    except Conflict as conflict:
        messages.error(request, conflict.message)
    except ValidationError as error:
        _error_messages(request, error)
    else:
        text = (
            _("Request of %(holder)s for %(room)s approved: the organisation was told by email.")
            if approve
            else _("Request of %(holder)s for %(room)s refused: the organisation was told why by email.")
        )
        messages.success(request, text % {"holder": booking.holder, "room": booking.room})
    return _back_to_list(request, form.cleaned_data["back"])


@require_POST
@login_required
def manage_booking_cancel(request, site_slug, pk):
    """Cancel a booking ahead (free or charged, per the site's deadline), back to the list."""
    booking = _booking(pk)
    form = CancelForm(request.POST)
    back = form.cleaned_data["back"] if form.is_valid() else ""
    try:
        cancelled = room_booking_cancel(actor=request.user, booking=booking)
    except Conflict as conflict:
        messages.error(request, conflict.message)
    except ValidationError as error:
        _error_messages(request, error)
    else:
        text = (
            _("Booking of %(room)s by %(holder)s cancelled after the free deadline: its hours stay charged.")
            if cancelled.late_cancellation
            else _("Booking of %(room)s by %(holder)s cancelled, free of charge.")
        )
        messages.success(request, text % {"holder": booking.holder, "room": booking.room})
    return _back_to_list(request, back)


# --- Occupancy -------------------------------------------------------------------------------
def occupancy_periods(today: datetime.date) -> dict[str, tuple[datetime.date, datetime.date]]:
    """The current ISO week and the 7 before it; the current month and the 5 before it (the
    current ones whole: their bookings ahead count)."""
    monday = today - datetime.timedelta(days=today.weekday())
    first_week = monday - datetime.timedelta(weeks=WEEKS - 1)
    month = today.replace(day=1)
    first_month = month
    for _step in range(MONTHS - 1):
        first_month = (first_month - datetime.timedelta(days=1)).replace(day=1)
    month_end = (month + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    return {"week": (first_week, monday + datetime.timedelta(days=6)), "month": (first_month, month_end)}


def pivot(site_rows: list, room_rows: list) -> dict:
    """The page's table: one line per room (the site's total first), one column per period."""
    periods = [row.bucket for row in site_rows]
    lines = [{"name": "", "is_site": True, "cells": site_rows}]
    for row in room_rows:
        if not lines[-1]["is_site"] and lines[-1]["room_id"] == row.room_id:
            lines[-1]["cells"].append(row)
        else:
            lines.append({"name": row.room_name, "room_id": row.room_id, "is_site": False, "cells": [row]})
    return {"periods": periods, "lines": lines}


@login_required
def manage_occupancy(request, site_slug):
    periods = occupancy_periods(timezone.localdate())
    export = request.GET.get("format")
    if export in FORMATS:
        by = request.GET.get("by") if request.GET.get("by") in periods else "week"
        start, end = periods[by]
        site_rows, room_rows = occupancy(site_ids=[request.site.pk], start=start, end=end, by=by)
        return occupancy_export(site=request.site, by=by, site_rows=site_rows, room_rows=room_rows, export=export)
    tables = []
    for by, title in (("week", _("The last 8 weeks")), ("month", _("The last 6 months"))):
        start, end = periods[by]
        site_rows, room_rows = occupancy(site_ids=[request.site.pk], start=start, end=end, by=by)
        tables.append({"by": by, "title": title, "start": start, "end": end, **pivot(site_rows, room_rows)})
    return render(
        request,
        "spaces/manage/occupancy.html",
        {
            "site": request.site,
            "tables": tables,
            "has_rooms": any(len(table["lines"]) > 1 for table in tables),
            "can_manage": can(request, MANAGE),
        },
    )


urlpatterns = [
    path("manage/<slug:site_slug>/rooms/bookings/", manage_bookings, name="manage_bookings"),
    path(
        "manage/<slug:site_slug>/rooms/bookings/<int:pk>/decide/", manage_booking_decide, name="manage_booking_decide"
    ),
    path(
        "manage/<slug:site_slug>/rooms/bookings/<int:pk>/cancel/", manage_booking_cancel, name="manage_booking_cancel"
    ),
    path("manage/<slug:site_slug>/rooms/occupancy/", manage_occupancy, name="occupancy"),
]
