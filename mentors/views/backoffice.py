"""Mentoring back-office: the review of mentor profiles, a site's mentor bookings (with the
mentor's notes, the rating and the attendance) and the hours ledger per mentor, site and
month.

- `/mentors/review/…`: head office reviews every profile; a site manager the profiles that
  serve one of the sites they manage (`actions.may_review`); nobody else (403), and a
  profile the user may not review looks missing (404). Profiles are network-level rows
  (not site-owned), so no scope is involved.
- `/manage/<site_slug>/mentoring/…`: the bookings of the startups of one site. The
  middleware checked that the user works there (else 404) and opened that site's scope;
  every query also filters on `request.site` explicitly, so another site's booking is a 404
  even for head office coming through the wrong site. Every member of the site reads; its
  managers (and head office) record attendance and cancel: `SiteScopeMiddleware` refuses
  the POSTs of read-only roles (`sites.roles`), the actions check again
  (`selectors.bookings.booking_roles`), and the page hides their forms.
- `/network/mentoring/hours/`: head office's ledger across every site, read inside
  `network_scope()`.
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import Conflict
from core.exports import csv_response, xlsx_response
from core.files import public_image_response
from core.forms import add_action_errors
from sites.models import Site
from sites.roles import MANAGE, can, head_office_required

from .. import actions
from ..availability import LOCAL, local_instant
from ..forms.backoffice import (
    DECISION_LABELS,
    AttendanceForm,
    BookingCancelForm,
    BookingFilterForm,
    HoursFilterForm,
    ReviewFilterForm,
    ReviewForm,
    review_decisions,
)
from ..models import Booking, BookingStatus, MentorProfile, ProfileStatus
from ..selectors.bookings import (
    CANCEL_CUTOFF,
    can_change,
    hours_ledger,
    ledger_bookings,
    site_booking_details,
    site_booking_list,
)
from ..selectors.choices import sites_by_pk
from ..selectors.directory import is_profile_reviewer, mentors_by_pk, profiles_for_review, reviewable_profile

PROFILES_PER_PAGE = 25
BOOKINGS_PER_PAGE = 25
LEDGER_ROWS_PER_PAGE = 100
TENTH = Decimal("0.1")


# --- Review of mentor profiles ----------------------------------------------------------------
def _reviewer_required(user) -> None:
    """PermissionDenied for users who review nothing (founders, mentors, outsiders)."""
    if not is_profile_reviewer(user):
        raise PermissionDenied


def _reviewable_profile(user, pk: int) -> MentorProfile:
    """A profile `user` may review, else 404 (missing and not theirs alike)."""
    _reviewer_required(user)
    profile = reviewable_profile(user, pk=pk)
    if profile is None or not actions.may_review(user, profile):
        raise Http404
    return profile


@login_required
def review_list(request):
    _reviewer_required(request.user)
    form = ReviewFilterForm(request.GET)
    profiles = profiles_for_review(request.user, **form.filters())
    page = Paginator(profiles, PROFILES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "mentors/backoffice/review_list.html",
        {
            "form": form,
            "page": page,
            "status": form.chosen_status(),
            "filtered": bool(request.GET.get("q")) or form.chosen_status() != ProfileStatus.PENDING,
            "is_head_office": request.user.is_head_office,
        },
    )


@login_required
def review(request, pk: int):
    profile = _reviewable_profile(request.user, pk)
    decisions = review_decisions(user=request.user, profile=profile)
    page_url = reverse("mentors:review", kwargs={"pk": profile.pk})
    form = ReviewForm(request.POST or None, decisions=decisions)
    if request.method == "POST":
        if not decisions:
            messages.error(request, _("No decision can be taken on this profile in its current status."))
            return redirect(page_url)
        if form.is_valid():
            decision = form.cleaned_data["decision"]
            try:
                actions.profile_review(
                    actor=request.user, profile=profile, decision=decision, note=form.cleaned_data["note"]
                )
            except ValidationError as error:
                add_action_errors(form, error)
            except Conflict as conflict:
                messages.error(request, conflict.message)
                return redirect(page_url)
            else:
                messages.success(
                    request,
                    _("%(name)s: %(decision)s. The mentor was told by email.")
                    % {"name": profile.name, "decision": DECISION_LABELS[decision]},
                )
                return redirect("mentors:review_list")
    rules = list(profile.weekly_rules.select_related("meeting_site"))
    extras = list(profile.extra_windows.ahead(timezone.localdate()).select_related("meeting_site")[:20])
    return render(
        request,
        "mentors/backoffice/review.html",
        {
            "profile": profile,
            "form": form,
            "decisions": decisions,
            "weekly_rules": rules,
            "extra_windows": extras,
            "dimensions": [row.get_dimension_display() for row in profile.dimension_rows.all()],
        },
    )


@login_required
def review_photo(request, pk: int):
    """The photo of a profile under review (not public before it is published)."""
    profile = _reviewable_profile(request.user, pk)
    response = public_image_response(profile.photo)
    response["Cache-Control"] = "private, max-age=300"
    return response


# --- A site's bookings ---------------------------------------------------------------------------
def _site_booking(request, pk: int) -> Booking:
    return get_object_or_404(site_booking_details(request.site), pk=pk)


@login_required
def site_bookings(request, site_slug: str):
    site = request.site
    now = timezone.now()
    form = BookingFilterForm(request.GET, site=site)
    bookings = site_booking_list(site, now=now, **form.filters())
    page = Paginator(bookings, BOOKINGS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "mentors/backoffice/site_bookings.html",
        {
            "site": site,
            "form": form,
            "page": page,
            "now": now,
            "filtered": any(request.GET.get(name) for name in form.fields),
        },
    )


def _booking_page(request, booking: Booking, *, attendance_form=None, cancel_form=None, status: int = 200):
    now = timezone.now()
    started = booking.status == BookingStatus.CONFIRMED and booking.starts_at <= now
    can_manage = can(request, MANAGE)
    try:
        rescheduled_to = booking.rescheduled_to
    except Booking.DoesNotExist:
        rescheduled_to = None
    return render(
        request,
        "mentors/backoffice/site_booking.html",
        {
            "site": request.site,
            "booking": booking,
            "rescheduled_to": rescheduled_to,
            "now": now,
            "can_manage": can_manage,
            "can_mark": can_manage and started,
            "can_cancel": can_manage and can_change(booking, now),
            "attendance_form": attendance_form or AttendanceForm(initial={"attendance": booking.attendance}),
            "cancel_form": cancel_form or BookingCancelForm(),
            "cutoff_hours": int(CANCEL_CUTOFF.total_seconds() // 3600),
        },
        status=status,
    )


@login_required
def site_booking(request, site_slug: str, pk: int):
    return _booking_page(request, _site_booking(request, pk))


def _action_error_messages(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@require_POST
@login_required
def site_booking_attendance(request, site_slug: str, pk: int):
    booking = _site_booking(request, pk)
    form = AttendanceForm(request.POST)
    if not form.is_valid():
        return _booking_page(request, booking, attendance_form=form)
    try:
        booking = actions.booking_mark_attendance(
            actor=request.user, booking=booking, attendance=form.cleaned_data["attendance"]
        )
    except ValidationError as error:
        _action_error_messages(request, error)
    except Conflict as conflict:
        messages.error(request, conflict.message)
    else:
        messages.success(
            request, _("Attendance recorded: %(attendance)s.") % {"attendance": booking.get_attendance_display()}
        )
    return redirect("mentors:site_booking", site_slug=request.site.slug, pk=booking.pk)


@require_POST
@login_required
def site_booking_cancel(request, site_slug: str, pk: int):
    booking = _site_booking(request, pk)
    form = BookingCancelForm(request.POST)
    if not form.is_valid():
        return _booking_page(request, booking, cancel_form=form)
    try:
        actions.booking_cancel(actor=request.user, booking=booking, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        _action_error_messages(request, error)
    except Conflict as conflict:
        messages.error(request, conflict.message)
    else:
        messages.success(request, _("The session is cancelled; the mentor and the startup were told by email."))
    return redirect("mentors:site_booking", site_slug=request.site.slug, pk=booking.pk)


# --- The hours ledger ----------------------------------------------------------------------------
@dataclass(frozen=True)
class LedgerRow:
    month: datetime.date  # the first day of the month, Casablanca time
    mentor: MentorProfile
    site: Site | None
    sessions: int
    duration: datetime.timedelta

    @property
    def hours(self) -> Decimal:
        return hours_of(self.duration)


def hours_of(duration: datetime.timedelta | None) -> Decimal:
    """Hours with one decimal (half up): 90 minutes → 1.5."""
    seconds = Decimal(int((duration or datetime.timedelta()).total_seconds()))
    return (seconds / 3600).quantize(TENTH, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Ledger:
    first: datetime.date  # the period, in Casablanca dates: [first, after)
    after: datetime.date
    rows: list[LedgerRow]

    @property
    def sessions(self) -> int:
        return sum(row.sessions for row in self.rows)

    @property
    def duration(self) -> datetime.timedelta:
        return sum((row.duration for row in self.rows), datetime.timedelta())

    @property
    def hours(self) -> Decimal:
        # Summed before rounding: the total is exact, not the sum of rounded rows.
        return hours_of(self.duration)

    @property
    def last_month(self) -> datetime.date:
        return (self.after - datetime.timedelta(days=1)).replace(day=1)


def _month_of(value) -> datetime.date:
    """`TruncMonth` gives the first instant of the month in the current time zone
    (Casablanca); keep its local date."""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = value.astimezone(LOCAL)
        return value.date()
    return value


def build_ledger(form: HoursFilterForm, *, site: Site | None, with_site: bool) -> Ledger:
    """`selectors.bookings.hours_ledger` over the bookings of `site` (None: of the scope) that
    start in the form's period (months in Casablanca time), with the mentors (and sites)
    loaded in one query each."""
    first, after = form.period()
    start = local_instant(first, datetime.time(0))
    end = local_instant(after, datetime.time(0))
    rows = list(hours_ledger(ledger_bookings(site=site, start=start, end=end)))
    mentors = mentors_by_pk({row["mentor"] for row in rows})
    sites = sites_by_pk({row["site"] for row in rows}) if with_site else {}
    return Ledger(
        first=first,
        after=after,
        rows=[
            LedgerRow(
                month=_month_of(row["month"]),
                mentor=mentors[row["mentor"]],
                site=sites.get(row["site"]),
                sessions=row["sessions"],
                duration=row["duration"] or datetime.timedelta(),
            )
            for row in rows
        ],
    )


def _ledger_table(ledger: Ledger, *, with_site: bool) -> tuple[list, list]:
    """The export's header and rows (the totals row last)."""
    header = [_("Month"), _("Mentor")] + ([_("Site")] if with_site else []) + [_("Sessions"), _("Hours")]
    rows = [
        [row.month.strftime("%Y-%m"), row.mentor.name]
        + ([str(row.site)] if with_site else [])
        + [row.sessions, row.hours]
        for row in ledger.rows
    ]
    rows.append([_("Total"), ""] + ([""] if with_site else []) + [ledger.sessions, ledger.hours])
    return header, rows


def _ledger_export(ledger: Ledger, export: str, *, owner: str, with_site: bool) -> HttpResponse:
    header, rows = _ledger_table(ledger, with_site=with_site)
    filename = f"mentoring-hours-{owner}-{ledger.first:%Y-%m}-{ledger.last_month:%Y-%m}.{export}"
    if export == "xlsx":
        return xlsx_response(filename=filename, title=_("Mentoring hours"), header=header, rows=rows)
    return csv_response(filename=filename, header=header, rows=rows)


def _hours_page(request, form: HoursFilterForm, ledger: Ledger, *, site: Site | None):
    page = Paginator(ledger.rows, LEDGER_ROWS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    return render(
        request,
        "mentors/backoffice/hours.html",
        {
            "site": site,
            "is_network": site is None,
            "form": form,
            "ledger": ledger,
            "page": page,
            "filtered": any(request.GET.get(name) for name in form.fields),
            "export_query": query.urlencode(),
        },
    )


EXPORT_FORMATS = ("csv", "xlsx")


@login_required
def site_hours(request, site_slug: str):
    site = request.site
    form = HoursFilterForm(request.GET)
    ledger = build_ledger(form, site=site, with_site=False)
    if (export := request.GET.get("format")) in EXPORT_FORMATS:
        return _ledger_export(ledger, export, owner=site.slug, with_site=False)
    return _hours_page(request, form, ledger, site=site)


@head_office_required
def network_hours(request):
    form = HoursFilterForm(request.GET, network=True)
    # Reviewed network-wide read: head office's ledger counts the bookings of every site's
    # startups (the page is for head office only, see the decorator).
    site = form.site()
    ledger = build_ledger(form, site=site, with_site=True)
    if (export := request.GET.get("format")) in EXPORT_FORMATS:
        owner = f"network-{site.slug}" if site else "network"
        return _ledger_export(ledger, export, owner=owner, with_site=True)
    return _hours_page(request, form, ledger, site=None)


urlpatterns = [
    path("mentors/review/", review_list, name="review_list"),
    path("mentors/review/<int:pk>/", review, name="review"),
    path("mentors/review/<int:pk>/photo/", review_photo, name="review_photo"),
    path("manage/<slug:site_slug>/mentoring/", site_bookings, name="site_bookings"),
    path("manage/<slug:site_slug>/mentoring/<int:pk>/", site_booking, name="site_booking"),
    path(
        "manage/<slug:site_slug>/mentoring/<int:pk>/attendance/",
        site_booking_attendance,
        name="site_booking_attendance",
    ),
    path("manage/<slug:site_slug>/mentoring/<int:pk>/cancel/", site_booking_cancel, name="site_booking_cancel"),
    path("manage/<slug:site_slug>/mentoring/hours/", site_hours, name="site_hours"),
    path("network/mentoring/hours/", network_hours, name="network_hours"),
]
