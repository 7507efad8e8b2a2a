"""Mentoring back-office, the review of mentor profiles (/mentors/review/…): the list and its
filters, one profile's review and its transitions, tenant isolation and query counts."""

import pytest
from django.core import mail

from mentors.models import MentorProfile, ProfileStatus
from sites.models import MembershipRole
from tests.conftest import PNG_1X1
from tests.factories import MentorProfileFactory, SiteMembershipFactory

from . import backoffice_setup
from .backoffice_setup import _as, _audited, _messages

# The fixtures shared with the sibling modules: pytest finds a fixture by its name in the module.
head_office = backoffice_setup.head_office
manager = backoffice_setup.manager

# Every test here uses the world: built once for the module (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_world")]

REVIEW_LIST = "/mentors/review/"


def _profile(pk) -> MentorProfile:
    return MentorProfile.objects.get(pk=pk)


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
