"""The yearly satisfaction survey of the startups a site supports (issue 22, point 4): once a
year, each startup with a running admission at a site (a resident or an e-Technopark member)
is asked how likely it is to recommend the site's services to another startup (0 to 10, the
Net Promoter Score question), with an open comment, what helped most and what to improve.

- `SurveyInvitation` is the claim that a startup was asked, for one site and one year: one
  row per (startup, site, year), whatever the number of beats that run (unique), the
  denominator of the response rate.
- `SurveyAnswer` is that startup's answer (one per invitation: a founder answering again
  within the year changes it, audited), kept with the site, the startup and the year for
  the site's figures.

Both are site-owned: a site's staff read only their site's rows (django-scopes).
The sessions' and mentor bookings' ratings (1 to 5) stay where they are given
(services.Registration, mentors.Booking): reports.satisfaction reads them next to these."""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from sites.models import Site
from startups.models import Startup

QUESTION = _("How likely are you to recommend this Technopark's services to another startup?")
PROMOTER_FROM = 9  # 9 and 10
DETRACTOR_UP_TO = 6  # 0 to 6; 7 and 8 are passives


class Category(models.TextChoices):
    PROMOTER = "promoter", _("Promoter")
    PASSIVE = "passive", _("Passive")
    DETRACTOR = "detractor", _("Detractor")


def category(score: int) -> str:
    if score >= PROMOTER_FROM:
        return Category.PROMOTER
    return Category.DETRACTOR if score <= DETRACTOR_UP_TO else Category.PASSIVE


class SurveyInvitation(models.Model):
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+", verbose_name=_("site"))
    startup = models.ForeignKey(Startup, on_delete=models.PROTECT, related_name="+", verbose_name=_("startup"))
    year = models.PositiveSmallIntegerField(_("year"))
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)
    recipients = models.PositiveSmallIntegerField(_("founders emailed"), default=0)

    objects = ScopedManager(site="site")

    class Meta:
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        ordering = ["-year", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["startup", "site", "year"], name="one_survey_invitation_a_year"),
        ]
        indexes = [models.Index(fields=["site", "year"])]

    def __str__(self):
        return f"{self.startup_id} · {self.site_id} · {self.year}"


class SurveyAnswer(models.Model):
    invitation = models.OneToOneField(
        SurveyInvitation, on_delete=models.PROTECT, related_name="answer", verbose_name=_("invitation")
    )
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+", verbose_name=_("site"))
    startup = models.ForeignKey(Startup, on_delete=models.PROTECT, related_name="+", verbose_name=_("startup"))
    year = models.PositiveSmallIntegerField(_("year"))
    score = models.PositiveSmallIntegerField(_("score"), validators=[MaxValueValidator(10)])
    comment = models.TextField(_("comment"), max_length=2000, blank=True)
    helped_most = models.TextField(_("what helped most"), max_length=1000, blank=True)
    to_improve = models.TextField(_("what to improve"), max_length=1000, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered"))

    objects = ScopedManager(site="site")

    class Meta:
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        ordering = ["-answered_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=0, score__lte=10), name="survey_score_from_0_to_10"),
            models.UniqueConstraint(fields=["startup", "site", "year"], name="one_survey_answer_a_year"),
        ]
        indexes = [models.Index(fields=["site", "-answered_at"])]

    def __str__(self):
        return f"{self.startup_id} · {self.site_id} · {self.year}: {self.score}"

    @property
    def category(self) -> str:
        return category(self.score)

    def get_category_display(self) -> str:
        return str(Category(self.category).label)
