"""Issue 15, finding 6: no secret in the audit trail or the logs, a Secure language cookie,
`Cache-Control: private, no-store` on signed-in responses."""

import io
import json
import logging
import runpy
import secrets

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.http import HttpResponse
from django.test import RequestFactory

from accounts.models import User
from core.audit import audit_record, audited_save, instance_values
from core.logging import JSONFormatter, RedactSecretsFilter, SecretsExceptionReporterFilter
from core.middleware import PrivateCacheMiddleware
from core.models import AuditEntry
from core.redaction import MASK, is_secret_name, redact_text
from sites.models import Region
from tests.technopark.test_settings import PRODUCTION, UNSET

from ..factories import UserFactory
from .test_logging import SETTINGS_FILE, _shell

pytestmark = pytest.mark.django_db


# --- The name pattern --------------------------------------------------------------------
@pytest.mark.parametrize(
    "name",
    [
        "password",
        "password1",
        "calendar_token",
        "csrfmiddlewaretoken",
        "key",
        "session_key",
        "API_KEY",
        "client_secret",
        "totp",
        "otp_code",
        "code",
        "recovery_codes",
        "HTTP_AUTHORIZATION",
        "HTTP_COOKIE",
        "postal_code",  # harmless, masked too: documented in core/redaction.py
    ],
)
def test_secret_names(name):
    assert is_secret_name(name)


@pytest.mark.parametrize(
    "name", ["email", "full_name", "role", "site", "status", "starts_at", "ip", "status_code", "LANGUAGE_CODE"]
)
def test_ordinary_names(name):
    assert not is_secret_name(name)


# --- Audit trail ---------------------------------------------------------------------------
def test_a_calendar_token_change_is_audited_masked(staff, unscoped):
    user = UserFactory(full_name="Salma Idrissi")
    old_token, new_token = user.calendar_token, secrets.token_urlsafe(32)
    user.calendar_token, user.full_name = new_token, "Salma El Idrissi"

    audited_save(actor=staff, instance=user)

    entry = AuditEntry.objects.filter(object_id=str(user.pk), content_type__model="user").latest("pk")
    assert entry.changes["calendar_token"] == [MASK, MASK]  # the change shows, not the values
    assert entry.changes["full_name"] == ["Salma Idrissi", "Salma El Idrissi"]
    stored = json.dumps(entry.changes)
    assert old_token not in stored and new_token not in stored
    assert user.password not in stored


def test_instance_values_never_hold_a_secret():
    user = UserFactory()
    values = instance_values(user)
    assert user.calendar_token not in json.dumps(values)
    assert user.password not in json.dumps(values)
    assert values["email"] == user.email


def test_an_unchanged_secret_is_not_a_change(staff, unscoped):
    user = UserFactory(full_name="Before")
    user.full_name = "After"
    audited_save(actor=staff, instance=user)
    entry = AuditEntry.objects.filter(object_id=str(user.pk), content_type__model="user").latest("pk")
    assert set(entry.changes) == {"full_name"}


def test_secrets_in_a_callers_values_and_nested_json_are_masked(staff):
    region = Region.objects.first()
    before = {"code": "MA-01", "api_key": "k-old", "data": {"secret": "s-old", "label": "x"}, "note": "same"}
    after = {"code": "MA-99", "api_key": "k-new", "data": {"secret": "s-new", "label": "y"}, "note": "same"}

    entry = audit_record(actor=staff, action=AuditEntry.Action.UPDATE, instance=region, before=before, after=after)

    assert entry.changes == {
        "api_key": [MASK, MASK],
        "code": ["MA-01", "MA-99"],  # a region's code is an identifier: readable
        "data": [{"secret": MASK, "label": "x"}, {"secret": MASK, "label": "y"}],
    }
    # Setting or clearing a secret shows; its value does not.
    entry = audit_record(
        actor=staff, action=AuditEntry.Action.UPDATE, instance=region, before={"token": ""}, after={"token": "t-1"}
    )
    assert entry.changes == {"token": ["", MASK]}


def test_redact_audit_secrets_masks_old_rows(staff):
    user = UserFactory()
    content_type = ContentType.objects.get_for_model(User)
    leaky = AuditEntry.objects.create(
        actor=staff,
        action=AuditEntry.Action.UPDATE,
        content_type=content_type,
        object_id=str(user.pk),
        object_repr="x",
        changes={"calendar_token": ["tok-old", "tok-new"], "full_name": ["A", "B"]},
    )
    clean = AuditEntry.objects.create(
        actor=staff,
        action=AuditEntry.Action.UPDATE,
        content_type=content_type,
        object_id=str(user.pk),
        object_repr="x",
        changes={"full_name": ["B", "C"]},
    )

    out = io.StringIO()
    call_command("redact_audit_secrets", "--dry-run", stdout=out)
    assert "1 audit rows would be redacted" in out.getvalue()
    leaky.refresh_from_db()
    assert leaky.changes["calendar_token"] == ["tok-old", "tok-new"]

    call_command("redact_audit_secrets", stdout=out)
    leaky.refresh_from_db()
    clean.refresh_from_db()
    assert leaky.changes == {"calendar_token": [MASK, MASK], "full_name": ["A", "B"]}
    assert clean.changes == {"full_name": ["B", "C"]}
    out = io.StringIO()
    call_command("redact_audit_secrets", stdout=out)
    assert "0 audit rows redacted" in out.getvalue()


# --- Logs ------------------------------------------------------------------------------------
def _filtered(message, args=(), **extra) -> logging.LogRecord:
    record = logging.getLogger("technopark.test").makeRecord(
        "technopark.test", logging.WARNING, __file__, 1, message, args, None, extra=extra or None
    )
    assert RedactSecretsFilter().filter(record) is True
    return record


def test_log_extras_with_secret_names_are_masked():
    data = RequestFactory().post("/x/", {"email": "a@example.ma", "password": "hunter2", "code": "123456"}).POST
    record = _filtered("login failed", password="hunter2", api_token="tok-1", data=data, payload={"key": "k-1"})
    assert record.password == MASK
    assert record.api_token == MASK
    assert record.data == {"email": "a@example.ma", "password": MASK, "code": MASK}
    assert record.payload == {"key": MASK}
    assert record.getMessage() == "login failed"


def test_log_messages_are_masked():
    token = secrets.token_urlsafe(32)
    record = _filtered("Not Found: /calendar/%s.ics?page=2&token=%s (Authorization: Token %s)", (token, "t-2", "k-3"))
    message = record.getMessage()
    assert token not in message and "t-2" not in message and "k-3" not in message
    assert message.startswith("Not Found: /calendar/[redacted].ics?page=2&token=[redacted]")
    record = _filtered("%(user)s set %(password)s", {"user": "amal", "password": "hunter2"})
    assert record.getMessage() == f"amal set {MASK}"


def test_the_json_formatter_masks_a_token_in_the_path():
    token = secrets.token_urlsafe(32)
    request = RequestFactory().get(f"/calendar/{token}.ics")
    record = _filtered("Internal Server Error: %s", (request.path,), request=request, status_code=500)
    line = JSONFormatter().format(record)
    assert token not in line
    assert json.loads(line)["path"] == "/calendar/[redacted].ics"


def test_the_console_handler_masks_secrets():
    filters = [f for handler in logging.getLogger().handlers for f in handler.filters]
    assert any(isinstance(f, RedactSecretsFilter) for f in filters)


def test_production_logs_carry_no_secret():
    token = secrets.token_urlsafe(32)
    code = (
        "import logging; logging.getLogger('django.request').warning("
        f"'Not Found: /calendar/%s.ics password=%s', {token!r}, 'hunter2')"
    )
    result = _shell(code, PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert token not in result.stderr and "hunter2" not in result.stderr
    entry = json.loads(result.stderr.strip().splitlines()[-1])
    assert entry["message"] == f"Not Found: /calendar/{MASK}.ics password={MASK}"


def test_error_reports_hide_secret_post_fields():
    request = RequestFactory().post("/accounts/2fa/authenticate/", {"code": "123456", "next": "/x/", "password": "p"})
    parameters = SecretsExceptionReporterFilter().get_post_parameters(request)
    assert parameters["next"] == "/x/"
    assert "123456" not in parameters["code"] and parameters["password"] != "p"


def test_redact_text_keeps_ordinary_text():
    text = "Backend unavailable on GET /manage/site-a/startups/ 550e8400-e29b-41d4-a716-446655440000"
    assert redact_text(text) == text


# --- Language cookie ---------------------------------------------------------------------
def _settings_module(monkeypatch, env: dict) -> dict:
    for key in UNSET | {"SENTRY_DSN"}:
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return runpy.run_path(str(SETTINGS_FILE))


def test_the_language_cookie_is_secure_when_the_session_cookie_is(monkeypatch):
    production = _settings_module(monkeypatch, PRODUCTION)
    assert production["SESSION_COOKIE_SECURE"] is True
    assert production["LANGUAGE_COOKIE_SECURE"] is True
    assert production["LANGUAGE_COOKIE_HTTPONLY"] is True
    assert production["LANGUAGE_COOKIE_SAMESITE"] == "Lax"
    laptop = _settings_module(monkeypatch, {"DEBUG": "true"})  # as `make run` sets it
    assert laptop.get("LANGUAGE_COOKIE_SECURE", False) is laptop.get("SESSION_COOKIE_SECURE", False) is False


def test_the_language_cookie_set_for_a_signed_in_user_is_secure(client, settings):
    settings.SESSION_COOKIE_SECURE = settings.LANGUAGE_COOKIE_SECURE = True
    user = UserFactory(language="ar")
    client.force_login(user)

    response = client.get("/profile/")
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "ar"
    assert cookie["secure"] is True
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"

    # Django's language switcher writes it with the same settings.
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "en"
    assert cookie["secure"] is True and cookie["httponly"] is True and cookie["samesite"] == "Lax"


# --- Cache-Control -------------------------------------------------------------------------
def test_signed_in_pages_are_private_and_not_stored(client):
    client.force_login(UserFactory())
    for url in ["/profile/", "/api/v1/me/", "/no-such-page/"]:
        response = client.get(url)
        assert response["Cache-Control"] == "private, no-store", url
        assert "Cookie" in response["Vary"], url


def test_token_authenticated_api_responses_are_private_and_not_stored(client):
    from django.conf import settings

    user = UserFactory()
    response = client.post("/api/v1/auth/token/", {"email": user.email, "password": settings.DEMO_PASSWORD})
    assert response.status_code == 200, response.content
    token = response.json()["token"]
    response = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_anonymous_public_pages_are_not_marked_private(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    assert "private" not in response.get("Cache-Control", "")


def test_the_calendar_feed_is_private_and_not_stored(client):
    user = UserFactory()
    response = client.get(f"/calendar/{user.calendar_token}.ics")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_a_views_own_cache_control_is_kept():
    def view(request):
        response = HttpResponse("logo")
        response["Cache-Control"] = "public, max-age=3600"
        return response

    request = RequestFactory().get("/logo.png")
    request.user = UserFactory()
    assert PrivateCacheMiddleware(view)(request)["Cache-Control"] == "public, max-age=3600"
    request.user = AnonymousUser()
    assert not PrivateCacheMiddleware(lambda request: HttpResponse("x"))(request).has_header("Cache-Control")


def test_sentry_reports_carry_no_secret(monkeypatch):
    from unittest import mock

    from core.redaction import sentry_before_send

    monkeypatch.setenv("SENTRY_DSN", "https://key@sentry.example.invalid/1")
    with mock.patch("sentry_sdk.init") as init:
        _settings_module(monkeypatch, {"DEBUG": "true", "SENTRY_DSN": "https://key@sentry.example.invalid/1"})
    assert init.call_args.kwargs["before_send"] is sentry_before_send

    token = secrets.token_urlsafe(32)
    event = {
        "request": {
            "url": f"https://portal.example/calendar/{token}.ics",
            "query_string": "token=t-1&page=2",
            "data": {"email": "a@example.ma", "password": "hunter2"},
            "headers": {"Authorization": "Token k-1", "Accept": "text/html"},
        },
        "extra": {"calendar_token": token},
        "logentry": {"message": "reset with code=%s", "params": ["123456"], "formatted": "reset with code=123456"},
        "breadcrumbs": {"values": [{"message": "password=hunter2", "data": {"api_key": "k-2"}}]},
        "exception": {
            "values": [{"value": f"bad {token}", "stacktrace": {"frames": [{"vars": {"secret": "'s-1'", "n": "1"}}]}}]
        },
    }
    cleaned = json.dumps(sentry_before_send(event, {}))
    for secret in [token, "t-1", "hunter2", "k-1", "123456", "k-2", "s-1"]:
        assert secret not in cleaned, secret
    assert "a@example.ma" in cleaned and "text/html" in cleaned and "page=2" in cleaned


def test_celery_workers_log_through_the_redacting_handler():
    """Celery would install its own root handler (no secret masking) unless the project
    answers its setup_logging signal."""
    import logging

    from celery.signals import setup_logging

    from core.logging import RedactSecretsFilter

    responses = setup_logging.send(sender=None, loglevel="INFO", logfile=None, format="", colorize=False)
    assert responses, "no receiver: Celery would configure logging itself"
    filters = [f for handler in logging.getLogger().handlers for f in handler.filters]
    assert any(isinstance(f, RedactSecretsFilter) for f in filters)
