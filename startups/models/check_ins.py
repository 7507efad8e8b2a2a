"""The yearly alumni check-in (issue 22): a short answer for one fiscal year — still active?
jobs, a revenue band, funds raised, where the startup is now — given through a signed link
in the declaration reminder, without signing in (startups.check_in_links). It feeds the
declarations (startups.actions.check_ins): a startup's only answer for a year it has not
declared becomes an estimated declaration, a startup that stopped gets its closing date.
It belongs to the startup, not to a site."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from core.formatting import format_date

from .startup import Startup


class RevenueBand(models.TextChoices):
    """A year's revenue, in bands a founder answers without the books at hand."""

    UNDER_1M = "under_1m", _("Less than 1 million MAD")
    FROM_1M = "1m_5m", _("1 to 5 million MAD")
    FROM_5M = "5m_20m", _("5 to 20 million MAD")
    OVER_20M = "over_20m", _("More than 20 million MAD")


# The revenue an estimated declaration records for a band: its lower bound (never more than
# the startup said).
BAND_LOWER_BOUND = {
    RevenueBand.UNDER_1M: Decimal(0),
    RevenueBand.FROM_1M: Decimal(1_000_000),
    RevenueBand.FROM_5M: Decimal(5_000_000),
    RevenueBand.OVER_20M: Decimal(20_000_000),
}


class AlumniCheckIn(models.Model):
    """A startup's check-in for one fiscal year; answering again updates it."""

    startup = models.ForeignKey(Startup, on_delete=models.CASCADE, related_name="check_ins", verbose_name=_("startup"))
    fiscal_year = models.PositiveSmallIntegerField(
        _("fiscal year"), validators=[MinValueValidator(1990), MaxValueValidator(2100)]
    )
    still_active = models.BooleanField(_("still active"), default=True)
    closed_on = models.DateField(_("stopped on"), null=True, blank=True)
    direct_jobs = models.PositiveIntegerField(_("direct jobs"), default=0)
    indirect_jobs = models.PositiveIntegerField(_("indirect jobs"), default=0)
    revenue_band = models.CharField(_("revenue band"), max_length=10, choices=RevenueBand.choices, blank=True)
    funds_raised_mad = models.DecimalField(
        _("funds raised (MAD)"), max_digits=14, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = CountryField(_("country"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered"), auto_now=True)

    class Meta:
        verbose_name = _("alumni check-in")
        verbose_name_plural = _("alumni check-ins")
        ordering = ["-fiscal_year"]
        constraints = [models.UniqueConstraint(fields=["startup", "fiscal_year"], name="one_check_in_per_year")]

    def __str__(self):
        return f"{self.startup} · {self.fiscal_year}"

    @property
    def revenue_lower_bound(self) -> Decimal:
        return BAND_LOWER_BOUND.get(self.revenue_band, Decimal(0))

    def clean(self):
        errors = {}
        if self.still_active:
            if self.closed_on:
                errors["closed_on"] = _("Leave the closing date empty: the startup is still active.")
            if not self.revenue_band:
                errors["revenue_band"] = _("Choose the band of the year's revenue.")
            if not self.country:
                errors["country"] = _("Choose the country where the startup is now.")
        else:
            founded = self.startup.founded_on if self.startup_id else None
            if not self.closed_on:
                errors["closed_on"] = _("Give the date the startup stopped its activity.")
            elif self.closed_on > timezone.localdate():
                errors["closed_on"] = _("The closing date cannot be in the future.")
            elif founded and self.closed_on < founded:
                errors["closed_on"] = _("The startup cannot have stopped before it was founded (%(date)s).") % {
                    "date": format_date(founded)
                }
            for name in ("direct_jobs", "indirect_jobs"):
                if getattr(self, name):
                    errors[name] = _("A startup that has stopped has no jobs left: leave 0.")
        if errors:
            raise ValidationError(errors)
