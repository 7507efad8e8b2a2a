"""Startups and their journey through the network: calls, applications, committee review,
admissions (residency or e-Technopark membership), offices and yearly declarations.

A startup is not site-owned: it keeps one record across e-Technopark → residency → another
site → alumni. What a site sees of it goes through its admissions and applications, which
are site-owned (scoped). Declarations belong to the startup.
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
from django_countries.fields import CountryField
from django_scopes import ScopedManager

from core.validators import ice_validator, phone_validator, validate_logo, validate_pdf
from sites.models import Sector, Site, TranslatedName

from .countries import includes_africa


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


class AdmissionKind(models.TextChoices):
    RESIDENT = "resident", _("Resident")
    ETECHNOPARK = "e-technopark", _("e-Technopark member")


class Call(models.Model):
    """A call for applications: one site's (residency or e-Technopark follow-up) or, with
    no site, the network's e-Technopark call, reviewed by the applicant's home site."""

    site = models.ForeignKey(
        Site,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="calls",
        verbose_name=_("site"),
        help_text=_("Empty for a network-wide e-Technopark call."),
    )
    kind = models.CharField(_("admission offered"), max_length=15, choices=AdmissionKind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    target_sectors = models.ManyToManyField(Sector, blank=True, related_name="calls", verbose_name=_("target sectors"))
    questions = models.JSONField(
        _("questions"), default=list, blank=True, help_text=_("Questions every applicant answers, one per line.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(site="site")

    class Meta:
        verbose_name = _("call for applications")
        verbose_name_plural = _("calls for applications")
        ordering = ["-opens_on", "title"]
        constraints = [
            models.CheckConstraint(condition=Q(closes_on__gte=models.F("opens_on")), name="call_closes_after_opening"),
            models.CheckConstraint(
                condition=Q(site__isnull=False) | Q(kind="e-technopark"), name="network_calls_are_etechnopark"
            ),
        ]

    def __str__(self):
        return self.title

    def is_open(self, on: datetime.date | None = None) -> bool:
        on = on or timezone.localdate()
        return self.opens_on <= on <= self.closes_on


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    UNDER_REVIEW = "under_review", _("Under review")
    WAITLISTED = "waitlisted", _("Waitlisted")
    ADMITTED = "admitted", _("Admitted")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Decision(models.TextChoices):
    ADMIT_RESIDENT = "admit_resident", _("Admit as resident")
    ADMIT_ETECHNOPARK = "admit_etechnopark", _("Admit as e-Technopark member")
    WAITLIST = "waitlist", _("Waitlist")
    REJECT = "reject", _("Reject")


OPEN_STATUSES = (ApplicationStatus.SUBMITTED, ApplicationStatus.UNDER_REVIEW, ApplicationStatus.WAITLISTED)


class Application(models.Model):
    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="applications", verbose_name=_("call"))
    # The reviewing site: the call's site, or the applicant's home site for a network call.
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="applications", verbose_name=_("site"))
    startup = models.ForeignKey(
        Startup, on_delete=models.PROTECT, related_name="applications", verbose_name=_("startup")
    )
    status = models.CharField(
        _("status"), max_length=15, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT
    )
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    pitch_deck = models.FileField(
        _("pitch deck (PDF)"), upload_to="applications/pitch-decks/", blank=True, validators=[validate_pdf]
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision = models.CharField(_("decision"), max_length=20, choices=Decision.choices, blank=True)
    decision_reason = models.TextField(_("reason"), blank=True)

    objects = ScopedManager(site="site")

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-submitted_at", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["call", "startup"],
                condition=~Q(status="withdrawn"),
                name="one_live_application_per_call_and_startup",
            )
        ]
        indexes = [models.Index(fields=["site", "status"])]

    def __str__(self):
        return f"{self.startup} → {self.call}"


class ApplicationEvent(models.Model):
    """Every status change of an application: who, when, from what to what, and why."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    from_status = models.CharField(max_length=15, choices=ApplicationStatus.choices, blank=True)
    to_status = models.CharField(max_length=15, choices=ApplicationStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(site="site")

    class Meta:
        verbose_name = _("application status change")
        verbose_name_plural = _("application status changes")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.application}: {self.from_status or '∅'} → {self.to_status}"


class Criterion(TranslatedName):
    """A committee scoring criterion (team, innovation, market, fit with the vocation…)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    weight = models.PositiveSmallIntegerField(_("weight"), default=1, validators=[MinValueValidator(1)])
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("review criterion")
        verbose_name_plural = _("review criteria")
        ordering = ["position", "code"]


class Review(models.Model):
    """One reviewer's assignment to an application, then their scores."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="reviews")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews")
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)
    comment = models.TextField(_("overall comment"), blank=True)
    submitted_at = models.DateTimeField(_("scored"), null=True, blank=True)

    objects = ScopedManager(site="site")

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [models.UniqueConstraint(fields=["application", "reviewer"], name="one_review_per_reviewer")]

    def __str__(self):
        return f"{self.reviewer} · {self.application}"


class Score(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    value = models.PositiveSmallIntegerField(_("score"), validators=[MinValueValidator(0), MaxValueValidator(5)])
    comment = models.TextField(_("comment"), blank=True)

    objects = ScopedManager(site="site")

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="one_score_per_criterion"),
            models.CheckConstraint(condition=Q(value__lte=5), name="score_at_most_5"),
        ]

    def __str__(self):
        return f"{self.criterion}: {self.value}"


class ExitReason(models.TextChoices):
    GRADUATED = "graduated", _("Graduated")
    CLOSED = "closed", _("Closed")
    RELOCATED = "relocated", _("Relocated")
    MOVED_SITE = "moved_site", _("Moved to another site")
    ACQUIRED = "acquired", _("Acquired")


class Admission(models.Model):
    """A startup's residency or e-Technopark membership at one site, from start to exit."""

    startup = models.ForeignKey(Startup, on_delete=models.PROTECT, related_name="admissions", verbose_name=_("startup"))
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="admissions", verbose_name=_("site"))
    kind = models.CharField(_("kind"), max_length=15, choices=AdmissionKind.choices)
    application = models.OneToOneField(
        Application, on_delete=models.SET_NULL, null=True, blank=True, related_name="admission"
    )
    starts_on = models.DateField(_("start"))
    planned_end_on = models.DateField(_("planned end"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    exit_reason = models.CharField(_("exit reason"), max_length=15, choices=ExitReason.choices, blank=True)
    exit_note = models.TextField(_("exit note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(site="site")

    class Meta:
        verbose_name = _("admission")
        verbose_name_plural = _("admissions")
        ordering = ["-starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("starts_on")),
                name="admission_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | ~Q(exit_reason=""), name="admission_exit_has_a_reason"
            ),
            # One open admission of a kind per startup and site at a time.
            models.UniqueConstraint(
                fields=["startup", "site", "kind"], condition=Q(ended_on__isnull=True), name="one_open_admission"
            ),
        ]
        indexes = [models.Index(fields=["site", "kind", "starts_on"]), models.Index(fields=["planned_end_on"])]

    def __str__(self):
        return f"{self.startup} · {self.site.slug} · {self.get_kind_display()}"

    def is_active(self, on: datetime.date | None = None) -> bool:
        on = on or timezone.localdate()
        return self.starts_on <= on and (self.ended_on is None or self.ended_on > on)


class Renewal(models.Model):
    admission = models.ForeignKey(Admission, on_delete=models.CASCADE, related_name="renewals")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    previous_end_on = models.DateField(_("previous planned end"), null=True)
    new_end_on = models.DateField(_("new planned end"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(site="site")

    class Meta:
        verbose_name = _("renewal")
        verbose_name_plural = _("renewals")
        ordering = ["created_at"]

    def __str__(self):
        return f"{self.admission}: {self.previous_end_on} → {self.new_end_on}"


class Office(models.Model):
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="offices", verbose_name=_("site"))
    number = models.CharField(_("number"), max_length=20)
    floor = models.SmallIntegerField(_("floor"), default=0)
    area_m2 = models.DecimalField(_("area (m²)"), max_digits=7, decimal_places=2, validators=[MinValueValidator(1)])
    seats = models.PositiveSmallIntegerField(_("seats"), validators=[MinValueValidator(1)])
    monthly_rent_mad = models.DecimalField(
        _("monthly rent (MAD)"), max_digits=10, decimal_places=2, validators=[MinValueValidator(0)]
    )
    is_active = models.BooleanField(_("in service"), default=True)

    objects = ScopedManager(site="site")

    class Meta:
        verbose_name = _("office")
        verbose_name_plural = _("offices")
        ordering = ["floor", "number"]
        constraints = [models.UniqueConstraint(fields=["site", "number"], name="office_number_unique_per_site")]

    def __str__(self):
        return f"{self.number} ({self.area_m2} m²)"


class OfficeAllocation(models.Model):
    """An office given to a residency from `starts_on` until `ends_on` (excluded; open-ended
    when empty). On PostgreSQL an exclusion constraint (migration 0002) forbids two
    overlapping allocations of one office; `actions.office_allocate` also locks the office."""

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="allocations", verbose_name=_("office"))
    admission = models.ForeignKey(
        Admission, on_delete=models.PROTECT, related_name="allocations", verbose_name=_("residency")
    )
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until (excluded)"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(site="site")

    class Meta:
        verbose_name = _("office allocation")
        verbose_name_plural = _("office allocations")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gt=models.F("starts_on")),
                name="allocation_ends_after_start",
            )
        ]

    def __str__(self):
        return f"{self.office} → {self.admission.startup}"


class Declaration(models.Model):
    """A startup's figures for one fiscal year: the source of the jobs, revenue and export KPIs."""

    startup = models.ForeignKey(
        Startup, on_delete=models.CASCADE, related_name="declarations", verbose_name=_("startup")
    )
    fiscal_year = models.PositiveSmallIntegerField(
        _("fiscal year"), validators=[MinValueValidator(1990), MaxValueValidator(2100)]
    )
    direct_jobs = models.PositiveIntegerField(_("direct jobs"), default=0)
    indirect_jobs = models.PositiveIntegerField(_("indirect jobs"), default=0)
    revenue_mad = models.DecimalField(
        _("revenue (MAD)"), max_digits=14, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    export_revenue_mad = models.DecimalField(
        _("export revenue (MAD)"), max_digits=14, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    export_countries = CountryField(_("export destinations"), multiple=True, blank=True)
    exports_to_africa = models.BooleanField(_("exports to Africa"), default=False, editable=False)
    funds_raised_mad = models.DecimalField(
        _("funds raised (MAD)"), max_digits=14, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    declared_at = models.DateTimeField(_("declared"), auto_now=True)

    class Meta:
        verbose_name = _("yearly declaration")
        verbose_name_plural = _("yearly declarations")
        ordering = ["-fiscal_year"]
        constraints = [
            models.UniqueConstraint(fields=["startup", "fiscal_year"], name="one_declaration_per_year"),
            models.CheckConstraint(
                condition=Q(export_revenue_mad__lte=models.F("revenue_mad")), name="exports_within_revenue"
            ),
        ]
        indexes = [
            # Each startup's latest known declaration (reports.kpis): DISTINCT ON (startup_id)
            # … ORDER BY startup_id, fiscal_year DESC reads it from the index alone on
            # PostgreSQL (INCLUDE is left out where unsupported, e.g. SQLite).
            models.Index(
                fields=["startup", "-fiscal_year"],
                include=["direct_jobs", "indirect_jobs", "revenue_mad", "export_revenue_mad", "exports_to_africa"],
                name="declaration_latest_idx",
            ),
        ]

    def __str__(self):
        return f"{self.startup} · {self.fiscal_year}"

    def save(self, *args, **kwargs):
        self.exports_to_africa = includes_africa(self.export_countries)
        super().save(*args, **kwargs)

    def clean(self):
        from django.core.exceptions import ValidationError

        revenue, exports = self.revenue_mad, self.export_revenue_mad
        if revenue is not None and exports is not None and exports > revenue:
            raise ValidationError({"export_revenue_mad": _("Export revenue cannot exceed total revenue.")})
        if self.fiscal_year and self.fiscal_year >= timezone.localdate().year:
            raise ValidationError({"fiscal_year": _("A fiscal year can be declared once it is over.")})


class DeclarationReminder(models.Model):
    """A reminder sent to a startup's founders for a fiscal year, at most one a month:
    the unique row is the claim, so reruns and duplicate beats send nothing twice."""

    startup = models.ForeignKey(Startup, on_delete=models.CASCADE, related_name="+")
    fiscal_year = models.PositiveSmallIntegerField()
    month = models.DateField(help_text="The first day of the month the reminder was sent in.")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("declaration reminder")
        verbose_name_plural = _("declaration reminders")
        constraints = [models.UniqueConstraint(fields=["startup", "fiscal_year", "month"], name="one_reminder_a_month")]

    def __str__(self):
        return f"{self.startup_id} · {self.fiscal_year} · {self.month:%Y-%m}"


class ImportJobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ImportJob(models.Model):
    """A confirmed history import (head office, network-wide: not site-owned), applied by
    the Celery task `startups.tasks.run_history_import`. The two CSV files are kept as text
    (5 MB at most each, checked by the upload form); None means the file was not given."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=ImportJobStatus.choices, default=ImportJobStatus.QUEUED)
    startups_name = models.CharField(max_length=255, blank=True)
    startups_csv = models.TextField(null=True, blank=True)
    declarations_name = models.CharField(max_length=255, blank=True)
    declarations_csv = models.TextField(null=True, blank=True)
    total_rows = models.PositiveIntegerField(default=0, help_text="Records to import (known once planned).")
    processed_rows = models.PositiveIntegerField(default=0)
    report = models.JSONField(null=True, blank=True, help_text="ImportReport.to_dict() once finished.")
    error_message = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")

    def __str__(self):
        return f"import #{self.pk} · {self.status}"

    def get_absolute_url(self):
        return reverse("startups:history_import_job", kwargs={"pk": self.pk})

    @property
    def is_pending(self) -> bool:
        return self.status in (ImportJobStatus.QUEUED, ImportJobStatus.RUNNING)
