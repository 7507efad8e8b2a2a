"""The mentor's own space (/mentor/…), the profile: creating and editing it with its
validation, submitting it to the reviewers, and the landing page."""

import io
import os

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone
from PIL import Image

from core.models import AuditEntry
from mentors.models import MentorDimension, MentorProfile
from mentors.selectors.landing import landing_context
from mentors.views import mentor_space
from sites.models import Language, Sector
from sites.scoping import user_scope
from tests.factories import MentorProfileFactory, UserFactory, WeeklyRuleFactory

from . import mentor_space_setup
from .mentor_space_setup import AGENDA, AVAILABILITY, PROFILE, _login, _messages

# The fixtures shared with the sibling modules: pytest finds a fixture by its name in the module.
as_mentor = mentor_space_setup.as_mentor
mentor = mentor_space_setup.mentor
mentor_user = mentor_space_setup.mentor_user

pytestmark = pytest.mark.django_db

SUBMIT = "/mentor/profile/submit/"


def png(size=(32, 32), *, noise=False) -> SimpleUploadedFile:
    if noise:
        image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    else:
        image = Image.new("RGB", size, (11, 85, 99))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return SimpleUploadedFile("me.png", buffer.getvalue(), content_type="image/png")


def _profile_data(**overrides) -> dict:
    data = {
        "kind": "expert",
        "headline": "Export to West Africa",
        "bio": "Fifteen years selling software in Dakar and Abidjan.",
        "organisation": "Atlas Export",
        "linkedin_url": "",
        "dimensions": ["market", "networking"],
        "languages": [Language.objects.get(code="fr").pk, Language.objects.get(code="en").pk],
        "sectors": [],
        "tags": " Export, export ,  West   Africa,, pricing",
        "sites": [],
        "offers_video": "on",
        "video_url": "https://meet.example.ma/export",
        "session_minutes": "45",
        "buffer_minutes": "15",
        "min_notice_hours": "24",
        "max_bookings_per_startup_month": "2",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


# --- Profile: create, validate, edit ---------------------------------------------------------
def test_a_signed_in_user_without_profile_is_invited_to_become_a_mentor(client_for, world):
    client = client_for("outsider")
    client.cookies["django_language"] = "en"
    response = client.get(PROFILE)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Become a mentor or expert" in page
    assert 'id="profile-status"' not in page
    assert response.context["profile"] is None


def test_creating_a_profile_saves_it_as_a_draft_with_its_expertise(client, world, outsider, site_a, unscoped):
    _login(client, outsider)
    sector = Sector.objects.first()
    data = _profile_data(sectors=[sector.pk], sites=[site_a.pk])
    data["photo"] = png()
    response = client.post(PROFILE, data)
    assert response.status_code == 302
    assert response.url == PROFILE
    profile = MentorProfile.objects.get(user=outsider)
    assert profile.status == "draft"
    assert profile.kind == "expert"
    assert profile.headline == "Export to West Africa"
    assert profile.session_minutes == 45
    assert profile.photo
    assert sorted(MentorDimension.objects.filter(mentor=profile).values_list("dimension", flat=True)) == [
        "market",
        "networking",
    ]
    # Trimmed, inner spaces collapsed, duplicates (whatever their case) dropped.
    assert sorted(profile.tags.values_list("name", flat=True)) == ["Export", "West Africa", "pricing"]
    assert sorted(profile.languages.values_list("code", flat=True)) == ["en", "fr"]
    assert list(profile.sectors.all()) == [sector]
    assert list(profile.sites.all()) == [site_a]
    assert AuditEntry.objects.filter(object_id=str(profile.pk), action=AuditEntry.Action.CREATE).exists()
    assert any("Your profile is created" in message for message in _messages(response))
    # The page now shows the status and the mentor's own photo.
    page = client.get(PROFILE).content.decode()
    assert "Draft" in page and 'id="profile-status"' in page
    photo = client.get("/mentor/profile/photo/")
    assert photo.status_code == 200
    assert photo["Content-Type"] == "image/png"


def test_every_profile_error_shows_at_once(client, world, outsider, unscoped):
    _login(client, outsider)
    data = _profile_data(
        headline="   ",
        dimensions=None,
        languages=None,
        video_url="",
        tags="fine, " + "x" * 41,
        session_minutes="5",
        max_bookings_per_startup_month="0",
    )
    data["photo"] = SimpleUploadedFile("me.png", b"not an image at all", content_type="image/png")
    response = client.post(PROFILE, data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {
        "headline",
        "dimensions",
        "languages",
        "video_url",
        "tags",
        "session_minutes",
        "max_bookings_per_startup_month",
        "photo",
    }
    assert errors["dimensions"] == ["Choose at least one support dimension."]
    assert errors["video_url"] == ["Give the link of your video meeting room, or untick video calls."]
    assert "under 40 characters" in errors["tags"][0]
    page = response.content.decode()
    assert "Choose at least one support dimension." in page
    assert "Your profile was not saved" in page
    assert not MentorProfile.objects.filter(user=outsider).exists()


def test_a_photo_over_2_mb_is_refused(client, world, outsider, unscoped):
    _login(client, outsider)
    data = _profile_data()
    data["photo"] = png((1000, 1000), noise=True)
    response = client.post(PROFILE, data)
    assert response.status_code == 200
    assert response.context["form"].errors["photo"] == ["The image is larger than 2 MB."]
    assert not MentorProfile.objects.filter(user=outsider).exists()


def test_without_video_a_served_site_is_needed(client, world, outsider, site_a, unscoped):
    _login(client, outsider)
    response = client.post(PROFILE, _profile_data(offers_video=None, video_url=""))
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "sites": ["Offer video calls or choose at least one site where you meet in person."]
    }
    response = client.post(PROFILE, _profile_data(offers_video=None, video_url="", sites=[site_a.pk]))
    assert response.status_code == 302
    profile = MentorProfile.objects.get(user=outsider)
    assert profile.offers_video is False
    assert list(profile.sites.all()) == [site_a]


def test_only_operational_sites_are_offered(client, world, outsider, unscoped):
    from tests.factories import SiteFactory

    planned = SiteFactory(slug="site-planned", status="planned")
    _login(client, outsider)
    response = client.post(PROFILE, _profile_data(sites=[planned.pk]))
    assert response.status_code == 200
    assert "sites" in response.context["form"].errors


def test_action_errors_land_on_the_form(client, world, outsider, monkeypatch, unscoped):
    from django.core.exceptions import ValidationError

    def refuse(**kwargs):
        raise ValidationError({"dimensions": "Refused by the action.", "elsewhere": "Not a field."})

    monkeypatch.setattr(mentor_space.actions, "profile_save", refuse)
    _login(client, outsider)
    response = client.post(PROFILE, _profile_data())
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["dimensions"] == ["Refused by the action."]
    assert form.non_field_errors() == ["Not a field."]


def test_the_mentor_edits_their_profile_and_it_stays_published(as_mentor, mentor, unscoped):
    assert "Published" in as_mentor.get(PROFILE).content.decode()
    response = as_mentor.post(
        PROFILE,
        _profile_data(
            headline="Fundraising, ex-VC", dimensions=["skills"], tags="", video_url="https://meet.example.ma/n"
        ),
    )
    assert response.status_code == 302
    mentor.refresh_from_db()
    assert mentor.status == "published"
    assert mentor.headline == "Fundraising, ex-VC"
    assert list(MentorDimension.objects.filter(mentor=mentor).values_list("dimension", flat=True)) == ["skills"]
    assert mentor.tags.count() == 0
    assert any("Your profile is saved" in message for message in _messages(response))


def test_the_form_shows_the_saved_dimensions_and_tags(as_mentor, mentor, unscoped):
    from mentors.models import Tag

    mentor.tags.set([Tag.objects.create(name="SaaS"), Tag.objects.create(name="pricing")])
    form = as_mentor.get(PROFILE).context["form"]
    assert form.initial["dimensions"] == ["financing"]
    assert form.initial["tags"] == "SaaS, pricing"


def test_the_photo_can_be_removed(client, world, outsider, unscoped):
    _login(client, outsider)
    data = _profile_data()
    data["photo"] = png()
    client.post(PROFILE, data)
    assert MentorProfile.objects.get(user=outsider).photo
    assert client.post(PROFILE, _profile_data(remove_photo="on")).status_code == 302
    assert not MentorProfile.objects.get(user=outsider).photo
    assert client.get("/mentor/profile/photo/").status_code == 404


@pytest.mark.parametrize(
    ("status", "note", "expected"),
    [
        ("pending", "", "The Technopark team is reviewing your profile"),
        ("rejected", "Add your LinkedIn profile, please.", "Add your LinkedIn profile, please."),
        ("suspended", "Two complaints from startups.", "Two complaints from startups."),
    ],
)
def test_the_status_and_the_reviewers_note_are_shown(client, world, outsider, status, note, expected, unscoped):
    MentorProfileFactory(user=outsider, status=status, review_note=note, reviewed_at=timezone.now())
    _login(client, outsider)
    response = client.get(PROFILE)
    page = response.content.decode()
    assert expected in page
    assert ('id="review-note"' in page) is bool(note)
    assert response.context["can_submit"] is (status == "rejected")


# --- Submitting --------------------------------------------------------------------------------
def test_submitting_asks_the_reviewers_of_the_served_sites_and_head_office(
    client, world, outsider, site_a, django_capture_on_commit_callbacks, unscoped
):
    profile = MentorProfileFactory(user=outsider, status="draft", sites=[site_a])
    WeeklyRuleFactory(mentor=profile)
    _login(client, outsider)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(SUBMIT)
    assert response.status_code == 302
    assert response.url == PROFILE
    profile.refresh_from_db()
    assert profile.status == "pending"
    assert profile.submitted_at is not None
    assert sorted(address for message in mail.outbox for address in message.to) == [
        "manager.a@example.ma",
        "staff@example.ma",
    ]
    assert any("Your profile is submitted" in message for message in _messages(response))


def test_submitting_without_availability_is_refused(client, world, outsider, unscoped):
    profile = MentorProfileFactory(user=outsider, status="draft")
    _login(client, outsider)
    with_message = client.post(SUBMIT)
    assert with_message.status_code == 302
    assert _messages(with_message) == ["Add at least one availability window before you submit your profile."]
    profile.refresh_from_db()
    assert profile.status == "draft"
    assert mail.outbox == []


def test_a_published_profile_is_not_submitted_again(as_mentor, mentor, unscoped):
    response = as_mentor.post(SUBMIT)
    assert _messages(response) == ["This profile is not a draft: there is nothing to submit."]
    mentor.refresh_from_db()
    assert mentor.status == "published"


def test_submit_is_post_only(as_mentor):
    assert as_mentor.get(SUBMIT).status_code == 405


# --- Landing page ----------------------------------------------------------------------------------
def test_the_mentor_landing_shows_the_profile_status_and_links(as_mentor, world):
    page = as_mentor.get("/dashboard/").content.decode()
    assert 'id="mentor-profile"' in page
    assert "Published" in page
    for url in (PROFILE, AVAILABILITY, AGENDA):
        assert f'href="{url}"' in page


def test_a_mentor_account_without_profile_is_invited_to_create_one(client, world):
    user = UserFactory(role="mentor", email="new.mentor@example.ma")
    _login(client, user)
    page = client.get("/dashboard/").content.decode()
    assert "You have no mentor profile yet." in page
    assert f'href="{PROFILE}"' in page


def test_the_landing_context_lists_the_next_confirmed_bookings(world, mentor_user):
    with user_scope(mentor_user):
        context = landing_context(mentor_user)
        assert context["mentor_profile"].pk == world["mentor"]
        assert [booking.pk for booking in context["mentor_next_bookings"]] == [world["booking_a"], world["booking_b"]]
        request = RequestFactory().get("/dashboard/")
        request.user = mentor_user
        page = render_to_string("accounts/landing_mentor.html", {**context, "user": mentor_user}, request=request)
    assert f'href="/mentor/agenda/{world["booking_b"]}/"' in page
    assert "Souss Agri" in page
    outsider = UserFactory()
    assert landing_context(outsider) == {"mentor_profile": None, "mentor_next_bookings": []}


def test_tags_are_split_on_latin_and_arabic_commas():
    from mentors.forms.mentor_space import parse_tags

    assert parse_tags("تمويل، تصدير ,SaaS،saas") == ["تمويل", "تصدير", "SaaS"]
