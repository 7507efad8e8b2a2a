"""Yearly declarations (jobs, revenue, exports) and the reminders sent for them. They
belong to the startup, not to a site."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from ..countries import includes_africa
from .startup import Startup


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
    # Made from the yearly check-in (startups.actions.check_ins): jobs, funds raised and the
    # lower bound of a revenue band, an estimate for the founders to complete. A full
    # declaration of the year replaces it and clears the flag (`declaration_save`).
    from_check_in = models.BooleanField(_("estimated from the check-in"), default=False)
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
