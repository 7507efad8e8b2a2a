"""Reads of the mentors app: the directory, who may book, who a booking concerns, the
busy times of a mentor and the hours ledger."""

import datetime

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from sites.models import Site
from sites.roles import MANAGE, READ, site_actions
from sites.scoping import network_scope
from startups.models import Admission, Startup, StartupMember

from .models import Attendance, Booking, BookingStatus, MentorProfile, ProfileStatus

# A booking can be cancelled or moved by either side until this long before it starts.
CANCEL_CUTOFF = datetime.timedelta(hours=12)


def published_mentors() -> QuerySet[MentorProfile]:
    return (
        MentorProfile.objects.filter(status=ProfileStatus.PUBLISHED, user__is_active=True)
        .select_related("user")
        .prefetch_related("dimension_rows", "languages", "sectors", "sites", "tags")
    )


def mentor_search(
    mentors: QuerySet[MentorProfile],
    *,
    q: str = "",
    dimension: str = "",
    sector=None,
    language=None,
    site=None,
    remote: bool = False,
    kind: str = "",
    tag: str = "",
) -> QuerySet[MentorProfile]:
    """Filter the directory; every filter is optional."""
    if q:
        mentors = mentors.filter(
            Q(user__full_name__icontains=q)
            | Q(headline__icontains=q)
            | Q(bio__icontains=q)
            | Q(organisation__icontains=q)
            | Q(tags__name__icontains=q)
        ).distinct()
    if dimension:
        mentors = mentors.filter(dimension_rows__dimension=dimension)
    if sector is not None:
        mentors = mentors.filter(sectors=sector)
    if language is not None:
        mentors = mentors.filter(languages=language)
    if site is not None:
        mentors = mentors.filter(sites=site)
    if remote:
        mentors = mentors.filter(offers_video=True)
    if kind:
        mentors = mentors.filter(kind=kind)
    if tag:
        mentors = mentors.filter(tags__name__iexact=tag)
    return mentors


def mentor_busy_ranges(
    mentor: MentorProfile, *, start: datetime.datetime, end: datetime.datetime
) -> list[tuple[datetime.datetime, datetime.datetime]]:
    """(start, end) of the mentor's confirmed bookings overlapping [start, end), whatever
    the startup's site: only the times leave this function."""
    # Reviewed network-wide read: a mentor's busy times span every site they serve.
    with network_scope():
        bookings = Booking.objects.filter(
            mentor=mentor, status=BookingStatus.CONFIRMED, starts_at__lt=end, ends_at__gt=start
        )
        return list(bookings.values_list("starts_at", "ends_at"))


def bookable_startups(user) -> QuerySet[Startup]:
    """The user's startups that may book a mentor: admitted today at some site, resident or
    e-Technopark member."""
    if not user.is_authenticated:
        return Startup.objects.none()
    today = timezone.localdate()
    # Reviewed network-wide read: the admissions of the user's own startups, at any site.
    with network_scope():
        admitted = list(
            Admission.objects.filter(startup__members__user=user, starts_on__lte=today)
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=today))
            .values_list("startup", flat=True)
        )
    return Startup.objects.filter(pk__in=admitted).order_by("brand_name", "legal_name")


def startup_home_site(startup: Startup) -> Site | None:
    """The site whose team follows the startup's mentoring: its most recent admission
    active today (None when it is not admitted anywhere)."""
    today = timezone.localdate()
    # Reviewed network-wide read: one startup's admissions.
    with network_scope():
        admission = (
            Admission.objects.filter(startup=startup, starts_on__lte=today)
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=today))
            .select_related("site")
            .order_by("-starts_on", "-pk")
            .first()
        )
    return admission.site if admission else None


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
    return Booking.objects.filter(mentor__user=user)


def can_change(booking: Booking, now: datetime.datetime | None = None) -> bool:
    """Still time to cancel or move it."""
    now = now or timezone.now()
    return booking.status == BookingStatus.CONFIRMED and booking.starts_at - CANCEL_CUTOFF > now


def month_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The calendar month of `day` in Casablanca, as a UTC range [start, end)."""
    # `clock_reaches`, not `local_instant`: never None, even if a clock change ever skipped
    # midnight (Casablanca's happen at 02:00–03:00 today).
    from .availability import clock_reaches

    first = day.replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return clock_reaches(first, datetime.time(0)), clock_reaches(following, datetime.time(0))


def hours_ledger(bookings: QuerySet[Booking]) -> QuerySet:
    """Hours delivered per mentor, site and month (Casablanca time): confirmed bookings that
    have ended and were not no-shows. Rows: month, mentor, mentor__user__full_name, site,
    site__slug, sessions and duration (a timedelta)."""
    from .availability import LOCAL

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


# --- calendar feed ---
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
