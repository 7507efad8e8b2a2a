import datetime
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def _calendar_token() -> str:
    return secrets.token_urlsafe(32)


class Role(models.TextChoices):
    """A user's main role: decides the landing page and the navigation.

    What a site manager may touch is decided by their site memberships, not by this field.
    """

    FOUNDER = "founder", _("Founder / startup member")
    MENTOR = "mentor", _("Mentor / expert")
    SITE_MANAGER = "site_manager", _("Site manager")
    HEAD_OFFICE = "head_office", _("Head-office staff")
    PARTNER = "partner", _("Partner / incubator manager")


# The auth group that gives head office its rights in the Django admin (created with its
# permissions by migration accounts.0005): it holds exactly the active head-office accounts
# (User.save and accounts.signals keep it so).
HEAD_OFFICE_GROUP = "Head office"


class UserQuerySet(models.QuerySet):
    """Users' queries. Nothing about a user is cached: every request reads their row."""


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True, role=Role.HEAD_OFFICE)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person signing in with an email address (no username)."""

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.FOUNDER)
    language = models.CharField(
        _("preferred language"), max_length=5, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    is_staff = models.BooleanField(
        _("admin access"), default=False, help_text=_("May sign in to the technical administration.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # The secret in the URL of the user's personal calendar feed (sessions, mentor bookings).
    calendar_token = models.CharField(max_length=64, unique=True, default=_calendar_token, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]

    def __str__(self):
        return self.full_name or self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def save(self, *args, **kwargs):
        # Head office works in the Django admin (the outbox, the audit trail): it needs
        # admin access; anyone else keeps what they were given.
        if self.is_head_office and not self.is_staff:
            self.is_staff = True
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "is_staff"}
        super().save(*args, **kwargs)

    def get_full_name(self):
        return self.full_name or self.email

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def is_head_office(self) -> bool:
        return self.is_active and self.role == Role.HEAD_OFFICE


class UserSession(models.Model):
    """One signed-in browser session of a user, so that they can see it and sign it out.

    Kept beside the session store (database, cache or both: whatever SESSION_ENGINE is),
    never read from it: the store cannot be listed on every engine. The row's id is also
    written into the session; a session whose row is gone is signed out on its next request
    (see accounts.sessions). Personal data is kept small: the address is cut to its network
    (/24 or /48) and the browser's description is truncated."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="browser_sessions", verbose_name=_("user")
    )
    session_key = models.CharField(max_length=40, unique=True, editable=False)
    created_at = models.DateTimeField(_("signed in at"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("last activity"), default=timezone.now)
    ip = models.CharField(_("approximate address"), max_length=49, blank=True)
    user_agent = models.CharField(_("browser"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("signed-in session")
        verbose_name_plural = _("signed-in sessions")
        ordering = ["-last_seen_at", "-pk"]
        indexes = [models.Index(fields=["user", "-last_seen_at"])]

    def __str__(self):
        # Never the session key: it is as good as a password.
        return f"{self.user_id} · {self.ip or '?'} · {self.created_at:%Y-%m-%d %H:%M}"


class TokenRevocation(models.TextChoices):
    """Why an API token stopped working before it expired."""

    OWNER = "owner", _("Revoked by its owner")
    PASSWORD = "password", _("Password changed")
    SIGNED_OUT = "signed_out", _("Signed out everywhere")
    ROLE = "role", _("Role or site membership changed")
    LIMIT = "limit", _("Replaced by a newer token")
    ADMIN = "admin", _("Revoked by an administrator")


class ApiTokenQuerySet(models.QuerySet):
    def active(self, *, now=None):
        """Tokens that are neither revoked nor expired (idle or absolute, with today's
        API_TOKEN_IDLE_DAYS and API_TOKEN_MAX_DAYS), whatever the user's role now."""
        now = now or timezone.now()
        idle_since = now - datetime.timedelta(days=settings.API_TOKEN_IDLE_DAYS)
        return self.filter(
            models.Q(last_used_at__gt=idle_since) | models.Q(last_used_at__isnull=True, created_at__gt=idle_since),
            revoked_at__isnull=True,
            expires_at__gt=now,
            created_at__gt=now - datetime.timedelta(days=settings.API_TOKEN_MAX_DAYS),
        )


class ApiToken(models.Model):
    """A key for `Authorization: Token <key>` (accounts.authentication).

    Only a SHA-256 of the key is stored (the key has 256 random bits: no salt or slow hash
    is needed, and the hash is the lookup); the key itself is shown once, when it is
    created. `role_fingerprint` is a hash of what the user could do when it was issued
    (role, admin flags, site memberships and their roles): a token stops working as soon as
    it no longer matches (accounts.selectors.role_fingerprint)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The first characters of the key, so that its owner can tell their tokens apart.
    key_prefix = models.CharField(_("starts with"), max_length=12, editable=False)
    role_fingerprint = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_reason = models.CharField(_("why revoked"), max_length=20, choices=TokenRevocation.choices, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self):
        # Never the key, nor its hash.
        return f"{self.name} ({self.key_prefix}…)"

    def idle_expiry(self) -> datetime.datetime:
        return (self.last_used_at or self.created_at) + datetime.timedelta(days=settings.API_TOKEN_IDLE_DAYS)

    def absolute_expiry(self) -> datetime.datetime:
        return min(self.expires_at, self.created_at + datetime.timedelta(days=settings.API_TOKEN_MAX_DAYS))

    def expiry(self) -> datetime.datetime:
        """When it stops working unless used (or revoked) before."""
        return min(self.idle_expiry(), self.absolute_expiry())

    def is_expired(self, *, now=None) -> bool:
        return (now or timezone.now()) >= self.expiry()
