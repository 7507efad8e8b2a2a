"""The middleware stack does no work twice (issue 16): the CSP header is built once per
process, not twice per response; the locale middleware does not look for a language in
the path without i18n_patterns; the message storage is built only when used; the liveness
probe writes never_cache's headers as constants. Same headers as Django's and django-csp's."""

import re
import time

import pytest
from csp import utils as csp_utils
from csp.exceptions import CSPNonceError
from django.conf.urls.i18n import i18n_patterns
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import path
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from core import middleware

pytestmark = pytest.mark.django_db

# Django's own behaviour with a language prefix in the URL (override_settings(ROOT_URLCONF)).
urlpatterns = i18n_patterns(path("probe/", lambda request: HttpResponse("ok")))


def handler404(request, exception):
    return HttpResponse(status=404)  # the portal's 404 page needs the portal's URLs


@pytest.fixture
def policy_builds(monkeypatch):
    """Every call of django-csp's policy builder, from django-csp's middleware or ours."""
    calls = []

    def counting(*args, **kwargs):
        calls.append(kwargs)
        return csp_utils.build_policy(*args, **kwargs)

    monkeypatch.setattr("csp.middleware.build_policy", counting)
    monkeypatch.setattr(middleware, "build_policy", counting, raising=False)
    return calls


def test_the_policy_is_built_once_per_process_not_per_response(policy_builds):
    client = Client()  # a handler of its own: a middleware instance with nothing built yet
    headers = {client.get("/health/live/")["Content-Security-Policy"] for _ in range(5)}
    assert len(policy_builds) == 2  # the policy and the report-only one, once
    assert headers == {csp_utils.build_policy()}


def test_a_page_with_a_nonce_gets_its_own_nonce_in_django_csps_header(client):
    policies = set()
    for _ in range(2):
        response = client.get("/")
        nonce = response.wsgi_request._csp_nonce
        assert f'nonce="{nonce}"' in response.content.decode()
        assert response["Content-Security-Policy"] == csp_utils.build_policy(nonce=nonce)
        policies.add(response["Content-Security-Policy"])
    assert len(policies) == 2  # a new nonce per response
    assert all(re.search(r"'nonce-[A-Za-z0-9+/=]+'", policy) for policy in policies)


def test_the_nonce_cannot_be_read_once_the_header_is_written(client):
    request = client.get("/health/live/").wsgi_request
    with pytest.raises(CSPNonceError):
        str(request.csp_nonce)


def test_a_new_policy_setting_is_followed_with_report_only_and_excluded_prefixes(client):
    client.get("/health/live/")  # builds the current policy first
    report_only = {"DIRECTIVES": {"default-src": ["'none'"], "report-uri": "/csp-report/"}}
    policy = {"DIRECTIVES": {"default-src": ["'self'"], "img-src": ["'self'", "data:"]}}
    with override_settings(CONTENT_SECURITY_POLICY=policy, CONTENT_SECURITY_POLICY_REPORT_ONLY=report_only):
        response = client.get("/health/live/")
        assert response["Content-Security-Policy"] == csp_utils.build_policy()
        assert "img-src 'self' data:" in response["Content-Security-Policy"]
        assert response["Content-Security-Policy-Report-Only"] == csp_utils.build_policy(report_only=True)
    with override_settings(CONTENT_SECURITY_POLICY={**policy, "EXCLUDE_URL_PREFIXES": ["/health/"]}):
        assert not client.get("/health/live/").has_header("Content-Security-Policy")
        assert client.get("/").has_header("Content-Security-Policy")


def test_no_language_is_looked_for_in_the_path_without_i18n_patterns(client, monkeypatch):
    looked_up = []
    original = translation.get_language_from_path
    monkeypatch.setattr(translation, "get_language_from_path", lambda *a, **k: looked_up.append(a) or original(*a))
    response = client.get("/health/live/", HTTP_ACCEPT_LANGUAGE="ar,en;q=0.8")
    assert looked_up == []
    assert response["Content-Language"] == "ar"
    assert response["Vary"] == "Accept-Language, Cookie"


@pytest.mark.parametrize(
    ("cookie", "accept", "language"), [(None, "", "fr"), (None, "en-GB,en;q=0.9", "en"), ("ar", "en", "ar")]
)
def test_the_language_is_negotiated_as_django_does(client, cookie, accept, language):
    if cookie:
        client.cookies["django_language"] = cookie
    response = client.get("/sites/", HTTP_ACCEPT_LANGUAGE=accept)
    negotiated = response.wsgi_request.LANGUAGE_CODE
    assert response["Content-Language"] == negotiated == language
    assert "Accept-Language" in response["Vary"]


@override_settings(ROOT_URLCONF=__name__)
def test_with_i18n_patterns_the_path_decides_as_in_django(client):
    response = client.get("/en/probe/", HTTP_ACCEPT_LANGUAGE="ar")
    assert response["Content-Language"] == "en"
    assert "Accept-Language" not in response.get("Vary", "")
    redirect = client.get("/probe/", HTTP_ACCEPT_LANGUAGE="ar")
    assert redirect.status_code == 302
    assert redirect["Location"] == "/ar/probe/"


def test_a_request_without_messages_builds_no_message_storage(client, monkeypatch):
    built = []
    original = FallbackStorage.__init__
    monkeypatch.setattr(FallbackStorage, "__init__", lambda self, *a, **k: built.append(1) or original(self, *a, **k))
    response = client.get("/health/live/")
    assert built == []
    assert not response.cookies  # nothing written for the messages either
    client.get("/")  # the layout shows the messages: the storage is built then
    assert built == [1]


def test_a_message_added_by_a_view_reaches_the_next_request(rf):
    def view(request):
        messages.success(request, "Saved.")
        return HttpResponse()

    request = rf.get("/")
    SessionMiddleware(lambda request: None).process_request(request)
    response = middleware.MessageMiddleware(view)(request)
    stored = CookieStorage(rf.get("/"))._decode(response.cookies["messages"].value)
    assert [str(message) for message in stored] == ["Saved."]


@pytest.mark.parametrize("method", ["get", "head", "post"])
def test_the_liveness_probe_has_never_caches_headers(rf, monkeypatch, method):
    from core.health import live

    monkeypatch.setattr(time, "time", lambda: 1_800_000_000.0)
    reference = never_cache(require_safe(lambda request: HttpResponse("ok", content_type="text/plain")))
    expected, response = reference(getattr(rf, method)("/")), live(getattr(rf, method)("/"))
    assert response.status_code == expected.status_code
    assert list(response.headers.items()) == list(expected.headers.items())
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
