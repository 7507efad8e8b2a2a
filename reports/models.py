"""KPI snapshots: the headline figures of one scope (a site, a region, the network) as of
one date, computed nightly by Celery so that dashboards read history cheaply.

One row per (scope, date), enforced by a unique constraint: a rerun, or two beats firing
at once, rewrite the same row. Site rows carry `site` (and are scoped on it like every
site-owned table); region and network rows have none and are read in `network_scope()`.

Monthly board reports (`BoardReport`) follow the same rule, one row per (scope, month,
language).
"""

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from core.jobs import BackgroundJob
from sites.models import Region, Sector, Site


class KpiFigures(models.Model):
    """The nine headline figures of a scope as of a date (reports.kpis.Headline), and when
    they were computed: what both kinds of snapshot hold."""

    as_of = models.DateField(_("date"))
    startups_supported_total = models.PositiveIntegerField()
    residents_total = models.PositiveIntegerField()
    supported_now = models.PositiveIntegerField()
    residents_now = models.PositiveIntegerField()
    survival_rate_5y = models.DecimalField(max_digits=5, decimal_places=4)
    jobs_total = models.PositiveIntegerField()
    annual_revenue_mad = models.DecimalField(max_digits=18, decimal_places=2)
    export_share = models.DecimalField(max_digits=5, decimal_places=4)
    export_africa_share = models.DecimalField(max_digits=5, decimal_places=4)
    # What the survival rate divided by; null in rows written before it was kept.
    survival_cohort = models.PositiveIntegerField(null=True, blank=True)
    # How many startups supported since 2001 / supported now declared the last closed year
    # (the figures' coverage); null in rows written before they were kept.
    declared_total = models.PositiveIntegerField(null=True, blank=True)
    declared_now = models.PositiveIntegerField(null=True, blank=True)
    computed_at = models.DateTimeField(_("computed at"), auto_now=True)

    objects = ScopedManager(site="site")

    class Meta:
        abstract = True


class KpiSnapshot(KpiFigures):
    scope = models.CharField(_("scope"), max_length=60, help_text="network, region:<code> or site:<slug>")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, null=True, blank=True, related_name="kpi_snapshots")
    region = models.ForeignKey(Region, on_delete=models.CASCADE, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("KPI snapshot")
        verbose_name_plural = _("KPI snapshots")
        ordering = ["-as_of", "scope"]
        constraints = [models.UniqueConstraint(fields=["scope", "as_of"], name="one_kpi_snapshot_per_scope_and_date")]

    def __str__(self):
        return f"{self.scope} · {self.as_of}"


class KpiSectorSnapshot(KpiFigures):
    """The headline figures of one scope for the startups of one sector as of one date,
    written with the whole-scope `KpiSnapshot` rows of that date (same transaction): the
    dashboards' sector filter reads them. One row per (scope, sector, date)."""

    scope = models.CharField(_("scope"), max_length=60, help_text="network, region:<code> or site:<slug>")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    region = models.ForeignKey(Region, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    sector = models.ForeignKey(Sector, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("KPI snapshot by sector")
        verbose_name_plural = _("KPI snapshots by sector")
        ordering = ["-as_of", "scope", "sector"]
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "sector", "as_of"], name="one_kpi_sector_snapshot_per_scope_sector_and_date"
            )
        ]
        indexes = [models.Index(fields=["sector", "as_of"])]

    def __str__(self):
        return f"{self.scope} · {self.sector_id} · {self.as_of}"


class BoardReportStep(models.TextChoices):
    """Where a running report is; the progress (0–100) reached at each is in reports.board.jobs."""

    WAITING = "", _("Waiting for a worker")
    STARTED = "started", _("Started")
    HEADLINE = "headline", _("Headline figures")
    ACTIVITY = "activity", _("Activity of the month")
    TRENDS = "trends", _("Trends by year")
    PDF = "pdf", _("Writing the PDF")
    XLSX = "xlsx", _("Writing the spreadsheet")
    SAVING = "saving", _("Saving the files")
    FINISHED = "finished", _("Finished")


class BoardReportLanguage(models.TextChoices):
    """The languages a board report is written in (the portal's)."""

    FRENCH = "fr", _("French")
    ARABIC = "ar", _("Arabic")
    ENGLISH = "en", _("English")


class BoardReport(BackgroundJob):
    """The monthly board report of one scope (the network, or one site) for one month, in
    one language: a PDF and an XLSX built by the Celery task
    `reports.board.jobs.generate_board_report`.

    One row per (scope, month, language), enforced by a unique constraint: requesting it
    again returns the same row (French and Arabic are two reports), and a worker killed mid-report is replaced by a rerun that claims
    the same row again (see reports.board.jobs). Site reports carry `site` and are scoped on it
    like every site-owned table; network reports have none and are read in
    `network_scope()` (head office only). The files are private: they are served by views
    that check who asks, never as public media.
    """

    scope = models.CharField(_("scope"), max_length=60, help_text="network or site:<slug>")
    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, null=True, blank=True, related_name="board_reports", verbose_name=_("site")
    )
    month = models.DateField(_("month"), help_text="The first day of the month reported on.")
    step = models.CharField(_("step"), max_length=20, choices=BoardReportStep.choices, blank=True)
    language = models.CharField(
        _("language"), max_length=5, choices=BoardReportLanguage.choices, default=BoardReportLanguage.FRENCH
    )
    pdf = models.FileField(_("PDF"), upload_to="board-reports/", max_length=255, blank=True)
    xlsx = models.FileField(_("spreadsheet"), upload_to="board-reports/", max_length=255, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )

    # A running report whose worker gave no sign of life for this long is taken to be dead:
    # a rerun of its task (or a new request) claims it again.
    stale_after = datetime.timedelta(minutes=10)

    objects = ScopedManager(site="site")

    class Meta:
        verbose_name = _("board report")
        verbose_name_plural = _("board reports")
        ordering = ["-month", "scope", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "month", "language"], name="one_board_report_per_scope_month_and_language"
            ),
            models.CheckConstraint(
                condition=(models.Q(scope="network") & models.Q(site__isnull=True))
                | (models.Q(scope__startswith="site:") & models.Q(site__isnull=False)),
                name="board_report_scope_matches_site",
            ),
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="board_report_progress_at_most_100"),
        ]

    def __str__(self):
        return f"{self.scope} · {self.month:%Y-%m} · {self.language}"

    @property
    def is_network(self) -> bool:
        return self.site_id is None

    @property
    def scope_name(self) -> str:
        """The network, or the site's name in the active language (select `site`)."""
        return str(_("Technopark network")) if self.site_id is None else self.site.name
