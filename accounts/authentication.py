"""How the API knows who calls: `Authorization: Token <key>` (accounts.ApiToken) or the
browser's session, both under the staff MFA rule (accounts.permissions).

A token is refused with 401 when it is unknown, revoked, unused for API_TOKEN_IDLE_DAYS,
older than API_TOKEN_MAX_DAYS, or issued for another role than the user's now (role,
admin flags, site memberships: it is then marked revoked for good). A session or token of
an account that must use TOTP and has none gets 403, on every API view whatever its URL.
"""

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, SessionAuthentication, get_authorization_header

from .actions import api_token_touch, api_tokens_revoke_stale, key_hash
from .models import ApiToken
from .permissions import REQUEST_TOTP, mfa_gate_blocks, mfa_required_message, totp_exists
from .selectors import role_fingerprint

KEYWORD = "Token"
# Where the result is kept on Django's request: the token middleware and DRF both ask.
RESULT_ATTRIBUTE = "_api_token_auth"


def _mfa_gate(request, user) -> None:
    if mfa_gate_blocks(request, user):
        raise exceptions.PermissionDenied(mfa_required_message())


class ApiTokenAuthentication(BaseAuthentication):
    """`Authorization: Token <key>`; see the module's docstring."""

    keyword = KEYWORD

    def authenticate(self, request):
        result = self.resolve(request)
        if result is not None:
            _mfa_gate(request, result[0])
        return result

    def resolve(self, request):
        """(user, token) for the request's token, None without one, AuthenticationFailed
        for a bad one; without the MFA rule (accounts.middleware applies it itself)."""
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid token header: give `Token <key>`, without spaces."))
        try:
            key = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        http_request = getattr(request, "_request", request)
        known = getattr(http_request, RESULT_ATTRIBUTE, None)
        if known is not None and known[0] == key:
            user, token = known[1]
        else:
            user, token = self.authenticate_credentials(key)
            setattr(http_request, RESULT_ATTRIBUTE, (key, (user, token)))
            totp = vars(token).pop("tp_user_totp", None)
            if totp is not None:  # for the MFA rule of this request (accounts.permissions.has_totp)
                setattr(http_request, REQUEST_TOTP, (user.pk, totp))
        return user, token

    def authenticate_credentials(self, key: str):
        if len(key) > 200:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        tokens = ApiToken.objects.select_related("user").filter(key_hash=key_hash(key))
        if settings.REQUIRE_STAFF_MFA:
            tokens = tokens.annotate(tp_user_totp=totp_exists("user"))  # read with the token's row
        token = tokens.first()
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("This token was revoked."))
        now = timezone.now()
        if token.is_expired(now=now):
            raise exceptions.AuthenticationFailed(_("This token has expired."))
        user = token.user
        if token.role_fingerprint != role_fingerprint(user):
            api_tokens_revoke_stale(user=user)
            raise exceptions.AuthenticationFailed(_("This token was revoked: the account's role changed."))
        api_token_touch(token=token, now=now)
        return user, token

    def authenticate_header(self, request):
        return self.keyword


class MFASessionAuthentication(SessionAuthentication):
    """DRF's session authentication (with its CSRF check), under the staff MFA rule."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            _mfa_gate(request, result[0])
        return result


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = ApiTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        idle, most = settings.API_TOKEN_IDLE_DAYS, settings.API_TOKEN_MAX_DAYS
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                f"`Token <key>`. A token works until it is revoked, {idle} days after its last use "
                f"or {most} days after it was created, whichever comes first; a change of the "
                "account's password, role or site memberships, and signing out every other "
                "session, revoke it."
            ),
        }


class MFASessionScheme(OpenApiAuthenticationExtension):
    target_class = MFASessionAuthentication
    name = "cookieAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": settings.SESSION_COOKIE_NAME,
            "description": "The portal's session (writes need the `X-CSRFToken` header).",
        }
