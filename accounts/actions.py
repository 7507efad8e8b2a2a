"""Writes of the accounts app: API tokens (accounts.ApiToken, checked by
accounts.authentication; every change is audited, the key and its hash never are), the
profile and language preference, signing out signed-in sessions (accounts.sessions keeps
their rows), and the deletion of an account (accounts.privacy)."""

import datetime
import hashlib
import secrets
from importlib import import_module

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record, instance_values
from core.emails import email_render, email_send_on_commit
from core.models import AuditEntry
from sites.models import IncubatorMembership, SiteMembership
from sites.scoping import network_scope

from .extensions import PERSONAL_DATA
from .models import ApiToken, TokenRevocation, User, UserSession, _calendar_token
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


# --- Profile ------------------------------------------------------------------------------
@transaction.atomic
def profile_update(*, user: User, full_name: str | None = None, language: str | None = None) -> User:
    """The user's own name and preferred language (the language of their emails and of the
    interface when their browser has no choice yet); audited. `None` keeps a value."""
    before = {"full_name": user.full_name, "language": user.language}
    if full_name is not None:
        user.full_name = full_name
    if language is not None:
        if language not in dict(settings.LANGUAGES):
            raise ValueError(f"unknown language {language!r}")
        user.language = language
    after = {"full_name": user.full_name, "language": user.language}
    if after != before:
        user.save(update_fields=[name for name in after if after[name] != before[name]])
        audit_record(actor=user, action=AuditEntry.Action.UPDATE, instance=user, before=before, after=after)
    return user


# --- Signed-in sessions (accounts.sessions) -----------------------------------------------
def _sessions_delete_from_store(keys: list[str]) -> None:
    """Delete these sessions from the store, whatever SESSION_ENGINE is (once committed)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    for key in keys:
        store(key).delete()


def _session_row_revoke(*, actor, row: UserSession) -> None:
    before = instance_values(row)
    before.pop("session_key")  # a bearer secret: never in the audit trail
    audit_record(actor=actor, action=AuditEntry.Action.DELETE, instance=row, before=before, after={})
    key = row.session_key
    row.delete()
    # After the commit: a rolled-back revocation must not sign anybody out.
    transaction.on_commit(lambda: _sessions_delete_from_store([key]))


@transaction.atomic
def session_revoke(*, actor, session_id: int) -> None:
    """Sign out one of `actor`'s own sessions; another user's id raises DoesNotExist."""
    row = UserSession.objects.select_for_update().get(pk=session_id, user=actor)
    _session_row_revoke(actor=actor, row=row)


@transaction.atomic
def session_revoke_others(*, actor, current_id: int | None) -> int:
    """Sign out every session of `actor` but the current one, and revoke all their API
    tokens (a token is as good as a session); returns how many sessions."""
    rows = list(UserSession.objects.select_for_update().filter(user=actor).exclude(pk=current_id))
    for row in rows:
        _session_row_revoke(actor=actor, row=row)
    api_tokens_revoke_all(user=actor, actor=actor, reason=TokenRevocation.SIGNED_OUT)
    return len(rows)


# --- Account deletion (law 09-08): anonymised, not deleted (accounts.privacy) ---------------
def anonymised_email(user: User) -> str:
    return f"deleted-{user.pk}@deleted.invalid"


def _sessions_end(user: User) -> None:
    """Sign the user out everywhere: delete their tracked sessions (accounts.sessions) and,
    once committed, the stored sessions. Untracked sessions are dead anyway: the password
    hash they were signed in with has changed and the account is inactive, so Django
    refuses them on their next request."""
    rows = UserSession.objects.filter(user=user)
    keys = list(rows.values_list("session_key", flat=True))
    rows.delete()
    transaction.on_commit(lambda: _sessions_delete_from_store(keys))


@transaction.atomic
def account_anonymise(*, actor, user: User) -> User:
    """Delete `user`'s account by anonymising it. Emails the old address first (sent once
    the transaction commits). Cancels what they would have attended, through the apps'
    own actions so that the others are told and seats and slots are freed (each app's
    `cancel_upcoming`, before any membership goes); past rows are not touched. Keeps every
    row the startups' history and the KPIs count (each app's `anonymise`). A Conflict (a
    seat or an agenda being booked right now) undoes it all: the person tries again."""
    user = User.objects.select_for_update().get(pk=user.pk)
    with network_scope():  # the user's own rows on every site, filtered by user
        for part in PERSONAL_DATA:
            if part.cancel_upcoming is not None:
                part.cancel_upcoming(user)
    subject, body = email_render(
        template="accounts/email/account_deleted",
        context={"name": user.get_full_name(), "when": timezone.localtime()},
        language=user.language,
    )
    email_send_on_commit(to=[user.email], subject=subject, body=body)

    new_email = anonymised_email(user)
    user.email = new_email
    user.full_name = ""
    user.set_unusable_password()
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.calendar_token = _calendar_token()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()

    ApiToken.objects.filter(user=user).delete()
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    with network_scope():  # the user's own rows on every site, filtered by user
        # No longer a member of any site or incubator (nor, below, of any team).
        SiteMembership.objects.filter(user=user).delete()
        IncubatorMembership.objects.filter(user=user).delete()
        for part in PERSONAL_DATA:
            if part.anonymise is not None:
                part.anonymise(user, new_email)
        AuditEntry.objects.filter(actor=user).update(actor_email=new_email)
        AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)).update(
            object_repr=new_email, changes={}
        )

        # No personal data in the entry: the anonymised address and what happened.
        audit_record(
            actor=actor if actor.pk != user.pk else user,
            action=AuditEntry.Action.UPDATE,
            instance=user,
            before={"account": "active"},
            after={"account": "anonymised"},
        )
    _sessions_end(user)
    return user
