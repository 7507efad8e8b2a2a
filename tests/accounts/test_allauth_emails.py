"""allauth's emails (issue 18): they name the portal, not the host ("Bonjour, c'est
127.0.0.1:8101 !"), link to the request's host or, without a request, to PORTAL_URL, and
have an HTML part, in the recipient's language."""

import re

import pytest
from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from django.core import mail

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = re.compile(r"https?://\S+")
PASSWORD = "a-Long-passphrase-2027"


def _html(message) -> str:
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


def test_the_sign_up_email_names_the_portal_not_the_host(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/accounts/signup/",
            {"email": "salma@example.ma", "password1": PASSWORD, "password2": PASSWORD, "full_name": "Salma O'Brien"},
            HTTP_HOST="127.0.0.1:8101",
        )
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.subject == "[Technopark] Confirmez votre adresse e-mail"
    assert message.body.startswith("Bonjour, c'est Technopark !")
    # The host appears in links only, and they lead back to the portal that was used.
    links = URL.findall(message.body)
    assert links and all(link.startswith("http://127.0.0.1:8101") for link in links)
    assert any(link.startswith("http://127.0.0.1:8101/accounts/confirm-email/") for link in links)
    assert "127.0.0.1" not in URL.sub("", message.body)
    assert "&#x27;" not in message.subject + message.body
    html = _html(message)
    assert '<html lang="fr" dir="ltr">' in html and ">Technopark</a>" in html
    assert 'href="http://127.0.0.1:8101/accounts/confirm-email/' in html


def test_a_confirmation_sent_without_a_request_links_to_portal_url(settings, django_capture_on_commit_callbacks):
    """From a task or a shell: no request, so no host to take the links from."""
    settings.PORTAL_URL = "https://portal.example.ma"
    user = UserFactory(email="amal@example.ma", language="ar", verified=False)
    address = EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=False)
    with django_capture_on_commit_callbacks(execute=True):
        address.send_confirmation(request=None)
    [message] = mail.outbox
    assert message.subject == "[Technopark] أكد عنوان البريد الإلكتروني"  # in the recipient's language
    links = URL.findall(message.body)
    assert any(link.startswith("https://portal.example.ma/accounts/confirm-email/") for link in links)
    assert all(link.startswith(settings.PORTAL_URL) for link in links)
    html = _html(message)
    assert '<html lang="ar" dir="rtl">' in html
    assert '<a href="https://portal.example.ma/"' in html


def test_a_password_reset_link_without_a_request_starts_with_portal_url(settings):
    settings.PORTAL_URL = "https://portal.example.ma"
    url = get_adapter().get_reset_password_from_key_url("1z-set-password")
    assert url == "https://portal.example.ma/accounts/password/reset/key/1z-set-password/"


def test_the_password_reset_email_is_in_the_users_language_and_links_to_the_request_host(
    client, django_capture_on_commit_callbacks
):
    user = UserFactory(email="yasmine@example.ma", language="ar")
    client.cookies["django_language"] = "en"  # asked from a browser in English
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password/reset/", {"email": user.email}, HTTP_HOST="localhost:8101")
    [message] = mail.outbox
    assert message.subject == "[Technopark] رسالة إعادة ضبط كلمة المرور"
    assert "http://localhost:8101/accounts/password/reset/key/" in message.body
    assert '<html lang="ar" dir="rtl">' in _html(message)
