"""Site back-office: the rooms of one site, their opening hours, and the site's rooms policy.

Routes live under `/manage/<site_slug>/rooms/` (scoped by `SiteScopeMiddleware`): a `Room`
looked up by id is only found at this site, so another site's room is a 404. Everyone who
works at the site may read the list; the forms (a room, the policy) are for its managers and
head office, who alone may even open them (`@site_action(MANAGE)`). Rooms are never
deleted: "in service" unticked takes one out.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from core.forms import add_action_errors
from core.limits import upload_limit
from core.validators import MAX_LOGO_BYTES
from sites.roles import MANAGE, can, site_action

from ..actions import rooms as actions
from ..forms import OpeningHoursForm, RoomForm, SpacePolicyForm
from ..models import OpeningHours, Room, Weekday
from ..selectors import rooms as selectors

PAGE_SIZE = 50


def hours_summary(rows: list[OpeningHours]) -> list[dict]:
    """A week of opening hours in short: consecutive days with the same hours together
    ("Monday–Friday 08:00–19:00", "Saturday 09:00–13:00"), Monday first."""
    spans: list[dict] = []
    for row in sorted(rows, key=lambda row: row.weekday):
        last = spans[-1] if spans else None
        if (
            last
            and last["last_day"] == row.weekday - 1
            and (last["opens_at"], last["closes_at"]) == (row.opens_at, row.closes_at)
        ):
            last["last_day"] = row.weekday
            last["last"] = Weekday(row.weekday).label
            continue
        spans.append(
            {
                "first": Weekday(row.weekday).label,
                "last": None,
                "first_day": row.weekday,
                "last_day": row.weekday,
                "opens_at": row.opens_at,
                "closes_at": row.closes_at,
            }
        )
    return spans


@login_required
def room_list(request, site_slug):
    page = Paginator(selectors.rooms_listed(), PAGE_SIZE).get_page(request.GET.get("page"))
    for room in page:
        room.hours = hours_summary(room.opening_hours.all())
    return render(
        request,
        "spaces/backoffice/room_list.html",
        {
            "site": request.site,
            "page": page,
            "policy": selectors.space_policy(site=request.site),
            "can_manage": can(request, MANAGE),
        },
    )


def _room(pk: int) -> Room:
    return get_object_or_404(Room, pk=pk)  # scoped: another site's room is not found


def _save(request, form: RoomForm, hours_form: OpeningHoursForm, room: Room | None) -> Room | None:
    """The room and its week in one transaction; an action's refusal lands on its form."""
    try:
        with transaction.atomic():
            if room is None:
                room = actions.room_create(actor=request.user, site=request.site, **form.room_fields())
            else:
                room = actions.room_update(actor=request.user, room=room, **form.room_fields())
            try:
                actions.room_opening_hours_set(actor=request.user, room=room, hours=hours_form.hours())
            except ValidationError as error:
                add_action_errors(hours_form, error, aliases=OpeningHoursForm.error_aliases())
                raise
    except ValidationError as error:
        if not hours_form.errors:
            add_action_errors(form, error)
        return None
    return room


def _room_form(request, room: Room | None):
    creating = room is None
    instance = Room(site=request.site) if creating else room
    data = request.POST if request.method == "POST" else None
    files = request.FILES if request.method == "POST" else None
    form = RoomForm(data, files, instance=instance)
    if creating:
        initial = {
            f"{kind}_{day}": hour for day in range(5) for kind, hour in (("opens", "08:00"), ("closes", "19:00"))
        }
    else:
        initial = OpeningHoursForm.initial_from(selectors.room_opening_hours(room=room))
    hours_form = OpeningHoursForm(data, initial=initial, prefix="hours")
    heading = None if creating else room.name  # before the form writes the typed values on it
    valid = [form.is_valid(), hours_form.is_valid()] if data is not None else [False]  # both forms' errors
    if all(valid):
        saved = _save(request, form, hours_form, room)
        if saved is not None:
            message = _("Room “%(name)s” created.") if creating else _("Room “%(name)s” saved.")
            messages.success(request, message % {"name": saved.name})
            return redirect("spaces:manage_room_list", site_slug=request.site.slug)
    return render(
        request,
        "spaces/backoffice/room_form.html",
        {"site": request.site, "form": form, "hours_form": hours_form, "room": room, "heading": heading},
    )


@upload_limit(MAX_LOGO_BYTES)  # the photo
@login_required
@site_action(MANAGE)  # read-only roles do not even open the form
def room_create(request, site_slug):
    return _room_form(request, None)


@upload_limit(MAX_LOGO_BYTES)  # the photo
@login_required
@site_action(MANAGE)  # read-only roles do not even open the form
def room_edit(request, site_slug, pk):
    return _room_form(request, _room(pk))


@login_required
@site_action(MANAGE)  # read-only roles do not even open the form
def policy_edit(request, site_slug):
    policy = selectors.space_policy(site=request.site)
    initial = {
        "monthly_free_hours": policy.monthly_free_hours,
        "free_cancellation_hours": policy.free_cancellation_hours,
    }
    form = SpacePolicyForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_valid():
        try:
            actions.space_policy_update(actor=request.user, site=request.site, **form.cleaned_data)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("Rooms policy saved."))
            return redirect("spaces:manage_room_list", site_slug=request.site.slug)
    return render(request, "spaces/backoffice/policy_form.html", {"site": request.site, "form": form})


urlpatterns = [
    path("manage/<slug:site_slug>/rooms/", room_list, name="manage_room_list"),
    path("manage/<slug:site_slug>/rooms/new/", room_create, name="manage_room_create"),
    path("manage/<slug:site_slug>/rooms/<int:pk>/edit/", room_edit, name="manage_room_edit"),
    path("manage/<slug:site_slug>/rooms/policy/", policy_edit, name="manage_room_policy"),
]
