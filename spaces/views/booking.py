"""Booking rooms (issue 20): the rooms a startup's team may book, a room's week and the
booking form (with an htmx price preview), the team's bookings (details, cancel, calendar
file); and for outside organisations, a site's rooms open to them and the request form.

Rooms and bookings are site-owned. A founder's pages read in the request's scope (the
middleware's: the sites where their startup applied or is admitted), and `room_access`
lets in only a team whose startup is admitted at the room's site today, or the site's staff
(who alone see who holds a busy slot). A booking is found through
`selectors.rooms_public.bookings_of_user` (the user's startups', and what they asked for as
an outside organisation, at any site): anyone else gets the 404 of a missing booking. What
concerns one site the user is not part of (a site's public rooms, a request, an outsider's
booking) is read and written in that one site's scope (`site_scope`), as the site's public
page does."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import Conflict
from core.files import public_image_response
from core.forms import add_action_errors
from core.ics import calendar_response
from sites.scoping import site_scope
from sites.selectors import site_list

from .. import ics
from ..actions.bookings import cancellation_is_free, room_booking_cancel, room_booking_create
from ..forms_booking import CancelForm, RoomBookingForm, RoomRequestForm, day_bounds, parse_day
from ..models import RoomBooking, RoomBookingStatus
from ..selectors.bookings import booking_quote, clashes, site_policy, within_opening_hours
from ..selectors.rooms_public import (
    bookings_of_user,
    opening_by_weekday,
    room_access,
    room_week,
    room_with_photo,
    rooms_for_member,
    rooms_for_outsiders,
    upcoming_and_past,
)

HISTORY_PAGE_SIZE = 25
ACTIVE = (RoomBookingStatus.CONFIRMED, RoomBookingStatus.REQUESTED)


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"


# --- The rooms a startup may book ---------------------------------------------------------
@login_required
def rooms(request):
    groups = rooms_for_member(request.user, now=timezone.now())
    return render(request, "spaces/booking/rooms.html", {"groups": groups})


# --- A room: its week and the booking form ---------------------------------------------------
def _calendar(request, room, *, now, with_holders: bool) -> dict:
    """The week shown (Monday to Sunday) around `?day=` (the day a phone shows) or `?week=`,
    kept between today and the booking horizon; with the links to the weeks and days around.
    By default, the room's next open day (on a Sunday, Monday's week, not the one ending)."""
    local_now = timezone.localtime(now)
    today, last = day_bounds(local_now.date())
    day = parse_day(request.GET.get("day"))
    week = parse_day(request.GET.get("week"))
    if day is None and week is not None:
        day = week - datetime.timedelta(days=week.weekday())
    day = min(max(day or _next_open_day(room, local_now), today), last)
    monday = day - datetime.timedelta(days=day.weekday())
    days = [monday + datetime.timedelta(days=offset) for offset in range(7)]
    one_day, one_week = datetime.timedelta(days=1), datetime.timedelta(days=7)
    return {
        "week": room_week(room, days, now=now, with_holders=with_holders),
        "day": day,
        "day_index": day.weekday(),
        "monday": monday,
        "sunday": days[-1],
        "previous_week": monday - one_week if monday > today else None,
        "next_week": monday + one_week if monday + one_week <= last else None,
        "previous_day": day - one_day if day > today else None,
        "next_day": day + one_day if day < last else None,
    }


def _next_open_day(room, local_now: datetime.datetime) -> datetime.date:
    """Today if the room is still open later today, else its next open day within a week."""
    opening = opening_by_weekday(room)
    for offset in range(8):
        day = local_now.date() + datetime.timedelta(days=offset)
        hours = opening.get(day.weekday())
        if hours is not None and (offset or hours[1] > local_now.time()):
            return day
    return local_now.date()


def _initial(request, opening: dict) -> dict:
    """A free slot picked on the calendar (`?day=…&start=HH:MM`): the form starts there, for an hour."""
    initial = {}
    day = parse_day(request.GET.get("day"))
    start = request.GET.get("start") or ""
    if day is not None and len(start) == 5:
        try:
            moment = datetime.datetime.combine(day, datetime.time.fromisoformat(start))
        except ValueError:
            return initial
        initial = {"day": day, "start": start, "end": (moment + datetime.timedelta(hours=1)).strftime("%H:%M")}
    return initial


def _book(request, form, room, **holder):
    """Book (or request) the room at the form's times; None when refused, with the reason
    on the form (a clash, closed hours, not open to this holder)."""
    try:
        return room_booking_create(
            actor=request.user,
            room=room,
            start=form.cleaned_data["start_at"],
            end=form.cleaned_data["end_at"],
            purpose=form.cleaned_data["purpose"],
            **holder,
        )
    except Conflict as conflict:
        form.add_error(None, conflict.message)
    except ValidationError as error:
        add_action_errors(form, error)
    return None


def _access(request, pk):
    access = room_access(request.user, pk, now=timezone.now(), request=request)
    if access is None:
        raise Http404
    return access


@login_required
def room_detail(request, pk):
    now = timezone.now()
    access = _access(request, pk)
    room = access.room
    calendar = _calendar(request, room, now=now, with_holders=access.is_staff)
    if _is_htmx(request):
        return render(request, "spaces/booking/_calendar.html", {"room": room, "calendar": calendar, "access": access})
    opening = calendar["week"]["opening"]
    form = None
    if access.admissions:
        data = request.POST if request.method == "POST" else None
        form = RoomBookingForm(data, admissions=access.admissions, opening=opening, initial=_initial(request, opening))
        if request.method == "POST" and form.is_valid():
            booking = _book(request, form, room, startup=form.cleaned_data["startup"])
            if booking is not None:
                messages.success(
                    request, _("The room is booked. You will receive a confirmation with a calendar file.")
                )
                return redirect("spaces:my_booking", pk=booking.pk)
    elif request.method == "POST":
        raise Http404  # the site's staff see the room; they book in the back-office
    quote = _quote(room, form) if form is not None and form.is_bound else None
    return render(
        request,
        "spaces/booking/room.html",
        {
            "room": room,
            "access": access,
            "calendar": calendar,
            "form": form,
            "quote": quote,
            "policy": site_policy(room.site_id),
        },
    )


def _quote(room, form) -> dict | None:
    """What the form's times would cost its startup, with what stands in the way (closed,
    taken, past), or None while a startup and times are missing."""
    data = form.cleaned_data if hasattr(form, "cleaned_data") else {}
    start, end, startup = data.get("start_at"), data.get("end_at"), data.get("startup")
    if start is None or end is None or startup is None or end <= start:
        return None
    price = booking_quote(room=room, startup=startup, start=start, end=end)
    return {
        "price": price,
        "hours": price.allowance_hours + price.charged_hours,
        "start": start,
        "end": end,
        "past": start < timezone.now(),
        "closed": not within_opening_hours(room, start, end),
        "taken": clashes(room.pk, start, end).exists(),
    }


@login_required
def room_quote(request, pk):
    """The price preview of the booking form (htmx; a small page without JavaScript)."""
    access = _access(request, pk)
    if not access.admissions:
        raise Http404
    room = access.room
    form = RoomBookingForm(request.GET, admissions=access.admissions, opening=opening_by_weekday(room))
    form.is_valid()  # the purpose may still be empty: the price needs only the startup and times
    context = {"room": room, "quote": _quote(room, form)}
    template = "spaces/booking/_quote.html" if _is_htmx(request) else "spaces/booking/quote.html"
    return render(request, template, context)


# --- The user's bookings ---------------------------------------------------------------------
@login_required
def my_bookings(request):
    now = timezone.now()
    upcoming, past = upcoming_and_past(request.user, now=now)
    page = Paginator(past, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "spaces/booking/my_bookings.html", {"upcoming": list(upcoming), "page": page})


def _my_booking(request, pk) -> RoomBooking:
    """One booking of the user's startups, or their own request as an organisation; 404 else."""
    return get_object_or_404(bookings_of_user(request.user), pk=pk)


def _booking_page(request, booking: RoomBooking, *, cancel_form=None):
    now = timezone.now()
    with site_scope(booking.room.site):  # the booking's site: the user's own booking, found above
        policy = site_policy(booking.site_id)
        free = cancellation_is_free(booking, now)
    can_cancel = booking.status in ACTIVE and booking.starts_at > now
    return render(
        request,
        "spaces/booking/my_booking.html",
        {
            "booking": booking,
            "room": booking.room,
            "can_cancel": can_cancel,
            "cancel_is_free": free,
            "free_until": booking.starts_at - datetime.timedelta(hours=policy.free_cancellation_hours),
            "policy": policy,
            "cancel_form": cancel_form or CancelForm(),
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
        with site_scope(booking.room.site):  # the user's own booking (found above), at its site
            booking = room_booking_cancel(actor=request.user, booking=booking)
    except (Conflict, ValidationError) as error:
        messages.error(request, error.message if isinstance(error, Conflict) else " ".join(error.messages))
    else:
        if booking.late_cancellation:
            messages.warning(request, _("The booking is cancelled. It was cancelled late: it is still charged."))
        else:
            messages.success(request, _("The booking is cancelled, free of charge. The room is free again."))
    return redirect("spaces:my_booking", pk=booking.pk)


@login_required
def my_booking_ics(request, pk):
    """A confirmed booking as an `.ics` file to add to one's calendar; 404 otherwise."""
    booking = _my_booking(request, pk)
    if booking.status != RoomBookingStatus.CONFIRMED:
        raise Http404
    return calendar_response(ics.calendar([ics.booking_event(booking)]), filename=f"room-{booking.pk}.ics")


# --- Outside organisations --------------------------------------------------------------------
def _public_site(slug):
    return get_object_or_404(site_list(), slug=slug)


def site_rooms_public(request, slug):
    """A site's rooms that outside organisations may ask for (anyone may read it)."""
    site = _public_site(slug)
    with site_scope(site):  # this one site's public rows, whoever asks (as its public page)
        rooms = list(rooms_for_outsiders())
    return render(request, "spaces/booking/site_rooms.html", {"site": site, "rooms": rooms})


@login_required
def room_request(request, slug, pk):
    site = _public_site(slug)
    with site_scope(site):  # this one site's room open to outsiders, and the request for it
        room = get_object_or_404(rooms_for_outsiders().select_related("site"), pk=pk)
        form = RoomRequestForm(request.POST or None, opening=opening_by_weekday(room), initial=_initial(request, {}))
        if request.method == "POST" and form.is_valid():
            booking = _book(request, form, room, organisation=form.cleaned_data["organisation"])
            if booking is not None:
                messages.success(
                    request,
                    _(
                        "Your request is sent and awaiting the site's approval. You will receive an email once it is decided."
                    ),
                )
                return redirect("spaces:my_booking", pk=booking.pk)
        return render(request, "spaces/booking/request.html", {"site": site, "room": room, "form": form})


def room_photo(request, pk):
    """A room's photo: public, like the partners' logos."""
    room = room_with_photo(pk=pk)
    if room is None:
        raise Http404
    return public_image_response(room.photo)


urlpatterns = [
    path("rooms/", rooms, name="rooms"),
    path("rooms/<int:pk>/photo/", room_photo, name="room_photo"),
    path("rooms/<int:pk>/", room_detail, name="room"),
    path("rooms/<int:pk>/quote/", room_quote, name="room_quote"),
    path("me/rooms/", my_bookings, name="my_bookings"),
    path("me/rooms/<int:pk>/", my_booking, name="my_booking"),
    path("me/rooms/<int:pk>/cancel/", my_booking_cancel, name="my_booking_cancel"),
    path("me/rooms/<int:pk>/booking.ics", my_booking_ics, name="my_booking_ics"),
    # `slug`, not `site_slug`: that keyword makes a route a site's back-office (middleware).
    path("sites/<slug:slug>/rooms/", site_rooms_public, name="site_rooms_public"),
    path("sites/<slug:slug>/rooms/<int:pk>/request/", room_request, name="room_request"),
]
