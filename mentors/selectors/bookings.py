"""Reads of mentor bookings: who has which role in a booking, the API's lists, the personal
calendar feed, the mentor's agenda and the team's bookings, a site's lists and the hours
ledger, the reminders due and a person's bookings (data rights). Bookings are site-owned:
each read runs in the scope its caller opened."""

import datetime

from django.db.models import Count, DurationField, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from sites.models import Site
from sites.roles import MANAGE, READ, site_actions
from sites.scoping import managed_sites
from startups.models import StartupMember
from startups.selectors.visibility import startups_of_member

from ..availability import LOCAL
from ..models import Attendance, Booking, BookingStatus

# A booking can be cancelled or moved by either side until this long before it starts.
CANCEL_CUTOFF = datetime.timedelta(hours=12)
# Both sides are reminded this long before a session.
REMINDER_AHEAD = datetime.timedelta(hours=24)


def can_change(booking: Booking, now: datetime.datetime | None = None) -> bool:
    """Still time to cancel or move it."""
    now = now or timezone.now()
    return booking.status == BookingStatus.CONFIRMED and booking.starts_at - CANCEL_CUTOFF > now


def booking_roles(user, booking: Booking) -> set[str]:
    """How `user` relates to `booking`: "mentor", "startup" (a team member), "site" (anyone
    who reads the site's data: its members, head office) and "site_manager" (who may change
    it: its managers, head office; `sites.roles`). Empty: the booking is none of their
    business."""
    if not user.is_authenticated:
        return set()
    roles = set()
    if booking.mentor.user_id == user.pk:
        roles.add("mentor")
    if StartupMember.objects.filter(startup=booking.startup_id, user=user).exists():
        roles.add("startup")
    actions = site_actions(user, booking.site_id)
    if READ in actions:
        roles.add("site")
    if MANAGE in actions:
        roles.add("site_manager")
    return roles


def bookings_of_startups_of(user) -> QuerySet[Booking]:
    """Bookings of the startups whose team `user` is in (read in the request's scope)."""
    return Booking.objects.filter(startup__members__user=user)


def bookings_of_mentor(user) -> QuerySet[Booking]:
    """`user`'s bookings as the mentor (read in the request's scope)."""
    return Booking.objects.filter(mentor__user=user)


# --- Who may see which bookings (the API) ---------------------------------------------------
PARTIES = ("mentor__user", "startup", "site", "meeting_site")  # what the API shows of a booking


def bookings_visible_to(user, role: str | None = None) -> QuerySet[Booking]:
    """The bookings `user` has a role in (`booking_roles`): of their startups, as the mentor,
    of the sites where they work (every site for head office); `role` keeps one of them.
    Builds no query of its own (the user's startups and sites are subqueries), so that a
    list filtered on a role costs no more than the whole list. Call inside the request's scope."""
    if not user.is_authenticated:
        return Booking.objects.none()
    conditions = {
        "startup": Q(startup__in=startups_of_member(user).values("pk")),
        "mentor": Q(mentor__user=user),
        # Head office: every booking (an empty Q() would vanish from the OR below).
        "site": Q(site__isnull=False)
        if user.is_active and user.is_head_office
        else Q(site__in=managed_sites(user).values("pk")),
    }
    if role is not None:
        condition = conditions[role]
    else:
        condition = conditions["startup"] | conditions["mentor"] | conditions["site"]
    return Booking.objects.filter(condition).select_related(*PARTIES)


def booking_with_parties(*, pk: int) -> Booking | None:
    """The booking `pk` of the request's scope with what the API shows of it, or None: the
    caller checks `booking_roles`."""
    return Booking.objects.select_related(*PARTIES).filter(pk=pk).first()


# --- The personal calendar feed -------------------------------------------------------------
def calendar_bookings(user, since: datetime.datetime) -> QuerySet[Booking]:
    """The confirmed bookings `user` takes part in, as the mentor or in the startup's team,
    starting from `since`: the mentor sessions of the personal calendar feed. The feed has
    no request scope: the caller reads it inside `network_scope()` (a mentor's bookings
    span the home sites of every startup they meet). One query, whatever the number of rows."""
    teams = StartupMember.objects.filter(user=user).values("startup")
    return (
        Booking.objects.filter(status=BookingStatus.CONFIRMED, starts_at__gte=since)
        .filter(Q(mentor__user=user) | Q(startup__in=teams))
        .select_related("mentor__user", "startup", "meeting_site")
        .order_by("starts_at", "pk")
    )


# --- The mentor's own space and a startup team's bookings (in the request's scope) ----------
AGENDA_RELATED = ("startup", "meeting_site", "booked_by")
TEAM_RELATED = ("mentor__user", "startup", "meeting_site")


def mentor_agenda(user, *, now: datetime.datetime, past: bool = False) -> QuerySet[Booking]:
    """The mentor's bookings not over at `now`, soonest first; or (`past`) the ended ones, latest first."""
    bookings = bookings_of_mentor(user).select_related(*AGENDA_RELATED)
    if past:
        return bookings.ended(now).order_by("-starts_at", "-pk")
    return bookings.not_ended(now).order_by("starts_at", "pk")


def mentor_booking_details(user) -> QuerySet[Booking]:
    """The mentor's bookings with what their page shows."""
    return bookings_of_mentor(user).select_related(*AGENDA_RELATED, "mentor__user", "site")


def team_bookings(user, *, now: datetime.datetime, past: bool = False) -> QuerySet[Booking]:
    """`user`'s startups' bookings confirmed, not over at `now`, soonest first; or (`past`) the others, latest first."""
    bookings = bookings_of_startups_of(user).select_related(*TEAM_RELATED)
    if past:
        return bookings.filter(Q(status=BookingStatus.CANCELLED) | Q(ends_at__lte=now)).order_by("-starts_at", "-pk")
    return bookings.confirmed().not_ended(now).order_by("starts_at", "pk")


def team_booking_details(user) -> QuerySet[Booking]:
    """The bookings of `user`'s startups with what their page shows."""
    return bookings_of_startups_of(user).select_related(*TEAM_RELATED, "booked_by", "cancelled_by", "rescheduled_from")


# --- Back-office: a site's bookings and the hours ledger -------------------------------------
def bookings_of_site(site: Site) -> QuerySet[Booking]:
    """The bookings of `site`'s startups."""
    # The scope already hides other sites' rows; the explicit filter says it out loud.
    return Booking.objects.filter(site=site)


def site_booking_details(site: Site) -> QuerySet[Booking]:
    """A site's bookings with what their back-office page shows."""
    related = ("booked_by", "cancelled_by", "attendance_marked_by", "rescheduled_from", "rescheduled_to")
    return bookings_of_site(site).select_related("mentor__user", "startup", "meeting_site", *related)


def site_booking_list(
    site: Site, *, now: datetime.datetime, upcoming: bool | None = None, status: str = "", mentor=None, q: str = ""
) -> QuerySet[Booking]:
    """A site's bookings starting from `now` (`upcoming`, soonest first) or before; each filter optional."""
    bookings = bookings_of_site(site).select_related("mentor__user", "startup", "meeting_site")
    if upcoming is not None:
        bookings = bookings.filter(starts_at__gte=now) if upcoming else bookings.filter(starts_at__lt=now)
    if status:
        bookings = bookings.filter(status=status)
    if mentor:
        bookings = bookings.filter(mentor=mentor)
    if q:
        startup_or_topic = Q(startup__brand_name__icontains=q) | Q(startup__legal_name__icontains=q)
        bookings = bookings.filter(startup_or_topic | Q(topic__icontains=q))
    return bookings.order_by("starts_at", "pk") if upcoming else bookings.order_by("-starts_at", "-pk")


def ledger_bookings(*, site: Site | None, start: datetime.datetime, end: datetime.datetime) -> QuerySet[Booking]:
    """The bookings starting in [start, end) of `site`, or (None) of the scope (head office's: all)."""
    return (Booking.objects.all() if site is None else bookings_of_site(site)).starting_between(start, end)


def hours_ledger(bookings: QuerySet[Booking]) -> QuerySet:
    """Hours delivered per mentor, site and month (Casablanca time): confirmed bookings that
    have ended and were not no-shows. Rows: month, mentor, mentor__user__full_name, site,
    site__slug, sessions and duration (a timedelta)."""
    return (
        bookings.filter(status=BookingStatus.CONFIRMED, ends_at__lte=timezone.now())
        .exclude(attendance__in=[Attendance.STARTUP_NO_SHOW, Attendance.MENTOR_NO_SHOW])
        # Months in Casablanca whatever time zone is active (a session at 00:30 on the 1st
        # belongs to that month, although it is still the previous month in UTC).
        .annotate(month=TruncMonth("starts_at", tzinfo=LOCAL))
        .values("month", "mentor", "mentor__user__full_name", "site", "site__slug")
        .annotate(
            sessions=Count("pk"),
            duration=Sum(ExpressionWrapper(F("ends_at") - F("starts_at"), output_field=DurationField())),
        )
        .order_by("-month", "mentor__user__full_name", "site__slug")
    )


# --- Reminders (the Celery task reads them inside `network_scope()`) ------------------------
def bookings_due_reminder(*, now: datetime.datetime) -> QuerySet:
    """The ids of the confirmed bookings starting within REMINDER_AHEAD of `now`, not yet
    reminded, made before that window opened (a late booking has just had its
    confirmation), soonest first."""
    return (
        Booking.objects.filter(
            status=BookingStatus.CONFIRMED,
            reminded_at__isnull=True,
            starts_at__gt=now,
            starts_at__lte=now + REMINDER_AHEAD,
            created_at__lt=F("starts_at") - REMINDER_AHEAD,
        )
        .order_by("starts_at", "pk")
        .values_list("pk", flat=True)
    )


# --- A person's bookings (data rights: read inside `accounts.privacy`'s `network_scope()`) --
def bookings_made_by(user) -> QuerySet[Booking]:
    """The bookings `user` made for a startup, with the mentor and the startup, oldest first."""
    return Booking.objects.filter(booked_by=user).select_related("mentor__user", "startup").order_by("starts_at", "pk")


def bookings_given_by(user) -> QuerySet[Booking]:
    """`user`'s bookings as the mentor, with the startup, oldest first."""
    return bookings_of_mentor(user).select_related("startup").order_by("starts_at", "pk")


def bookings_changeable(*, now: datetime.datetime) -> QuerySet[Booking]:
    """The bookings either side may still cancel at `now` (`can_change` as a query), soonest first."""
    return Booking.objects.filter(status=BookingStatus.CONFIRMED, starts_at__gt=now + CANCEL_CUTOFF).order_by(
        "starts_at", "pk"
    )


def bookings_changeable_made_alone_by(user, *, now: datetime.datetime) -> QuerySet[Booking]:
    """The changeable bookings `user` made for a startup that keeps no other member."""
    teammates = StartupMember.objects.filter(startup=OuterRef("startup")).exclude(user=user)
    return bookings_changeable(now=now).filter(booked_by=user).exclude(Exists(teammates))


def bookings_changeable_given_by(user, *, now: datetime.datetime) -> QuerySet[Booking]:
    """The changeable bookings where `user` is the mentor."""
    return bookings_changeable(now=now).filter(mentor__user=user)
