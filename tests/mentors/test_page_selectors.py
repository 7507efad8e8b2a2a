"""The reads behind the mentoring pages (issue 17: views and forms thin), called directly:
the bookings' and availability's queryset predicates, a mentor's agenda and a startup
team's bookings split at "now" (each booking on exactly one side), a site's bookings list
and its filters, and who reviews which mentor profile.

The pages themselves (contents, isolation, query counts) are tested by the sibling modules."""

import datetime

import pytest
from django_scopes import scope

from mentors.models import BlockedPeriod, Booking, ExtraWindow, WeeklyRule
from mentors.selectors.bookings import (
    ledger_bookings,
    mentor_agenda,
    mentor_booking_details,
    site_booking_details,
    site_booking_list,
    team_booking_details,
    team_bookings,
)
from mentors.selectors.choices import mentors_of_site
from mentors.selectors.directory import is_profile_reviewer, profiles_for_review, reviewable_profile
from sites.models import MembershipRole
from tests.factories import (
    AdmissionFactory,
    BookingFactory,
    MentorProfileFactory,
    SiteMembershipFactory,
    StartupMemberFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2027, 3, 10, 12, 0, tzinfo=datetime.UTC)
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


@pytest.fixture
def timeline(site_a, site_b, unscoped):
    """One mentor's bookings with site A's startup around NOW: ended, under way, ahead, and
    cancelled ahead; and one with site B's startup (another site, another team)."""
    startup_a = AdmissionFactory(site=site_a).startup
    startup_b = AdmissionFactory(site=site_b).startup
    founder = StartupMemberFactory(startup=startup_a).user
    mentor = MentorProfileFactory(user__full_name="Amal Mentor")

    def book(start, site=site_a, startup=startup_a, **fields):
        return BookingFactory(mentor=mentor, startup=startup, site=site, starts_at=start, **fields)

    return {
        "mentor": mentor,
        "founder": founder,
        "startup_a": startup_a,
        "ended": book(NOW - 2 * DAY, topic="Pricing"),
        "under_way": book(NOW - HOUR / 2, topic="Hiring"),
        "ahead": book(NOW + DAY, topic="Export"),
        "cancelled": book(NOW + 2 * DAY, status="cancelled", topic="Legal"),
        "other_site": book(NOW + 3 * DAY, site=site_b, startup=startup_b),
    }


def pks(rows) -> list[int]:
    return [row.pk for row in rows]


# --- Queryset predicates ---------------------------------------------------------------------
def test_the_booking_predicates_split_at_now(timeline):
    bookings = Booking.objects.filter(site=timeline["ended"].site_id)
    assert set(pks(bookings.confirmed())) == {timeline[k].pk for k in ("ended", "under_way", "ahead")}
    assert set(pks(bookings.not_ended(NOW))) == {timeline[k].pk for k in ("under_way", "ahead", "cancelled")}
    assert pks(bookings.ended(NOW)) == [timeline["ended"].pk]
    # Half-open: a booking starting at `end` is left out, one starting at `start` is in.
    assert pks(bookings.starting_between(NOW + DAY, NOW + 2 * DAY)) == [timeline["ahead"].pk]


def test_the_availability_predicates(unscoped):
    today = datetime.date(2027, 3, 10)
    mentor, other = MentorProfileFactory(), MentorProfileFactory()
    window = {"starts_at": datetime.time(9), "ends_at": datetime.time(12), "mode": "video"}
    past = ExtraWindow.objects.create(mentor=mentor, date=today - DAY, **window)
    same_day = ExtraWindow.objects.create(mentor=mentor, date=today, **window)
    over = BlockedPeriod.objects.create(mentor=mentor, starts_on=today - 5 * DAY, ends_on=today - DAY)
    last_day = BlockedPeriod.objects.create(mentor=mentor, starts_on=today - 5 * DAY, ends_on=today)
    rule = WeeklyRule.objects.create(mentor=mentor, weekday=0, **window)
    WeeklyRule.objects.create(mentor=other, weekday=0, **window)

    assert pks(mentor.extra_windows.ahead(today)) == [same_day.pk]
    assert pks(mentor.blocked_periods.ahead(today)) == [last_day.pk]
    assert pks(WeeklyRule.objects.of_user(mentor.user)) == [rule.pk]
    assert set(pks(ExtraWindow.objects.of_user(mentor.user))) == {past.pk, same_day.pk}
    assert set(pks(BlockedPeriod.objects.of_user(other.user))) == set()
    assert over.pk not in pks(BlockedPeriod.objects.of_user(mentor.user).ahead(today))


# --- A mentor's agenda and a team's bookings --------------------------------------------------
def test_the_mentors_agenda_puts_each_booking_on_one_side_of_now(timeline, site_a):
    user = timeline["mentor"].user
    with scope(site=[site_a.pk]):
        upcoming = mentor_agenda(user, now=NOW)
        past = mentor_agenda(user, now=NOW, past=True)
        assert pks(upcoming) == [timeline[k].pk for k in ("under_way", "ahead", "cancelled")]
        assert pks(past) == [timeline["ended"].pk]
        assert upcoming.confirmed().count() == 2
        assert timeline["ahead"].pk in pks(mentor_booking_details(user))
        # Another site's booking is outside the scope.
        assert timeline["other_site"].pk not in pks(mentor_booking_details(user))


def test_a_teams_bookings_are_upcoming_or_history_never_both(timeline, site_a):
    user = timeline["founder"]
    with scope(site=[site_a.pk]):
        upcoming = pks(team_bookings(user, now=NOW))
        history = pks(team_bookings(user, now=NOW, past=True))
        details = set(pks(team_booking_details(user)))
    assert upcoming == [timeline["under_way"].pk, timeline["ahead"].pk]
    # The cancelled booking ahead goes to the history, latest first.
    assert history == [timeline["cancelled"].pk, timeline["ended"].pk]
    assert details == set(upcoming) | set(history)


# --- A site's bookings list -------------------------------------------------------------------
def test_a_sites_bookings_list_applies_each_filter(timeline, site_a):
    mentor = timeline["mentor"]
    with scope(site=site_a.pk):

        def listed(**filters) -> list[int]:
            return pks(site_booking_list(site_a, now=NOW, **filters))

        everything = [timeline[k].pk for k in ("cancelled", "ahead", "under_way", "ended")]
        assert listed() == everything  # latest first
        assert listed(upcoming=True) == [timeline["ahead"].pk, timeline["cancelled"].pk]  # soonest first
        assert listed(upcoming=False) == [timeline["under_way"].pk, timeline["ended"].pk]
        assert listed(status="cancelled") == [timeline["cancelled"].pk]
        assert listed(mentor=mentor) == everything
        assert listed(mentor=MentorProfileFactory()) == []
        assert listed(q="hiring") == [timeline["under_way"].pk]  # the topic
        assert listed(q=timeline["startup_a"].brand_name.upper()) == everything
        assert list(mentors_of_site(site_a)) == [mentor]
        assert timeline["other_site"].pk not in pks(site_booking_details(site_a))


def test_a_ledger_counts_the_bookings_of_its_period(timeline, site_a):
    with scope(site=site_a.pk):
        assert pks(ledger_bookings(site=site_a, start=NOW - DAY, end=NOW + 2 * DAY)) == [
            timeline["under_way"].pk,
            timeline["ahead"].pk,
        ]
    # No site: every booking the scope shows (here all, as head office's network ledger).
    found = pks(ledger_bookings(site=None, start=NOW, end=NOW + 4 * DAY))
    assert found == [timeline["ahead"].pk, timeline["cancelled"].pk, timeline["other_site"].pk]


# --- Who reviews which profile ----------------------------------------------------------------
def test_reviewers_see_the_profiles_of_their_sites_never_their_own(site_a, site_b, unscoped):
    manager = SiteMembershipFactory(site=site_a).user
    team = SiteMembershipFactory(site=site_a, role=MembershipRole.TEAM).user
    head_office = UserFactory(role="head_office")
    pending_a = MentorProfileFactory(status="pending", sites=[site_a], user__full_name="Badr Pending")
    rejected_a = MentorProfileFactory(status="rejected", sites=[site_a], headline="Export")
    MentorProfileFactory(status="draft", sites=[site_a])
    pending_b = MentorProfileFactory(status="pending", sites=[site_b])
    own = MentorProfileFactory(user=manager, status="pending", sites=[site_a])

    assert is_profile_reviewer(manager) and is_profile_reviewer(head_office)
    assert not is_profile_reviewer(team)
    submitted = ["pending", "published", "suspended", "rejected"]
    assert set(pks(profiles_for_review(manager, statuses=submitted))) == {pending_a.pk, rejected_a.pk}
    assert pks(profiles_for_review(manager, statuses=["pending"], q="badr")) == [pending_a.pk]
    assert pks(profiles_for_review(manager, statuses=submitted, q="EXPORT")) == [rejected_a.pk]
    assert set(pks(profiles_for_review(head_office, statuses=["pending"]))) == {
        pending_a.pk,
        pending_b.pk,
        own.pk,
    }
    assert reviewable_profile(manager, pk=pending_a.pk) == pending_a
    assert reviewable_profile(manager, pk=pending_b.pk) is None
    assert reviewable_profile(manager, pk=own.pk) is None
