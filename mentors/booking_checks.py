"""The checks a mentor booking must pass, and their errors, shared by the early refusal and
the locked path of `actions.booking_create` (and `booking_reschedule`).

`refuse_early` runs before the mentor's row is locked and before the availability is
expanded: one indexed query (`selectors.slots.booking_outlook`) says whether the mentor still
takes bookings, how many sessions the startup has that month and whether a confirmed
booking overlaps the slot. It only refuses, in the order the locked path checks (open,
quota, free) and with the same errors; whatever it lets through is decided again under the
lock, by the availability and the database constraints, which stay the source of truth.

`clashes_to_confirm` is no check: what else the startup already has at that time (a
confirmed booking with another mentor, a confirmed seat at a service session) is only
warned about on the booking page, which then asks to book anyway. The API books without
that warning (`POST /api/v1/mentor-bookings/` is unchanged).
"""

import datetime

from django.utils.translation import gettext as _

from core.errors import Conflict
from sites.scoping import network_scope
from startups.models import Startup

from .models import MentorProfile
from .selectors.slots import BookingOutlook, booking_outlook, startup_month_bookings


def closed() -> Conflict:
    return Conflict(_("This mentor is not taking bookings at the moment."))


def quota_reached(startup: Startup, quota: int) -> Conflict:
    return Conflict(
        _("%(startup)s already has %(count)d session(s) with this mentor that month, the most allowed.")
        % {"startup": startup, "count": quota}
    )


def not_free() -> Conflict:
    return Conflict(_("This slot is no longer free: choose another one."))


def _refusal(outlook: BookingOutlook | None, startup: Startup) -> Conflict | None:
    """The Conflict of a booking the outlook says cannot succeed, in the locked path's order."""
    if outlook is None or not outlook.open:
        return closed()
    if outlook.used >= outlook.quota:
        return quota_reached(startup, outlook.quota)
    if outlook.taken:
        return not_free()
    return None


def refuse_early(*, mentor: MentorProfile, startup: Startup, start: datetime.datetime) -> None:
    """Raise the Conflict the locked path would raise for a booking that cannot succeed
    (mentor closed, quota reached, slot overlapped), after one query; else return."""
    refusal = _refusal(booking_outlook(mentor=mentor, startup=startup, start=start), startup)
    if refusal is not None:
        raise refusal


def clashes_to_confirm(*, mentor: MentorProfile, startup: Startup, start: datetime.datetime) -> BookingOutlook | None:
    """The outlook of booking `mentor`'s slot at `start` when the startup already has
    something else then (`clashing_bookings`, `clashing_sessions`): the booking page warns
    and asks to book anyway. None when nothing clashes, or when the booking would be refused
    anyway (booking it then says why, as `refuse_early`)."""
    outlook = booking_outlook(mentor=mentor, startup=startup, start=start, clashes=True)
    if _refusal(outlook, startup) is not None:
        return None
    return outlook if outlook.clashing_bookings or outlook.clashing_sessions else None


def check_quota(*, mentor: MentorProfile, startup: Startup, start: datetime.datetime) -> None:
    """The locked path's quota: the startup's confirmed bookings with `mentor` (locked) in
    the Casablanca month of `start`."""
    # Reviewed network-wide read: one startup's bookings with one mentor, only counted. The
    # caller's scope may not include every site the startup booked from (a startup that
    # moved, a site team acting in its own site's scope), and the quota is network-wide.
    with network_scope():
        taken = startup_month_bookings(mentor, startup=startup, start=start).count()
    if taken >= mentor.max_bookings_per_startup_month:
        raise quota_reached(startup, mentor.max_bookings_per_startup_month)
