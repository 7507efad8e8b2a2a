"""KPI snapshots: the headline figures of one scope (a site, a region, the network) as of
one date, computed nightly by Celery so that dashboards read history cheaply.

One row per (scope, date), enforced by a unique constraint: a rerun, or two beats firing
at once, rewrite the same row. Site rows carry `site` (and are scoped on it like every
site-owned table); region and network rows have none and are read in `network_scope()`.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from sites.models import Region, Site


class KpiSnapshot(models.Model):
    scope = models.CharField(_("scope"), max_length=60, help_text="network, region:<code> or site:<slug>")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, null=True, blank=True, related_name="kpi_snapshots")
    region = models.ForeignKey(Region, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
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
    computed_at = models.DateTimeField(_("computed at"), auto_now=True)

    objects = ScopedManager(site="site")

    class Meta:
        verbose_name = _("KPI snapshot")
        verbose_name_plural = _("KPI snapshots")
        ordering = ["-as_of", "scope"]
        constraints = [models.UniqueConstraint(fields=["scope", "as_of"], name="one_kpi_snapshot_per_scope_and_date")]

    def __str__(self):
        return f"{self.scope} · {self.as_of}"
