"""The founder's startup: profile, logo, visibility, team and invitations."""

import datetime
import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_scopes import scopes_disabled
from PIL import Image

from core.models import AuditEntry
from startups.models import Startup, StartupInvitation, StartupMember, TeamRole
from tests.factories import (
    AdmissionFactory,
    ApplicationFactory,
    CallFactory,
    SiteFactory,
    StartupFactory,
    StartupMemberFactory,
    UserFactory,
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def png(size=(32, 32), *, noise=False, name="logo.png") -> SimpleUploadedFile:
    if noise:
        image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    else:
        image = Image.new("RGB", size, (11, 85, 99))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def startup_data(**overrides) -> dict:
    data = {
        "legal_name": "Tamazight Tech SARL",
        "brand_name": "Tamazight Tech",
        "ice": "001234567000089",
        "rc_number": "RC 45821",
        "legal_form": "sarl",
        "founded_on": "2021-03-01",
        "closed_on": "",
        "stage": "prototype",
        "description": "Speech recognition for Amazigh languages.",
        "website": "https://tamazight.example.ma",
        "contact_email": "hello@tamazight.example.ma",
        "contact_phone": "06 61 23 45 67",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def html(response) -> str:
    return response.content.decode()


# --- Creating and editing -------------------------------------------------------------------
def test_a_signed_in_user_creates_a_startup_and_becomes_its_founder(client, outsider):
    client.force_login(outsider)
    response = client.post("/startups/new/", startup_data())
    startup = Startup.objects.get(ice="001234567000089")
    assert response.status_code == 302
    assert response["Location"] == f"/startups/{startup.pk}/"
    assert startup.contact_phone == "+212661234567"  # normalised before validation
    assert StartupMember.objects.get(startup=startup).user == outsider
    assert StartupMember.objects.get(startup=startup).role == TeamRole.FOUNDER
    with scopes_disabled():
        assert AuditEntry.objects.filter(object_id=str(startup.pk), action=AuditEntry.Action.CREATE).exists()
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Tamazight Tech" in html(page)


@pytest.mark.parametrize("phone", ["+212 6 61-23 45 67", "0661234567", "00212661234567"])
def test_phone_numbers_are_normalised(client, outsider, phone):
    client.force_login(outsider)
    client.post("/startups/new/", startup_data(contact_phone=phone))
    assert Startup.objects.get().contact_phone == "+212661234567"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("ice", "12345", "The ICE is made of exactly 15 digits."),
        ("ice", "00123456700008A", "The ICE is made of exactly 15 digits."),
        ("contact_phone", "+33 6 12 34 56 78", "Enter a Moroccan number"),
        ("contact_phone", "06 61", "Enter a Moroccan number"),
        ("founded_on", "2999-01-01", "The founding date cannot be in the future."),
        ("closed_on", "2020-01-01", "A startup cannot close before it was founded."),
    ],
)
def test_invalid_fields_re_render_with_messages_and_keep_the_input(client, outsider, field, value, message):
    client.cookies["django_language"] = "en"
    client.force_login(outsider)
    response = client.post("/startups/new/", startup_data(**{field: value}))
    assert response.status_code == 200
    assert message in html(response)
    assert "Tamazight Tech SARL" in html(response)  # nothing typed is lost
    assert not Startup.objects.exists()


def test_a_duplicate_ice_is_refused(client, outsider):
    StartupFactory(ice="001234567000089")
    client.cookies["django_language"] = "en"
    client.force_login(outsider)
    response = client.post("/startups/new/", startup_data())
    assert response.status_code == 200
    assert Startup.objects.count() == 1


def test_a_text_file_renamed_png_is_not_a_logo(client, outsider):
    client.cookies["django_language"] = "en"
    client.force_login(outsider)
    fake = SimpleUploadedFile("logo.png", b"just some text, not an image", content_type="image/png")
    response = client.post("/startups/new/", {**startup_data(), "logo": fake})
    assert response.status_code == 200
    assert "image" in html(response).lower()
    assert 'class="errorlist' in html(response)
    assert not Startup.objects.exists()


def test_a_logo_over_2_mb_is_refused(client, outsider):
    client.cookies["django_language"] = "en"
    client.force_login(outsider)
    big = png((1000, 1000), noise=True)
    assert big.size > 2 * 1024 * 1024
    response = client.post("/startups/new/", {**startup_data(), "logo": big})
    assert response.status_code == 200
    assert "The image is larger than 2 MB." in html(response)
    assert not Startup.objects.exists()


def test_a_valid_logo_is_stored_and_served(client, outsider):
    client.force_login(outsider)
    client.post("/startups/new/", {**startup_data(), "logo": png(name="logo.jpg")})
    startup = Startup.objects.get()
    assert startup.logo
    client.logout()
    response = client.get(f"/startups/{startup.pk}/logo/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"  # by content, whatever the name says
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


def test_founders_edit_their_startup(client, founder_a, world):
    client.force_login(founder_a)
    url = f"/startups/{world['startup_a']}/edit/"
    assert client.get(url).status_code == 200
    response = client.post(url, startup_data(legal_name="Atlas Data SA", ice="009999999000001"))
    assert response.status_code == 302
    startup = Startup.objects.get(pk=world["startup_a"])
    assert startup.legal_name == "Atlas Data SA"
    with scopes_disabled():
        assert AuditEntry.objects.filter(object_id=str(startup.pk), action=AuditEntry.Action.UPDATE).exists()


def test_team_members_see_but_do_not_edit(client, world):
    member = UserFactory()
    StartupMemberFactory(startup_id=world["startup_a"], user=member, role=TeamRole.MEMBER)
    client.force_login(member)
    assert client.get(f"/startups/{world['startup_a']}/").status_code == 200
    assert client.get(f"/startups/{world['startup_a']}/edit/").status_code == 403
    assert client.post(f"/startups/{world['startup_a']}/edit/", startup_data()).status_code == 403


# --- Visibility -----------------------------------------------------------------------------
def test_another_founder_gets_404_on_someone_elses_startup(client, world):
    other = StartupMemberFactory().user
    client.force_login(other)
    for url in ["/", "/edit/", "/team/"]:
        assert client.get(f"/startups/{world['startup_a']}{url}").status_code == 404


def test_the_founder_sees_residency_office_and_applications(client, founder_a, world):
    client.cookies["django_language"] = "en"
    client.force_login(founder_a)
    page = html(client.get(f"/startups/{world['startup_a']}/"))
    assert "A-101" in page  # the office of the residency
    assert "Résidence Casablanca 2026" in page  # application_a
    assert "Resident" in page


def test_managers_see_startups_applying_to_their_site_only(client, site_a, manager_a, manager_b):
    with scopes_disabled():
        applying = StartupFactory()
        ApplicationFactory(call=CallFactory(site=site_a), startup=applying)
        drafting = StartupFactory()
        ApplicationFactory(call=CallFactory(site=site_a), startup=drafting, status="draft", submitted_at=None)
    client.force_login(manager_a)
    assert client.get(f"/startups/{applying.pk}/").status_code == 200
    assert client.get(f"/startups/{drafting.pk}/").status_code == 404  # a draft is not shown to the site
    client.force_login(manager_b)
    assert client.get(f"/startups/{applying.pk}/").status_code == 404


def test_managers_see_startups_admitted_at_their_site_and_only_their_sites_data(client, world, manager_a, manager_b):
    with scopes_disabled():
        site_c = SiteFactory()
        startup = Startup.objects.get(pk=world["startup_a"])
        ApplicationFactory(call=CallFactory(site=site_c, title="Appel du site C"), startup=startup)
        AdmissionFactory(startup=startup, site=site_c, kind="e-technopark")
    client.force_login(manager_a)
    page = html(client.get(f"/startups/{world['startup_a']}/"))
    assert "Résidence Casablanca 2026" in page
    assert "Appel du site C" not in page  # another site's application stays out of sight
    assert site_c.name_fr not in page
    client.force_login(manager_b)
    assert client.get(f"/startups/{world['startup_a']}/").status_code == 404


def test_logo_of_a_startup_without_one_is_404(client, world):
    assert client.get(f"/startups/{world['startup_b']}/logo/").status_code == 404  # startup_b has none
    assert client.get("/startups/999999/logo/").status_code == 404


# --- My startups list -------------------------------------------------------------------------
def test_empty_state_invites_to_create_a_startup(client, outsider):
    client.cookies["django_language"] = "en"
    client.force_login(outsider)
    page = html(client.get("/startups/"))
    assert "You are not in a startup&#x27;s team yet" in page or "not in a startup" in page
    assert 'href="/startups/new/"' in page


def test_my_startups_list_is_constant_in_queries(client, django_assert_max_num_queries, site_a):
    user = UserFactory()
    with scopes_disabled():

        def add_startup():
            startup = StartupMemberFactory(user=user).startup
            AdmissionFactory(startup=startup, site=site_a)
            ApplicationFactory(call=CallFactory(site=site_a), startup=startup)

        add_startup()
    client.force_login(user)
    client.get("/startups/")  # warm up (session, content types)
    with django_assert_max_num_queries(14) as one:
        assert client.get("/startups/").status_code == 200
    with scopes_disabled():
        for _ in range(30):
            add_startup()
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get("/startups/")
    assert response.status_code == 200
    assert html(response).count("/applications/") >= 25


# --- Team and invitations ---------------------------------------------------------------------
def test_founder_invites_and_the_invitee_accepts(
    client, founder_a, world, mailoutbox, django_capture_on_commit_callbacks
):
    client.cookies["django_language"] = "en"
    client.force_login(founder_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/startups/{world['startup_a']}/team/", {"email": "Salma@Example.ma", "role": TeamRole.FOUNDER}
        )
    assert response.status_code == 302
    invitation = StartupInvitation.objects.get(email="salma@example.ma")
    assert len(mailoutbox) == 1
    accept_path = f"/startups/invitations/{invitation.token}/"
    assert accept_path in mailoutbox[0].body
    team = html(client.get(f"/startups/{world['startup_a']}/team/"))
    assert "salma@example.ma" in team  # pending

    salma = UserFactory(email="salma@example.ma")
    client.force_login(salma)
    assert "Accept the invitation" in html(client.get(accept_path))
    response = client.post(accept_path)
    assert response.status_code == 302
    assert response["Location"] == f"/startups/{world['startup_a']}/"
    assert StartupMember.objects.get(startup_id=world["startup_a"], user=salma).role == TeamRole.FOUNDER
    # Used: a second attempt gets a message, not an error.
    response = client.post(accept_path)
    assert response.status_code == 200
    assert "already used" in html(response)


def test_an_invitation_to_an_existing_member_is_refused(client, founder_a, world):
    client.cookies["django_language"] = "en"
    client.force_login(founder_a)
    response = client.post(f"/startups/{world['startup_a']}/team/", {"email": founder_a.email, "role": "member"})
    assert response.status_code == 200
    assert "already in the team" in html(response)


def test_invalid_invitation_form_re_renders(client, founder_a, world):
    client.force_login(founder_a)
    response = client.post(f"/startups/{world['startup_a']}/team/", {"email": "not-an-email", "role": "boss"})
    assert response.status_code == 200
    assert 'class="errorlist' in html(response)


def test_only_founders_invite(client, manager_a, world):
    client.force_login(manager_a)
    response = client.post(f"/startups/{world['startup_a']}/team/", {"email": "x@example.ma", "role": "member"})
    assert response.status_code == 403
    assert not StartupInvitation.objects.filter(email="x@example.ma").exists()


def test_an_invitation_is_refused_for_another_email(client, outsider, world):
    client.cookies["django_language"] = "en"
    client.force_login(outsider)
    url = f"/startups/invitations/{world['invitation_token']}/"
    response = client.post(url)
    assert response.status_code == 200
    assert "new.member@example.ma" in html(response)
    assert "Sign out" in html(response)
    assert not StartupMember.objects.filter(user=outsider).exists()


def test_an_expired_invitation_is_refused(client, world):
    invitation = StartupInvitation.objects.get(token=world["invitation_token"])
    StartupInvitation.objects.filter(pk=invitation.pk).update(created_at=timezone.now() - datetime.timedelta(days=15))
    invitee = UserFactory(email="new.member@example.ma")
    client.cookies["django_language"] = "en"
    client.force_login(invitee)
    response = client.post(f"/startups/invitations/{invitation.token}/")
    assert response.status_code == 200
    assert "expired" in html(response)
    assert not StartupMember.objects.filter(user=invitee).exists()


def test_anonymous_visitors_are_asked_to_sign_in(client, world):
    url = f"/startups/invitations/{world['invitation_token']}/"
    response = client.get(url)
    assert response.status_code == 200
    assert f"/accounts/login/?next={url}" in html(response)
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_unknown_invitation_token_is_404(client, db):
    assert client.get("/startups/invitations/no-such-token/").status_code == 404


def test_founder_cancels_an_invitation(client, founder_a, world):
    client.force_login(founder_a)
    response = client.post(f"/startups/{world['startup_a']}/invitations/{world['invitation_token']}/cancel/")
    assert response.status_code == 302
    assert not StartupInvitation.objects.filter(token=world["invitation_token"]).exists()
    assert client.get(f"/startups/invitations/{world['invitation_token']}/").status_code == 404


def test_founder_removes_a_member_but_not_the_last_founder(client, founder_a, world):
    client.cookies["django_language"] = "en"
    member = StartupMemberFactory(startup_id=world["startup_a"], role=TeamRole.MEMBER)
    client.force_login(founder_a)
    response = client.post(f"/startups/{world['startup_a']}/members/{member.pk}/remove/")
    assert response.status_code == 302
    assert not StartupMember.objects.filter(pk=member.pk).exists()

    last = StartupMember.objects.get(startup_id=world["startup_a"], user=founder_a)
    response = client.post(f"/startups/{world['startup_a']}/members/{last.pk}/remove/", follow=True)
    assert response.status_code == 200
    assert "A startup keeps at least one founder." in html(response)
    assert StartupMember.objects.filter(pk=last.pk).exists()


def test_a_member_of_another_startup_cannot_be_removed_through_mine(client, founder_a, world):
    foreign = StartupMemberFactory(role=TeamRole.MEMBER)
    client.force_login(founder_a)
    assert client.post(f"/startups/{world['startup_a']}/members/{foreign.pk}/remove/").status_code == 404
    assert StartupMember.objects.filter(pk=foreign.pk).exists()
