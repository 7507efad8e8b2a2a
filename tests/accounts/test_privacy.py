"""Data rights (law 09-08): the personal-data export and the account deletion, which
anonymises the person and keeps the startups' history (and so the KPIs) unchanged."""

import datetime
import json

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core import mail
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scopes_disabled

from accounts.actions import account_anonymise, api_token_create
from accounts.models import ApiToken, Role, User
from core.audit import audit_record
from core.models import AuditEntry
from mentors.models import Booking, MentorProfile
from reports.kpis import headline, parse_scope
from services.models import Registration
from startups.models import Admission, Application, Declaration, Startup, StartupMember
from tests.conftest import PNG_1X1
from tests.factories import (
    ApplicationFactory,
    BookingFactory,
    CallFactory,
    MentorProfileFactory,
    RegistrationFactory,
    ServiceSessionFactory,
    StartupMemberFactory,
    UserFactory,
)

EXPORT = "/profile/privacy/export.json"
DELETE = "/profile/privacy/delete/"


@pytest.fixture
def en(client):
    client.cookies["django_language"] = "en"
    return client


def _export(client) -> dict:
    response = client.get(EXPORT)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith('attachment; filename="technopark-my-data-')
    return json.loads(response.content)


# --- Export ---------------------------------------------------------------------------------
def test_export_holds_a_founders_data_and_nobody_elses(client_for, world, founder_a, unscoped):
    Application.objects.filter(pk=world["application_a"]).update(created_by=founder_a)
    founder_a.full_name = "Amina Founder"
    founder_a.save()

    client = client_for("founder_a")
    response = client.get(EXPORT)
    data = json.loads(response.content)

    assert data["account"]["email"] == "founder.a@example.ma"
    assert data["account"]["full_name"] == "Amina Founder"
    assert data["account"]["role"] == Role.FOUNDER
    assert data["account"]["language"] == founder_a.language
    assert data["account"]["date_joined"]
    assert data["email_addresses"] == [{"email": "founder.a@example.ma", "verified": True, "primary": True}]
    assert data["startup_memberships"] == [
        {"startup": "Atlas Data", "role": "founder", "joined_at": data["startup_memberships"][0]["joined_at"]}
    ]
    [application] = data["applications"]
    assert application["call"] == "Résidence Casablanca 2026"
    assert application["startup"] == "Atlas Data"
    [registration] = data["service_registrations"]
    assert registration["service"] == "Pitch training A"
    assert registration["email"] == "founder.a@example.ma"
    made = data["mentor_bookings_made"]
    assert len(made) == 2
    assert {booking["mentor"] for booking in made} == {"Nadia Mentor"}
    assert {booking["topic"] for booking in made} == {"Préparer la levée de fonds"}
    assert data["mentor_bookings_received"] == []
    assert data["mentor_profile"] is None
    [room_booking] = data["room_bookings"]
    assert (room_booking["room"], room_booking["startup"], room_booking["site"]) == (
        "Salle Atlas",
        "Atlas Data",
        "site-a",
    )

    text = response.content.decode()
    for other in (
        "teammate.a@example.ma",  # another member of the same startup
        "mentor@example.ma",  # their mentor: the name only
        "manager.a@example.ma",
        "visitor@example.ma",
        "Souss Agri",  # another startup
        "Visitor",
    ):
        assert other not in text, other
    teammate = User.objects.get(email="teammate.a@example.ma")
    assert teammate.full_name not in text


def test_export_of_a_mentor_holds_their_profile_and_the_sessions_they_gave(client, world, unscoped):
    mentor = User.objects.get(pk=world["mentor_user"])
    audit_record(actor=mentor, action=AuditEntry.Action.UPDATE, instance=mentor.mentor_profile, before={"bio": "x"})
    client.force_login(mentor)
    data = _export(client)

    assert data["mentor_profile"]["bio"] == "Vingt ans de capital-risque au Maroc et en Afrique."
    assert data["mentor_profile"]["languages"] == ["fr"]
    received = data["mentor_bookings_received"]
    assert {booking["startup"] for booking in received} == {"Atlas Data", "Souss Agri"}
    assert "Revoir la valorisation avant le tour de table." in {booking["note"] for booking in received}
    [entry] = data["audit_entries"]
    assert (entry["action"], entry["record_type"], entry["record_id"]) == (
        "update",
        "mentorprofile",
        str(mentor.mentor_profile.pk),
    )
    # Who booked is someone else's data: not in the mentor's export.
    assert "founder.a@example.ma" not in json.dumps(data)


def _populate(user: User, rows: int) -> None:
    """`rows` of every kind of personal record for `user`."""
    with scopes_disabled():
        mentor = MentorProfileFactory(user=user)
        other_mentor = MentorProfileFactory()
        start = timezone.now().replace(minute=0, second=0, microsecond=0) + datetime.timedelta(days=2)
        for index in range(rows):
            member = StartupMemberFactory(user=user)
            call = CallFactory()
            ApplicationFactory(call=call, startup=member.startup, created_by=user)
            session = ServiceSessionFactory(service__site=call.site)
            RegistrationFactory(session=session, user=user, email=user.email, startup=member.startup)
            when = start + datetime.timedelta(hours=2 * index)
            BookingFactory(mentor=other_mentor, startup=member.startup, site=call.site, booked_by=user, starts_at=when)
            BookingFactory(mentor=mentor, startup=member.startup, site=call.site, starts_at=when)
            audit_record(actor=user, action=AuditEntry.Action.CREATE, instance=member.startup)


@pytest.mark.parametrize("persona", ["founder_a", "staff"])
def test_export_takes_a_constant_number_of_queries(db, persona):
    counts = []
    for rows in (1, 20):
        user = UserFactory(role=Role.HEAD_OFFICE if persona == "staff" else Role.FOUNDER)
        _populate(user, rows)
        client = Client()
        client.force_login(user)
        client.get("/profile/privacy/")  # the session's first request does its own bookkeeping
        with CaptureQueriesContext(connection) as queries:
            data = _export(client)
        assert len(data["applications"]) == len(data["mentor_bookings_made"]) == rows
        assert len(data["mentor_bookings_received"]) == len(data["service_registrations"]) == rows
        assert len(data["audit_entries"]) == len(data["startup_memberships"]) == rows
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


@pytest.mark.parametrize("url", ["/profile/privacy/", EXPORT, DELETE])
def test_anonymous_goes_to_the_login_page(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_anonymous_cannot_post_a_deletion(client, db):
    response = client.post(DELETE, {"password": "x", "confirm": "on"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_the_privacy_page_offers_both_rights(en, client_for, personas):
    response = client_for("founder_a").get("/profile/privacy/")
    assert response.status_code == 200
    assert EXPORT.encode() in response.content and DELETE.encode() in response.content
    assert b"/profile/privacy/" in client_for("founder_a").get("/profile/").content


# --- Deletion -------------------------------------------------------------------------------
def test_a_wrong_password_is_refused(en, client_for, founder_a):
    client = client_for("founder_a")
    response = client.post(DELETE, {"password": "not-my-password", "confirm": "on"})
    assert response.status_code == 200
    assert "This is not your password." in response.content.decode()
    founder_a.refresh_from_db()
    assert founder_a.email == "founder.a@example.ma" and founder_a.is_active
    assert client.get("/profile/").status_code == 200  # still signed in


def test_the_confirmation_box_is_required(client_for, founder_a):
    response = client_for("founder_a").post(DELETE, {"password": settings.DEMO_PASSWORD})
    assert response.status_code == 200
    assert response.context["form"].errors["confirm"]
    founder_a.refresh_from_db()
    assert founder_a.is_active


def test_deletion_anonymises_the_founder_and_keeps_the_kpis(
    en, client_for, world, founder_a, unscoped, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    network = parse_scope("network")
    kpis_before = headline(network, today)
    assert kpis_before.startups_supported_total >= 2 and kpis_before.jobs_total > 0
    counts_before = [model.objects.count() for model in (Admission, Declaration, Booking, Registration, Startup)]
    founder_a.language = "en"  # the confirmation is written in the user's language
    founder_a.save()
    _token, key = api_token_create(user=founder_a, name="script")
    Authenticator.objects.create(user=founder_a, type=Authenticator.Type.TOTP, data={"secret": "x"})
    calendar_token = founder_a.calendar_token
    pk = founder_a.pk
    other_browser = Client()
    other_browser.force_login(founder_a)

    client = client_for("founder_a")
    assert client.get(DELETE).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(DELETE, {"password": settings.DEMO_PASSWORD, "confirm": "on"})
    assert response.status_code == 200
    assert "Your account was deleted" in response.content.decode()

    user = User.objects.get(pk=pk)
    assert user.email == f"deleted-{pk}@deleted.invalid"
    assert user.full_name == ""
    assert not user.has_usable_password()
    assert not user.is_active
    assert user.calendar_token != calendar_token
    assert not ApiToken.objects.filter(user=user).exists()
    assert not EmailAddress.objects.filter(user=user).exists()
    assert not Authenticator.objects.filter(user=user).exists()
    assert not StartupMember.objects.filter(user=user).exists()
    registration = Registration.objects.get(pk=world["registration_a"])
    assert (registration.name, registration.email, registration.organisation) == ("—", user.email, "")
    assert registration.user_id == pk  # the row stays, for the session's figures

    # The startup stays with its other member; its history is untouched, so are the KPIs.
    assert list(Startup.objects.get(pk=world["startup_a"]).members.values_list("user__email", flat=True)) == [
        "teammate.a@example.ma"
    ]
    assert [model.objects.count() for model in (Admission, Declaration, Booking, Registration, Startup)] == (
        counts_before
    )
    assert Booking.objects.filter(booked_by=user).count() == 2
    assert headline(network, today) == kpis_before

    # Signed out here and everywhere; no way back in, by password or by token.
    assert client.get("/profile/").status_code == 302
    assert other_browser.get("/profile/").status_code == 302
    assert not client.login(email="founder.a@example.ma", password=settings.DEMO_PASSWORD)
    assert not client.login(email=user.email, password=settings.DEMO_PASSWORD)
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 401
    assert client.get(f"/calendar/{calendar_token}.ics").status_code == 404

    # The confirmation went to the old address.
    [message] = [message for message in mail.outbox if message.to == ["founder.a@example.ma"]]
    assert message.subject == "Your Technopark account was deleted"
    assert "no longer sign in" in message.body

    # Audited, with no personal data.
    entry = AuditEntry.objects.filter(object_id=str(pk), content_type__model="user").latest("pk")
    assert entry.actor_id == pk
    recorded = json.dumps([entry.actor_email, entry.object_repr, entry.changes])
    assert "founder.a" not in recorded and user.email in recorded


def test_deleting_a_mentor_suspends_and_clears_the_profile(world, unscoped, django_capture_on_commit_callbacks):
    mentor = User.objects.get(pk=world["mentor_user"])
    profile = mentor.mentor_profile
    profile.linkedin_url = "https://linkedin.example/nadia"
    profile.organisation = "Nadia Conseil"
    profile.save()
    profile.photo.save("nadia.png", ContentFile(PNG_1X1))
    photo, storage = profile.photo.name, profile.photo.storage
    assert storage.exists(photo)
    bookings = Booking.objects.filter(mentor=profile).count()

    with django_capture_on_commit_callbacks(execute=True):
        account_anonymise(actor=mentor, user=mentor)

    profile = MentorProfile.objects.get(pk=profile.pk)
    assert profile.status == "suspended"
    assert (profile.bio, profile.photo.name, profile.linkedin_url, profile.video_url, profile.organisation) == (
        "",
        "",
        "",
        "",
        "",
    )
    assert not storage.exists(photo)
    assert Booking.objects.filter(mentor=profile).count() == bookings
    assert "Nadia" not in str(profile)


def test_head_office_may_delete_and_their_audit_entries_keep_the_anonymised_actor(
    staff, site_a, unscoped, django_capture_on_commit_callbacks
):
    entry = audit_record(actor=staff, action=AuditEntry.Action.UPDATE, instance=site_a, before={"city": "Old"})
    assert entry.actor_email == "staff@example.ma"

    with django_capture_on_commit_callbacks(execute=True):
        account_anonymise(actor=staff, user=staff)

    entry.refresh_from_db()
    assert entry.actor_id == staff.pk
    assert entry.actor_email == f"deleted-{staff.pk}@deleted.invalid"
    staff.refresh_from_db()
    assert not staff.is_active and not staff.is_superuser and not staff.is_head_office
    assert [message.to for message in mail.outbox] == [["staff@example.ma"]]
