"""Reads of the mentors app by section: directory and booking rules, mentor's and team's pages, back-office."""

import datetime
from typing import NamedTuple

from django.db.models import (
    BooleanField,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone

from sites.models import Language, Site, SiteStatus
from sites.roles import MANAGE, READ, roles_with, site_actions
from sites.scoping import managed_site_ids, network_scope
from startups.models import Admission, Startup, StartupMember
from startups.selectors.visibility import startups_of_member

from .availability import LOCAL, Slot, clock_reaches, expand, is_clear, windows
from .models import Attendance, Booking, BookingStatus, MeetingMode, MentorProfile, ProfileStatus

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
    """Filter the directory; every filter is optional. Tags are matched with EXISTS, so
    that a mentor is listed once without a DISTINCT over the joined rows (two tags may
    match one search, "SaaS" and "saas" one tag filter)."""
    tagged = MentorProfile.tags.through.objects.filter(mentorprofile=OuterRef("pk"))
    if q:
        mentors = mentors.filter(
            Q(user__full_name__icontains=q)
            | Q(headline__icontains=q)
            | Q(bio__icontains=q)
            | Q(organisation__icontains=q)
            | Q(Exists(tagged.filter(tag__name__icontains=q)))
        )
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
        mentors = mentors.filter(Exists(tagged.filter(tag__name__iexact=tag)))
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


# The longest a booking lasts (`MentorProfile.session_minutes` is at most 240): the lower
# bound that lets the overlap test below read a few index entries, not a mentor's history.
# A longer booking would only be missed by the early refusal, never by the locked check.
LONGEST_SESSION = datetime.timedelta(minutes=240)


def overlapping_bookings(
    mentor_id, *, start: datetime.datetime, end: datetime.datetime, buffer: datetime.timedelta
) -> QuerySet[Booking]:
    """The mentor's confirmed bookings that leave no room for [start, end) with `buffer` on
    both sides (`availability.is_clear` is false). Read inside `network_scope()`; `mentor_id`
    may be an `OuterRef`."""
    return Booking.objects.filter(
        mentor=mentor_id,
        status=BookingStatus.CONFIRMED,
        starts_at__lt=end + buffer,
        starts_at__gt=start - buffer - LONGEST_SESSION,
        ends_at__gt=start - buffer,
    )


def startup_month_bookings(mentor_id, *, startup: Startup, start: datetime.datetime) -> QuerySet[Booking]:
    """The startup's confirmed bookings with the mentor in the Casablanca month of `start`
    (what the monthly quota counts). Read inside `network_scope()`."""
    month_start, month_end = month_bounds(start.astimezone(LOCAL).date())
    return Booking.objects.filter(
        mentor=mentor_id,
        startup=startup,
        status=BookingStatus.CONFIRMED,
        starts_at__gte=month_start,
        starts_at__lt=month_end,
    )


class BookingOutlook(NamedTuple):
    """What one query says of a booking attempt before any lock (`booking_outlook`)."""

    open: bool  # the mentor is published and their account active
    quota: int  # the mentor's monthly limit per startup
    used: int  # the startup's confirmed bookings with the mentor that month
    taken: bool  # a confirmed booking of the mentor overlaps the slot or its buffer


def booking_outlook(*, mentor: MentorProfile, startup: Startup, start: datetime.datetime) -> BookingOutlook | None:
    """One query, by primary key and two index range scans (the partial unique index on
    confirmed (mentor, start) and (startup, start)): whether a booking of `mentor`'s slot
    at `start` for `startup` can still succeed. None when the mentor is gone. The slot's
    length and buffer are those of `mentor` as given."""
    # Reviewed network-wide read: a mentor's busy times and a startup's monthly count span
    # every site (as `mentor_busy_ranges` and the quota of `actions`); only flags and a
    # count leave this function.
    with network_scope():
        overlap = overlapping_bookings(
            OuterRef("pk"), start=start, end=start + mentor.session_length, buffer=mentor.buffer
        )
        month = (
            startup_month_bookings(OuterRef("pk"), startup=startup, start=start)
            .order_by()
            .annotate(count=Func(F("pk"), function="COUNT"))
            .values("count")
        )
        row = (
            MentorProfile.objects.filter(pk=mentor.pk)
            .annotate(
                is_open=ExpressionWrapper(
                    Q(status=ProfileStatus.PUBLISHED, user__is_active=True), output_field=BooleanField()
                ),
                taken=Exists(overlap),
                used=Subquery(month),
            )
            .values_list("is_open", "max_bookings_per_startup_month", "used", "taken")
            .order_by("pk")
            .first()
        )
    return BookingOutlook(*row) if row else None


def bookable_startups(user) -> QuerySet[Startup]:
    """The user's startups that may book a mentor: admitted today at some site, resident or
    e-Technopark member."""
    if not user.is_authenticated:
        return Startup.objects.none()
    today = timezone.localdate()
    # Reviewed network-wide read: the admissions of the user's own startups, at any site.
    with network_scope():
        admitted = list(
            Admission.objects.filter(startup__members__user=user).active_on(today).values_list("startup", flat=True)
        )
    return Startup.objects.filter(pk__in=admitted).order_by("brand_name", "legal_name")


def startup_home_site(startup: Startup) -> Site | None:
    """The site whose team follows the startup's mentoring: its most recent admission
    active today (None when it is not admitted anywhere)."""
    today = timezone.localdate()
    # Reviewed network-wide read: one startup's admissions.
    with network_scope():
        admission = (
            Admission.objects.filter(startup=startup)
            .active_on(today)
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
    first = day.replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return clock_reaches(first, datetime.time(0)), clock_reaches(following, datetime.time(0))


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


# --- Free slots: the mentor's windows less their bookings ---------------------------------
def free_slots(
    mentor: MentorProfile,
    *,
    date_from: datetime.date,
    date_to: datetime.date,
    now: datetime.datetime | None = None,
) -> list[Slot]:
    """The slots a startup may book now between two local dates (inclusive): in the
    mentor's windows, not blocked, at least the minimum notice ahead, clear of confirmed
    bookings and their buffer. In-person windows at a site the mentor no longer serves,
    and video windows when the mentor stopped offering video, are left out."""
    now = now or timezone.now()
    served = set(mentor.sites.values_list("pk", flat=True))
    all_windows = windows(
        rules=mentor.weekly_rules.all(),
        extras=mentor.extra_windows.filter(date__gte=date_from, date__lte=date_to),
        blocked=mentor.blocked_periods.filter(ends_on__gte=date_from, starts_on__lte=date_to),
        date_from=date_from,
        date_to=date_to,
    )
    offered = [w for w in all_windows if (w.site_id in served if w.site_id else mentor.offers_video)]
    earliest = now + datetime.timedelta(hours=mentor.min_notice_hours)
    candidates = [
        slot for slot in expand(offered, length=mentor.session_length, buffer=mentor.buffer) if slot.start >= earliest
    ]
    if not candidates:
        return []
    busy = mentor_busy_ranges(
        mentor,
        start=candidates[0].start - mentor.buffer,
        end=candidates[-1].end + mentor.buffer,
    )
    return [slot for slot in candidates if is_clear(slot, busy, mentor.buffer)]


def find_slot(mentor: MentorProfile, start: datetime.datetime, *, mode: str | None = None, **kwargs) -> Slot | None:
    """The free slot starting exactly at `start` (any time zone), in `mode` when given, or
    None. A video window and an in-person one may offer the same start: without a mode,
    the video slot is taken (it suits a startup wherever it is)."""
    day = start.astimezone(LOCAL).date()
    matches = [
        slot
        for slot in free_slots(mentor, date_from=day, date_to=day, **kwargs)
        if slot.start == start and mode in (None, slot.mode)
    ]
    return min(matches, key=lambda slot: slot.mode != MeetingMode.VIDEO, default=None)


# --- Who may see which bookings (the API) ---------------------------------------------------
def bookings_visible_to(user, role: str | None = None) -> QuerySet[Booking]:
    """The bookings `user` has a role in (`selectors.booking_roles`): of their startups, as
    the mentor, of the sites where they work (every site for head office); `role` keeps one
    of them. Call inside the request's scope."""
    if not user.is_authenticated:
        return Booking.objects.none()
    site_ids = managed_site_ids(user)
    conditions = {
        "startup": Q(startup__in=startups_of_member(user).values("pk")),
        "mentor": Q(mentor__user=user),
        # Head office: every booking (an empty Q() would vanish from the OR below).
        "site": Q(site__isnull=False) if site_ids is None else Q(site__in=site_ids),
    }
    if role is not None:
        condition = conditions[role]
    else:
        condition = conditions["startup"] | conditions["mentor"] | conditions["site"]
    return Booking.objects.filter(condition).select_related("mentor__user", "startup", "site", "meeting_site")


# --- Choices of the profile and directory forms ---------------------------------------------
def language_choices() -> QuerySet[Language]:
    """Every language, by code."""
    return Language.objects.order_by("code")


def default_language_ids() -> list[int]:
    """The languages ticked on a new profile: French."""
    return list(Language.objects.filter(code="fr").values_list("pk", flat=True))


def sites_offered_to(profile: MentorProfile) -> QuerySet[Site]:
    """The operational sites, and the closed ones a saved profile still serves (EXISTS), by city."""
    offered = Q(status=SiteStatus.OPERATIONAL)
    if profile.pk:  # keep a site that closed since, so that saving does not drop it silently
        offered |= Q(Exists(MentorProfile.sites.through.objects.filter(site=OuterRef("pk"), mentorprofile=profile)))
    return Site.objects.filter(offered).order_by("city", "slug")


def site_choices() -> QuerySet[Site]:
    """Every site, by slug."""
    return Site.objects.order_by("slug")


def sites_by_pk(ids) -> dict[int, Site]:
    """The sites of `ids` by pk (no query when there is none)."""
    return Site.objects.in_bulk(ids)


# --- The mentor's own space and a startup team's bookings (in the request's scope) ----------
AGENDA_RELATED = ("startup", "meeting_site", "booked_by")
TEAM_RELATED = ("mentor__user", "startup", "meeting_site")


def mentor_profile_of(user) -> MentorProfile | None:
    """The user's own mentor profile, with the user; None without one."""
    return MentorProfile.objects.filter(user=user).select_related("user").first()


def sites_served_by(mentor: MentorProfile) -> QuerySet[Site]:
    """The sites where the mentor meets in person, by city."""
    return mentor.sites.order_by("city", "slug")


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


# --- Back-office: the review of mentor profiles ---------------------------------------------
def is_profile_reviewer(user) -> bool:
    """Head office, or the manager of some site: who reviews mentor profiles."""
    managing = Site.objects.filter(memberships__user=user, memberships__role__in=roles_with(MANAGE))
    return user.is_head_office or managing.exists()


def profiles_reviewable_by(user) -> QuerySet[MentorProfile]:
    """A reviewer's profiles (`actions.may_review`): all, or those serving a site they manage; never their own."""
    if user.is_head_office:
        profiles = MentorProfile.objects.all()
    else:
        managed = MentorProfile.sites.through.objects.filter(
            site__memberships__user=user, site__memberships__role__in=roles_with(MANAGE)
        )
        profiles = MentorProfile.objects.filter(pk__in=managed.values("mentorprofile"))
    return profiles.exclude(user=user)


def profiles_for_review(user, *, statuses: list[str], q: str = "") -> QuerySet[MentorProfile]:
    """The review list: `user`'s profiles in `statuses` whose name, email or headline has `q`, oldest first."""
    profiles = profiles_reviewable_by(user).filter(status__in=statuses)
    if q:
        person = Q(user__full_name__icontains=q) | Q(user__email__icontains=q)
        profiles = profiles.filter(person | Q(headline__icontains=q))
    profiles = profiles.select_related("user").prefetch_related("sites", "dimension_rows")
    return profiles.order_by("submitted_at", "user__full_name", "pk")


def reviewable_profile(user, *, pk: int) -> MentorProfile | None:
    """The profile `pk` if `user` reviews it, with what the review page shows; else None."""
    profiles = profiles_reviewable_by(user).select_related("user", "reviewed_by")
    return profiles.prefetch_related("dimension_rows", "languages", "sectors", "sites", "tags").filter(pk=pk).first()


# --- Back-office: a site's bookings and the hours ledger -------------------------------------
def bookings_of_site(site: Site) -> QuerySet[Booking]:
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


def mentors_of_site(site: Site) -> QuerySet[MentorProfile]:
    """The mentors booked (ever) at `site`, by name: an EXISTS per mentor, not a DISTINCT over bookings."""
    of_site = Booking.objects.filter(site=site, mentor=OuterRef("pk"))
    return MentorProfile.objects.filter(Exists(of_site)).select_related("user").order_by("user__full_name", "pk")


def ledger_bookings(*, site: Site | None, start: datetime.datetime, end: datetime.datetime) -> QuerySet[Booking]:
    """The bookings starting in [start, end) of `site`, or (None) of the scope (head office's: all)."""
    return (Booking.objects.all() if site is None else bookings_of_site(site)).starting_between(start, end)


def mentors_by_pk(ids) -> dict[int, MentorProfile]:
    """The profiles of `ids`, with their user, by pk."""
    return MentorProfile.objects.select_related("user").in_bulk(ids)
