"""Admissions (residency or e-Technopark membership) with their renewals, and the offices
given to residents. All site-owned (scoped)."""

import datetime

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from sites.models import Site

from .applications import AdmissionKind, Application
from .startup import Startup


class ExitReason(models.TextChoices):
    GRADUATED = "graduated", _("Graduated")
    CLOSED = "closed", _("Closed")
    RELOCATED = "relocated", _("Relocated")
    MOVED_SITE = "moved_site", _("Moved to another site")
    ACQUIRED = "acquired", _("Acquired")


def admission_active_q(day: datetime.date, *, prefix: str = "") -> Q:
    """An admission running on `day`: started, and not ended or ended after it. `prefix`
    reaches it through a relation (`"admissions__"` from a startup)."""
    return Q(**{f"{prefix}starts_on__lte": day}) & (
        Q(**{f"{prefix}ended_on__isnull": True}) | Q(**{f"{prefix}ended_on__gt": day})
    )


class AdmissionQuerySet(models.QuerySet):
    def active_on(self, day: datetime.date) -> "AdmissionQuerySet":
        return self.filter(admission_active_q(day))

    def ended_by(self, day: datetime.date) -> "AdmissionQuerySet":
        """Admissions that ended on or before `day`."""
        return self.filter(ended_on__isnull=False, ended_on__lte=day)

    def holding_office_on(
        self, day: datetime.date, *, holding: bool = True, office_id: int | None = None
    ) -> "AdmissionQuerySet":
        """Admissions with an allocation running on `day` (of that office when `office_id`), or
        with none when not `holding`."""
        running = OfficeAllocation.objects.running_on(day).filter(admission=OuterRef("pk"))
        if office_id is not None:
            running = running.filter(office_id=office_id)
        return self.filter(Exists(running) if holding else ~Exists(running))

    def ending_within(self, day: datetime.date, *, days: int) -> "AdmissionQuerySet":
        """Residencies whose planned end falls between `day` and `days` days later (both included)."""
        return self.filter(
            kind=AdmissionKind.RESIDENT,
            planned_end_on__gte=day,
            planned_end_on__lte=day + datetime.timedelta(days=days),
        )


class OfficeAllocationQuerySet(models.QuerySet):
    def not_cancelled(self) -> "OfficeAllocationQuerySet":
        """Allocations that stand: a cancelled one never happened (kept for the history)."""
        return self.filter(cancelled_at__isnull=True)

    def running_on(self, day: datetime.date) -> "OfficeAllocationQuerySet":
        """Allocations running on `day`: not cancelled, started, and open-ended or ending after it."""
        return self.not_cancelled().filter(starts_on__lte=day).filter(Q(ends_on__isnull=True) | Q(ends_on__gt=day))


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

    objects = ScopedManager(site="site", _manager_class=models.Manager.from_queryset(AdmissionQuerySet))

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
    when empty). On PostgreSQL an exclusion constraint (migration 0009) forbids two
    overlapping allocations of one office that are not cancelled; `actions.office_allocate`
    also locks the office.

    A running allocation is released (it gets an end); one that has not started by today
    (a mistake, a change of plan) is cancelled instead: it never happened, frees the office
    over its dates, and stays in the office's history marked cancelled."""

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
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ScopedManager(site="site", _manager_class=models.Manager.from_queryset(OfficeAllocationQuerySet))

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

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    def cancellable_on(self, today: datetime.date) -> bool:
        """Not cancelled and not started before `today`: it may be undone as if it never happened."""
        return not self.is_cancelled and self.starts_on >= today

    def releasable_on(self, today: datetime.date) -> bool:
        """Not cancelled and still running (or to come) after `today`: it may be given an earlier end."""
        return not self.is_cancelled and (self.ends_on is None or self.ends_on > today)
