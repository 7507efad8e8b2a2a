"""A startup's profile and its team: members and the invitations to join it.

A startup is not site-owned: it keeps one record across e-Technopark → residency → another
site → alumni.
"""

import datetime
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.validators import ice_validator, phone_validator, validate_logo
from sites.models import Sector


class LegalForm(models.TextChoices):
    SARL = "sarl", _("SARL")
    SARL_AU = "sarl_au", _("SARL AU (single shareholder)")
    SA = "sa", _("SA")
    SAS = "sas", _("SAS")
    AUTO_ENTREPRENEUR = "auto", _("Auto-entrepreneur")
    OTHER = "other", _("Other")


class Stage(models.TextChoices):
    IDEA = "idea", _("Idea")
    PROTOTYPE = "prototype", _("Prototype / MVP")
    EARLY_REVENUE = "early_revenue", _("First revenue")
    GROWTH = "growth", _("Growth")
    SCALE = "scale", _("Scale-up")


class Startup(models.Model):
    legal_name = models.CharField(_("legal name"), max_length=200)
    brand_name = models.CharField(_("brand name"), max_length=200, blank=True)
    ice = models.CharField(
        _("ICE"),
        max_length=15,
        unique=True,
        null=True,
        blank=True,
        validators=[ice_validator],
        help_text=_("Common Company Identifier: 15 digits."),
    )
    rc_number = models.CharField(_("trade register (RC) number"), max_length=40, blank=True)
    legal_form = models.CharField(_("legal form"), max_length=10, choices=LegalForm.choices, blank=True)
    founded_on = models.DateField(_("founding date"), null=True, blank=True)
    closed_on = models.DateField(_("closing date"), null=True, blank=True)
    sectors = models.ManyToManyField(Sector, blank=True, related_name="startups", verbose_name=_("sectors"))
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, blank=True)
    description = models.TextField(_("description"), blank=True)
    website = models.URLField(_("website"), blank=True)
    logo = models.ImageField(_("logo"), upload_to="startups/logos/", blank=True, validators=[validate_logo])
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=13, blank=True, validators=[phone_validator])
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("startup")
        verbose_name_plural = _("startups")
        ordering = ["legal_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True)
                | Q(founded_on__isnull=True)
                | Q(closed_on__gte=models.F("founded_on")),
                name="startup_closed_after_founded",
            )
        ]
        indexes = [models.Index(fields=["legal_name", "founded_on"])]

    def __str__(self):
        return self.brand_name or self.legal_name

    def get_absolute_url(self):
        return reverse("startups:detail", kwargs={"pk": self.pk})

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.closed_on and self.founded_on and self.closed_on < self.founded_on:
            raise ValidationError({"closed_on": _("A startup cannot close before it was founded.")})
        if self.founded_on and self.founded_on > timezone.localdate():
            raise ValidationError({"founded_on": _("The founding date cannot be in the future.")})


class TeamRole(models.TextChoices):
    FOUNDER = "founder", _("Founder")
    MEMBER = "member", _("Team member")


class StartupMember(models.Model):
    """A user in a startup's team. Founders edit the startup; members see it."""

    startup = models.ForeignKey(Startup, on_delete=models.CASCADE, related_name="members", verbose_name=_("startup"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="startup_memberships", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=10, choices=TeamRole.choices, default=TeamRole.MEMBER)
    joined_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        constraints = [models.UniqueConstraint(fields=["startup", "user"], name="one_team_role_per_user")]

    def __str__(self):
        return f"{self.user} ({self.get_role_display()}) @ {self.startup}"


def _invitation_token() -> str:
    return secrets.token_urlsafe(32)


class StartupInvitation(models.Model):
    """An emailed invitation to join a startup's team; accepted by signing in with that address."""

    startup = models.ForeignKey(
        Startup, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("startup")
    )
    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=10, choices=TeamRole.choices, default=TeamRole.MEMBER)
    token = models.CharField(max_length=64, unique=True, default=_invitation_token, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)

    VALID_FOR = datetime.timedelta(days=14)

    class Meta:
        verbose_name = _("team invitation")
        verbose_name_plural = _("team invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["startup", "email"], condition=Q(accepted_at__isnull=True), name="one_open_invitation_per_email"
            )
        ]

    def __str__(self):
        return f"{self.email} → {self.startup}"

    @property
    def is_expired(self) -> bool:
        return timezone.now() > self.created_at + self.VALID_FOR
