from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.auth import middleware as auth_middleware
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.functional import SimpleLazyObject
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from .identity import identity_resolve
from .permissions import has_totp, requires_mfa


def _token_user(request, session_user):
    try:
        result = TokenAuthentication().authenticate(request)
    except AuthenticationFailed:
        return session_user  # DRF answers 401 itself when the view authenticates
    return result[0] if result else session_user


class APITokenMiddleware:
    """Resolve `Authorization: Token …` before the tenancy middleware, so that an API
    request made with a token is scoped to that token's user exactly like a session."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith("/api/") and request.headers.get("Authorization", "").startswith("Token "):
            session_user = request.user
            request.user = SimpleLazyObject(lambda: _token_user(request, session_user))
        return self.get_response(request)


class RequireStaffMFAMiddleware:
    """With REQUIRE_STAFF_MFA (on whenever DEBUG is off), site managers and head-office
    staff must enrol TOTP before they can use anything but the MFA and logout pages."""

    ALLOWED_PREFIXES = ("/accounts/", "/i18n/", "/static/", "/health/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.REQUIRE_STAFF_MFA and self._must_enrol(request):
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)

    def _must_enrol(self, request) -> bool:
        user = request.user
        if not user.is_authenticated or request.path_info.startswith(self.ALLOWED_PREFIXES):
            return False
        if request.path_info.startswith("/api/"):
            return False  # such accounts only get a token from their profile, after an MFA login
        return requires_mfa(user) and not has_totp(user)


class UserLanguageMiddleware:
    """Keeps the interface language and the user's preferred language (used for their
    emails) in step: a signed-in user without a language cookie gets their preference; a
    choice made with the language switcher becomes their preference."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if not user.is_authenticated:
            return self.get_response(request)
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if chosen is None:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
            response = self.get_response(request)
            if settings.LANGUAGE_COOKIE_NAME not in response.cookies:  # the switcher may have just set it
                response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.language, samesite="Lax")
            return response
        if chosen != user.language and chosen in dict(settings.LANGUAGES):
            get_user_model().objects.filter(pk=user.pk).update(language=chosen)
            user.language = chosen
        return self.get_response(request)


class AuthenticationMiddleware(auth_middleware.AuthenticationMiddleware):
    """Django's, plus, for a session signed in: its row checked and kept up to date
    (accounts.sessions: signed out from another browser, the request is anonymous), the
    whole identity served from the cache when it can (accounts.identity). Before the API
    token middleware, so it sees the session's user, never a token's."""

    def process_request(self, request):
        super().process_request(request)
        if SESSION_KEY in request.session:
            identity_resolve(request)
