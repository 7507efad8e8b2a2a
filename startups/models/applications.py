"""Calls for applications, applications with their status history, and the committee
review (criteria, reviewers' assignments and scores). All site-owned (scoped)."""

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from core.multilingual import DEFAULT_LANGUAGE, DefaultLanguageColumn, TranslatedManager, content_language
from core.validators import validate_pdf
from sites.models import Sector, Site, TranslatedName

from .startup import Startup


class AdmissionKind(models.TextChoices):
    RESIDENT = "resident", _("Resident")
    ETECHNOPARK = "e-technopark", _("e-Technopark member")


class Call(DefaultLanguageColumn):
    """A call for applications: one site's (residency or e-Technopark follow-up) or, with
    no site, the network's e-Technopark call, reviewed by the applicant's home site.

    Title and description are in French, Arabic and English (startups/translation.py). The
    questions are in French in `questions`, the keys of every application's answers, and
    line for line in `questions_ar` and `questions_en`: translations for the reader, which
    can change while the French questions cannot once startups have applied."""

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
    questions_ar = models.JSONField(_("questions (Arabic)"), default=list, blank=True)
    questions_en = models.JSONField(_("questions (English)"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(site="site", _manager_class=TranslatedManager)

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

    def questions_with_labels(self, language: str | None = None) -> list[tuple[str, str]]:
        """(question, label) for each question: the question (French) keys the answers, the
        label is its version in `language` (the active one), or the question itself when
        the call has no version in that language (or not line for line)."""
        language = language or content_language()
        questions = self.questions if isinstance(self.questions, list) else []
        versions = getattr(self, f"questions_{language}", None) if language != DEFAULT_LANGUAGE else None
        if not isinstance(versions, list) or len(versions) != len(questions):
            versions = [""] * len(questions)
        return [
            (str(question), str(label).strip() or str(question))
            for question, label in zip(questions, versions, strict=True)
            if str(question).strip()
        ]

    @property
    def question_labels(self) -> list[str]:
        """The questions as the reader reads them (`questions_with_labels`)."""
        return [label for _question, label in self.questions_with_labels()]


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
