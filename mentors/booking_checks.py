"""The checks a mentor booking must pass, and their errors, shared by the early refusal and
the locked path of `actions.booking_create` (and `booking_reschedule`).

`refuse_early` runs before the mentor's row is locked and before the availability is
expanded: one indexed query (`selectors.slots.booking_outlook`) says whether the mentor still
takes bookings, how many sessions the startup has that month and whether a confirmed
booking overlaps the slot. It only refuses, in the order the locked path checks (open,
quota, free) and with the same errors; whatever it lets through is decided again under the
lock, by the availability and the database constraints, which stay the source of truth.
"""

import datetime

from django.utils.translation import gettext as _

from core.errors import Conflict
from sites.scoping import network_scope
from startups.models import Startup

from .models import MentorProfile
from .selectors.slots import booking_outlook, startup_month_bookings


def closed() -> Conflict:
    return Conflict(_("This mentor is not taking bookings at the moment."))


def quota_reached(startup: Startup, quota: int) -> Conflict:
    return Conflict(
        _("%(startup)s already has %(count)d session(s) with this mentor that month, the most allowed.")
        % {"startup": startup, "count": quota}
    )


def not_free() -> Conflict:
    return Conflict(_("This slot is no longer free: choose another one."))


def refuse_early(*, mentor: MentorProfile, startup: Startup, start: datetime.datetime) -> None:
    """Raise the Conflict the locked path would raise for a booking that cannot succeed
    (mentor closed, quota reached, slot overlapped), after one query; else return."""
    outlook = booking_outlook(mentor=mentor, startup=startup, start=start)
    if outlook is None or not outlook.open:
        raise closed()
    if outlook.used >= outlook.quota:
        raise quota_reached(startup, outlook.quota)
    if outlook.taken:
        raise not_free()


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
