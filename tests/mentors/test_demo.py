"""Demo mentoring data (mentors/demo.py): about sixty profiles, mostly published, with
availability; bookings at real slots of the mentors' rules, never overlapping, at the
startup's home site, booked by a founder, within the monthly quota; past sessions with
notes and ratings, a few no-shows and cancellations, upcoming ones; the README's demo tour
(founder.1 × mentor.1). Idempotent: seeding again creates nothing."""

import datetime
from collections import Counter, defaultdict

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_scopes import scopes_disabled

from accounts.demo import DOMAIN, MENTOR_NAMES, seed_accounts
from accounts.models import Role, User
from mentors import demo
from mentors.availability import LOCAL, expand, windows
from mentors.demo import seed_mentors
from mentors.models import (
    Attendance,
    BlockedPeriod,
    Booking,
    BookingStatus,
    ExtraWindow,
    MentorDimension,
    MentorProfile,
    ProfileStatus,
    Tag,
    WeeklyRule,
)
from mentors.selectors.slots import free_slots, startup_home_site
from sites.demo import seed_sites
from sites.models import Site, SiteStatus
from startups.models import AdmissionKind, ExitReason, Startup, StartupMember, TeamRole
from tests.factories import AdmissionFactory, StartupFactory, StartupMemberFactory, UserFactory

pytestmark = pytest.mark.django_db


def _founder_startup(number: int) -> Startup:
    return StartupMember.objects.get(user__email=f"founder.{number}@{DOMAIN}").startup


@pytest.fixture
def network():
    """The demo sites and accounts, and one startup per demo founder (instead of the 3,000
    of the full seed): admitted two years ago at one of the four sites, except founder.2's
    (an e-Technopark member at Rabat, then a resident at Tanger since 60 days: its home site
    is Tanger), founder.3's (admitted 20 days ago) and founder.20's (admission over)."""
    with scopes_disabled():
        seed_sites()
        accounts = seed_accounts()
        sites = {site.slug: site for site in Site.objects.filter(status=SiteStatus.OPERATIONAL)}
        today = timezone.localdate()
        slugs = ["casablanca", "rabat", "tanger", "agadir"]
        for number, founder in enumerate(accounts["founders"], start=1):
            startup = StartupFactory(brand_name=f"Demo {number}")
            StartupMemberFactory(startup=startup, user=founder, role=TeamRole.FOUNDER)
            StartupMemberFactory(startup=startup, role=TeamRole.MEMBER)
            starts_on = today - datetime.timedelta(days=20 if number == 3 else 730)
            ended_on = today - datetime.timedelta(days=10) if number == 20 else None
            AdmissionFactory(
                startup=startup,
                site=sites["rabat" if number == 2 else slugs[number % 4]],
                kind=AdmissionKind.ETECHNOPARK if number == 2 else AdmissionKind.RESIDENT,
                starts_on=starts_on,
                ended_on=ended_on,
                exit_reason=ExitReason.GRADUATED if ended_on else "",
                planned_end_on=None,
            )
            if number == 2:
                AdmissionFactory(startup=startup, site=sites["tanger"], starts_on=today - datetime.timedelta(days=60))
        created = seed_mentors(accounts["mentors"])
        yield {"accounts": accounts, "sites": sites, "created": created}


def _counts() -> dict[str, int]:
    return {
        "profiles": MentorProfile.objects.count(),
        "dimensions": MentorDimension.objects.count(),
        "languages": MentorProfile.languages.through.objects.count(),
        "sectors": MentorProfile.sectors.through.objects.count(),
        "tags": Tag.objects.count(),
        "mentor_tags": MentorProfile.tags.through.objects.count(),
        "sites": MentorProfile.sites.through.objects.count(),
        "rules": WeeklyRule.objects.count(),
        "extras": ExtraWindow.objects.count(),
        "blocked": BlockedPeriod.objects.count(),
        "bookings": Booking.objects.count(),
        "mentor_accounts": User.objects.filter(email__startswith="mentor.", email__endswith=DOMAIN).count(),
    }


def _check_profiles() -> None:
    profiles = MentorProfile.objects.filter(user__email__endswith=f"@{DOMAIN}")
    statuses = Counter(profiles.values_list("status", flat=True))
    assert profiles.count() >= 55
    assert statuses[ProfileStatus.PUBLISHED] >= 45
    assert statuses[ProfileStatus.PENDING] >= 1 and statuses[ProfileStatus.REJECTED] >= 1
    assert profiles.filter(kind="mentor").exists() and profiles.filter(kind="expert").exists()
    for profile in profiles.filter(status=ProfileStatus.PUBLISHED).prefetch_related(
        "languages", "dimension_rows", "sites", "weekly_rules"
    ):
        assert profile.headline and len(profile.bio) > 100, profile
        assert profile.languages.all() and profile.dimension_rows.all() and profile.weekly_rules.all(), profile
        assert (profile.session_minutes, profile.min_notice_hours, profile.buffer_minutes) in {
            (45, 24, 15),
            (60, 24, 15),
            (90, 24, 15),
        }
        assert profile.max_bookings_per_startup_month == 2
        served = {site.pk for site in profile.sites.all()}
        assert served or profile.offers_video, profile  # video-only mentors do offer video
        if profile.offers_video:
            assert profile.video_url.startswith("https://")
        for rule in profile.weekly_rules.all():  # every rule can be booked
            assert rule.meeting_site_id in served if rule.mode == "in_person" else profile.offers_video
    remote_only = profiles.filter(sites__isnull=True)
    assert remote_only.count() >= 5
    assert not remote_only.filter(offers_video=False).exists()
    served = set(MentorProfile.sites.through.objects.values_list("site__slug", flat=True))
    assert served == {"casablanca", "rabat", "tanger", "agadir"}
    languages = set(MentorProfile.languages.through.objects.values_list("language__code", flat=True))
    assert languages == {"fr", "ar", "en", "zgh"}
    assert MentorProfile.sectors.through.objects.exists() and MentorProfile.tags.through.objects.exists()
    assert ExtraWindow.objects.exists() and BlockedPeriod.objects.exists()
    assert not User.objects.filter(email__startswith="mentor.", full_name__startswith="Mentor ").exists()


def _check_bookings() -> None:
    now = timezone.now()
    bookings = list(Booking.objects.select_related("mentor", "startup").order_by("starts_at", "pk"))
    confirmed = [booking for booking in bookings if booking.status == BookingStatus.CONFIRMED]
    assert bookings
    # At the startup's home site (its most recent active admission), booked by a founder.
    home = {startup.pk: startup_home_site(startup) for startup in {booking.startup for booking in bookings}}
    founders = set(StartupMember.objects.filter(role=TeamRole.FOUNDER).values_list("startup", "user"))
    for booking in bookings:
        assert home[booking.startup_id] is not None and booking.site_id == home[booking.startup_id].pk, booking
        assert (booking.startup_id, booking.booked_by_id) in founders, booking
        if booking.mode == "in_person":
            assert booking.meeting_site_id == booking.site_id, booking
        assert booking.mentor.status == ProfileStatus.PUBLISHED
    # At real slots of the mentor's rules (weekly, extra, blocked dates), whatever the clock.
    by_mentor = defaultdict(list)
    for booking in bookings:
        by_mentor[booking.mentor].append(booking)
    for mentor, mentor_bookings in by_mentor.items():
        first = mentor_bookings[0].starts_at.astimezone(LOCAL).date()
        last = mentor_bookings[-1].starts_at.astimezone(LOCAL).date()
        slots = expand(
            windows(
                rules=mentor.weekly_rules.all(),
                extras=mentor.extra_windows.all(),
                blocked=mentor.blocked_periods.all(),
                date_from=first,
                date_to=last,
            ),
            length=mentor.session_length,
            buffer=mentor.buffer,
        )
        real = {(slot.start, slot.end, slot.mode, slot.site_id) for slot in slots}
        for booking in mentor_bookings:
            assert (booking.starts_at, booking.ends_at, booking.mode, booking.meeting_site_id) in real, booking
        # Never overlapping (buffer included) among confirmed bookings.
        times = sorted((b.starts_at, b.ends_at) for b in mentor_bookings if b.status == BookingStatus.CONFIRMED)
        for (_start, end), (next_start, _end) in zip(times, times[1:], strict=False):
            assert end + mentor.buffer <= next_start, mentor
    # A startup is never in two sessions at once, and keeps to each mentor's monthly quota.
    by_startup = defaultdict(list)
    quota = Counter()
    for booking in confirmed:
        by_startup[booking.startup_id].append((booking.starts_at, booking.ends_at))
        day = booking.starts_at.astimezone(LOCAL)
        quota[(booking.mentor_id, booking.startup_id, day.year, day.month)] += 1
    for times in by_startup.values():
        times.sort()
        assert all(end <= next_start for (_s, end), (next_start, _e) in zip(times, times[1:], strict=False))
    assert max(quota.values()) <= 2
    # Past: within three months, notes on held sessions, ratings, a few no-shows and one
    # cancellation; upcoming: within two weeks, confirmed and not marked yet.
    past = [booking for booking in bookings if booking.starts_at < now]
    upcoming = [booking for booking in bookings if booking.starts_at >= now]
    assert min(booking.starts_at for booking in past) >= now - datetime.timedelta(days=92)
    assert max(booking.starts_at for booking in upcoming) <= now + datetime.timedelta(days=16)
    held = [booking for booking in past if booking.attendance == Attendance.HELD]
    assert len(held) >= 100
    assert all(booking.note and booking.status == BookingStatus.CONFIRMED for booking in held)
    rated = [booking for booking in held if booking.rating]
    assert len(rated) >= len(held) // 2
    assert all(1 <= booking.rating <= 5 and booking.rated_at for booking in rated)
    assert any(booking.rating_comment for booking in rated)
    outcomes = Counter((booking.status, booking.attendance) for booking in past)
    assert outcomes[("confirmed", Attendance.STARTUP_NO_SHOW)] == demo.STARTUP_NO_SHOWS
    assert outcomes[("confirmed", Attendance.MENTOR_NO_SHOW)] == demo.MENTOR_NO_SHOWS
    assert outcomes[("cancelled", Attendance.UNKNOWN)] == demo.CANCELLED_PAST
    assert len(upcoming) >= 20
    assert all(booking.attendance == Attendance.UNKNOWN and not booking.note for booking in upcoming)
    assert sum(booking.status == BookingStatus.CANCELLED for booking in upcoming) == demo.CANCELLED_UPCOMING
    assert all(booking.created_at < booking.starts_at - datetime.timedelta(days=1) for booking in bookings)


def _check_demo_tour() -> None:
    """founder.1's startup has a past session with mentor.1 (held, notes, rating) and an
    upcoming one; mentor.1 is published, with more upcoming bookings and free slots."""
    now = timezone.now()
    mentor = MentorProfile.objects.get(user__email=f"mentor.1@{DOMAIN}")
    assert mentor.status == ProfileStatus.PUBLISHED
    startup = _founder_startup(1)
    together = Booking.objects.filter(mentor=mentor, startup=startup, status=BookingStatus.CONFIRMED)
    assert together.filter(starts_at__lt=now, attendance=Attendance.HELD, rating__isnull=False).exclude(note="")
    assert together.filter(starts_at__gte=now).exists()
    assert Booking.objects.filter(mentor=mentor, starts_at__gte=now, status=BookingStatus.CONFIRMED).count() >= 2
    today = timezone.localdate()
    assert free_slots(mentor, date_from=today, date_to=today + datetime.timedelta(days=14))


def test_the_demo_mentors_profiles(network):
    assert network["created"] == len(MENTOR_NAMES) == 60
    with scopes_disabled():
        _check_profiles()


def test_the_demo_bookings_sit_at_real_free_slots_at_the_home_site(network):
    with scopes_disabled():
        _check_bookings()
        # founder.2's startup: e-Technopark at Rabat, then resident at Tanger (its home site).
        assert set(Booking.objects.filter(startup=_founder_startup(2)).values_list("site__slug", flat=True)) == {
            "tanger"
        }
        # founder.3's startup was admitted 20 days ago: no session before; founder.20's
        # admission is over: no session at all.
        since = timezone.localdate() - datetime.timedelta(days=20)
        for booking in Booking.objects.filter(startup=_founder_startup(3)):
            assert booking.starts_at.astimezone(LOCAL).date() >= since
        assert not Booking.objects.filter(startup=_founder_startup(20)).exists()


def test_the_demo_tour(network):
    with scopes_disabled():
        _check_demo_tour()


def test_seeding_the_mentors_again_creates_nothing(network):
    with scopes_disabled():
        before = _counts()
        assert seed_mentors(network["accounts"]["mentors"]) == 0
        assert _counts() == before


def test_placeholder_names_of_an_older_seed_are_replaced_once(db):
    with scopes_disabled():
        seed_sites()
        UserFactory(email=f"mentor.3@{DOMAIN}", full_name="Mentor 3", role=Role.MENTOR)
        UserFactory(email=f"mentor.4@{DOMAIN}", full_name="Me Salma Idrissi-Alami", role=Role.MENTOR)
        seed_accounts()
        assert User.objects.get(email=f"mentor.3@{DOMAIN}").full_name == MENTOR_NAMES[2] == "Karim Tazi"
        assert User.objects.get(email=f"mentor.4@{DOMAIN}").full_name == "Me Salma Idrissi-Alami"  # kept
        assert User.objects.filter(email__startswith="mentor.").count() == 60


def test_seed_demo_twice_gives_the_same_rows(db, settings):
    """The real command (3,000 startups from startups/demo.py): the same checks, and a
    second run changes nothing."""
    settings.DEBUG = True
    call_command("seed_demo")
    with scopes_disabled():
        first = _counts()
        assert first["profiles"] == 60 and first["bookings"] >= 150
        _check_profiles()
        _check_bookings()
        _check_demo_tour()
    call_command("seed_demo")
    with scopes_disabled():
        assert _counts() == first
