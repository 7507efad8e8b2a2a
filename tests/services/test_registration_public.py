"""Registration to public events without an account (validation, throttling) and
cancelling a registration by its token."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from services.models import RegistrationStatus
from services.views import catalogue as catalogue_views
from tests.factories import RegistrationFactory, ServiceFactory, ServiceSessionFactory

from .registration_setup import registrations, signed_in, texts

# Every test here uses the world: built once for the module (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_world")]


# --- Cancel by token ------------------------------------------------------------------------
def test_cancel_by_token_without_an_account(client, world, django_capture_on_commit_callbacks):
    url = f"/registrations/{world['registration_public_token']}/cancel/"
    client.cookies["django_language"] = "en"
    page = client.get(url)
    assert page.status_code == 200
    assert "Free your seat?" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == url
    assert "Your registration is cancelled." in " ".join(texts(response))
    assert "This registration is already cancelled." in response.content.decode()
    assert registrations(pk=world["registration_public"])[0].status == RegistrationStatus.CANCELLED
    # Twice: a message, no error.
    again = client.post(url, follow=True)
    assert "This registration is already cancelled." in texts(again)


def test_the_owner_goes_back_to_my_registrations(client, world, founder_a):
    response = signed_in(client, founder_a).post(f"/registrations/{world['registration_a_token']}/cancel/")
    assert response["Location"] == "/me/registrations/"
    assert registrations(pk=world["registration_a"])[0].status == RegistrationStatus.CANCELLED


def test_cancel_after_the_start_is_refused(client, world, unscoped):
    past = timezone.now() - datetime.timedelta(hours=1)
    registration = RegistrationFactory(
        session=ServiceSessionFactory(service=ServiceFactory(site=None), starts_at=past, registration_deadline=past)
    )
    url = f"/registrations/{registration.token}/cancel/"
    client.cookies["django_language"] = "en"
    assert "it can no longer be cancelled" in client.get(url).content.decode()
    response = client.post(url, follow=True)
    assert "The session has started: it can no longer be cancelled." in texts(response)
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED


@pytest.mark.parametrize("token", ["unknown-token", "x" * 200, "%00"])
def test_unknown_token_is_404(client, world, token):
    assert client.get(f"/registrations/{token}/cancel/").status_code == 404
    assert client.post(f"/registrations/{token}/cancel/").status_code == 404


# --- Public events without an account -------------------------------------------------------
def test_public_registration_without_an_account(client, world, django_capture_on_commit_callbacks):
    url = f"/sessions/{world['session_public']}/register/"
    client.cookies["django_language"] = "en"
    form_page = client.get(url)
    assert form_page.status_code == 200
    assert 'name="organisation"' in form_page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"name": "  Salma   Idrissi ", "email": "Salma@Example.MA", "organisation": "ENSA Agadir"}, follow=True
        )
    assert response.redirect_chain[-1][0] == f"/services/{world['service_public']}/"
    [registration] = registrations(session_id=world["session_public"], email="salma@example.ma")
    assert (registration.name, registration.organisation, registration.user) == ("Salma Idrissi", "ENSA Agadir", None)
    assert registration.status == RegistrationStatus.CONFIRMED
    assert registration.language == "en"
    [message] = mail.outbox
    assert message.to == ["salma@example.ma"]
    assert f"/registrations/{registration.token}/cancel/" in message.body


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "Salma", "email": "not-an-email", "organisation": "ENSA"}, "email"),
        ({"name": "   ", "email": "s@example.ma", "organisation": "ENSA"}, "name"),
        ({"name": "Salma", "email": "", "organisation": "ENSA"}, "email"),
        ({"name": "S" * 151, "email": "s@example.ma"}, "name"),
    ],
)
def test_public_registration_validation_keeps_what_was_typed(client, world, data, field):
    response = client.post(f"/sessions/{world['session_public']}/register/", data)
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors
    page = response.content.decode()
    if data.get("organisation"):
        assert f'value="{data["organisation"]}"' in page  # nothing typed is lost
    assert len(registrations(session_id=world["session_public"])) == 1  # the world's visitor only


def test_public_registration_twice_is_a_form_message(client, world):
    url = f"/sessions/{world['session_public']}/register/"
    client.cookies["django_language"] = "en"
    response = client.post(url, {"name": "Visitor", "email": "visitor@example.ma"})
    assert response.status_code == 200
    assert "You are already registered for this session." in response.content.decode()


def test_a_signed_in_visitor_registers_with_their_account(client, world, outsider):
    url = f"/sessions/{world['session_public']}/register/"
    client = signed_in(client, outsider)
    assert outsider.email in client.get(url).content.decode()
    client.post(url, {"name": "Out Sider", "email": "someone.else@example.ma", "organisation": ""})
    [registration] = registrations(session_id=world["session_public"], user=outsider)
    assert registration.email == outsider.email  # the account's address, not the typed one


def test_public_registration_is_throttled_per_ip_and_email(client, world):
    url = f"/sessions/{world['session_public']}/register/"
    client.cookies["django_language"] = "en"
    data = {"name": "Spam", "email": "spam@example.ma"}
    statuses = [client.post(url, data).status_code for _ in range(catalogue_views.PUBLIC_LIMIT_PER_EMAIL)]
    assert 429 not in statuses
    response = client.post(url, data)
    assert response.status_code == 429
    assert "too many registrations" in response.content.decode()
    # Another address from the same IP still gets through; another IP too.
    assert client.post(url, {"name": "Real", "email": "real@example.ma"}).status_code == 302
    assert client.post(url, data, REMOTE_ADDR="10.0.0.9").status_code != 429


def test_public_registration_is_throttled_per_ip(client, world, monkeypatch):
    monkeypatch.setattr(catalogue_views, "PUBLIC_LIMIT_PER_IP", 3)
    url = f"/sessions/{world['session_public']}/register/"
    for index in range(3):
        assert client.post(url, {"name": "N", "email": f"n{index}@example.ma"}).status_code == 302
    assert client.post(url, {"name": "N", "email": "n9@example.ma"}).status_code == 429
    assert len(registrations(session_id=world["session_public"])) == 1 + 3


def test_an_invalid_form_does_not_count_against_the_limit(client, world):
    url = f"/sessions/{world['session_public']}/register/"
    for _ in range(catalogue_views.PUBLIC_LIMIT_PER_EMAIL + 2):
        assert client.post(url, {"name": "", "email": "typo@example.ma"}).status_code == 200
    assert client.post(url, {"name": "Typo", "email": "typo@example.ma"}).status_code == 302
