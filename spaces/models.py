"""Rooms and spaces a site lets: meeting and training rooms, the auditorium, coworking desks,
studios (issue 20). Site-owned like the rest (django-scopes), booked by the hour.

Never two confirmed bookings of one room at the same time: on PostgreSQL an exclusion
constraint (migration 0002) says so, and `actions.room_booking_create` locks the room's row
before it checks, so that concurrent requests queue instead of failing; SQLite serialises its
transactions. A service session held in a room holds it through a booking of its own
(`session`), so sessions and bookings clash the same way."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from core.multilingual import DefaultLanguageColumn
from core.validators import validate_logo
from services.models import ServiceSession
from sites.models import Site
from startups.models import Startup

MONEY = {"max_digits": 10, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0"))]}
HOURS = {"max_digits": 6, "decimal_places": 2, "default": Decimal("0")}


class SpacePolicy(models.Model):
    """A site's rules for its rooms: the free hours a residency includes each month, and how
    long before the start a booking may be cancelled free of charge."""

    site = models.OneToOneField(Site, on_delete=models.CASCADE, related_name="space_policy", verbose_name=_("site"))
    monthly_free_hours = models.PositiveSmallIntegerField(
        _("free hours per month for a resident"),
        default=8,
        validators=[MaxValueValidator(744)],
        help_text=_("Room hours included in a residency each month, used before any charge."),
    )
    free_cancellation_hours = models.PositiveSmallIntegerField(
        _("free cancellation until (hours before the start)"), default=24, validators=[MaxValueValidator(720)]
    )

    objects = ScopedManager(site="site")

    class Meta:
        verbose_name = _("rooms policy")
        verbose_name_plural = _("rooms policies")

    def __str__(self):
        return str(self.site)


class RoomKind(models.TextChoices):
    MEETING = "meeting", _("Meeting room")
    TRAINING = "training", _("Training room")
    AUDITORIUM = "auditorium", _("Auditorium")
    DESK = "desk", _("Coworking desk")
    STUDIO = "studio", _("Studio")


class Room(DefaultLanguageColumn):
    """A bookable space of a site. Name and equipment in French, Arabic and English
    (spaces/translation.py); prices in MAD excluding tax."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="rooms", verbose_name=_("site"))
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=12, choices=RoomKind.choices)
    capacity = models.PositiveSmallIntegerField(_("capacity (people)"), validators=[MinValueValidator(1)])
    floor = models.SmallIntegerField(_("floor"), default=0)
    equipment = models.CharField(_("equipment"), max_length=300, blank=True)
    photo = models.ImageField(_("photo"), upload_to="rooms/", blank=True, validators=[validate_logo])
    for_residents = models.BooleanField(_("bookable by residents"), default=True)
    for_members = models.BooleanField(_("bookable by e-Technopark members"), default=True)
    for_outsiders = models.BooleanField(
        _("bookable by outside organisations (on approval)"),
        default=False,
    )
    price_hour_mad = models.DecimalField(_("price per hour (MAD excl. tax)"), **MONEY)
    price_half_day_mad = models.DecimalField(_("price per half day, 4 h (MAD excl. tax)"), **MONEY)
    price_day_mad = models.DecimalField(_("price per day (MAD excl. tax)"), **MONEY)
    is_active = models.BooleanField(_("in service"), default=True)

    objects = ScopedManager(site="site")

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ["site", "floor", "name"]
        constraints = [models.UniqueConstraint(fields=["site", "name"], name="room_name_unique_per_site")]

    def __str__(self):
        return self.name


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class OpeningHours(models.Model):
    """When a room may be booked on a weekday, in Casablanca wall-clock time."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="opening_hours", verbose_name=_("room"))
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    opens_at = models.TimeField(_("opens at"))
    closes_at = models.TimeField(_("closes at"))

    objects = ScopedManager(site="site")

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["room", "weekday"]
        constraints = [
            models.UniqueConstraint(fields=["room", "weekday"], name="one_opening_per_room_weekday"),
            models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")), name="room_closes_after_opening"),
        ]

    def __str__(self):
        return f"{self.room} · {self.get_weekday_display()} {self.opens_at:%H:%M}–{self.closes_at:%H:%M}"


class RoomBookingStatus(models.TextChoices):
    REQUESTED = "requested", _("Awaiting approval")
    CONFIRMED = "confirmed", _("Confirmed")
    REFUSED = "refused", _("Refused")
    CANCELLED = "cancelled", _("Cancelled")


class RoomBookingQuerySet(models.QuerySet):
    def confirmed(self) -> "RoomBookingQuerySet":
        return self.filter(status=RoomBookingStatus.CONFIRMED)

    def overlapping(self, start: datetime.datetime, end: datetime.datetime) -> "RoomBookingQuerySet":
        return self.filter(starts_at__lt=end, ends_at__gt=start)


class RoomBooking(models.Model):
    """A room held from `starts_at` to `ends_at` (UTC): by a startup (a resident or an
    e-Technopark member), by an outside organisation (requested, then approved by the site),
    or by a service session of the site (`session`). Its price is fixed when it is made:
    `allowance_hours` come from the startup's monthly free hours, `charged_hours` are billed
    at the room's cheapest rate, `price_mad` (excl. tax). A late cancellation keeps them."""

    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("room"))
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    startup = models.ForeignKey(
        Startup,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="room_bookings",
        verbose_name=_("startup"),
    )
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    session = models.OneToOneField(
        ServiceSession,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="room_booking",
        verbose_name=_("session"),
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("booked by"),
    )
    starts_at = models.DateTimeField(_("start"))
    ends_at = models.DateTimeField(_("end"))
    purpose = models.CharField(_("purpose"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=RoomBookingStatus.choices, default=RoomBookingStatus.CONFIRMED
    )
    allowance_hours = models.DecimalField(_("free hours used"), **HOURS)
    charged_hours = models.DecimalField(_("hours charged"), **HOURS)
    price_mad = models.DecimalField(_("price (MAD excl. tax)"), default=Decimal("0"), **MONEY)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    refusal_reason = models.CharField(_("reason for refusing"), max_length=300, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    late_cancellation = models.BooleanField(_("cancelled after the free deadline"), default=False)
    created_at = models.DateTimeField(_("booked at"), auto_now_add=True)

    objects = ScopedManager(site="site", _manager_class=models.Manager.from_queryset(RoomBookingQuerySet))

    class Meta:
        verbose_name = _("room booking")
        verbose_name_plural = _("room bookings")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="room_booking_ends_after_start"
            ),
            # Exactly one holder: a startup, an outside organisation or a session.
            models.CheckConstraint(
                condition=Q(startup__isnull=False, session__isnull=True, organisation="")
                | Q(startup__isnull=True, session__isnull=False, organisation="")
                | Q(startup__isnull=True, session__isnull=True) & ~Q(organisation=""),
                name="room_booking_one_holder",
            ),
            # The portable half of "never a double booking" (PostgreSQL adds the overlap
            # exclusion constraint in migration 0002).
            models.UniqueConstraint(
                fields=["room", "starts_at"],
                condition=Q(status="confirmed"),
                name="one_confirmed_room_booking_per_start",
            ),
        ]
        indexes = [
            models.Index(fields=["room", "starts_at"]),
            models.Index(fields=["site", "starts_at"]),
            models.Index(fields=["startup", "starts_at"]),
        ]

    def __str__(self):
        return f"{self.room} · {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def holder(self) -> str:
        if self.session_id:
            return str(self.session.service)
        return str(self.startup) if self.startup_id else self.organisation

    @property
    def hours(self) -> Decimal:
        return Decimal((self.ends_at - self.starts_at).total_seconds()) / 3600
