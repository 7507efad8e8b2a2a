"""Writes of the accounts app: API tokens (accounts.ApiToken, checked by
accounts.authentication). Every change is audited; the key and its hash never are."""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record, instance_values
from core.models import AuditEntry

from .models import ApiToken, TokenRevocation, User
from .permissions import mfa_enrolment_missing
from .selectors import role_fingerprint

# The key: a recognisable start and 256 random bits, URL-safe (no space: it goes in a header).
KEY_START = "tp_"
KEY_PREFIX_LENGTH = 10  # what the owner sees of it: "tp_" and 7 characters (42 bits)
# At most this many working tokens per account: a new one beyond replaces the least recently used.
MAX_ACTIVE_TOKENS = 20
# Revoked and expired tokens stay listed (with why) this long, then go.
KEEP_DEAD_TOKENS = datetime.timedelta(days=90)
# The last use is written at most this often per token.
TOUCH_EVERY = datetime.timedelta(hours=1)


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _audited_values(token: ApiToken) -> dict:
    values = instance_values(token)
    for secret in ("key_hash", "key_prefix", "role_fingerprint"):
        values.pop(secret, None)
    return values


def _revoke(*, actor, token: ApiToken, reason: str, now: datetime.datetime) -> None:
    before = _audited_values(token)
    token.revoked_at, token.revoked_reason = now, reason
    token.save(update_fields=["revoked_at", "revoked_reason"])
    audit_record(
        actor=actor, action=AuditEntry.Action.UPDATE, instance=token, before=before, after=_audited_values(token)
    )


@transaction.atomic
def api_token_create(*, user: User, name: str, actor: User | None = None) -> tuple[ApiToken, str]:
    """A new API token for `user`, bound to their role as it is now; returns the row and
    the key, which is not stored and cannot be shown again. Refused (PermissionDenied) for
    an account that must use TOTP and has none."""
    if mfa_enrolment_missing(user):
        raise PermissionDenied(_("Set up two-factor authentication before creating an API token."))
    if not user.is_active:
        raise PermissionDenied(_("This account is inactive."))
    actor = actor or user
    now = timezone.now()
    # Serialises the creations of one account, so that the limit below holds.
    User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True).first()
    # Long dead tokens go (they were listed with why they stopped for KEEP_DEAD_TOKENS).
    ApiToken.objects.filter(user=user, revoked_at__lt=now - KEEP_DEAD_TOKENS).delete()
    ApiToken.objects.filter(
        user=user, created_at__lt=now - datetime.timedelta(days=settings.API_TOKEN_MAX_DAYS) - KEEP_DEAD_TOKENS
    ).delete()
    active = list(ApiToken.objects.active(now=now).filter(user=user).order_by("last_used_at", "created_at", "pk"))
    for oldest in active[: max(0, len(active) - MAX_ACTIVE_TOKENS + 1)]:
        _revoke(actor=actor, token=oldest, reason=TokenRevocation.LIMIT, now=now)

    key = KEY_START + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=(name or "").strip()[:100] or _("API token"),
        key_hash=key_hash(key),
        key_prefix=key[:KEY_PREFIX_LENGTH],
        role_fingerprint=role_fingerprint(user),
        created_at=now,
        expires_at=now + datetime.timedelta(days=settings.API_TOKEN_MAX_DAYS),
    )
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, instance=token, after=_audited_values(token))
    return token, key


@transaction.atomic
def api_token_revoke(*, actor: User, token_id: int, reason: str = TokenRevocation.OWNER) -> ApiToken:
    """Revoke one of `actor`'s own tokens (another user's id raises DoesNotExist, like a
    missing one); revoking a revoked token changes nothing."""
    token = ApiToken.objects.select_for_update().get(pk=token_id, user=actor)
    if token.revoked_at is None:
        _revoke(actor=actor, token=token, reason=reason, now=timezone.now())
    return token


@transaction.atomic
def api_tokens_revoke_all(*, user: User, reason: str, actor: User | None = None) -> int:
    """Revoke every token of `user` still working (a password change, "sign out every other
    session", the account deleted); returns how many. `actor`: who did it, None when the
    change did not come from a request (an administrator's changes are audited as theirs
    elsewhere)."""
    now = timezone.now()
    tokens = list(ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True))
    for token in tokens:
        _revoke(actor=actor, token=token, reason=reason, now=now)
    return len(tokens)


@transaction.atomic
def api_tokens_revoke_stale(*, user: User) -> int:
    """Revoke `user`'s tokens issued for another role than theirs now (their role, admin
    flags or site memberships changed): they stay revoked even if the role comes back."""
    fingerprint = role_fingerprint(user)
    tokens = list(
        ApiToken.objects.select_for_update()
        .filter(user=user, revoked_at__isnull=True)
        .exclude(role_fingerprint=fingerprint)
    )
    now = timezone.now()
    for token in tokens:
        _revoke(actor=None, token=token, reason=TokenRevocation.ROLE, now=now)
    return len(tokens)


def api_token_touch(*, token: ApiToken, now: datetime.datetime) -> None:
    """Record a use of `token`, at most once per TOUCH_EVERY (no write on most requests;
    not audited: nobody changed anything)."""
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
