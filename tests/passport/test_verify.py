"""The public verification of attestations (passport/views/verify.py): a valid attestation
shows what it states and nothing else about the startup; a residency that ended since says
so; a revoked, forged, altered or unknown code says "not valid" and reveals nothing; JSON
with `Accept: application/json`; 30 checks per address and quarter of an hour."""

import datetime
import secrets

import pytest
from django.utils import timezone

from passport import codes
from passport.actions import credential_revoke
from passport.models import Credential
from passport.views.verify import LIMIT
from startups.models import Admission, Startup

# Every test here uses the world: built once for the module (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_world", "unscoped")]
JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def en(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def credential(world):
    return Credential.objects.get(pk=world["credential_a"])


def _page(client, code: str, **headers):
    return client.get(f"/verify/{code}/", **headers)


def _altered(code: str) -> str:
    plain = code.replace("-", "")
    first = codes.ALPHABET[(codes.ALPHABET.index(plain[0]) + 1) % len(codes.ALPHABET)]
    return codes.grouped(first + plain[1:])


def test_a_valid_attestation_says_what_it_states_and_nothing_else(en, credential):
    startup = Startup.objects.get(pk=credential.startup_id)
    startup.contact_email, startup.description = "secret@atlas.ma", "A private description"
    startup.save()
    response = _page(en, credential.grouped_code)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Valid attestation." in page
    assert "Attestation of residency" in page
    assert "Atlas Data SARL (Atlas Data)" in page
    assert "has been a resident startup of" in page and "since Jan. 1, 2022" in page
    assert "Its residency agreement runs until Jan. 1, 2027." in page
    for private in ("secret@atlas.ma", "A private description", "founder.a@example.ma", "A-101"):
        assert private not in page
    assert response["Cache-Control"].startswith("max-age=0") and "no-store" in response["Cache-Control"]
    assert '<meta name="robots" content="noindex, nofollow">' in page


def test_the_page_speaks_the_readers_language(client, credential):
    client.cookies["django_language"] = "ar"
    page = _page(client, credential.grouped_code).content.decode()
    assert 'dir="rtl"' in page and "2022" in page
    assert "<bdi>Atlas Data SARL (Atlas Data)</bdi>" in page


def test_a_residency_ended_since_is_authentic_but_no_longer_current(en, credential):
    admission = Admission.objects.get(pk=credential.admission_id)
    admission.ended_on, admission.exit_reason = timezone.localdate() - datetime.timedelta(days=3), "graduated"
    admission.save()
    response = _page(en, credential.grouped_code)
    assert response.status_code == 200
    assert "Authentic, but no longer current." in response.content.decode()
    data = _page(en, credential.grouped_code, **JSON).json()
    assert data["valid"] is False and data["state"] == "ended"
    assert data["ended_on"] == admission.ended_on.isoformat() and data["startup"] == "Atlas Data SARL (Atlas Data)"


@pytest.mark.parametrize("how", ["revoked", "altered", "forged", "junk"])
def test_a_revoked_altered_forged_or_junk_code_is_not_valid_and_reveals_nothing(en, credential, manager_a, how):
    code = credential.grouped_code
    if how == "revoked":
        credential_revoke(actor=manager_a, credential=credential, reason="Contrat résilié")
    elif how == "altered":
        code = _altered(code)
    elif how == "forged":
        code = codes.grouped("".join(secrets.choice(codes.ALPHABET) for _ in range(codes.LENGTH)))
    else:
        code = "%3Cscript%3E"
    response = _page(en, code)
    page = response.content.decode()
    assert response.status_code == (200 if how == "revoked" else 404)
    assert "Not valid." in page
    for revealing in ("Atlas", "Attestation of residency", "2022", "Contrat résilié", "<script>"):
        assert revealing not in page
    data = _page(en, code, **JSON).json()
    assert data["valid"] is False
    if how == "revoked":
        assert data == {"valid": False, "state": "revoked", "revoked_on": timezone.localdate().isoformat()}
    else:
        assert data == {"valid": False, "state": "not_valid"}


def test_the_json_of_a_valid_attestation(client, credential, world):
    response = _page(client, credential.grouped_code.lower(), **JSON)
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    data = response.json()
    assert data["valid"] is True and data["state"] == "valid" and data["kind"] == "residency"
    assert data["code"] == credential.grouped_code == world["credential_a_code"]
    assert data["starts_on"] == "2022-01-01" and data["ends_on"] == "2027-01-01" and data["ongoing_at_issue"] is True
    assert data["url"] == f"http://127.0.0.1:8000/verify/{credential.grouped_code}/"
    assert data["holder"] is None and data["skills"] == []
    assert set(data) == {
        *("valid", "state", "code", "kind", "kind_label", "statement", "startup", "holder", "skills", "ice", "issuer"),
        *("starts_on", "ends_on", "ongoing_at_issue", "issued_on", "ended_on", "url"),
    }


def test_a_thousand_random_codes_find_nothing_and_are_rate_limited(client, credential):
    hits = limited = 0
    for _ in range(1000):
        code = codes.grouped("".join(secrets.choice(codes.ALPHABET) for _ in range(codes.LENGTH)))
        response = _page(client, code, **JSON)
        hits += response.status_code == 200
        limited += response.status_code == 429
        assert response.status_code in (404, 429)
    assert hits == 0
    assert limited == 1000 - LIMIT
    # Even the right code waits: the limit is per address, not per code.
    response = _page(client, credential.grouped_code)
    assert response.status_code == 429 and response["Retry-After"] == "900"
    other_address = client.get(f"/verify/{credential.grouped_code}/", REMOTE_ADDR="10.9.9.9")
    assert other_address.status_code == 200


def test_the_form_sends_to_the_codes_page(en, credential):
    assert "Verification code" in en.get("/verify/").content.decode()
    typed = credential.grouped_code.replace("-", " ").lower()
    response = en.get("/verify/", {"code": typed})
    assert response.status_code == 302 and response["Location"] == f"/verify/{credential.grouped_code}/"
    response = en.get("/verify/", {"code": "not a code"})
    assert response["Location"] == "/verify/-/"
    assert en.get("/verify/-/").status_code == 404
