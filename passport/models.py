"""Attestations and certificates a startup can show to outsiders (issue 22): a bank, a public
financing scheme or an export mission reads one on paper or as a PDF, scans its QR code or
types its code, and the portal's public verification page says what it states and whether
it still holds. Attestations (of a residency, a membership, a programme's participation) are
asked for by a founder; certificates (of a session attended, of a programme completed) are
issued by the portal once earned.

A credential is issued by a site (its `site`; none for the network's e-Technopark offer) to a
startup, and freezes what it states at issue: the startup's names and ICE, the dates and
the status of the residency, membership or participation. What happens later shows on the
verification page without changing the document: a residency that ended since, or a
revocation by the site (who, when, why: never deleted, audited)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from sites.models import Site
from startups.models import Admission, Startup

from . import codes


class CredentialKind(models.TextChoices):
    RESIDENCY = "residency", _("Attestation of residency")
    MEMBERSHIP = "membership", _("Attestation of e-Technopark membership")
    PROGRAMME = "programme", _("Attestation of participation in a programme")
    ATTENDANCE = "attendance", _("Certificate of attendance")
    COMPLETION = "completion", _("Certificate of completion")


# What a founder asks for; certificates are issued by the portal once earned (passport.certificates).
ATTESTATION_KINDS = [CredentialKind.RESIDENCY, CredentialKind.MEMBERSHIP, CredentialKind.PROGRAMME]
CERTIFICATE_KINDS = [CredentialKind.ATTENDANCE, CredentialKind.COMPLETION]


class Credential(models.Model):
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("site")
    )
    startup = models.ForeignKey(
        Startup, on_delete=models.PROTECT, related_name="credentials", verbose_name=_("startup")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=CredentialKind.choices)
    code = models.CharField(_("verification code"), max_length=codes.LENGTH, unique=True, default=codes.new_code)
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES)
    # What the document states, frozen at issue.
    startup_name = models.CharField(_("startup"), max_length=420)
    holder_name = models.CharField(
        _("participant"), max_length=150, blank=True, help_text=_("A certificate of attendance: who attended.")
    )
    startup_ice = models.CharField(_("ICE"), max_length=15, blank=True)
    starts_on = models.DateField(_("since"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    ongoing = models.BooleanField(_("ongoing at issue"))
    admission = models.ForeignKey(
        Admission, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("admission")
    )
    programme = models.ForeignKey(
        "services.Programme",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("programme"),
    )
    registration = models.ForeignKey(
        "services.Registration",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registration"),
    )
    issued_at = models.DateTimeField(_("issued"), auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoke_reason = models.TextField(_("reason for revoking"), blank=True)

    objects = ScopedManager(site="site")

    class Meta:
        verbose_name = _("attestation")
        verbose_name_plural = _("attestations")
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    kind__in=["residency", "membership"],
                    admission__isnull=False,
                    programme__isnull=True,
                    registration__isnull=True,
                )
                | Q(kind__in=["programme", "completion"], programme__isnull=False, admission__isnull=True)
                & Q(registration__isnull=True)
                | Q(kind="attendance", registration__isnull=False, admission__isnull=True, programme__isnull=True),
                name="credential_states_its_subject",
            ),
            # A certificate is earned once: one per attendance, one per startup and programme completed.
            models.UniqueConstraint(
                fields=["registration"], condition=Q(kind="attendance"), name="one_certificate_per_attendance"
            ),
            models.UniqueConstraint(
                fields=["startup", "programme"], condition=Q(kind="completion"), name="one_completion_per_programme"
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | ~Q(revoke_reason=""), name="credential_revoked_with_a_reason"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="credential_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["startup", "-issued_at"]), models.Index(fields=["site", "-issued_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.startup_name} · {codes.grouped(self.code)}"

    @property
    def grouped_code(self) -> str:
        return codes.grouped(self.code)

    @property
    def is_certificate(self) -> bool:
        return self.kind in CERTIFICATE_KINDS
