from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth import middleware as auth_middleware
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.functional import SimpleLazyObject
from rest_framework.exceptions import AuthenticationFailed

from .actions import profile_update
from .authentication import KEYWORD, ApiTokenAuthentication
from .permissions import mfa_gate_blocks, mfa_required_message
from .sessions import session_user


def _token_user(request, session_user):
    try:
        result = ApiTokenAuthentication().resolve(request)
    except AuthenticationFailed:
        return session_user  # DRF answers 401 itself when the view authenticates
    return result[0] if result else session_user


class APITokenMiddleware:
    """Resolve `Authorization: Token …` before the tenancy middleware, so that an API
    request made with a token is scoped to that token's user exactly like a session."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith("/api/") and request.headers.get("Authorization", "").startswith(f"{KEYWORD} "):
            session_user = request.user
            request.user = SimpleLazyObject(lambda: _token_user(request, session_user))
        return self.get_response(request)


class RequireStaffMFAMiddleware:
    """With REQUIRE_STAFF_MFA (on whenever DEBUG is off), site managers and head-office
    staff must enrol TOTP before they can use anything but the MFA and logout pages: pages
    send them to TOTP enrolment, the API answers 403 JSON, for a session and a token alike
    (after APITokenMiddleware: `request.user` is the token's user). The same rule,
    `accounts.permissions.mfa_enrolment_missing`, guards every DRF view through its
    authentication classes (accounts.authentication), whatever its URL."""

    ALLOWED_PREFIXES = ("/accounts/", "/i18n/", "/static/", "/health/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(self.ALLOWED_PREFIXES) or not mfa_gate_blocks(request, request.user):
            return self.get_response(request)
        if request.path_info.startswith("/api/"):
            return JsonResponse({"detail": mfa_required_message()}, status=403)
        return redirect(reverse("mfa_activate_totp"))


class UserLanguageMiddleware:
    """Keeps the interface language and the user's preferred language (used for their
    emails) in step: a signed-in user without a language cookie gets their preference; the
    language of their browser (its cookie, or the switcher's new choice) becomes their
    preference at their next action, a POST: never a write on a GET."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if not user.is_authenticated or getattr(request, "content_language_asked", False):
            # An API request that names its language (`?lang=`, Accept-Language) gets it
            # (core.middleware.LocaleMiddleware).
            return self.get_response(request)
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if chosen is None:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        elif request.method == "POST":
            self._remember(user, chosen)  # before the view: its emails go out in it
        response = self.get_response(request)
        switched = response.cookies.get(settings.LANGUAGE_COOKIE_NAME)  # the switcher's answer
        if switched is None:
            if chosen is None:
                # The same attributes as Django's language switcher (Secure, HttpOnly, Lax).
                response.set_cookie(
                    settings.LANGUAGE_COOKIE_NAME,
                    user.language,
                    max_age=settings.LANGUAGE_COOKIE_AGE,
                    path=settings.LANGUAGE_COOKIE_PATH,
                    domain=settings.LANGUAGE_COOKIE_DOMAIN,
                    secure=settings.LANGUAGE_COOKIE_SECURE,
                    httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                    samesite=settings.LANGUAGE_COOKIE_SAMESITE,
                )
        elif request.method == "POST":
            self._remember(user, switched.value)
        return response

    @staticmethod
    def _remember(user, language: str) -> None:
        if language != user.language and language in dict(settings.LANGUAGES):
            profile_update(user=user, language=language)


class AuthenticationMiddleware(auth_middleware.AuthenticationMiddleware):
    """Django's, plus, for a session signed in: its row checked and kept up to date
    (accounts.sessions: signed out from another browser, the request is anonymous), read
    with the user's row in one query. Who the user is (their row: `is_active`, role,
    password hash) and whether the session still stands are read from the database on every
    request, never from a cache: a deactivated user, a revoked session or "sign out other
    sessions" take effect on the very next request. Before the API token middleware, so it
    sees the session's user, never a token's."""

    def process_request(self, request):
        super().process_request(request)
        if SESSION_KEY in request.session:
            # Instead of Django's lazy user: the same checks, with the session's row (and
            # the TOTP state of the MFA rule) in the user's query (accounts.sessions).
            request.user = session_user(request)
