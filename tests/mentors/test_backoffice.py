"""Mentoring back-office: the review of mentor profiles (/mentors/review/…), a site's mentor
bookings with the notes, rating and attendance (/manage/<site>/mentoring/…), and the hours
ledger per mentor, site and month (a site's, and head office's across the network), with
its CSV and XLSX exports; tenant isolation and query counts."""

import csv
import datetime
import io
import types

import pytest
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages
from django.core import mail
from django.utils import timezone
from django_scopes import scopes_disabled
from openpyxl import load_workbook

from core.models import AuditEntry
from mentors import selectors
from mentors.models import Attendance, Booking, BookingStatus, MentorProfile, ProfileStatus
from sites.models import MembershipRole
from startups.models import Startup
from tests.conftest import PNG_1X1
from tests.factories import BookingFactory, MentorProfileFactory, SiteMembershipFactory, StartupFactory

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
REVIEW_LIST = "/mentors/review/"
BOOKINGS_A = "/manage/site-a/mentoring/"
HOURS_A = "/manage/site-a/mentoring/hours/"
NETWORK_HOURS = "/network/mentoring/hours/"


def _as(client, user):
    client.cookies["django_language"] = "en"
    client.force_login(user)
    return client


@pytest.fixture
def head_office(client, world, staff):
    return _as(client, staff)


@pytest.fixture
def manager(client, world, manager_a):
    return _as(client, manager_a)


def _profile(pk) -> MentorProfile:
    return MentorProfile.objects.get(pk=pk)


def _booking(pk) -> Booking:
    with scopes_disabled():
        return Booking.objects.get(pk=pk)


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _audited(instance, actor) -> bool:
    with scopes_disabled():
        return AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(instance), object_id=str(instance.pk), actor=actor
        ).exists()


# --- Review: the list ------------------------------------------------------------------------
def _listed(response) -> set[int]:
    return {profile.pk for profile in response.context["page"]}


def test_head_office_lists_every_profile_awaiting_approval(head_office, world):
    response = head_office.get(REVIEW_LIST)
    assert response.status_code == 200
    assert _listed(response) == {world["mentor_pending_a"], world["mentor_pending_b"]}
    assert "pending.a@example.ma" not in response.content.decode()  # emails on the review page only


def test_head_office_filters_the_list_by_status(head_office, world):
    MentorProfileFactory(status=ProfileStatus.SUSPENDED, user__full_name="Suspended One")
    rejected = MentorProfileFactory(status=ProfileStatus.REJECTED, user__full_name="Rejected One")
    MentorProfileFactory(status=ProfileStatus.DRAFT, user__full_name="Draft One")
    suspended = MentorProfile.objects.get(user__full_name="Suspended One")
    assert _listed(head_office.get(REVIEW_LIST, {"status": "published"})) == {world["mentor"]}
    assert _listed(head_office.get(REVIEW_LIST, {"status": "suspended"})) == {suspended.pk}
    assert _listed(head_office.get(REVIEW_LIST, {"status": "rejected"})) == {rejected.pk}
    # "All" is every submitted profile: a draft is the mentor's own business.
    assert _listed(head_office.get(REVIEW_LIST, {"status": "all"})) == {
        world["mentor"],
        world["mentor_pending_a"],
        world["mentor_pending_b"],
        suspended.pk,
        rejected.pk,
    }
    # A bad value is an error on the form, the default list is shown: never a 500.
    response = head_office.get(REVIEW_LIST, {"status": "bogus"})
    assert response.status_code == 200
    assert response.context["form"].errors["status"]
    assert _listed(response) == {world["mentor_pending_a"], world["mentor_pending_b"]}


def test_a_manager_lists_only_the_profiles_serving_their_sites(client, world, manager_a, manager_b):
    assert _listed(_as(client, manager_a).get(REVIEW_LIST)) == {world["mentor_pending_a"]}
    assert _listed(_as(client, manager_b).get(REVIEW_LIST)) == {world["mentor_pending_b"]}
    assert _listed(_as(client, manager_b).get(REVIEW_LIST, {"status": "all"})) == {world["mentor_pending_b"]}


def test_the_list_has_an_empty_state(client, world, manager_a):
    MentorProfile.objects.filter(pk=world["mentor_pending_a"]).update(status=ProfileStatus.PUBLISHED)
    response = _as(client, manager_a).get(REVIEW_LIST)
    assert list(response.context["page"]) == []
    assert "No profile is awaiting approval." in response.content.decode()


def test_committee_members_founders_and_mentors_may_not_review(client, world, site_a):
    committee = SiteMembershipFactory(site=site_a, role=MembershipRole.COMMITTEE).user
    mentor_user = _profile(world["mentor"]).user
    for user in (committee, mentor_user):
        _as(client, user)
        assert client.get(REVIEW_LIST).status_code == 403
        assert client.get(f"/mentors/review/{world['mentor_pending_a']}/").status_code == 403


def test_the_review_list_is_O1_in_queries(head_office, world, site_a, site_b, django_assert_max_num_queries):
    with django_assert_max_num_queries(20) as few:
        assert head_office.get(REVIEW_LIST).status_code == 200
    for _ in range(15):
        MentorProfileFactory(status=ProfileStatus.PENDING, sites=[site_a, site_b], dimensions=["financing", "market"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = head_office.get(REVIEW_LIST)
    assert len(response.context["page"]) == 17


# --- Review: one profile --------------------------------------------------------------------
def test_the_review_page_shows_the_profile_in_full_with_the_email(head_office, world):
    response = head_office.get(f"/mentors/review/{world['mentor_pending_a']}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "pending.a@example.ma" in html
    assert "Vingt ans de capital-risque" in html  # the bio
    assert "Access to financing" in html
    assert [choice[0] for choice in response.context["form"].fields["decision"].choices] == [
        "approve",
        "request_changes",
    ]


def test_head_office_approves_a_pending_profile(head_office, world, staff, django_capture_on_commit_callbacks):
    pk = world["mentor_pending_a"]
    with django_capture_on_commit_callbacks(execute=True):
        response = head_office.post(f"/mentors/review/{pk}/", {"decision": "approve", "note": ""})
    assert response.status_code == 302
    assert response["Location"] == REVIEW_LIST
    profile = _profile(pk)
    assert profile.status == ProfileStatus.PUBLISHED
    assert profile.reviewed_by == staff
    assert profile.reviewed_at is not None
    assert [message.to for message in mail.outbox] == [["pending.a@example.ma"]]
    assert _audited(profile, staff)
    assert any("told by email" in message for message in _messages(response))


def test_a_manager_reviews_their_sites_profiles_only(client, world, manager_a, django_capture_on_commit_callbacks):
    _as(client, manager_a)
    assert client.get(f"/mentors/review/{world['mentor_pending_a']}/").status_code == 200
    # Site B's profile: the same 404 as a profile that does not exist, for reading and writing.
    assert client.get(f"/mentors/review/{world['mentor_pending_b']}/").status_code == 404
    assert client.get("/mentors/review/999999/").status_code == 404
    response = client.post(f"/mentors/review/{world['mentor_pending_b']}/", {"decision": "approve"})
    assert response.status_code == 404
    assert _profile(world["mentor_pending_b"]).status == ProfileStatus.PENDING
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/mentors/review/{world['mentor_pending_a']}/", {"decision": "approve"})
    assert response.status_code == 302
    assert _profile(world["mentor_pending_a"]).status == ProfileStatus.PUBLISHED
    assert _audited(_profile(world["mentor_pending_a"]), manager_a)


def test_requesting_changes_needs_a_note(manager, world):
    pk = world["mentor_pending_a"]
    response = manager.post(f"/mentors/review/{pk}/", {"decision": "request_changes", "note": "   "})
    assert response.status_code == 200
    assert response.context["form"].errors["note"] == ["Tell the mentor why, so that they can act on it."]
    assert _profile(pk).status == ProfileStatus.PENDING
    assert mail.outbox == []


def test_requesting_changes_sends_the_profile_back_with_the_note(
    manager, world, manager_a, django_capture_on_commit_callbacks
):
    pk = world["mentor_pending_a"]
    with django_capture_on_commit_callbacks(execute=True):
        response = manager.post(f"/mentors/review/{pk}/", {"decision": "request_changes", "note": " Add a photo. "})
    assert response.status_code == 302
    profile = _profile(pk)
    assert profile.status == ProfileStatus.REJECTED
    assert profile.review_note == "Add a photo."
    assert [message.to for message in mail.outbox] == [["pending.a@example.ma"]]
    assert "Add a photo." in mail.outbox[0].body


def test_a_manager_cannot_suspend(manager, world):
    published = world["mentor"]  # serves site A: manager_a reviews it
    response = manager.get(f"/mentors/review/{published}/")
    assert response.status_code == 200
    assert response.context["decisions"] == []
    assert "Only head office can suspend a published profile." in response.content.decode()
    response = manager.post(f"/mentors/review/{published}/", {"decision": "suspend", "note": "Complaints."})
    assert response.status_code == 302
    assert _messages(response) == ["No decision can be taken on this profile in its current status."]
    assert _profile(published).status == ProfileStatus.PUBLISHED
    # Nor a pending profile: "suspend" is not one of the choices.
    pending = world["mentor_pending_a"]
    response = manager.post(f"/mentors/review/{pending}/", {"decision": "suspend", "note": "Complaints."})
    assert response.status_code == 200
    assert response.context["form"].errors["decision"]
    assert _profile(pending).status == ProfileStatus.PENDING
    assert mail.outbox == []


def test_head_office_suspends_then_publishes_again(head_office, world, django_capture_on_commit_callbacks):
    pk = world["mentor"]
    response = head_office.post(f"/mentors/review/{pk}/", {"decision": "suspend", "note": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["note"]
    with django_capture_on_commit_callbacks(execute=True):
        head_office.post(f"/mentors/review/{pk}/", {"decision": "suspend", "note": "Complaints from two startups."})
    assert _profile(pk).status == ProfileStatus.SUSPENDED
    assert _profile(pk).review_note == "Complaints from two startups."
    response = head_office.get(f"/mentors/review/{pk}/")
    assert response.context["decisions"] == ["approve"]
    with django_capture_on_commit_callbacks(execute=True):
        head_office.post(f"/mentors/review/{pk}/", {"decision": "approve"})
    assert _profile(pk).status == ProfileStatus.PUBLISHED
    assert len(mail.outbox) == 2


def test_a_manager_cannot_lift_a_suspension(manager, world):
    MentorProfile.objects.filter(pk=world["mentor"]).update(status=ProfileStatus.SUSPENDED)
    response = manager.post(f"/mentors/review/{world['mentor']}/", {"decision": "approve"})
    assert response.status_code == 302
    assert _profile(world["mentor"]).status == ProfileStatus.SUSPENDED


def test_a_conflict_is_a_message(head_office, world, monkeypatch):
    from core.errors import Conflict
    from mentors import actions

    def reviewed_meanwhile(**kwargs):
        raise Conflict("Reviewed meanwhile.")

    monkeypatch.setattr(actions, "profile_review", reviewed_meanwhile)
    pk = world["mentor_pending_a"]
    response = head_office.post(f"/mentors/review/{pk}/", {"decision": "approve"})
    assert response.status_code == 302
    assert response["Location"] == f"/mentors/review/{pk}/"
    assert _messages(response) == ["Reviewed meanwhile."]


def test_the_photo_of_a_profile_under_review_is_for_its_reviewers(client, world, manager_a, manager_b):
    from django.core.files.base import ContentFile

    profile = _profile(world["mentor_pending_a"])
    profile.photo.save("nadia.png", ContentFile(PNG_1X1))
    url = f"/mentors/review/{profile.pk}/photo/"
    response = _as(client, manager_a).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "private, max-age=300"
    assert b"".join(response.streaming_content) == PNG_1X1
    assert f'src="{url}"' in _as(client, manager_a).get(f"/mentors/review/{profile.pk}/").content.decode()
    assert _as(client, manager_b).get(url).status_code == 404


# --- A site's bookings -------------------------------------------------------------------------
def _bookings(response) -> set[int]:
    return {booking.pk for booking in response.context["page"]}


def test_a_site_lists_its_startups_bookings_only(client, world, manager_a, staff):
    for user in (manager_a, staff):
        response = _as(client, user).get(BOOKINGS_A)
        assert response.status_code == 200
        assert _bookings(response) == {world["booking_a"], world["booking_a_past"]}
        assert world["booking_b"] not in _bookings(response)
    html = response.content.decode()
    assert "Souss Agri" not in html  # site B's startup
    assert "Atlas Data" in html


def test_the_site_list_filters(manager, world, unscoped):
    assert _bookings(manager.get(BOOKINGS_A, {"when": "upcoming"})) == {world["booking_a"]}
    assert _bookings(manager.get(BOOKINGS_A, {"when": "past"})) == {world["booking_a_past"]}
    assert _bookings(manager.get(BOOKINGS_A, {"status": "cancelled"})) == set()
    Booking.objects.filter(pk=world["booking_a"]).update(status=BookingStatus.CANCELLED)
    assert _bookings(manager.get(BOOKINGS_A, {"status": "cancelled"})) == {world["booking_a"]}
    assert _bookings(manager.get(BOOKINGS_A, {"mentor": world["mentor"]})) == {
        world["booking_a"],
        world["booking_a_past"],
    }
    other = MentorProfileFactory()
    # Not a mentor of this site's startups: not a choice (an error on the form, no filter).
    response = manager.get(BOOKINGS_A, {"mentor": other.pk})
    assert response.context["form"].errors["mentor"]
    assert other not in response.context["form"].fields["mentor"].queryset
    response = manager.get(BOOKINGS_A, {"mentor": "abc", "when": "never"})
    assert response.status_code == 200
    assert _bookings(response) == {world["booking_a"], world["booking_a_past"]}


def test_the_site_list_shows_notes_presence_and_rating(manager, world, unscoped):
    Booking.objects.filter(pk=world["booking_a_past"]).update(rating=4, rating_comment="Très utile.")
    response = manager.get(BOOKINGS_A)
    html = response.content.decode()
    assert "Written" in html
    assert "4/5" in html
    assert "Revoir la valorisation" not in html  # the notes themselves are on the booking's page


def test_the_site_list_has_an_empty_state(manager, world, unscoped):
    Booking.objects.filter(site__slug="site-a").delete()
    response = manager.get(BOOKINGS_A)
    assert "No startup of this site has booked a mentor yet." in response.content.decode()


def test_manager_b_gets_404_on_site_a_pages(client, world, manager_b):
    _as(client, manager_b)
    for url in (
        BOOKINGS_A,
        f"{BOOKINGS_A}{world['booking_a']}/",
        f"{BOOKINGS_A}{world['booking_a_past']}/",
        HOURS_A,
        f"{HOURS_A}?format=csv",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"{BOOKINGS_A}{world['booking_a']}/cancel/", {"reason": "No."}).status_code == 404
    assert _booking(world["booking_a"]).status == BookingStatus.CONFIRMED


def test_another_sites_booking_is_404_even_for_head_office(head_office, world):
    assert head_office.get(f"{BOOKINGS_A}{world['booking_b']}/").status_code == 404
    response = head_office.post(f"{BOOKINGS_A}{world['booking_b']}/cancel/", {"reason": "Wrong site."})
    assert response.status_code == 404
    assert _booking(world["booking_b"]).status == BookingStatus.CONFIRMED
    assert head_office.get(f"/manage/site-b/mentoring/{world['booking_b']}/").status_code == 200


def test_the_booking_page_shows_notes_rating_and_attendance(manager, world, unscoped):
    Booking.objects.filter(pk=world["booking_a_past"]).update(rating=5, rating_comment="Des conseils concrets.")
    response = manager.get(f"{BOOKINGS_A}{world['booking_a_past']}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Revoir la valorisation avant le tour de table." in html
    assert "5/5" in html
    assert "Des conseils concrets." in html
    assert "Held" in html
    assert response.context["can_mark"] is True
    assert response.context["can_cancel"] is False


def test_the_site_team_records_attendance(manager, world, manager_a):
    pk = world["booking_a_past"]
    response = manager.post(f"{BOOKINGS_A}{pk}/attendance/", {"attendance": "startup_no_show"})
    assert response.status_code == 302
    assert response["Location"] == f"{BOOKINGS_A}{pk}/"
    booking = _booking(pk)
    assert booking.attendance == Attendance.STARTUP_NO_SHOW
    assert booking.attendance_marked_by == manager_a
    assert _audited(booking, manager_a)
    # A bad value re-renders the page with the error.
    response = manager.post(f"{BOOKINGS_A}{pk}/attendance/", {"attendance": "partying"})
    assert response.status_code == 200
    assert response.context["attendance_form"].errors["attendance"]
    assert _booking(pk).attendance == Attendance.STARTUP_NO_SHOW


def test_attendance_before_the_session_is_refused_with_a_message(manager, world):
    pk = world["booking_a"]  # in three days
    response = manager.post(f"{BOOKINGS_A}{pk}/attendance/", {"attendance": "held"})
    assert response.status_code == 302
    assert _messages(response) == ["Attendance can be recorded once the session has started."]
    assert _booking(pk).attendance == Attendance.UNKNOWN


def test_the_site_team_cancels_a_booking(manager, world, manager_a, founder_a, django_capture_on_commit_callbacks):
    pk = world["booking_a"]
    response = manager.post(f"{BOOKINGS_A}{pk}/cancel/", {"reason": ""})
    assert response.status_code == 200
    assert response.context["cancel_form"].errors["reason"]
    assert _booking(pk).status == BookingStatus.CONFIRMED
    with django_capture_on_commit_callbacks(execute=True):
        response = manager.post(f"{BOOKINGS_A}{pk}/cancel/", {"reason": "The meeting room is closed."})
    assert response.status_code == 302
    booking = _booking(pk)
    assert booking.status == BookingStatus.CANCELLED
    assert booking.cancelled_by == manager_a
    assert booking.cancel_reason == "The meeting room is closed."
    assert sorted(message.to[0] for message in mail.outbox) == ["founder.a@example.ma", "mentor@example.ma"]
    assert all("The meeting room is closed." in message.body for message in mail.outbox)
    assert _audited(booking, manager_a)
    # Cancelled: a second attempt is refused with a message.
    response = manager.post(f"{BOOKINGS_A}{pk}/cancel/", {"reason": "Again."})
    assert _messages(response)[-1] == "This booking is already cancelled."


def test_a_past_booking_cannot_be_cancelled(manager, world):
    response = manager.post(f"{BOOKINGS_A}{world['booking_a_past']}/cancel/", {"reason": "Too late."})
    assert response.status_code == 302
    assert "until 12 hours before" in _messages(response)[0]
    assert _booking(world["booking_a_past"]).status == BookingStatus.CONFIRMED


def test_the_site_list_is_O1_in_queries(manager, world, site_a, unscoped, django_assert_max_num_queries):
    with django_assert_max_num_queries(20) as few:
        assert manager.get(BOOKINGS_A).status_code == 200
    startup = Startup.objects.get(pk=world["startup_a"])
    start = timezone.now().replace(minute=0, second=0, microsecond=0) + datetime.timedelta(days=40)
    for index in range(20):
        BookingFactory(
            mentor=MentorProfileFactory(),
            startup=startup,
            site=site_a,
            starts_at=start + datetime.timedelta(hours=index),
            mode="in_person" if index % 2 else "video",
            meeting_site=site_a if index % 2 else None,
            note="Notes." if index % 3 else "",
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = manager.get(BOOKINGS_A)
    assert len(response.context["page"]) == 22


# --- The hours ledger --------------------------------------------------------------------------
# "Now", for the ledger's "the session is over" rule: a Thursday in February 2025.
NOW = datetime.datetime(2025, 2, 20, 12, 0, tzinfo=UTC)


def _at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=UTC)


@pytest.fixture
def ledger_data(world, site_a, site_b, unscoped, monkeypatch):
    """Sessions of two mentors with site A's startup (and one with site B's), around the
    January/February 2025 boundary. Morocco is UTC+1 then (until the Ramadan change of
    23 February 2025): 31 January 23:30 UTC is 1 February 00:30 in Casablanca."""
    monkeypatch.setattr(selectors, "timezone", types.SimpleNamespace(now=lambda: NOW))
    amina = MentorProfileFactory(user__full_name="Amina Ledger", user__email="amina@example.ma")
    brahim = MentorProfileFactory(user__full_name="Brahim Ledger", user__email="brahim@example.ma")
    startup_a = Startup.objects.get(pk=world["startup_a"])
    startup_b = Startup.objects.get(pk=world["startup_b"])

    def book(mentor, start, minutes=60, site=site_a, startup=startup_a, **fields):
        return BookingFactory(
            mentor=mentor,
            startup=startup,
            site=site,
            starts_at=start,
            ends_at=start + datetime.timedelta(minutes=minutes),
            **fields,
        )

    # Counted, February (Casablanca): 90 + 60 + 60 minutes for Amina, 45 for Brahim.
    book(amina, _at(2025, 1, 31, 23, 30), 90, attendance="held")  # 1 Feb 00:30 local
    book(amina, _at(2025, 2, 3, 9), attendance="held")
    book(amina, _at(2025, 2, 10, 10))  # attendance not marked: counted
    book(brahim, _at(2025, 2, 14, 10), 45, attendance="held")
    # Counted, January: 60 for Amina (31 Jan 23:30 local, just before midnight), 45 for Brahim.
    book(amina, _at(2025, 1, 31, 22, 30), attendance="held")
    book(brahim, _at(2025, 1, 15, 10), 45, attendance="held")
    # Not counted.
    book(amina, _at(2025, 2, 11, 10), attendance="startup_no_show")
    book(amina, _at(2025, 2, 12, 10), attendance="mentor_no_show")
    book(amina, _at(2025, 2, 13, 10), status="cancelled")
    book(amina, _at(2025, 2, 20, 11, 30))  # under way at NOW
    book(amina, _at(2025, 2, 25, 10))  # after NOW
    # Site B's startup: 120 minutes with Amina in February (the network's ledger only).
    book(amina, _at(2025, 2, 5, 10), 120, site=site_b, startup=startup_b, attendance="held")
    return {"amina": amina, "brahim": brahim}


def _rows(response) -> list[tuple]:
    return [
        (row.month.isoformat(), row.mentor.name, str(row.sessions), str(row.hours))
        + ((row.site.slug,) if row.site else ())
        for row in response.context["ledger"].rows
    ]


def _totals(response) -> tuple:
    ledger = response.context["ledger"]
    return ledger.sessions, str(ledger.hours)


def test_the_site_ledger_of_one_month(manager, ledger_data):
    response = manager.get(HOURS_A, {"year": "2025", "month": "2"})
    assert response.status_code == 200
    assert _rows(response) == [
        ("2025-02-01", "Amina Ledger", "3", "3.5"),
        ("2025-02-01", "Brahim Ledger", "1", "0.8"),  # 45 minutes: 0.75, half up
    ]
    assert _totals(response) == (4, "4.3")  # 255 minutes
    html = response.content.decode()
    assert "February 2025" in html
    assert "3.5" in html


def test_the_site_ledger_of_a_year_and_exact_totals(manager, ledger_data):
    response = manager.get(HOURS_A, {"year": "2025"})
    assert _rows(response) == [
        ("2025-02-01", "Amina Ledger", "3", "3.5"),
        ("2025-02-01", "Brahim Ledger", "1", "0.8"),
        ("2025-01-01", "Amina Ledger", "1", "1.0"),
        ("2025-01-01", "Brahim Ledger", "1", "0.8"),
    ]
    # 360 minutes: 6.0 hours, not the 6.1 of the rounded rows added up.
    assert _totals(response) == (6, "6.0")


def test_the_month_boundary_is_casablancas(manager, ledger_data):
    response = manager.get(HOURS_A, {"year": "2025", "month": "1"})
    # Amina's 22:30 UTC session is January; her 23:30 UTC one (00:30 local) is February.
    assert _rows(response) == [
        ("2025-01-01", "Amina Ledger", "1", "1.0"),
        ("2025-01-01", "Brahim Ledger", "1", "0.8"),
    ]
    assert _totals(response) == (2, "1.8")  # 105 minutes


def test_the_default_period_is_the_last_12_months(manager, world):
    # world: booking_a_past, held a week ago (60 minutes); booking_a is still to come.
    response = manager.get(HOURS_A)
    ledger = response.context["ledger"]
    this_month = timezone.localdate().replace(day=1)
    assert ledger.after == (this_month + datetime.timedelta(days=32)).replace(day=1)
    assert (ledger.after.year - ledger.first.year) * 12 + ledger.after.month - ledger.first.month == 12
    assert [(row.mentor.name, row.sessions, str(row.hours)) for row in ledger.rows] == [("Nadia Mentor", 1, "1.0")]


def test_the_ledger_has_an_empty_state_and_rejects_a_month_without_a_year(manager, world):
    response = manager.get(HOURS_A, {"year": "2019"})
    assert response.context["ledger"].rows == []
    assert "No mentoring session took place in this period." in response.content.decode()
    response = manager.get(HOURS_A, {"month": "13"})
    assert response.status_code == 200
    assert response.context["form"].errors["month"]
    response = manager.get(HOURS_A, {"month": "3"})
    assert response.context["form"].errors["month"] == ["Choose the year too."]


def test_the_site_ledger_csv(manager, ledger_data):
    response = manager.get(HOURS_A, {"year": "2025", "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="mentoring-hours-site-a-2025-01-2025-12.csv"'
    content = response.content.decode("utf-8")
    assert content.startswith("\ufeff")
    assert list(csv.reader(io.StringIO(content.lstrip("\ufeff")))) == [
        ["Month", "Mentor", "Sessions", "Hours"],
        ["2025-02", "Amina Ledger", "3", "3.5"],
        ["2025-02", "Brahim Ledger", "1", "0.8"],
        ["2025-01", "Amina Ledger", "1", "1.0"],
        ["2025-01", "Brahim Ledger", "1", "0.8"],
        ["Total", "", "6", "6.0"],
    ]


def test_the_site_ledger_xlsx(manager, ledger_data):
    response = manager.get(HOURS_A, {"year": "2025", "month": "2", "format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="mentoring-hours-site-a-2025-02-2025-02.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.title == "Mentoring hours"
    assert [list(row) for row in sheet.iter_rows(values_only=True)] == [
        ["Month", "Mentor", "Sessions", "Hours"],
        ["2025-02", "Amina Ledger", 3, 3.5],
        ["2025-02", "Brahim Ledger", 1, 0.8],
        ["Total", None, 4, 4.3],
    ]


def test_csv_cells_never_run_as_formulas(manager, ledger_data):
    user = ledger_data["brahim"].user
    user.full_name = "=HYPERLINK(1)"
    user.save()
    content = manager.get(HOURS_A, {"year": "2025", "month": "2", "format": "csv"}).content.decode()
    assert "'=HYPERLINK(1)" in content


def test_the_network_ledger(head_office, ledger_data):
    response = head_office.get(NETWORK_HOURS, {"year": "2025"})
    assert response.status_code == 200
    assert _rows(response) == [
        ("2025-02-01", "Amina Ledger", "3", "3.5", "site-a"),
        ("2025-02-01", "Amina Ledger", "1", "2.0", "site-b"),
        ("2025-02-01", "Brahim Ledger", "1", "0.8", "site-a"),
        ("2025-01-01", "Amina Ledger", "1", "1.0", "site-a"),
        ("2025-01-01", "Brahim Ledger", "1", "0.8", "site-a"),
    ]
    assert _totals(response) == (7, "8.0")
    response = head_office.get(NETWORK_HOURS, {"year": "2025", "site": "site-b"})
    assert _rows(response) == [("2025-02-01", "Amina Ledger", "1", "2.0", "site-b")]
    assert _totals(response) == (1, "2.0")
    response = head_office.get(NETWORK_HOURS, {"year": "2025", "site": "nowhere"})
    assert response.status_code == 200
    assert response.context["form"].errors["site"]


def test_the_network_ledger_exports(head_office, ledger_data):
    response = head_office.get(NETWORK_HOURS, {"year": "2025", "month": "2", "format": "csv"})
    assert response["Content-Disposition"] == 'attachment; filename="mentoring-hours-network-2025-02-2025-02.csv"'
    assert list(csv.reader(io.StringIO(response.content.decode().lstrip("\ufeff")))) == [
        ["Month", "Mentor", "Site", "Sessions", "Hours"],
        ["2025-02", "Amina Ledger", str(_site_name("site-a")), "3", "3.5"],
        ["2025-02", "Amina Ledger", str(_site_name("site-b")), "1", "2.0"],
        ["2025-02", "Brahim Ledger", str(_site_name("site-a")), "1", "0.8"],
        ["Total", "", "", "5", "6.3"],
    ]
    response = head_office.get(NETWORK_HOURS, {"year": "2025", "month": "2", "site": "site-b", "format": "xlsx"})
    assert response["Content-Disposition"] == (
        'attachment; filename="mentoring-hours-network-site-b-2025-02-2025-02.xlsx"'
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [list(row) for row in sheet.iter_rows(values_only=True)] == [
        ["Month", "Mentor", "Site", "Sessions", "Hours"],
        ["2025-02", "Amina Ledger", _site_name("site-b"), 1, 2],
        ["Total", None, None, 1, 2],
    ]


def _site_name(slug: str) -> str:
    from django.utils import translation

    from sites.models import Site

    with translation.override("en"):
        return Site.objects.get(slug=slug).name


def test_the_network_ledger_is_head_offices(client, world, manager_a, founder_a):
    assert client.get(NETWORK_HOURS).status_code == 302
    for user in (manager_a, founder_a):
        assert _as(client, user).get(NETWORK_HOURS).status_code == 403
        assert client.get(NETWORK_HOURS, {"format": "csv"}).status_code == 403


def test_the_ledgers_are_O1_in_queries(
    client, world, staff, manager_a, ledger_data, site_a, site_b, django_assert_max_num_queries, unscoped
):
    startup_a = Startup.objects.get(pk=world["startup_a"])
    startup_b = StartupFactory()
    counts = {}
    for user, url in ((manager_a, HOURS_A), (staff, NETWORK_HOURS)):
        _as(client, user)
        with django_assert_max_num_queries(20) as few:
            client.get(url, {"year": "2025"})
        counts[url] = len(few.captured_queries)
    for index in range(12):
        for site, startup in ((site_a, startup_a), (site_b, startup_b)):
            BookingFactory(
                mentor=MentorProfileFactory(user__full_name=f"Mentor {index:02}"),
                startup=startup,
                site=site,
                starts_at=_at(2025, 1 + index % 2, 5, 8) + datetime.timedelta(hours=index),
                attendance="held",
            )
    for user, url in ((manager_a, HOURS_A), (staff, NETWORK_HOURS)):
        _as(client, user)
        with django_assert_max_num_queries(counts[url]):
            response = client.get(url, {"year": "2025"})
        assert len(response.context["ledger"].rows) > 10
