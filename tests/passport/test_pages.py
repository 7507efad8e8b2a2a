"""Attestations in the portal (passport/views): a founder gets one of the startup's residency,
membership or programme in the language chosen (the same one again is given back, not issued
twice) and downloads its PDF; the team reads them; a site's staff list theirs and its
managers revoke one with a reason, audited; nobody reaches another site's or startup's."""

import datetime
import io

import pytest
from django.utils import translation
from pypdf import PdfReader

from core.models import AuditEntry
from passport.models import Credential, CredentialKind
from services.models import ProgrammeParticipant
from startups.models import Admission, StartupMember
from tests.factories import AdmissionFactory, ProgrammeFactory, StartupMemberFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]


@pytest.fixture
def founder(client_for, world):
    client = client_for("founder_a")
    client.cookies["django_language"] = "en"
    return client


def _page(world) -> str:
    return f"/startups/{world['startup_a']}/attestations/"


def test_a_founder_gets_an_attestation_of_the_residency_in_arabic(founder, world, founder_a):
    admission = Admission.objects.get(pk=world["admission_a"])
    response = founder.post(_page(world), {"subject": f"admission-{admission.pk}", "language": "ar"})
    assert response.status_code == 302
    credential = Credential.objects.filter(startup_id=world["startup_a"], language="ar").get()
    assert response["Location"] == f"{_page(world)}#attestation-{credential.pk}"
    assert (credential.kind, credential.site_id, credential.starts_on) == (
        "residency",
        admission.site_id,
        admission.starts_on,
    )
    assert credential.ongoing and credential.ends_on == admission.planned_end_on and credential.issued_by == founder_a
    entry = AuditEntry.objects.get(object_id=str(credential.pk), content_type__app_label="passport")
    assert entry.action == "create" and entry.actor == founder_a
    # Asked again: the same attestation, not a second one.
    founder.post(_page(world), {"subject": f"admission-{admission.pk}", "language": "ar"})
    assert Credential.objects.filter(startup_id=world["startup_a"], language="ar").count() == 1
    page = founder.get(_page(world)).content.decode()
    assert credential.grouped_code in page and "Attestation of residency" in page


def test_the_pdf_states_it_in_its_language_with_the_code_and_the_verification_address(founder, world):
    credential = Credential.objects.get(pk=world["credential_a"])  # French
    response = founder.get(f"{_page(world)}{credential.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="attestation-{credential.grouped_code}.pdf"'
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Attestation de résidence" in text
    assert "Atlas Data SARL (Atlas Data)" in text and "1er janvier 2022" in text
    assert credential.grouped_code in text and f"/verify/{credential.grouped_code}/" in text


def test_an_arabic_pdf(founder, world):
    admission = Admission.objects.get(pk=world["admission_a"])
    founder.post(_page(world), {"subject": f"admission-{admission.pk}", "language": "ar"})
    credential = Credential.objects.get(startup_id=world["startup_a"], language="ar")
    response = founder.get(f"{_page(world)}{credential.pk}/pdf/")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    with translation.override("ar"):
        assert str(CredentialKind.RESIDENCY.label) in text
    assert "2022" in text and credential.grouped_code in text


def test_an_attestation_of_a_programme_of_the_network(founder, world):
    programme = ProgrammeFactory(site=None, title="Export Booster", starts_on=datetime.date(2025, 3, 1))
    participation = ProgrammeParticipant.objects.create(programme=programme, site=None, startup_id=world["startup_a"])
    page = founder.get(_page(world)).content.decode()
    assert "Programme Export Booster" in page
    founder.post(_page(world), {"subject": f"programme-{participation.pk}", "language": "en"})
    credential = Credential.objects.get(kind="programme")
    assert credential.site is None and credential.programme == programme
    assert "Technopark network" in founder.get(_page(world)).content.decode()


def test_what_is_not_the_startups_cannot_be_attested(founder, world):
    other = AdmissionFactory(site_id=Admission.objects.get(pk=world["admission_b"]).site_id)
    future = AdmissionFactory(
        startup_id=world["startup_a"], starts_on=datetime.date.today() + datetime.timedelta(days=9)
    )
    for subject in (f"admission-{other.pk}", f"admission-{future.pk}", "admission-x", "programme-999999", ""):
        response = founder.post(_page(world), {"subject": subject, "language": "fr"})
        assert response.status_code == 200, subject
        assert (
            "Select a valid choice." in response.content.decode()
            or "This field is required." in response.content.decode()
        )
    response = founder.post(_page(world), {"subject": f"admission-{world['admission_a']}", "language": "xx"})
    assert response.status_code == 200 and "Select a valid choice." in response.content.decode()
    assert Credential.objects.filter(startup_id=world["startup_a"]).count() == 1  # the world's


def test_a_team_member_reads_and_downloads_but_does_not_issue(client, world):
    member = StartupMember.objects.get(pk=world["member_a"]).user
    client.force_login(member)
    page = client.get(_page(world)).content.decode()
    assert Credential.objects.get(pk=world["credential_a"]).grouped_code in page and "Issue the attestation" not in page
    assert client.get(f"{_page(world)}{world['credential_a']}/pdf/").status_code == 200
    response = client.post(_page(world), {"subject": f"admission-{world['admission_a']}", "language": "ar"})
    assert response.status_code == 403


def test_another_startups_attestation_is_a_404(founder, world):
    assert founder.get(f"{_page(world)}{world['credential_b']}/pdf/").status_code == 404
    assert founder.get(f"/startups/{world['startup_b']}/attestations/").status_code == 404


def test_a_startup_without_admission_is_told_when_attestations_open(client, world):
    user = UserFactory(email="new.founder@example.ma")
    startup = StartupMemberFactory(user=user).startup
    client.force_login(user)
    client.cookies["django_language"] = "en"
    page = client.get(f"/startups/{startup.pk}/attestations/").content.decode()
    assert "Attestations open once your startup" in page and "No attestation yet." in page


# --- The site's back-office -------------------------------------------------------------------
def test_a_site_lists_its_attestations_only(client_for, world):
    client = client_for("manager_a")
    page = client.get("/manage/site-a/attestations/").content.decode()
    assert world["credential_a_code"] in page and world["credential_b_code"] not in page
    found = client.get(f"/manage/site-a/attestations/?q={world['credential_a_code'].lower()}").content.decode()
    assert found.count('class="text-nowrap font-monospace"') == 1 and world["credential_a_code"] in found
    assert "Atlas" in client.get("/manage/site-a/attestations/?q=atlas").content.decode()
    assert "font-monospace" not in client.get("/manage/site-a/attestations/?q=nobody").content.decode()
    assert world["credential_a_code"] not in client.get("/manage/site-a/attestations/?state=revoked").content.decode()
    assert client.get("/manage/site-a/attestations/?kind=junk&state=junk&page=x").status_code == 200


def test_a_manager_revokes_with_a_reason_audited(client_for, world, manager_a):
    client = client_for("manager_a")
    client.cookies["django_language"] = "en"
    url = f"/manage/site-a/attestations/{world['credential_a']}/revoke/"
    assert "Why is it revoked?" in client.get(url).content.decode()
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    assert Credential.objects.get(pk=world["credential_a"]).revoked_at is None
    response = client.post(url, {"reason": "Contrat résilié"})
    assert response.status_code == 302
    credential = Credential.objects.get(pk=world["credential_a"])
    assert credential.revoked_by == manager_a and credential.revoke_reason == "Contrat résilié"
    entry = AuditEntry.objects.get(object_id=str(credential.pk), action="update", content_type__app_label="passport")
    assert entry.actor == manager_a and entry.site_id == credential.site_id and "revoke_reason" in entry.changes
    response = client.post(url, {"reason": "Encore"})
    assert "This attestation is already revoked." in response.content.decode()
    assert Credential.objects.get(pk=world["credential_a"]).revoke_reason == "Contrat résilié"


def test_another_sites_attestation_cannot_be_revoked(client_for, world):
    client = client_for("manager_a")
    assert client.get(f"/manage/site-a/attestations/{world['credential_b']}/revoke/").status_code == 404
    assert (
        client.post(f"/manage/site-a/attestations/{world['credential_b']}/revoke/", {"reason": "x"}).status_code == 404
    )
    assert (
        client_for("manager_b")
        .post(f"/manage/site-a/attestations/{world['credential_a']}/revoke/", {"reason": "x"})
        .status_code
        == 404
    )
    assert Credential.objects.filter(revoked_at__isnull=False).count() == 0


def test_the_api_lists_a_startups_attestations_to_whom_may_read_them(api, world):
    data = api("founder_a").get(f"/api/v1/startups/{world['startup_a']}/documents/").json()
    assert data["count"] == 1
    (document,) = data["results"]
    assert document["code"] == world["credential_a_code"] and document["state"] == "valid"
    assert document["kind"] == "residency" and document["site"] == "site-a" and document["ongoing_at_issue"] is True
    assert document["verify_url"].endswith(f"/verify/{world['credential_a_code']}/")
    assert api("manager_a").get(f"/api/v1/startups/{world['startup_a']}/documents/").json()["count"] == 1
    assert api("staff").get(f"/api/v1/startups/{world['startup_b']}/documents/").json()["count"] == 1
    for persona, startup in (("manager_b", "startup_a"), ("outsider", "startup_a"), ("founder_a", "startup_b")):
        assert api(persona).get(f"/api/v1/startups/{world[startup]}/documents/").status_code == 404
    assert api("founder_a").get("/api/v1/startups/999999/documents/").status_code == 404
