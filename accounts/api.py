from allauth.account.adapter import get_adapter
from django import forms
from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import error_responses
from core.throttling import AnonRateThrottle
from sites.models import SiteMembership
from sites.selectors import site_memberships_of

from .actions import api_token_create, api_token_revoke
from .models import ApiToken, User
from .permissions import requires_mfa
from .selectors import api_token_status, api_tokens_of, role_fingerprint, user_email_verified


class MembershipSummarySerializer(serializers.ModelSerializer):
    site = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = SiteMembership
        fields = ["site", "role"]


class MeSerializer(serializers.ModelSerializer):
    memberships = serializers.SerializerMethodField()
    is_head_office = serializers.BooleanField(read_only=True)

    class Meta:
        model = User
        fields = ["id", "email", "full_name", "role", "language", "is_head_office", "memberships"]

    @extend_schema_field(MembershipSummarySerializer(many=True))
    def get_memberships(self, user):
        return MembershipSummarySerializer(site_memberships_of(user=user), many=True).data


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(trim_whitespace=False, max_length=4096)
    name = serializers.CharField(
        max_length=100, required=False, help_text="A name to tell the token apart in your list of tokens."
    )


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="The key: shown this once, it is not stored.")
    id = serializers.IntegerField()
    expires_at = serializers.DateTimeField(help_text="At the latest; unused for the idle delay, it stops earlier.")


class ApiTokenSerializer(serializers.ModelSerializer):
    """A token's metadata (never its key)."""

    status = serializers.SerializerMethodField(help_text="active, revoked or expired")
    expires_at = serializers.SerializerMethodField(help_text="When it stops working unless used before.")
    current = serializers.SerializerMethodField(help_text="Whether this request was made with it.")

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "name",
            "key_prefix",
            "created_at",
            "last_used_at",
            "expires_at",
            "revoked_at",
            "status",
            "current",
        ]

    @extend_schema_field(serializers.ChoiceField(choices=["active", "revoked", "expired"]))
    def get_status(self, token) -> str:
        return api_token_status(token, fingerprint=self.context["fingerprint"], now=self.context["now"])

    @extend_schema_field(serializers.DateTimeField())
    def get_expires_at(self, token):
        return serializers.DateTimeField().to_representation(token.expiry())

    def get_current(self, token) -> bool:
        return isinstance(self.context["request"].auth, ApiToken) and self.context["request"].auth.pk == token.pk


@extend_schema(tags=["account"])
class MeView(APIView):
    """The signed-in user, their role and their site memberships."""

    @extend_schema(responses={200: MeSerializer, **error_responses(401)})
    def get(self, request):
        return Response(MeSerializer(request.user).data)


@extend_schema(tags=["account"])
class TokenView(APIView):
    """Exchange an email and password for a new API token (`Authorization: Token <key>`).

    Every request creates a token (the key is shown once: keep it); at most 20 work at once,
    a new one beyond replaces the least recently used. A token stops working when it is
    revoked (by its owner, a password change or reset, "sign out every other session", or
    any change of the account's role or site memberships), after API_TOKEN_IDLE_DAYS
    (default 30) without use, and API_TOKEN_MAX_DAYS (default 365) after its creation. List
    and revoke them at `/api/v1/auth/tokens/` or on the profile's "API tokens" page.

    The failed-login limits of the login page apply, on the same counters (30 a minute per
    IP; after 5 failures in a row an account is locked for 1 s, then 2, 4… up to 5 minutes,
    which its owner can lift with the link emailed to them), and at most 120 requests a
    minute per IP. A refusal is a 429 with a `detail` and a `Retry-After` header (seconds).
    Accounts that must use MFA sign in on the web and create their tokens there."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [AnonRateThrottle]

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: TokenResponseSerializer,
            # 400: invalid input, wrong credentials or unverified address; 403: an account
            # that must use MFA; 429: throttled or too many failed logins.
            **error_responses(400, 403, 429),
        },
    )
    def post(self, request):
        payload = TokenRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        email, password = payload.validated_data["email"].lower(), payload.validated_data["password"]
        try:
            user = get_adapter(request._request).authenticate(request._request, email=email, password=password)
        except forms.ValidationError as error:  # too many failed logins (core/throttling.py)
            retry_after = getattr(error, "retry_after", None)
            return Response(
                {"detail": " ".join(error.messages)},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
                headers={"Retry-After": str(retry_after)} if retry_after else None,
            )
        if user is None or not user.is_active:
            return Response({"detail": _("Wrong email or password.")}, status=status.HTTP_400_BAD_REQUEST)
        if not user_email_verified(user=user):
            return Response({"detail": _("Verify your email address first.")}, status=status.HTTP_400_BAD_REQUEST)
        if settings.REQUIRE_STAFF_MFA and requires_mfa(user):
            # A password alone must not bypass the second factor.
            return Response(
                {"detail": _("This account uses two-factor authentication: create your token from your profile page.")},
                status=status.HTTP_403_FORBIDDEN,
            )
        token, key = api_token_create(user=user, name=payload.validated_data.get("name") or _("From the API"))
        return Response({"token": key, "id": token.pk, "expires_at": token.absolute_expiry()})


def _token_context(request) -> dict:
    return {"request": request, "fingerprint": role_fingerprint(request.user), "now": timezone.now()}


@extend_schema(tags=["account"], responses={200: ApiTokenSerializer, **error_responses(400, 401, 403, 404)})
class ApiTokenList(ListAPIView):
    """The signed-in user's API tokens, the newest first, working or not (revoked and
    expired ones stay listed 90 days), with when they were created, last used (written at
    most once an hour) and when they expire; never their keys. See `POST /api/v1/auth/token/`
    for how long a token works."""

    serializer_class = ApiTokenSerializer

    def get_queryset(self):
        return api_tokens_of(self.request.user)

    def get_serializer_context(self):
        return _token_context(self.request)


@extend_schema(tags=["account"])
class ApiTokenDetail(APIView):
    """One of the signed-in user's tokens (another user's is a 404, like a missing one);
    DELETE revokes it (the request's own token included: it stops working at once)."""

    @extend_schema(responses={200: ApiTokenSerializer, **error_responses(401, 403, 404)})
    def get(self, request, pk: int):
        token = get_object_or_404(api_tokens_of(request.user), pk=pk)
        return Response(ApiTokenSerializer(token, context=_token_context(request)).data)

    @extend_schema(responses={204: None, **error_responses(401, 403, 404)})
    def delete(self, request, pk: int):
        try:
            api_token_revoke(actor=request.user, token_id=pk)
        except ApiToken.DoesNotExist:
            raise Http404 from None
        return Response(status=status.HTTP_204_NO_CONTENT)


api_urlpatterns = [
    path("auth/tokens/", ApiTokenList.as_view(), name="tokens"),
    path("auth/tokens/<int:pk>/", ApiTokenDetail.as_view(), name="token_detail"),
]
