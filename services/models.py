"""The support offer: services in four dimensions, their sessions with seats and a
waitlist, registrations (startup members or, for public events, anyone), programmes run
with partners, and partner incubators.

Site-owned rows (services, sessions, registrations, programmes) carry `site`; it is empty
for the network's e-Technopark offer, open to every admitted startup. Incubators are a
tenant of their own: incubator-owned rows carry `incubator` and are scoped on it.
"""

import datetime
import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_scopes import ScopedManager

from core.multilingual import DefaultLanguageColumn, TranslatedQuerySet
from sites.models import Incubator, Language, Partner, Site
from startups.models import Startup


def _token() -> str:
    return secrets.token_urlsafe(24)


class Dimension(models.TextChoices):
    FINANCING = "financing", _("Access to financing")
    MARKET = "market", _("Access to market")
    NETWORKING = "networking", _("Networking")
    SKILLS = "skills", _("Access to skills")


class ServiceType(models.TextChoices):
    TRAINING = "training", _("Training")
    SEMINAR = "seminar", _("Seminar")
    COACHING = "coaching", _("Coaching")
    CLINIC = "clinic", _("Clinic")
    INVESTOR_MEETING = "investor_meeting", _("Investor meeting")
    DEMO_DAY = "demo_day", _("Demo day")
    CONFERENCE = "conference", _("Conference")
    IMMERSION_DAY = "immersion_day", _("Immersion day")
    WORKSHOP = "workshop", _("Workshop")


class ProviderKind(models.TextChoices):
    SITE_TEAM = "site_team", _("Site team")
    PARTNER = "partner", _("Partner organisation")
    EXPERT = "expert", _("Expert")


class Format(models.TextChoices):
    ON_SITE = "on_site", _("On site")
    REMOTE = "remote", _("Remote")
    HYBRID = "hybrid", _("Hybrid")
    LIVE_STREAM = "live_stream", _("Live stream")


class Eligibility(models.TextChoices):
    SITE_RESIDENTS = "site_residents", _("Residents of the site")
    ADMITTED = "admitted", _("Any admitted startup")
    PUBLIC = "public", _("Open to the public")


class IncubatedStartupQuerySet(models.QuerySet):
    def current(self) -> "IncubatedStartupQuerySet":
        """Incubations still running (no end date)."""
        return self.filter(until__isnull=True)


class IncubatedStartup(models.Model):
    incubator = models.ForeignKey(Incubator, on_delete=models.CASCADE, related_name="incubated")
    startup = models.ForeignKey(Startup, on_delete=models.CASCADE, related_name="incubations")
    since = models.DateField(_("incubated since"))
    until = models.DateField(_("until"), null=True, blank=True)

    objects = ScopedManager(
        incubator="incubator", _manager_class=models.Manager.from_queryset(IncubatedStartupQuerySet)
    )

    class Meta:
        verbose_name = _("incubated startup")
        verbose_name_plural = _("incubated startups")
        ordering = ["-since"]
        constraints = [models.UniqueConstraint(fields=["incubator", "startup", "since"], name="one_incubation_start")]

    def __str__(self):
        return f"{self.startup} @ {self.incubator}"


class OwnedQuerySet(TranslatedQuerySet):
    """Rows owned by one site or, without a site, by the network (its e-Technopark offer)."""

    def owned_by(self, site) -> "OwnedQuerySet":
        """`site`'s rows (a site or its id), or the network's (site NULL) when `site` is None.
        The scope already hides other sites' rows: this also keeps the network's rows out of
        a site's pages, and the sites' out of head office's network pages."""
        return self.filter(site__isnull=True) if site is None else self.filter(site=site)


OwnedManager = models.Manager.from_queryset(OwnedQuerySet)


class Service(DefaultLanguageColumn):
    """A support service of the catalogue, owned by one site or (no site) by the network.
    Title, summary and description are in French, Arabic and English (services/translation.py)."""

    site = models.ForeignKey(
        Site,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="services",
        verbose_name=_("site"),
        help_text=_("Empty for the network's e-Technopark services."),
    )
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    dimension = models.CharField(_("support dimension"), max_length=12, choices=Dimension.choices)
    service_type = models.CharField(_("type"), max_length=20, choices=ServiceType.choices)
    provider_kind = models.CharField(_("provider"), max_length=12, choices=ProviderKind.choices)
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, null=True, blank=True, related_name="services", verbose_name=_("partner")
    )
    expert_name = models.CharField(_("expert"), max_length=150, blank=True)
    format = models.CharField(_("format"), max_length=12, choices=Format.choices)
    eligibility = models.CharField(_("open to"), max_length=15, choices=Eligibility.choices)
    languages = models.ManyToManyField(Language, related_name="services", verbose_name=_("languages"))
    is_published = models.BooleanField(_("published"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(site="site", _manager_class=OwnedManager)

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(site__isnull=False) | ~Q(eligibility="site_residents"),
                name="network_services_are_not_for_one_sites_residents",
            ),
            models.CheckConstraint(
                condition=~Q(provider_kind="partner") | Q(partner__isnull=False), name="partner_services_name_it"
            ),
        ]
        indexes = [models.Index(fields=["dimension", "is_published"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("services:detail", kwargs={"pk": self.pk})


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    CANCELLED = "cancelled", _("Cancelled")
    HELD = "held", _("Held")


class ServiceSessionQuerySet(OwnedQuerySet):
    def scheduled(self) -> "ServiceSessionQuerySet":
        """Neither cancelled nor held yet."""
        return self.filter(status=SessionStatus.SCHEDULED)

    def upcoming(self, now: datetime.datetime) -> "ServiceSessionQuerySet":
        """Scheduled sessions not over at `now`."""
        return self.scheduled().filter(ends_at__gte=now)


class ServiceSession(DefaultLanguageColumn):
    """A date of a service. Its place is in French, Arabic and English (services/translation.py)."""

    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("service"))
    site = models.ForeignKey(Site, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    location = models.CharField(_("place"), max_length=255, blank=True)
    join_url = models.URLField(
        _("join or stream link"), blank=True, help_text=_("Shown to confirmed participants only.")
    )
    seats = models.PositiveIntegerField(pgettext_lazy("session", "seats"), validators=[MinValueValidator(1)])
    registration_deadline = models.DateTimeField(_("registration deadline"))
    status = models.CharField(
        _("status"), max_length=10, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED
    )
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)

    objects = ScopedManager(site="site", _manager_class=models.Manager.from_queryset(ServiceSessionQuerySet))

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start"),
            models.CheckConstraint(
                condition=Q(registration_deadline__lte=models.F("ends_at")), name="deadline_before_the_end"
            ),
        ]
        indexes = [models.Index(fields=["site", "starts_at"])]

    def __str__(self):
        return f"{self.service} · {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"

    def is_open_for_registration(self, now=None) -> bool:
        now = now or timezone.now()
        return self.status == SessionStatus.SCHEDULED and now <= self.registration_deadline


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    WAITLISTED = "waitlisted", _("Waitlisted")
    CANCELLED = "cancelled", _("Cancelled")


class Attendance(models.TextChoices):
    UNKNOWN = "", _("Not taken")
    PRESENT = "present", _("Present")
    NO_SHOW = "no_show", _("No-show")


class RegistrationQuerySet(OwnedQuerySet):
    def live(self) -> "RegistrationQuerySet":
        """Not cancelled: a seat, or a place on the waitlist."""
        return self.exclude(status=RegistrationStatus.CANCELLED)


class Registration(models.Model):
    """A seat (or a place on the waitlist) at a session: a startup member's, or for public
    events anyone's, identified by name and email."""

    session = models.ForeignKey(ServiceSession, on_delete=models.CASCADE, related_name="registrations")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="registrations"
    )
    startup = models.ForeignKey(Startup, on_delete=models.SET_NULL, null=True, blank=True, related_name="registrations")
    name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("email address"))
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    language = models.CharField(max_length=5, default=settings.LANGUAGE_CODE)
    status = models.CharField(_("status"), max_length=10, choices=RegistrationStatus.choices)
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    # Waitlist order: the time the entry joined the waitlist (then its id).
    waitlisted_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    token = models.CharField(max_length=64, unique=True, default=_token, editable=False)
    attendance = models.CharField(_("attendance"), max_length=10, choices=Attendance.choices, blank=True, default="")
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(
        _("rating"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(site="site", _manager_class=models.Manager.from_queryset(RegistrationQuerySet))

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "email"], condition=~Q(status="cancelled"), name="one_live_registration_per_email"
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5), name="rating_from_1_to_5"
            ),
        ]
        indexes = [
            models.Index(fields=["session", "status", "waitlisted_at"]),
            # The dashboards' activity: confirmed registrations of a period's sessions, by
            # attendance (and sector), read from the index alone (reports.activity).
            models.Index(
                fields=["session"],
                include=["attendance", "startup", "id"],
                condition=Q(status="confirmed"),
                name="registration_activity_idx",
            ),
            # The dashboards' ratings: the rated seats of a period's sessions, read from the
            # index alone (reports.satisfaction).
            models.Index(
                fields=["session"],
                include=["rating"],
                condition=Q(status="confirmed", rating__isnull=False),
                name="registration_rated_idx",
            ),
        ]

    def __str__(self):
        return f"{self.name} · {self.session}"


class Programme(DefaultLanguageColumn):
    """Services grouped over dates for a cohort of admitted startups, with partners. Title
    and description are in French, Arabic and English (services/translation.py)."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, null=True, blank=True, related_name="programmes")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    starts_on = models.DateField(_("start"))
    ends_on = models.DateField(_("end"))
    partners = models.ManyToManyField(Partner, blank=True, related_name="programmes", verbose_name=_("partners"))
    incubators = models.ManyToManyField(
        Incubator, blank=True, related_name="programmes", verbose_name=_("partner incubators")
    )
    services = models.ManyToManyField(Service, blank=True, related_name="programmes", verbose_name=_("services"))

    objects = ScopedManager(site="site", _manager_class=OwnedManager)

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["-starts_on", "title"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="programme_ends_after_start")
        ]

    def __str__(self):
        return self.title


class ProgrammeParticipant(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="participants")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    startup = models.ForeignKey(Startup, on_delete=models.CASCADE, related_name="programmes")
    joined_on = models.DateField(_("joined"), default=timezone.localdate)

    objects = ScopedManager(site="site")

    class Meta:
        verbose_name = _("programme participant")
        verbose_name_plural = _("programme participants")
        constraints = [models.UniqueConstraint(fields=["programme", "startup"], name="one_place_per_programme")]

    def __str__(self):
        return f"{self.startup} · {self.programme}"
