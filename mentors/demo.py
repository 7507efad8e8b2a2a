"""Demo mentoring network: about sixty mentors and experts (the `mentor.<n>@` demo accounts)
with French profiles across the four support dimensions, the operational sites they serve
in person or by video only, weekly availability in Casablanca time, extra windows and
blocked dates; past sessions of the last three months (notes, attendance, ratings, a few
no-shows and cancellations) and upcoming bookings of the next two weeks.

Bookings are written directly (the seed is not a user action) but always at real slots of
the mentor's rules (`availability.windows` and `expand`), never overlapping one another nor
another session of the same startup, within the monthly quota, for admitted startups with
a founder, at the startup's home site (its most recent active admission). `founder.1`'s
startup has a past and an upcoming session with `mentor.1`, for the README's demo tour.

The profiles and the texts the seed draws from are in `demo_content`.

Deterministic (seeded: per mentor for profiles and availability, once for the bookings,
which depend on the date of the run) and idempotent: profiles are keyed by their account;
availability and bookings are only created for the profiles created in the same run. Runs
unscoped, inside the seed management command.
"""

import datetime
import random
from collections import defaultdict

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.demo import DOMAIN
from accounts.models import User
from sites.models import Language, Sector, Site, SiteStatus
from startups.models import Admission, StartupMember, TeamRole

from .availability import expand, is_clear, windows
from .demo_content import (
    APPROACHES,
    CANCEL_REASONS,
    CAREERS,
    COMMENTS,
    NOTES,
    PROFILES,
    QUESTIONS,
    REVIEW_NOTES,
    TOPICS,
)
from .models import (
    Attendance,
    BlockedPeriod,
    Booking,
    BookingStatus,
    ExtraWindow,
    MeetingMode,
    MentorDimension,
    MentorProfile,
    ProfileStatus,
    Tag,
    WeeklyRule,
)

# Profiles that are not published yet: the approval queue of head office and the site teams.
PENDING = {21, 38, 49, 59}
REJECTED = {44, 54}
DRAFT = {50}

# Availability templates, Casablanca wall-clock time.
MORNINGS = [(datetime.time(9), datetime.time(12, 30)), (datetime.time(10), datetime.time(13))]
AFTERNOONS = [(datetime.time(14), datetime.time(17)), (datetime.time(14, 30), datetime.time(18))]
EVENINGS = [(datetime.time(18), datetime.time(20)), (datetime.time(8), datetime.time(10))]


def _profile_rng(number: int) -> random.Random:
    return random.Random(f"technopark-mentor-{number}")


def _status_fields(number: int, staff: User | None, now: datetime.datetime) -> dict:
    rng = _profile_rng(number)
    submitted = now - datetime.timedelta(days=rng.randint(100, 400))
    if number in DRAFT:
        return {"status": ProfileStatus.DRAFT}
    if number in PENDING:
        return {"status": ProfileStatus.PENDING, "submitted_at": now - datetime.timedelta(days=rng.randint(1, 6))}
    reviewed = {"submitted_at": submitted, "reviewed_by": staff, "reviewed_at": submitted + datetime.timedelta(days=2)}
    if number in REJECTED:
        return {"status": ProfileStatus.REJECTED, "review_note": rng.choice(REVIEW_NOTES), **reviewed}
    return {"status": ProfileStatus.PUBLISHED, **reviewed}


def _profile(number: int, user: User, entry, sites: dict[str, Site], staff, now) -> tuple[MentorProfile, list[Site]]:
    kind, _languages, where, organisation, headline, focus, _dims, _tags, _sectors = entry
    rng = _profile_rng(number)
    served = [sites[slug] for slug in where.split() if slug in sites]
    # Video-only mentors offer video by definition; a few in-person mentors do not.
    offers_video = not served or number == 1 or rng.random() < 0.8
    bio = " ".join(
        [
            focus,
            rng.choice(CAREERS).format(years=rng.randint(8, 25), organisation=organisation),
            rng.choice(APPROACHES),
        ]
    )
    profile = MentorProfile(
        user=user,
        kind=kind,
        headline=headline,
        bio=bio,
        organisation=organisation,
        offers_video=offers_video,
        video_url=f"https://visio.technopark.ma/mentor-{number}" if offers_video else "",
        session_minutes=60 if number == 1 else rng.choice([45, 60, 60, 90]),
        min_notice_hours=24,
        buffer_minutes=15,
        max_bookings_per_startup_month=2,
        **_status_fields(number, staff, now),
    )
    return profile, served


def _availability(number: int, profile: MentorProfile, served: list[Site], today: datetime.date):
    """Weekly rules (video days, then one in-person day per site served), sometimes an extra
    window in the coming weeks and a blocked period (past or after the next two weeks)."""
    rng = _profile_rng(number)
    rng.random()  # not the same draws as the profile's
    video = MeetingMode.VIDEO
    rules = []
    if number == 1:  # the demo tour's mentor: Mon/Wed mornings and Thursday evenings by video
        plan = [(0, MORNINGS[0], None), (2, MORNINGS[0], None), (3, EVENINGS[0], None), (1, AFTERNOONS[0], served[0])]
    else:
        days = rng.sample(range(5), 4)
        plan = []
        if profile.offers_video:
            plan.append((days.pop(), rng.choice(MORNINGS + AFTERNOONS), None))
            if rng.random() < 0.6 or not served:
                plan.append((days.pop(), rng.choice(MORNINGS + EVENINGS), None))
            if rng.random() < 0.15:
                plan.append((5, MORNINGS[1], None))  # Saturday morning
        for site in served:
            plan.append((days.pop(), rng.choice(AFTERNOONS + MORNINGS), site))
    for weekday, (starts_at, ends_at), site in plan:
        rules.append(
            WeeklyRule(
                mentor=profile,
                weekday=weekday,
                starts_at=starts_at,
                ends_at=ends_at,
                mode=MeetingMode.IN_PERSON if site else video,
                meeting_site=site,
            )
        )
    extras = []
    if number == 1 or rng.random() < 0.35:
        day = today + datetime.timedelta(days=rng.randint(3, 13))
        site = None if profile.offers_video else served[0]
        extras.append(
            ExtraWindow(
                mentor=profile,
                date=day,
                starts_at=datetime.time(16),
                ends_at=datetime.time(19),
                mode=MeetingMode.IN_PERSON if site else video,
                meeting_site=site,
            )
        )
    blocked = []
    if number == 1 or rng.random() < 0.3:
        if number == 1 or rng.random() < 0.5:
            starts_on, reason = today + datetime.timedelta(days=rng.randint(16, 30)), "Congés"
        else:
            starts_on, reason = today - datetime.timedelta(days=rng.randint(20, 70)), "Déplacement à l'étranger"
        blocked.append(
            BlockedPeriod(
                mentor=profile,
                starts_on=starts_on,
                ends_on=starts_on + datetime.timedelta(days=rng.randint(3, 9)),
                reason=reason,
            )
        )
    return rules, extras, blocked


def _bookable_startups(today: datetime.date) -> list[dict]:
    """The admitted startups with a demo founder: their home site (the most recent active
    admission, as `selectors.slots.startup_home_site`), since when, and the founder who books."""
    founders = {}
    members = StartupMember.objects.filter(
        role=TeamRole.FOUNDER, user__email__endswith=f"@{DOMAIN}", startup__closed_on__isnull=True
    ).order_by("user__email", "pk")
    for startup_id, user_id, email in members.values_list("startup", "user", "user__email"):
        founders.setdefault(startup_id, (user_id, email))
    admissions = (
        Admission.objects.filter(startup__in=list(founders))
        .active_on(today)
        .order_by("startup", "-starts_on", "-pk")
        .values_list("startup", "site", "starts_on")
    )
    home = {}
    for startup_id, site_id, starts_on in admissions:
        home.setdefault(startup_id, (site_id, starts_on))
    return [
        {"id": startup_id, "site": home[startup_id][0], "since": home[startup_id][1], "booker": user_id, "email": email}
        for startup_id, (user_id, email) in sorted(founders.items(), key=lambda item: item[1][1])
        if startup_id in home
    ]


class _Planner:
    """Picks real slots for bookings: clear of the mentor's other bookings and buffer, of the
    startup's other sessions, within the quota per startup and month, in person only for a
    startup of that site, after the startup's admission."""

    def __init__(self, startups: list[dict]):
        self.startups = startups
        self.startup_busy: dict[int, list] = defaultdict(list)
        self.mentor_busy: dict[int, list] = defaultdict(list)
        self.monthly: dict[tuple, int] = defaultdict(int)

    def _load(self, startup: dict) -> int:
        return len(self.startup_busy[startup["id"]])

    def pick(self, rng, profile, slots, *, count: int, only: dict | None = None) -> list[tuple]:
        busy = self.mentor_busy[profile.pk]
        picked = []
        for slot in slots:
            if len(picked) >= count:
                break
            if not is_clear(slot, busy, profile.buffer):
                continue
            local_day = slot.local_start.date()
            # The least booked startups first (ties in random order): sessions spread evenly.
            candidates = [only] if only else sorted(rng.sample(self.startups, len(self.startups)), key=self._load)
            for startup in candidates:
                month = (profile.pk, startup["id"], local_day.year, local_day.month)
                if (
                    (slot.site_id and slot.site_id != startup["site"])
                    or startup["since"] > local_day
                    or self.monthly[month] >= profile.max_bookings_per_startup_month
                    or not is_clear(slot, self.startup_busy[startup["id"]], datetime.timedelta())
                ):
                    continue
                busy.append((slot.start, slot.end))
                self.monthly[month] += 1
                self.startup_busy[startup["id"]].append((slot.start, slot.end))
                picked.append((slot, startup))
                break
        return picked


# How many past sessions end otherwise than held, and upcoming ones already cancelled.
STARTUP_NO_SHOWS, MENTOR_NO_SHOWS, CANCELLED_PAST, CANCELLED_UPCOMING = 5, 2, 1, 1
HELD, UPCOMING, CANCELLED = "held", "upcoming", "cancelled"


def _booking(rng, pick: dict, outcome: str, now: datetime.datetime) -> Booking:
    """A booking of `pick` (profile, dimensions, slot, startup) ending as `outcome`: held
    (the mentor's notes and, often, a rating), a no-show, cancelled, or upcoming."""
    profile, slot, startup = pick["profile"], pick["slot"], pick["startup"]
    booking = Booking(
        mentor=profile,
        site_id=startup["site"],
        startup_id=startup["id"],
        booked_by_id=startup["booker"],
        starts_at=slot.start,
        ends_at=slot.end,
        mode=slot.mode,
        meeting_site_id=slot.site_id,
        topic=rng.choice(TOPICS[rng.choice(pick["dimensions"])]),
        questions=rng.choice(QUESTIONS),
    )
    if outcome == UPCOMING:
        return booking
    if outcome == CANCELLED:
        booking.status = BookingStatus.CANCELLED
        booking.cancelled_at = min(now, slot.start - datetime.timedelta(days=rng.randint(1, 3)))
        booking.cancelled_by_id = startup["booker"]
        booking.cancel_reason = rng.choice(CANCEL_REASONS)
        return booking
    booking.reminded_at = slot.start - datetime.timedelta(hours=23)
    booking.attendance = outcome
    if outcome == Attendance.STARTUP_NO_SHOW:
        booking.attendance_marked_by_id = profile.user_id
        return booking
    if outcome == Attendance.MENTOR_NO_SHOW:
        booking.attendance_marked_by_id = startup["booker"]
        return booking
    booking.attendance_marked_by_id = profile.user_id
    booking.note = rng.choice(NOTES)
    booking.note_updated_at = min(now, slot.end + datetime.timedelta(hours=rng.randint(1, 30)))
    if pick["tour"] or rng.random() < 0.85:
        booking.rating = rng.choices([5, 4, 3, 2], weights=[6, 4, 1, 0.5])[0]
        booking.rating_comment = rng.choice(COMMENTS)
        booking.rated_at = min(now, slot.end + datetime.timedelta(hours=rng.randint(2, 72)))
    return booking


def _bookings(profiles: list[tuple[int, MentorProfile, list]], availability: dict, today, now) -> list[Booking]:
    startups = _bookable_startups(today)
    if not startups:
        return []
    rng = random.Random(2029)
    planner = _Planner(startups)
    first_founder = next((s for s in startups if s["email"] == f"founder.1@{DOMAIN}"), None)
    date_from, date_to = today - datetime.timedelta(days=90), today + datetime.timedelta(days=14)
    earliest = now + datetime.timedelta(hours=24)
    past_picks, upcoming_picks = [], []
    for number, profile, dimensions in profiles:
        if profile.status != ProfileStatus.PUBLISHED:
            continue
        rules, extras, blocked = availability[number]
        slots = expand(
            windows(rules=rules, extras=extras, blocked=blocked, date_from=date_from, date_to=date_to),
            length=profile.session_length,
            buffer=profile.buffer,
        )
        past = [slot for slot in slots if slot.end <= now and slot.local_start.date() < today]
        upcoming = [slot for slot in slots if slot.start >= earliest]
        tour_past, tour_upcoming = [], []
        if number == 1 and first_founder:
            # The demo tour: founder.1's startup met mentor.1 recently and meets them again soon.
            tour_past = planner.pick(rng, profile, past[::-1], count=1, only=first_founder)
            tour_upcoming = planner.pick(rng, profile, upcoming, count=1, only=first_founder)
        taken = {slot for slot, _startup in tour_past + tour_upcoming}
        past = [slot for slot in past if slot not in taken]
        upcoming = [slot for slot in upcoming if slot not in taken]
        rng.shuffle(past)
        rng.shuffle(upcoming)
        more_past = planner.pick(rng, profile, past, count=rng.randint(2, 5))
        more_upcoming = planner.pick(rng, profile, upcoming, count=3 if number == 1 else rng.choice([0, 1, 1, 2]))
        for picks, into in ((tour_past, past_picks), (tour_upcoming, upcoming_picks)):
            into += [
                {"profile": profile, "dimensions": dimensions, "slot": s, "startup": t, "tour": True} for s, t in picks
            ]
        for picks, into in ((more_past, past_picks), (more_upcoming, upcoming_picks)):
            into += [
                {"profile": profile, "dimensions": dimensions, "slot": s, "startup": t, "tour": False} for s, t in picks
            ]

    outcomes = {}
    others = [index for index, pick in enumerate(past_picks) if not pick["tour"]]
    special = rng.sample(others, min(len(others), STARTUP_NO_SHOWS + MENTOR_NO_SHOWS + CANCELLED_PAST))
    for index, outcome in zip(
        special,
        [Attendance.STARTUP_NO_SHOW] * STARTUP_NO_SHOWS + [Attendance.MENTOR_NO_SHOW] * MENTOR_NO_SHOWS + [CANCELLED],
        strict=False,
    ):
        outcomes[index] = outcome
    rows = [_booking(rng, pick, outcomes.get(index, Attendance.HELD), now) for index, pick in enumerate(past_picks)]
    others = [index for index, pick in enumerate(upcoming_picks) if not pick["tour"]]
    cancelled = set(rng.sample(others, min(len(others), CANCELLED_UPCOMING)))
    rows += [
        _booking(rng, pick, CANCELLED if index in cancelled else UPCOMING, now)
        for index, pick in enumerate(upcoming_picks)
    ]
    return rows


@transaction.atomic
def seed_mentors(mentor_users: list[User]) -> int:
    """Create the profiles of the demo mentor accounts that have none yet, with their
    availability and bookings; returns how many profiles were created."""
    now = timezone.now()
    today = timezone.localdate()
    existing = set(MentorProfile.objects.filter(user__in=mentor_users).values_list("user_id", flat=True))
    todo = [
        (number, user, entry)
        for number, (user, entry) in enumerate(zip(mentor_users, PROFILES, strict=False), start=1)
        if user.pk not in existing
    ]
    if not todo:
        return 0
    sites = {site.slug: site for site in Site.objects.filter(status=SiteStatus.OPERATIONAL)}
    if not sites:
        return 0  # the demo sites come first
    staff = User.objects.filter(email=f"staff@{DOMAIN}").first()
    languages = {language.code: language for language in Language.objects.all()}
    sectors = {sector.code: sector for sector in Sector.objects.all()}
    tag_names = sorted({name for *_rest, tags, _sectors in PROFILES for name in tags})
    Tag.objects.bulk_create([Tag(name=name) for name in tag_names], ignore_conflicts=True)
    tags = {tag.name: tag for tag in Tag.objects.filter(name__in=tag_names)}

    plan = [(number, entry, *_profile(number, user, entry, sites, staff, now)) for number, user, entry in todo]
    MentorProfile.objects.bulk_create([profile for _n, _e, profile, _served in plan])
    ids = dict(MentorProfile.objects.filter(user__in=[user for _n, user, _e in todo]).values_list("user_id", "pk"))
    dimensions, through = [], defaultdict(list)
    availability, profiles = {}, []
    for number, entry, profile, served in plan:
        profile.pk = ids[profile.user_id]
        _kind, codes, _where, _org, _headline, _focus, dims, tag_list, sector_codes = entry
        profiles.append((number, profile, dims))
        dimensions += [MentorDimension(mentor_id=profile.pk, dimension=dimension) for dimension in dims]
        through["languages"] += [(profile.pk, languages[code].pk) for code in codes.split() if code in languages]
        through["sectors"] += [(profile.pk, sectors[code].pk) for code in sector_codes if code in sectors]
        through["tags"] += [(profile.pk, tags[name].pk) for name in tag_list]
        through["sites"] += [(profile.pk, site.pk) for site in served]
        if profile.status != ProfileStatus.DRAFT:
            availability[number] = _availability(number, profile, served, today)
    MentorDimension.objects.bulk_create(dimensions)
    for field, pairs in through.items():
        relation = getattr(MentorProfile, field)
        model, source, target = (
            relation.through,
            relation.field.m2m_field_name(),
            relation.field.m2m_reverse_field_name(),
        )
        model.objects.bulk_create(
            [model(**{f"{source}_id": mentor_id, f"{target}_id": target_id}) for mentor_id, target_id in pairs]
        )
    WeeklyRule.objects.bulk_create([rule for rules, _extras, _blocked in availability.values() for rule in rules])
    ExtraWindow.objects.bulk_create([extra for _rules, extras, _blocked in availability.values() for extra in extras])
    BlockedPeriod.objects.bulk_create([period for _r, _e, blocked in availability.values() for period in blocked])

    bookings = _bookings(profiles, availability, today, now)
    Booking.objects.bulk_create(bookings, batch_size=500)
    # Booked about a week before the session (`created_at` is set on insert).
    Booking.objects.filter(mentor__in=[profile.pk for _n, profile, _d in profiles]).update(
        created_at=F("starts_at") - datetime.timedelta(days=6)
    )
    return len(plan)
