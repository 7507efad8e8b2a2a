"""List pages and endpoints of mentoring — the directory, a startup's bookings, a mentor's
availability and agenda, the review queue, a site's bookings, the hours ledgers (and their
exports), and the API's mentors, free slots and bookings: as many queries for 50 rows as for
1 (tests/querycount.py)."""

import datetime
import json

import pytest
from django.utils import timezone

from mentors.models import BlockedPeriod, ExtraWindow, Tag
from tests.factories import AdmissionFactory, BookingFactory, SiteMembershipFactory
from tests.querycount import ListRoute, check_list_route, mentor_row, row_name, startup_row, when


def _site(ctx, index: int):
    return [ctx.site_a, ctx.site_b][index % 2]


def _place(index: int, site) -> dict:
    """Every other booking or window in person at `site`, the others by video."""
    return {"mode": "in_person", "meeting_site": site} if index % 2 else {}


def directory_row(ctx, index: int):
    return mentor_row(index, sites=[ctx.site_a, ctx.site_b], organisation="Atlas Capital")


def founder_setup(ctx) -> dict:
    startup = startup_row(99, founder=ctx.founder_a, name="Booking Startup")
    AdmissionFactory(startup=startup, site=ctx.site_a)
    return {"startup": startup}


def my_booking_row(ctx, index: int):
    """Two bookings of founder_a's startup with a mentor named by the row: one to come, one
    past (rated, with a note); in person or by video."""
    mentor = mentor_row(index, sites=[ctx.site_a])
    for starts_at, past in (
        (when(3 + index), {}),
        (when(-3 - index), {"attendance": "held", "rating": 4, "note": "Next."}),
    ):
        BookingFactory(
            mentor=mentor,
            startup=ctx.startup,
            site=ctx.site_a,
            booked_by=ctx.founder_a,
            starts_at=starts_at,
            **past,
            **_place(index, ctx.site_a),
        )


def mentor_setup(ctx) -> dict:
    mentor = mentor_row(99, sites=[ctx.site_a, ctx.site_b], name="Nadia Mentor")
    return {"mentor": mentor, "mentor_user": mentor.user}


def agenda_row(ctx, index: int, *, past: bool = False):
    """A booking of the mentor by a startup named by the row, at site A or B."""
    site = _site(ctx, index)
    startup = startup_row(index)
    return BookingFactory(
        mentor=ctx.mentor,
        startup=startup,
        site=site,
        booked_by=startup.members.get().user,
        starts_at=when(-2 - index) if past else when(2 + index),
        attendance="held" if past else "unknown",
        note="Notes." if past else "",
        **_place(index, site),
    )


def availability_row(ctx, index: int):
    """A one-off window (in person at A or B, or by video) and blocked dates named by the row."""
    day = timezone.localdate() + datetime.timedelta(days=1 + index)
    site = _site(ctx, index)
    ExtraWindow.objects.create(
        mentor=ctx.mentor, date=day, starts_at=datetime.time(10), ends_at=datetime.time(11), **_place(index, site)
    )
    later = day + datetime.timedelta(days=100)
    return BlockedPeriod.objects.create(mentor=ctx.mentor, starts_on=later, ends_on=later, reason=row_name(index))


def slots_setup(ctx) -> dict:
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    return {**mentor_setup(ctx), "first": tomorrow.isoformat(), "last": (tomorrow + datetime.timedelta(50)).isoformat()}


def slot_row(ctx, index: int):
    """A one-hour window tomorrow + index, in person at A or B, or by video: one free slot."""
    day = timezone.localdate() + datetime.timedelta(days=1 + index)
    return ExtraWindow.objects.create(
        mentor=ctx.mentor,
        date=day,
        starts_at=datetime.time(10),
        ends_at=datetime.time(11),
        **_place(index, _site(ctx, index)),
    )


def slots_seen(text: str) -> set[int]:
    return set(range(len(json.loads(text))))


def pending_row(ctx, index: int):
    """A profile awaiting review, serving site A (and B every other time)."""
    sites = [ctx.site_a, ctx.site_b][: 1 + index % 2]
    return mentor_row(index, sites=sites, status="pending", submitted_at=timezone.now())


def site_booking_row(ctx, index: int):
    """A booking of a startup of site A (named by the row) with another mentor, upcoming or
    past, rated, in person or by video."""
    startup = startup_row(index)
    past = {"attendance": "held", "rating": 5, "note": "Notes."} if index % 2 else {}
    return BookingFactory(
        mentor=mentor_row(index, sites=[ctx.site_a], name=f"Mentor {index}"),
        startup=startup,
        site=ctx.site_a,
        booked_by=startup.members.get().user,
        starts_at=when(-2 - index) if index % 2 else when(2 + index),
        **past,
        **_place(index, ctx.site_a),
    )


def ledger_row(ctx, index: int, *, sites=None):
    """Hours of a mentor named by the row, held this month at site A (or B for the network)."""
    site = (sites or [ctx.site_a])[index % len(sites or [ctx.site_a])]
    start = timezone.now().replace(day=1, hour=8, minute=0, second=0, microsecond=0)
    return BookingFactory(
        mentor=mentor_row(index, sites=[site]),
        startup=startup_row(index, name=f"Startup {index}"),
        site=site,
        starts_at=start + datetime.timedelta(minutes=index),
        attendance="held",
    )


def network_ledger_row(ctx, index: int):
    return ledger_row(ctx, index, sites=[ctx.site_a, ctx.site_b])


def site_staff_setup(ctx) -> dict:
    SiteMembershipFactory(site=ctx.site_b, user=ctx.manager_a)  # manages A and B
    return {}


ROUTES = [
    # Directory and a startup's bookings
    ListRoute("mentors:directory", "/mentors/", "anonymous", directory_row, shown=24),
    ListRoute("mentors:directory", "/mentors/", "founder_a", directory_row, shown=24, id="signed in"),
    # All the upcoming bookings, and the first page of the history.
    ListRoute("mentors:my_bookings", "/me/mentoring/", "founder_a", my_booking_row, founder_setup),
    # The mentor's space
    ListRoute("mentors:availability", "/mentor/availability/", "mentor_user", availability_row, mentor_setup),
    ListRoute("mentors:agenda", "/mentor/agenda/", "mentor_user", agenda_row, mentor_setup, shown=20),
    ListRoute(
        "mentors:agenda",
        "/mentor/agenda/?when=past",
        "mentor_user",
        lambda ctx, index: agenda_row(ctx, index, past=True),
        mentor_setup,
        shown=20,
        id="past",
    ),
    # Back-office
    ListRoute("mentors:review_list", "/mentors/review/", "staff", pending_row, shown=25),
    ListRoute("mentors:review_list", "/mentors/review/", "manager_a", pending_row, shown=25, id="site manager"),
    ListRoute("mentors:site_bookings", "/manage/site-a/mentoring/", "manager_a", site_booking_row, shown=25),
    ListRoute("mentors:site_hours", "/manage/site-a/mentoring/hours/", "manager_a", ledger_row),
    ListRoute("mentors:site_hours", "/manage/site-a/mentoring/hours/?format=csv", "manager_a", ledger_row, id="csv"),
    ListRoute("mentors:site_hours", "/manage/site-a/mentoring/hours/?format=xlsx", "manager_a", ledger_row, id="xlsx"),
    ListRoute("mentors:network_hours", "/network/mentoring/hours/", "staff", network_ledger_row),
    ListRoute("mentors:network_hours", "/network/mentoring/hours/?format=csv", "staff", network_ledger_row, id="csv"),
    ListRoute("mentors:network_hours", "/network/mentoring/hours/?format=xlsx", "staff", network_ledger_row, id="xlsx"),
    # API
    ListRoute("api:mentors", "/api/v1/mentors/", "anonymous", directory_row),
    ListRoute(
        "api:mentor_slots",
        "/api/v1/mentors/{mentor}/slots/?from={first}&to={last}",
        "anonymous",
        slot_row,
        slots_setup,
        seen=slots_seen,
    ),
    ListRoute("api:mentor_bookings", "/api/v1/mentor-bookings/", "founder_a", my_booking_row, founder_setup),
    ListRoute("api:mentor_bookings", "/api/v1/mentor-bookings/", "mentor_user", agenda_row, mentor_setup, id="mentor"),
    ListRoute(
        "api:mentor_bookings", "/api/v1/mentor-bookings/", "manager_a", site_booking_row, site_staff_setup, id="site"
    ),
    # The admin's lists
    ListRoute("admin:mentors_mentorprofile_changelist", "/admin/mentors/mentorprofile/", "staff", directory_row),
    ListRoute("admin:mentors_booking_changelist", "/admin/mentors/booking/", "staff", site_booking_row),
    ListRoute(
        "admin:mentors_tag_changelist",
        "/admin/mentors/tag/",
        "staff",
        lambda ctx, index: Tag.objects.create(name=row_name(index)),
    ),
]


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.test_id)
def test_list_queries_do_not_grow_with_rows(route, client, personas, site_a, site_b):
    check_list_route(route, client=client, personas=personas, site_a=site_a, site_b=site_b)
