"""The profile writes of `mentors.actions`, called as the pages call them (inside the actor's
`user_scope`): saving a profile with its validations, submitting it to the reviewers,
the review and its transitions, and the audit trail."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django_scopes import scopes_disabled

from accounts.models import Role
from core.errors import Conflict
from mentors import actions
from mentors.models import MentorDimension, MentorProfile, ProfileStatus, Tag
from sites.models import Language
from sites.scoping import user_scope
from tests.factories import MentorProfileFactory, SiteMembershipFactory, UserFactory

from .booking_setup import audit_of, recipients, window

pytestmark = pytest.mark.django_db


# --- Profiles -------------------------------------------------------------------------------
def french():
    return list(Language.objects.filter(code="fr"))


def new_profile(user, **fields) -> MentorProfile:
    values = {"headline": "Go-to-market", "bio": "Sold software in Africa.", "offers_video": True, **fields}
    return MentorProfile(user=user, **values)


def test_profile_save_validations(site_a):
    user = UserFactory(role=Role.MENTOR, email="new.mentor@example.ma")
    cases = [
        ({"dimensions": []}, "dimensions"),
        ({"languages": []}, "languages"),
        ({"profile": new_profile(user, offers_video=False), "sites": []}, "sites"),
        ({"profile": new_profile(user, session_minutes=10)}, "session_minutes"),
    ]
    for change, field in cases:
        arguments = {
            "profile": new_profile(user),
            "dimensions": ["market"],
            "languages": french(),
            "sectors": [],
            "sites": [],
            "tags": [],
            **change,
        }
        with pytest.raises(ValidationError) as error:
            actions.profile_save(actor=user, **arguments)
        assert field in error.value.message_dict
    assert not MentorProfile.objects.exists()

    Tag.objects.create(name="pricing")
    profile = actions.profile_save(
        actor=user,
        profile=new_profile(user, offers_video=False),
        dimensions=["market", "financing"],
        languages=french(),
        sectors=[],
        sites=[site_a],
        tags=["pricing", "export"],
    )
    assert profile.status == ProfileStatus.DRAFT
    assert sorted(profile.dimension_rows.values_list("dimension", flat=True)) == ["financing", "market"]
    assert sorted(profile.tags.values_list("name", flat=True)) == ["export", "pricing"]
    assert Tag.objects.count() == 2
    assert list(profile.sites.all()) == [site_a]
    profile.headline = "Go-to-market in West Africa"
    actions.profile_save(
        actor=user, profile=profile, dimensions=["skills"], languages=french(), sectors=[], sites=[site_a], tags=[]
    )
    assert list(MentorDimension.objects.filter(mentor=profile).values_list("dimension", flat=True)) == ["skills"]
    assert list(profile.tags.all()) == []
    assert audit_of(profile) == [("create", user.email), ("update", user.email)]


@pytest.fixture
def draft(site_a, manager_a, manager_b, staff):
    """A draft profile serving site A; manager A reads Arabic, head office English."""
    manager_a.language = "ar"
    manager_a.save()
    staff.language = "en"
    staff.save()
    UserFactory(role=Role.HEAD_OFFICE, email="gone@example.ma", is_active=False)
    return MentorProfileFactory(status="draft", sites=[site_a], user__email="draft@example.ma")


def test_profile_submit_needs_availability_and_tells_the_reviewers(
    draft, manager_a, staff, monkeypatch, django_capture_on_commit_callbacks
):
    rendered = []
    real_render = actions.email_render

    def spy(*, template, context, language=None):
        rendered.append((context["reviewer"].email, language))
        return real_render(template=template, context=context, language=language)

    monkeypatch.setattr(actions, "email_render", spy)
    mentor = draft.user
    with pytest.raises(Conflict):
        actions.profile_submit(actor=mentor, profile=draft)
    # A one-off window in the past is no availability.
    window(draft, timezone.localdate() - datetime.timedelta(days=1), datetime.time(10), datetime.time(11))
    with pytest.raises(Conflict):
        actions.profile_submit(actor=mentor, profile=draft)
    assert MentorProfile.objects.get(pk=draft.pk).status == "draft"
    window(draft, timezone.localdate() + datetime.timedelta(days=3), datetime.time(10), datetime.time(11))
    with django_capture_on_commit_callbacks(execute=True):
        actions.profile_submit(actor=mentor, profile=draft)
    draft.refresh_from_db()
    assert (draft.status, draft.submitted_at is not None) == ("pending", True)
    assert sorted(rendered) == sorted([(manager_a.email, "ar"), (staff.email, "en")])
    assert recipients() == sorted([manager_a.email, staff.email])
    assert audit_of(draft) == [("update", mentor.email)]
    with pytest.raises(Conflict):
        actions.profile_submit(actor=mentor, profile=draft)


def review(actor, profile, decision, note=""):
    """As the review page calls it: in the reviewer's own scope."""
    with user_scope(actor):
        return actions.profile_review(
            actor=actor, profile=MentorProfile.objects.get(pk=profile.pk), decision=decision, note=note
        )


def status_of(profile) -> str:
    return MentorProfile.objects.get(pk=profile.pk).status


def test_profile_review_transitions(draft, manager_a, manager_b, staff, django_capture_on_commit_callbacks):
    D = actions.Decision
    MentorProfile.objects.filter(pk=draft.pk).update(status="pending")
    # Not theirs to review: a manager of another site, the mentor themself (even when they
    # also manage a site the profile serves).
    with scopes_disabled():
        SiteMembershipFactory(site=draft.sites.get(), user=draft.user)
    for actor in (manager_b, draft.user):
        with pytest.raises(PermissionDenied):
            review(actor, draft, D.APPROVE)
    with pytest.raises(ValidationError):
        review(manager_a, draft, "publish")
    with pytest.raises(ValidationError) as error:
        review(manager_a, draft, D.REQUEST_CHANGES, note="  ")
    assert set(error.value.message_dict) == {"note"}
    with django_capture_on_commit_callbacks(execute=True):
        review(manager_a, draft, D.REQUEST_CHANGES, note="Add a photo.")
    assert (status_of(draft), MentorProfile.objects.get(pk=draft.pk).review_note) == ("rejected", "Add a photo.")
    assert recipients() == [draft.user.email]
    with pytest.raises(Conflict):  # sent back: nothing to approve until resubmitted
        review(manager_a, draft, D.APPROVE)
    MentorProfile.objects.filter(pk=draft.pk).update(status="pending")
    review(manager_a, draft, D.APPROVE)
    profile = MentorProfile.objects.get(pk=draft.pk)
    assert (profile.status, profile.reviewed_by, profile.review_note) == ("published", manager_a, "")
    # Suspending is head office's, with a reason; so is lifting a suspension.
    with pytest.raises(PermissionDenied):
        review(manager_a, draft, D.SUSPEND, note="Complaints")
    with pytest.raises(ValidationError):
        review(staff, draft, D.SUSPEND)
    review(staff, draft, D.SUSPEND, note="Complaints")
    assert status_of(draft) == "suspended"
    with pytest.raises(PermissionDenied):
        review(manager_a, draft, D.APPROVE)
    assert status_of(draft) == "suspended"
    review(staff, draft, D.APPROVE)
    assert status_of(draft) == "published"
    with pytest.raises(Conflict):  # already published
        review(staff, draft, D.APPROVE)
    assert audit_of(draft) == [
        ("update", manager_a.email),
        ("update", manager_a.email),
        ("update", staff.email),
        ("update", staff.email),
    ]
