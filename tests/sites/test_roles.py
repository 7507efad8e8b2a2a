"""Site roles enforced in one place (`sites.roles`, `SiteScopeMiddleware`): committee and
team members read their site's back-office and write nothing there but what their role
allows (the committee's reviews); managers and head office write as before.

The isolation matrix (tests/technopark/test_isolation_matrix.py) sweeps every route with
the `committee_a` and `team_a` personas; here are the regressions of the attack report
(a committee member cancelling a mentor booking, a team member overwriting attendance) and
the rules themselves."""

import pytest
from django.core.exceptions import PermissionDenied
from django_scopes import scope, scopes_disabled

from mentors import actions as mentor_actions
from mentors.models import Attendance, Booking, BookingStatus
from mentors.selectors.bookings import booking_roles
from sites.models import MembershipRole, SiteMembership
from sites.roles import MANAGE, READ, REVIEW, roles_with, site_actions, site_permission
from sites.scoping import managed_site_list
from startups.models import Application, ApplicationStatus
from tests.factories import SiteMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

BOOKINGS_A = "/manage/site-a/mentoring/"


def _booking(pk) -> Booking:
    with scopes_disabled():
        return Booking.objects.get(pk=pk)


# --- The regressions of the report ---------------------------------------------------------
@pytest.mark.parametrize("persona", ["committee_a", "team_a"])
def test_a_read_only_member_cannot_cancel_a_booking_on_the_page(client_for, world, persona):
    client = client_for(persona)
    pk = world["booking_a"]
    assert client.get(f"{BOOKINGS_A}{pk}/").status_code == 200  # they read it
    response = client.post(f"{BOOKINGS_A}{pk}/cancel/", {"reason": "Not mine to cancel."})
    assert response.status_code == 403
    booking = _booking(pk)
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.cancelled_by is None


@pytest.mark.parametrize("persona", ["committee_a", "team_a"])
def test_a_read_only_member_cannot_cancel_a_booking_through_the_api(client_for, world, persona):
    client = client_for(persona)
    url = f"/api/v1/mentor-bookings/{world['booking_a']}/"
    assert client.get(url).status_code == 200  # they read it
    response = client.post(f"{url}cancel/", {"reason": "Not mine."}, content_type="application/json")
    assert response.status_code in (403, 404)
    assert set(response.json()) == {"detail"}
    assert _booking(world["booking_a"]).status == BookingStatus.CONFIRMED


@pytest.mark.parametrize("persona", ["team_a", "committee_a"])
def test_a_read_only_member_cannot_overwrite_attendance(client_for, world, persona):
    pk = world["booking_a_past"]  # held, per the mentor
    response = client_for(persona).post(f"{BOOKINGS_A}{pk}/attendance/", {"attendance": "mentor_no_show"})
    assert response.status_code == 403
    booking = _booking(pk)
    assert booking.attendance == Attendance.HELD
    assert booking.attendance_marked_by is None


def test_the_actions_refuse_read_only_members_too(world, team_a, committee_a):
    """Defence in depth: the booking actions ask the same rule (`booking_roles`)."""
    for user in (team_a, committee_a):
        with scopes_disabled():
            past = Booking.objects.get(pk=world["booking_a_past"])
            upcoming = Booking.objects.get(pk=world["booking_a"])
        assert booking_roles(user, upcoming) == {"site"}
        with pytest.raises(PermissionDenied), scope(site=past.site_id):
            mentor_actions.booking_mark_attendance(actor=user, booking=past, attendance=Attendance.MENTOR_NO_SHOW)
        with pytest.raises(PermissionDenied), scope(site=upcoming.site_id):
            mentor_actions.booking_cancel(actor=user, booking=upcoming, reason="")
    assert _booking(world["booking_a_past"]).attendance == Attendance.HELD
    assert _booking(world["booking_a"]).status == BookingStatus.CONFIRMED


def test_the_booking_page_hides_the_forms_from_read_only_members(client_for, world):
    for persona, shown in (("committee_a", False), ("team_a", False), ("manager_a", True), ("staff", True)):
        upcoming = client_for(persona).get(f"{BOOKINGS_A}{world['booking_a']}/")
        assert upcoming.context["can_manage"] is shown
        assert upcoming.context["can_cancel"] is shown, persona
        assert ("/cancel/" in upcoming.content.decode()) is shown
        past = client_for(persona).get(f"{BOOKINGS_A}{world['booking_a_past']}/")
        assert past.context["can_mark"] is shown
        assert ("/attendance/" in past.content.decode()) is shown


def test_managers_and_head_office_still_cancel(client_for, world):
    response = client_for("manager_a").post(f"{BOOKINGS_A}{world['booking_a']}/cancel/", {"reason": "Room closed."})
    assert response.status_code == 302
    assert _booking(world["booking_a"]).status == BookingStatus.CANCELLED


# --- The middleware's rule ------------------------------------------------------------------
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("persona", ["committee_a", "team_a"])
def test_every_unsafe_method_needs_manage(client_for, world, persona, method):
    client = client_for(persona)
    assert getattr(client, method)("/manage/site-a/offices/new/").status_code == 403
    response = getattr(client, method)("/api/v1/manage/site-a/members/", content_type="application/json")
    assert response.status_code == 403
    assert set(response.json()) == {"detail"}


def test_non_members_still_get_the_404_of_a_missing_site(client_for, world):
    for persona in ("outsider", "manager_b", "founder_a"):
        assert client_for(persona).post("/manage/site-a/offices/new/").status_code == 404


def test_a_committee_member_scores_the_application_assigned_to_them(client_for, world, committee_a, unscoped):
    """`review` is declared by the scoring form: the committee passes, the team does not."""
    from startups.models import Criterion, Review

    application = Application.objects.get(pk=world["application_a"])
    review = Review.objects.create(application=application, site=application.site, reviewer=committee_a)
    url = f"/manage/site-a/reviews/{review.pk}/"
    data = {f"score_{criterion.pk}": 3 for criterion in Criterion.objects.filter(is_active=True)}
    client = client_for("committee_a")
    assert client.get(url).status_code == 200
    client.post(url, {**data, "comment": "Solid."})
    review.refresh_from_db()
    assert review.submitted_at is not None
    # The team member may not even open it (it is not theirs anyway).
    assert client_for("team_a").get(url).status_code == 403


def test_a_committee_member_cannot_decide_through_the_api(client_for, world, unscoped):
    url = f"/api/v1/applications/{world['application_a']}/decide/"
    response = client_for("committee_a").post(url, {"decision": "waitlist"}, content_type="application/json")
    assert response.status_code == 403
    assert set(response.json()) == {"detail"}
    assert Application.objects.get(pk=world["application_a"]).status == ApplicationStatus.SUBMITTED


# --- The rule itself ------------------------------------------------------------------------
def test_roles_and_their_actions(site_a, site_b, committee_a, team_a, manager_a, staff):
    assert site_actions(manager_a, site_a.pk) == {MANAGE, REVIEW, READ}
    assert site_actions(committee_a, site_a.pk) == {REVIEW, READ}
    assert site_actions(team_a, site_a.pk) == {READ}
    assert site_actions(staff, site_b.pk) == {MANAGE, REVIEW, READ}
    assert site_actions(manager_a, site_b.pk) == set()  # not their site
    assert site_actions(staff, None) == set()  # a row of no site is nobody's site data
    assert site_permission(committee_a, site_a.pk, REVIEW)
    assert not site_permission(committee_a, site_a.pk, MANAGE)
    assert roles_with(MANAGE) == [MembershipRole.MANAGER]
    assert set(roles_with(REVIEW)) == {MembershipRole.MANAGER, MembershipRole.COMMITTEE}
    assert set(roles_with(READ)) == set(MembershipRole.values)


def test_inactive_users_may_do_nothing(site_a, manager_a):
    manager_a.is_active = False
    assert site_actions(manager_a, site_a.pk) == set()


def test_a_request_reads_the_roles_once(rf, site_a, site_b, committee_a, django_assert_num_queries):
    """Per request, never across requests: the memberships are read once for a request and
    kept on it (not on the user)."""
    request = rf.get("/")
    with django_assert_num_queries(1):
        assert site_actions(committee_a, site_a.pk, request=request) == {REVIEW, READ}
        assert site_actions(committee_a, site_b.pk, request=request) == set()
        assert [site.pk for site in managed_site_list(committee_a, request=request)] == [site_a.pk]
    with django_assert_num_queries(1):  # another request reads them again
        assert site_actions(committee_a, site_a.pk, request=rf.get("/")) == {REVIEW, READ}


def test_a_change_of_role_applies_at_once(client_for, world, team_a, unscoped):
    client = client_for("team_a")
    url = f"{BOOKINGS_A}{world['booking_a_past']}/attendance/"
    assert client.post(url, {"attendance": "held"}).status_code == 403
    membership = SiteMembership.objects.get(user=team_a)
    membership.role = MembershipRole.MANAGER
    membership.save()  # read from the database by the next request
    assert client.post(url, {"attendance": "held"}).status_code == 302


def test_a_site_member_of_another_site_is_a_stranger_here(world, site_b):
    user = UserFactory(email="committee.b@example.ma")
    with scopes_disabled():
        SiteMembershipFactory(site=site_b, user=user, role=MembershipRole.MANAGER)
        booking = Booking.objects.get(pk=world["booking_a"])
    assert booking_roles(user, booking) == set()
