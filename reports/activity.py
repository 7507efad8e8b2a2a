"""Activity figures of a scope over a period (MISSION.md, "Activity"): support sessions
held and their attendance per dimension, mentor hours delivered, office occupancy per site,
the application funnel and the median time to a decision.

The period is [date_from, date_to], both included, in local dates (Africa/Casablanca): a
timestamp belongs to it when it falls on or after local midnight starting `date_from` and
before local midnight starting the day after `date_to` (so 23:30 UTC on 30 June 2024, 00:30
on 1 July in Casablanca, is outside a period ending on 30 June). The scope's sites are
`scope.site_ids` (every site for the network). Precisely:

- Per support dimension (`services.models.Dimension`, all four always, in that order, with
  the translated choice label): `sessions_held` counts the service sessions with status
  `held` whose start falls in the period, of services at the scope's sites; the network
  scope also counts the e-Technopark sessions (services without a site), a region or site
  scope never does. `participants` counts the `confirmed` registrations at those sessions
  (waitlisted and cancelled ones are not participants), `attended` those of them marked
  `present` (a no-show or unmarked registration is a participant who did not attend), and
  `attendance_rate` = attended / participants (`kpis.rate`: 4 decimals, 0 when none;
  every rate here is shown "—" when it has nothing to divide: the `shown_*` properties).
  With a sector, only registrations of startups in that sector count (a registration
  without a startup, e.g. to a public event, never does); `sessions_held` is unchanged:
  a session is held whoever came.
- Mentor hours: `mentors.models.Booking` rows with status `confirmed`, not marked
  `startup_no_show` or `mentor_no_show`, starting in the period and ended by the end of
  `date_to` (and by now: the exclusions of `mentors.selectors.bookings.hours_ledger`, which counts
  hours delivered, i.e. bookings that have ended), whose `site` (the startup's home site)
  is one of the scope's sites (any site for the network). `mentor_sessions` is their
  number, `mentor_hours` their total duration in hours to 1 decimal (ROUND_HALF_UP).
  With a sector: bookings of startups in that sector.
- Office occupancy, per operational site of the scope (sorted by the site's name in the
  active language, then slug): `offices` counts its offices in service (`is_active`),
  `occupied` those of them allocated on `date_to` (an allocation with starts_on ≤ date_to
  and no end or ends_on > date_to: `ends_on` is excluded, so an allocation ending on
  `date_to` leaves the office free that day), `rate` = occupied / offices. Offices are the
  site's, not a sector's: the sector filter does not apply to occupancy.
- Room use, per site of the scope with rooms in service (spaces.selectors.occupancy, whose
  docstring defines it): the hours its rooms were open over the period, the hours booked
  (confirmed bookings, sessions' included, cut to the period), `rate` = booked / open.
  Rooms are the site's: the sector filter does not apply.
- Invoicing, per site of the scope and month of the period (billing.selectors.figures, whose
  docstring defines it): billed (invoices less credit notes, including tax), collected
  (payments received) and overdue at the month's end. The sector filter does not apply.
- Funnel: applications at the scope's sites submitted in the period (by `submitted_at`,
  drafts never count). `submitted` counts all of them whatever their status now;
  `admitted`, `rejected`, `withdrawn` those with that status; `pending` those still
  submitted, under review or waitlisted (so the five add up to `submitted`);
  `admission_rate` = admitted / submitted. `median_days_to_decision` is the median of
  decided_at − submitted_at, in days, over those of them that have a `decided_at` (for an
  even number, the mean of the two middle durations), rounded to 1 decimal (ROUND_HALF_UP);
  None when none was decided. A waitlisted application has the `decided_at` of the decision
  to waitlist it (`startups.actions.application_decide` sets it on every decision), so it
  counts there while it is still pending. With a sector: applications of startups in that sector.

The engine reads across sites (a region or the network spans them), so it runs with the
tenancy scopes disabled, as DESIGN.md allows for the KPI engine; the caller decides who
may ask for which scope. Eleven queries, whatever the amount of data.
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.utils import timezone
from django_scopes import scopes_disabled

from billing.selectors.figures import SiteMonthBilling, billing_by_site_month
from core.local_time import local_midnight
from mentors.models import Attendance as BookingAttendance
from mentors.models import Booking, BookingStatus
from services.models import Attendance, Dimension, Registration, RegistrationStatus, ServiceSession, SessionStatus
from sites.models import Sector, Site, SiteStatus
from spaces.selectors.occupancy import site_occupancy
from startups.models import OPEN_STATUSES, Application, ApplicationStatus, OfficeAllocation

from .kpis import KpiScope, rate, shown_rate

HOURS_PLACES = Decimal("0.1")
DAYS_PLACES = Decimal("0.1")
MICROSECONDS_PER_HOUR = Decimal(3600 * 10**6)
MICROSECONDS_PER_DAY = Decimal(86400 * 10**6)


@dataclass(frozen=True)
class DimensionActivity:
    dimension: str  # services.models.Dimension value
    label: str  # its translated label
    sessions_held: int  # sessions with status "held" starting in the period
    participants: int  # confirmed registrations at those sessions
    attended: int  # of which marked present
    attendance_rate: Decimal  # attended / participants, 0–1, 4 decimals (0 when none)

    @property
    def shown_attendance_rate(self) -> Decimal | None:
        return shown_rate(self.attendance_rate, self.participants)


@dataclass(frozen=True)
class SiteOccupancy:
    site_id: int
    site_slug: str
    site_name: str
    offices: int  # offices in service at the site
    occupied: int  # of which allocated on `date_to`
    rate: Decimal  # occupied / offices, 0–1, 4 decimals (0 when none)

    @property
    def shown_occupancy_rate(self) -> Decimal | None:
        return shown_rate(self.rate, self.offices)


@dataclass(frozen=True)
class RoomUse:
    site_id: int
    site_name: str
    hours_open: Decimal  # its rooms' opening hours over the period
    hours_booked: Decimal  # of which booked

    @property
    def rate(self) -> Decimal | None:
        """booked / open, 0–1, 4 decimals; None when nothing was open (shown "—")."""
        if not self.hours_open:
            return None
        return (self.hours_booked / self.hours_open).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Funnel:
    submitted: int  # applications submitted in the period (any status after draft)
    admitted: int  # of which admitted
    rejected: int
    pending: int  # submitted / under review / waitlisted
    withdrawn: int
    admission_rate: Decimal  # admitted / submitted, 0–1, 4 decimals (0 when none)
    median_days_to_decision: Decimal | None  # submitted_at → decided_at of decided ones, 1 decimal

    @property
    def shown_admission_rate(self) -> Decimal | None:
        return shown_rate(self.admission_rate, self.submitted)


@dataclass(frozen=True)
class Activity:
    date_from: datetime.date
    date_to: datetime.date
    dimensions: list[DimensionActivity]  # the four dimensions, always, in Dimension order
    mentor_sessions: int
    mentor_hours: Decimal  # 1 decimal
    occupancy: list[SiteOccupancy]  # the scope's operational sites, by name
    rooms: list[RoomUse]  # the scope's sites with rooms in service, by name
    billing: list[SiteMonthBilling]  # the scope's sites with invoices, by name, then month
    funnel: Funnel


def activity(
    scope: KpiScope, *, date_from: datetime.date, date_to: datetime.date, sector: Sector | None = None
) -> Activity:
    """The activity of `scope` from `date_from` to `date_to` (both included, local dates),
    for the startups of `sector` if given; see the module docstring for every figure."""
    start, end = local_midnight(date_from), local_midnight(date_to + datetime.timedelta(days=1))
    with scopes_disabled():
        mentor_sessions, mentor_hours = _mentoring(scope, start, end, sector)
        return Activity(
            date_from=date_from,
            date_to=date_to,
            dimensions=_dimensions(scope, start, end, sector),
            mentor_sessions=mentor_sessions,
            mentor_hours=mentor_hours,
            occupancy=_occupancy(scope, date_to),
            rooms=_rooms(scope, date_from, date_to),
            billing=billing_by_site_month(
                site_ids=scope.site_ids, date_from=date_from, date_to=date_to, today=timezone.localdate()
            ),
            funnel=_funnel(scope, start, end, sector),
        )


def _in_sites(queryset: QuerySet, field: str, scope: KpiScope) -> QuerySet:
    return queryset if scope.site_ids is None else queryset.filter(**{f"{field}__in": scope.site_ids})


def _dimensions(
    scope: KpiScope, start: datetime.datetime, end: datetime.datetime, sector: Sector | None
) -> list[DimensionActivity]:
    """Two queries: held sessions per dimension, their registrations per dimension."""
    held = _in_sites(
        ServiceSession.objects.filter(status=SessionStatus.HELD, starts_at__gte=start, starts_at__lt=end),
        "service__site",
        scope,
    )
    sessions = dict(held.order_by().values_list("service__dimension").annotate(n=Count("pk")))
    registrations = Registration.objects.filter(session__in=held.values("pk"), status=RegistrationStatus.CONFIRMED)
    if sector is not None:
        registrations = registrations.filter(startup__sectors=sector)
    counts = {
        row["session__service__dimension"]: row
        for row in registrations.order_by()
        .values("session__service__dimension")
        .annotate(participants=Count("pk"), attended=Count("pk", filter=Q(attendance=Attendance.PRESENT)))
    }
    rows = []
    for dimension in Dimension:
        row = counts.get(dimension.value, {"participants": 0, "attended": 0})
        rows.append(
            DimensionActivity(
                dimension=dimension.value,
                label=str(dimension.label),
                sessions_held=sessions.get(dimension.value, 0),
                participants=row["participants"],
                attended=row["attended"],
                attendance_rate=rate(row["attended"], row["participants"]),
            )
        )
    return rows


def _mentoring(
    scope: KpiScope, start: datetime.datetime, end: datetime.datetime, sector: Sector | None
) -> tuple[int, Decimal]:
    """One query: delivered bookings and their total duration."""
    bookings = _in_sites(
        Booking.objects.filter(
            status=BookingStatus.CONFIRMED,
            starts_at__gte=start,
            starts_at__lt=end,
            ends_at__lte=min(end, timezone.now()),
        ).exclude(attendance__in=[BookingAttendance.STARTUP_NO_SHOW, BookingAttendance.MENTOR_NO_SHOW]),
        "site",
        scope,
    )
    if sector is not None:
        bookings = bookings.filter(startup__sectors=sector)
    totals = bookings.aggregate(
        sessions=Count("pk"),
        duration=Sum(ExpressionWrapper(F("ends_at") - F("starts_at"), output_field=DurationField())),
    )
    duration = totals["duration"] or datetime.timedelta(0)
    hours = Decimal(duration // datetime.timedelta(microseconds=1)) / MICROSECONDS_PER_HOUR
    return totals["sessions"], hours.quantize(HOURS_PLACES, rounding=ROUND_HALF_UP)


def _occupancy(scope: KpiScope, day: datetime.date) -> list[SiteOccupancy]:
    """One query: the scope's operational sites with their offices in service and those of
    them allocated on `day`."""
    allocated = OfficeAllocation.objects.running_on(day)
    in_service = Q(offices__is_active=True)
    sites = _in_sites(Site.objects.filter(status=SiteStatus.OPERATIONAL), "pk", scope).annotate(
        office_count=Count("offices", filter=in_service),
        occupied_count=Count("offices", filter=in_service & Q(offices__in=allocated.values("office"))),
    )
    rows = [
        SiteOccupancy(
            site_id=site.pk,
            site_slug=site.slug,
            site_name=site.name,
            offices=site.office_count,
            occupied=site.occupied_count,
            rate=rate(site.occupied_count, site.office_count),
        )
        for site in sites
    ]
    return sorted(rows, key=lambda row: (row.site_name.casefold(), row.site_slug))


def _rooms(scope: KpiScope, date_from: datetime.date, date_to: datetime.date) -> list[RoomUse]:
    """The period's room use per site: spaces' monthly rows, summed per site."""
    totals: dict[tuple[int, str], list[Decimal]] = {}
    for row in site_occupancy(site_ids=scope.site_ids, start=date_from, end=date_to, by="month"):
        total = totals.setdefault((row.site_id, row.site_name), [Decimal(0), Decimal(0)])
        total[0] += row.hours_open
        total[1] += row.hours_booked
    rows = [RoomUse(site_id, name, opened, booked) for (site_id, name), (opened, booked) in totals.items()]
    return sorted(rows, key=lambda row: (row.site_name.casefold(), row.site_id))


def _funnel(scope: KpiScope, start: datetime.datetime, end: datetime.datetime, sector: Sector | None) -> Funnel:
    """Two queries: the counts by status, then the one or two middle decision times."""
    applications = _in_sites(
        Application.objects.exclude(status=ApplicationStatus.DRAFT).filter(
            submitted_at__gte=start, submitted_at__lt=end
        ),
        "site",
        scope,
    )
    if sector is not None:
        applications = applications.filter(startup__sectors=sector)
    counts = applications.aggregate(
        submitted=Count("pk"),
        admitted=Count("pk", filter=Q(status=ApplicationStatus.ADMITTED)),
        rejected=Count("pk", filter=Q(status=ApplicationStatus.REJECTED)),
        withdrawn=Count("pk", filter=Q(status=ApplicationStatus.WITHDRAWN)),
        pending=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        decided=Count("pk", filter=Q(decided_at__isnull=False)),
    )
    return Funnel(
        submitted=counts["submitted"],
        admitted=counts["admitted"],
        rejected=counts["rejected"],
        pending=counts["pending"],
        withdrawn=counts["withdrawn"],
        admission_rate=rate(counts["admitted"], counts["submitted"]),
        median_days_to_decision=_median_days(applications, counts["decided"]),
    )


def _median_days(applications: QuerySet[Application], decided: int) -> Decimal | None:
    """The median of decided_at − submitted_at over the `decided` applications that have a
    decision date, in days to 1 decimal: the database sorts them by that duration and
    returns only the middle one (odd count) or two (even count). Always one query."""
    middle = (
        applications.filter(decided_at__isnull=False)
        .annotate(to_decision=ExpressionWrapper(F("decided_at") - F("submitted_at"), output_field=DurationField()))
        .order_by("to_decision", "pk")
        .values_list("submitted_at", "decided_at")
    )
    offset = max(decided - 1, 0) // 2
    pairs = list(middle[offset : offset + 2])
    if not decided or not pairs:
        return None
    durations = [decided_at - submitted_at for submitted_at, decided_at in pairs[: 2 - decided % 2]]
    microseconds = sum(duration // datetime.timedelta(microseconds=1) for duration in durations)
    days = Decimal(microseconds) / len(durations) / MICROSECONDS_PER_DAY
    return days.quantize(DAYS_PLACES, rounding=ROUND_HALF_UP)
