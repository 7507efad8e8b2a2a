"""Reads of the accounts app used by views and the API."""

import hashlib
import json

from allauth.account.models import EmailAddress
from django.db.models import F, QuerySet

from sites.models import Site

from .models import ApiToken, Role, User, UserSession
from .sessions import expired_before


def role_fingerprint(user) -> str:
    """A hash of what `user` may do: their role, admin flags, whether they are active, and
    their site memberships with their roles (any change of these changes it). An API token
    carries the fingerprint of its issue and stops working when it no longer matches.

    One query."""
    # Through Site (not scoped): the user's memberships on every site, whatever the
    # request's tenant scope. The annotation reuses the filter's join: one row per membership.
    memberships = Site.objects.filter(memberships__user=user).annotate(membership_role=F("memberships__role"))
    what = {
        "role": user.role,
        "is_active": user.is_active,
        "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
        "is_head_office": user.is_head_office,
        "sites": sorted([pk, role] for pk, role in memberships.values_list("pk", "membership_role")),
    }
    return hashlib.sha256(json.dumps(what, sort_keys=True).encode()).hexdigest()


def api_tokens_of(user) -> QuerySet[ApiToken]:
    """`user`'s API tokens, the newest first (their keys are not stored)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")


def has_active_api_token(*, user) -> bool:
    """Whether `user` has an API token that still works."""
    return ApiToken.objects.active().filter(user=user).exists()


def api_token_status(token: ApiToken, *, fingerprint: str, now) -> str:
    """ "active", "revoked" or "expired"; a token whose role no longer matches is revoked
    (it is marked so the next time it is presented)."""
    if token.revoked_at is not None or token.role_fingerprint != fingerprint:
        return "revoked"
    if token.is_expired(now=now):
        return "expired"
    return "active"


def user_sessions_live(*, user) -> QuerySet[UserSession]:
    """`user`'s signed-in sessions not yet expired in the store, the most recently active
    first (the rows of expired ones go at the user's next sign-in)."""
    return UserSession.objects.filter(user=user, last_seen_at__gte=expired_before())


def user_email_verified(*, user) -> bool:
    """Whether `user`'s account address (any letter case) is a verified address of theirs."""
    return EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists()


def head_office_users() -> QuerySet[User]:
    """The active head-office accounts, in the order they were created."""
    return User.objects.filter(role=Role.HEAD_OFFICE, is_active=True).order_by("pk")
