from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from sites.models import SiteMembership
from technopark.api import error_responses
from technopark.throttling import AnonRateThrottle

from .models import User
from .permissions import requires_mfa


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
        memberships = SiteMembership.objects.filter(user=user).select_related("site").order_by("site__slug")
        return MembershipSummarySerializer(memberships, many=True).data


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(trim_whitespace=False, max_length=4096)


@extend_schema(tags=["account"])
class MeView(APIView):
    """The signed-in user, their role and their site memberships."""

    @extend_schema(responses={200: MeSerializer, **error_responses(401)})
    def get(self, request):
        return Response(MeSerializer(request.user).data)


@extend_schema(tags=["account"])
class TokenView(APIView):
    """Exchange an email and password for an API token (`Authorization: Token …`).

    The failed-login limits of the login page apply, on the same counters (30 a minute per
    IP, 100 an hour per account), and at most 120 requests a minute per IP.
    Accounts that must use MFA sign in on the web and take their token from there."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [AnonRateThrottle]

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: inline_serializer("TokenResponse", {"token": serializers.CharField()}),
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
        except forms.ValidationError as error:  # allauth's "too many failed login attempts"
            return Response({"detail": " ".join(error.messages)}, status=status.HTTP_429_TOO_MANY_REQUESTS)
        if user is None or not user.is_active:
            return Response({"detail": _("Wrong email or password.")}, status=status.HTTP_400_BAD_REQUEST)
        if not EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists():
            return Response({"detail": _("Verify your email address first.")}, status=status.HTTP_400_BAD_REQUEST)
        if settings.REQUIRE_STAFF_MFA and requires_mfa(user):
            # A password alone must not bypass the second factor.
            return Response(
                {"detail": _("This account uses two-factor authentication: create your token from your profile page.")},
                status=status.HTTP_403_FORBIDDEN,
            )
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
