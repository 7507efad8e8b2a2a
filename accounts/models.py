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


class UserQuerySet(models.QuerySet):
    def update(self, **kwargs):
        """An update sends no `post_save`: the identities of the users it changes, cached
        with their sessions (accounts.identity), are made stale here instead."""
        from .identity import identity_changed

        if not settings.IDENTITY_CACHE_SECONDS:
            return super().update(**kwargs)
        changed = list(self.values_list("pk", flat=True))
        count = super().update(**kwargs)
        identity_changed(*changed)
        return count


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
