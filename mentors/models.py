"""Mentors and experts: published profiles, weekly availability in Moroccan wall-clock
time, one-off windows and blocked periods, and the bookings startups make with them.

A profile and its availability belong to the network (a mentor serves several sites, or
remotely), so they are not site-owned. A booking is: its `site` is the startup's home site
(the admission that makes it eligible), whose team sees the mentor's notes and counts the
hours. The meeting itself may be by video or in person at any site the mentor serves
(`meeting_site`).

No double booking: one mentor never has two confirmed bookings that overlap. PostgreSQL
enforces it with an exclusion constraint (migration 0002), SQLite with the uniqueness of
(mentor, start) among confirmed bookings; `actions.booking_create` holds the mentor's row
lock while it checks the slot, so concurrent requests queue instead of deadlocking.
"""

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from core.validators import validate_logo
from services.models import Dimension
from sites.models import Language, Sector, Site
from startups.models import Startup


class MentorKind(models.TextChoices):
    MENTOR = "mentor", _("Mentor")
    EXPERT = "expert", _("Expert")


class ProfileStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING = "pending", _("Awaiting approval")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Changes requested")
    SUSPENDED = "suspended", _("Suspended")


class MeetingMode(models.TextChoices):
    IN_PERSON = "in_person", _("In person at a site")
    VIDEO = "video", _("Video call")


class Tag(models.Model):
    """A free expertise keyword ("fundraising", "SaaS pricing"), shared by mentors."""

    name = models.CharField(_("name"), max_length=40, unique=True)

    class Meta:
        verbose_name = _("expertise tag")
        verbose_name_plural = _("expertise tags")
        ordering = ["name"]

    def __str__(self):
        return self.name


class MentorProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentor_profile", verbose_name=_("account")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=MentorKind.choices, default=MentorKind.MENTOR)
    headline = models.CharField(
        _("headline"), max_length=120, help_text=_("One line: what you help startups with, e.g. “Fundraising, ex-VC”.")
    )
    bio = models.TextField(_("biography"), max_length=3000)
    photo = models.ImageField(
        _("photo"),
        upload_to="mentors/photos/",
        blank=True,
        validators=[validate_logo],
        help_text=_("PNG, JPEG or WebP, 2 MB at most."),
    )
    organisation = models.CharField(_("organisation"), max_length=120, blank=True)
    linkedin_url = models.URLField(_("LinkedIn profile"), blank=True)
    sectors = models.ManyToManyField(Sector, blank=True, related_name="mentors", verbose_name=_("sectors"))
    languages = models.ManyToManyField(Language, related_name="mentors", verbose_name=_("languages"))
    tags = models.ManyToManyField(Tag, blank=True, related_name="mentors", verbose_name=_("expertise tags"))
    sites = models.ManyToManyField(
        Site,
        blank=True,
        related_name="mentors",
        verbose_name=_("sites served in person"),
        help_text=_("The Technopark sites where you can meet startups in person."),
    )
    offers_video = models.BooleanField(
        _("video calls"), default=True, help_text=_("Remote sessions, open to startups of every site.")
    )
    video_url = models.URLField(
        _("video meeting link"), blank=True, help_text=_("Your personal meeting room, sent to startups who book.")
    )
    session_minutes = models.PositiveSmallIntegerField(
        _("session length (minutes)"),
        default=60,
        validators=[MinValueValidator(15), MaxValueValidator(240)],
    )
    min_notice_hours = models.PositiveSmallIntegerField(
        _("minimum notice (hours)"),
        default=24,
        validators=[MaxValueValidator(24 * 30)],
        help_text=_("Startups cannot book a slot that starts sooner than this."),
    )
    buffer_minutes = models.PositiveSmallIntegerField(
        _("buffer between sessions (minutes)"), default=15, validators=[MaxValueValidator(240)]
    )
    max_bookings_per_startup_month = models.PositiveSmallIntegerField(
        _("bookings per startup and month"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
        help_text=_("How many sessions one startup may book with you in a calendar month."),
    )
    status = models.CharField(_("status"), max_length=10, choices=ProfileStatus.choices, default=ProfileStatus.DRAFT)
    review_note = models.TextField(_("review note"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("mentor profile")
        verbose_name_plural = _("mentor profiles")
        ordering = ["user__full_name", "pk"]
        indexes = [models.Index(fields=["status"])]

    def __str__(self):
        return self.user.full_name or self.user.email

    def get_absolute_url(self):
        return reverse("mentors:detail", kwargs={"pk": self.pk})

    @property
    def name(self) -> str:
        return str(self)

    @property
    def is_published(self) -> bool:
        return self.status == ProfileStatus.PUBLISHED

    @property
    def session_length(self) -> datetime.timedelta:
        return datetime.timedelta(minutes=self.session_minutes)

    @property
    def buffer(self) -> datetime.timedelta:
        return datetime.timedelta(minutes=self.buffer_minutes)


class MentorDimension(models.Model):
    """One of the four support dimensions a mentor's expertise covers."""

    mentor = models.ForeignKey(MentorProfile, on_delete=models.CASCADE, related_name="dimension_rows")
    dimension = models.CharField(_("dimension"), max_length=20, choices=Dimension.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["mentor", "dimension"], name="one_row_per_mentor_dimension")]
        indexes = [models.Index(fields=["dimension", "mentor"])]

    def __str__(self):
        return self.get_dimension_display()


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class AvailabilityWindow(models.Model):
    """Shared by weekly rules and one-off windows: wall-clock times in Africa/Casablanca,
    a meeting mode, and for in-person meetings the site where they happen (`meeting_site`:
    not a tenant key, availability belongs to the mentor)."""

    starts_at = models.TimeField(_("from"))
    ends_at = models.TimeField(_("to"))
    mode = models.CharField(_("meeting mode"), max_length=10, choices=MeetingMode.choices, default=MeetingMode.VIDEO)
    meeting_site = models.ForeignKey(
        Site, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("site")
    )

    class Meta:
        abstract = True


def _window_constraints(prefix: str) -> list:
    return [
        models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name=f"{prefix}_ends_after_start"),
        models.CheckConstraint(
            condition=Q(mode=MeetingMode.VIDEO, meeting_site__isnull=True)
            | Q(mode=MeetingMode.IN_PERSON, meeting_site__isnull=False),
            name=f"{prefix}_site_iff_in_person",
        ),
    ]


class AvailabilityQuerySet(models.QuerySet):
    """A mentor's weekly rules, one-off windows or blocked dates."""

    def of_user(self, user) -> "AvailabilityQuerySet":
        """The rows of `user`'s own profile."""
        return self.filter(mentor__user=user)


class ExtraWindowQuerySet(AvailabilityQuerySet):
    def ahead(self, today: datetime.date) -> "ExtraWindowQuerySet":
        """From `today` on."""
        return self.filter(date__gte=today)


class BlockedPeriodQuerySet(AvailabilityQuerySet):
    def ahead(self, today: datetime.date) -> "BlockedPeriodQuerySet":
        """Not over by `today`."""
        return self.filter(ends_on__gte=today)


class WeeklyRule(AvailabilityWindow):
    mentor = models.ForeignKey(MentorProfile, on_delete=models.CASCADE, related_name="weekly_rules")
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)

    objects = AvailabilityQuerySet.as_manager()

    class Meta:
        verbose_name = _("weekly availability")
        verbose_name_plural = _("weekly availability")
        ordering = ["weekday", "starts_at", "pk"]
        constraints = _window_constraints("weekly_rule")

    def __str__(self):
        return f"{self.get_weekday_display()} {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"


class ExtraWindow(AvailabilityWindow):
    """Availability on one date only, on top of the weekly rules."""

    mentor = models.ForeignKey(MentorProfile, on_delete=models.CASCADE, related_name="extra_windows")
    date = models.DateField(_("date"))

    objects = ExtraWindowQuerySet.as_manager()

    class Meta:
        verbose_name = _("extra availability")
        verbose_name_plural = _("extra availability")
        ordering = ["date", "starts_at", "pk"]
        constraints = _window_constraints("extra_window")

    def __str__(self):
        return f"{self.date} {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"


class BlockedPeriod(models.Model):
    """Dates (inclusive) when the mentor takes no booking: holidays, travel."""

    mentor = models.ForeignKey(MentorProfile, on_delete=models.CASCADE, related_name="blocked_periods")
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to (inclusive)"))
    reason = models.CharField(_("reason"), max_length=120, blank=True)

    objects = BlockedPeriodQuerySet.as_manager()

    class Meta:
        verbose_name = _("blocked dates")
        verbose_name_plural = _("blocked dates")
        ordering = ["starts_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="blocked_period_in_order")
        ]

    def __str__(self):
        return f"{self.starts_on} → {self.ends_on}"


class BookingStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    CANCELLED = "cancelled", _("Cancelled")


class Attendance(models.TextChoices):
    UNKNOWN = "unknown", _("Not marked")
    HELD = "held", _("Held")
    STARTUP_NO_SHOW = "startup_no_show", _("Startup did not come")
    MENTOR_NO_SHOW = "mentor_no_show", _("Mentor did not come")


class BookingQuerySet(models.QuerySet):
    """Predicates the mentors' pages share (passed to the django-scopes manager)."""

    def confirmed(self) -> "BookingQuerySet":
        return self.filter(status=BookingStatus.CONFIRMED)

    def not_ended(self, now: datetime.datetime) -> "BookingQuerySet":
        """Ahead of `now` or under way."""
        return self.filter(ends_at__gt=now)

    def ended(self, now: datetime.datetime) -> "BookingQuerySet":
        return self.filter(ends_at__lte=now)

    def starting_between(self, start: datetime.datetime, end: datetime.datetime) -> "BookingQuerySet":
        """Starting in [start, end)."""
        return self.filter(starts_at__gte=start, starts_at__lt=end)


class Booking(models.Model):
    mentor = models.ForeignKey(
        MentorProfile, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("mentor")
    )
    site = models.ForeignKey(
        Site,
        on_delete=models.PROTECT,
        related_name="mentor_bookings",
        verbose_name=_("startup's site"),
    )
    startup = models.ForeignKey(
        Startup, on_delete=models.PROTECT, related_name="mentor_bookings", verbose_name=_("startup")
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,  # empty once the booker's account is deleted
        related_name="+",
        verbose_name=_("booked by"),
    )
    starts_at = models.DateTimeField(_("start"))
    ends_at = models.DateTimeField(_("end"))
    mode = models.CharField(_("meeting mode"), max_length=10, choices=MeetingMode.choices)
    meeting_site = models.ForeignKey(
        Site, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("meeting place")
    )
    topic = models.CharField(_("topic"), max_length=200)
    questions = models.TextField(_("questions for the mentor"), max_length=3000, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=BookingStatus.choices, default=BookingStatus.CONFIRMED
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    rescheduled_from = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="rescheduled_to"
    )
    attendance = models.CharField(
        _("attendance"), max_length=20, choices=Attendance.choices, default=Attendance.UNKNOWN
    )
    attendance_marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(
        _("mentor's notes"),
        max_length=5000,
        blank=True,
        help_text=_("Seen by the startup and its site team only."),
    )
    note_updated_at = models.DateTimeField(null=True, blank=True)
    rating = models.PositiveSmallIntegerField(
        _("rating"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    rating_comment = models.TextField(_("comment"), max_length=2000, blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("booked at"), auto_now_add=True)

    objects = ScopedManager(site="site", _manager_class=models.Manager.from_queryset(BookingQuerySet))

    class Meta:
        verbose_name = _("mentor booking")
        verbose_name_plural = _("mentor bookings")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="booking_ends_after_start"),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5), name="booking_rating_1_to_5"
            ),
            models.CheckConstraint(
                condition=Q(mode=MeetingMode.VIDEO, meeting_site__isnull=True)
                | Q(mode=MeetingMode.IN_PERSON, meeting_site__isnull=False),
                name="booking_place_iff_in_person",
            ),
            # The portable half of "never a double booking" (PostgreSQL adds the overlap
            # exclusion constraint in migration 0002).
            models.UniqueConstraint(
                fields=["mentor", "starts_at"],
                condition=Q(status="confirmed"),
                name="one_confirmed_booking_per_mentor_start",
            ),
        ]
        indexes = [
            models.Index(fields=["mentor", "starts_at"]),
            models.Index(fields=["site", "starts_at"]),
            models.Index(fields=["startup", "starts_at"]),
            # A site's mentors (the drop-down of its bookings page): one EXISTS probe per mentor.
            models.Index(fields=["site", "mentor"]),
        ]

    def __str__(self):
        return f"{self.mentor} · {self.startup} · {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def is_confirmed(self) -> bool:
        return self.status == BookingStatus.CONFIRMED

    @property
    def duration(self) -> datetime.timedelta:
        return self.ends_at - self.starts_at
