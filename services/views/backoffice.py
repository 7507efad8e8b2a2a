"""Services back-office: a site's services and sessions (`/manage/<site_slug>/…`) and, for
head office, the network's e-Technopark offer (`/network/services/…`).

The two areas share the same views through an `Area`:
- a site's area runs inside that site's scope (opened by `SiteScopeMiddleware`, which also
  checked that the user works there, else 404) and reads only rows whose `site` is that
  site — the network's rows (site NULL) and other sites' are never found. Everybody working
  at the site reads; its managers (and head office) write: `SiteScopeMiddleware` refuses
  other roles' POSTs, and the form pages declare `manage` even to open (`sites.roles`).
- the network's area is for head office only; it runs inside `network_scope()` (explicit,
  greppable) and reads only rows whose `site` is NULL.
Writes go through `services.actions`.
"""

import csv
import io
from dataclasses import dataclass
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from core.errors import Conflict
from core.forms import add_action_errors
from sites.roles import MANAGE, can, head_office_required, site_action
from sites.scoping import network_scope

from .. import actions, selectors, stats
from ..forms.backoffice import AttendanceForm, ServiceFilterForm, ServiceForm, SessionCancelForm, SessionForm
from ..models import (
    Attendance,
    Eligibility,
    Registration,
    RegistrationStatus,
    Service,
    ServiceSession,
    SessionStatus,
)

SERVICES_PER_PAGE = 50
SESSIONS_PER_PAGE = 25
CSV_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


# --- The two areas ------------------------------------------------------------------------
@dataclass(frozen=True)
class Area:
    """Where the back-office runs: one site (`site` set) or the network (`site` None)."""

    site: object | None
    can_write: bool

    @property
    def is_network(self) -> bool:
        return self.site is None

    @property
    def prefix(self) -> str:
        return "network" if self.site is None else "manage"

    @property
    def name(self) -> str:
        return str(gettext_lazy("e-Technopark (network)")) if self.site is None else self.site.name

    @property
    def home_url(self) -> str | None:
        return None if self.site is None else reverse("sites:manage_home", kwargs={"site_slug": self.site.slug})

    def url(self, name: str, **kwargs) -> str:
        if self.site is not None:
            kwargs = {"site_slug": self.site.slug, **kwargs}
        return reverse(f"services:{self.prefix}_{name}", kwargs=kwargs)

    def _own(self, queryset: QuerySet) -> QuerySet:
        # The scope already hides other sites' rows; the explicit filter also keeps the
        # network's rows (site NULL) out of a site's pages, and the sites' out of head
        # office's network pages.
        return queryset.filter(site__isnull=True) if self.site is None else queryset.filter(site=self.site)

    def services(self) -> QuerySet[Service]:
        return self._own(Service.objects.all())

    def sessions(self) -> QuerySet[ServiceSession]:
        return self._own(ServiceSession.objects.all())

    def registrations(self) -> QuerySet[Registration]:
        return self._own(Registration.objects.all())


def site_area_view(core):
    """`/manage/<site_slug>/…`: scoped to `request.site` by the middleware."""

    @wraps(core)
    @login_required
    def view(request, site_slug, **kwargs):
        return core(request, Area(site=request.site, can_write=can(request, MANAGE)), **kwargs)

    return view


def network_area_view(core):
    """`/network/services/…`: head office, inside the reviewed network-wide scope."""

    @wraps(core)
    @head_office_required
    def view(request, **kwargs):
        with network_scope():
            return core(request, Area(site=None, can_write=True), **kwargs)

    return view


def _render(request, area: Area, template: str, context: dict):
    return render(
        request,
        f"services/backoffice/{template}",
        {
            "area": area,
            "site": area.site,
            "can_write": area.can_write,
            "list_url": area.url("service_list"),
            **context,
        },
    )


def _service(area: Area, pk: int) -> Service:
    return get_object_or_404(area.services().select_related("partner"), pk=pk)


def _session(area: Area, pk: int) -> ServiceSession:
    return get_object_or_404(area.sessions().select_related("service", "service__partner"), pk=pk)


# --- Services -------------------------------------------------------------------------------
def service_list(request, area: Area):
    form = ServiceFilterForm(request.GET)
    services = stats.with_service_stats(form.filter(area.services().select_related("partner"))).order_by("title", "pk")
    page = Paginator(services, SERVICES_PER_PAGE).get_page(request.GET.get("page"))
    for service in page:
        service.backoffice_url = area.url("service_detail", pk=service.pk)
        service.attendance_percent = round(100 * stats.service_attendance_rate(service))
    return _render(
        request,
        area,
        "service_list.html",
        {"form": form, "page": page, "create_url": area.url("service_create"), "filtered": form.has_changed()},
    )


def _service_form(request, area: Area, service: Service):
    creating = service.pk is None
    form = ServiceForm(request.POST or None, instance=service, network=area.is_network)
    if request.method == "POST" and form.is_valid():
        try:
            service = actions.service_save(
                actor=request.user, service=form.instance, languages=form.cleaned_data["languages"]
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("Service created.") if creating else _("Service saved."))
            return redirect(area.url("service_detail", pk=service.pk))
    cancel_url = area.url("service_list") if creating else area.url("service_detail", pk=service.pk)
    return _render(
        request,
        area,
        "service_form.html",
        {"form": form, "service": None if creating else service, "cancel_url": cancel_url},
    )


@site_action(MANAGE)  # read-only roles do not even open the form
def service_create(request, area: Area):
    return _service_form(request, area, Service(site=area.site))


@site_action(MANAGE)  # read-only roles do not even open the form
def service_edit(request, area: Area, pk: int):
    return _service_form(request, area, _service(area, pk))


def service_detail(request, area: Area, pk: int):
    service = get_object_or_404(
        stats.with_service_stats(area.services().select_related("partner")).prefetch_related("languages"), pk=pk
    )
    sessions = stats.with_session_counts(area.sessions().filter(service=service)).order_by("-starts_at", "-pk")
    page = Paginator(sessions, SESSIONS_PER_PAGE).get_page(request.GET.get("page"))
    for session in page:
        session.backoffice_url = area.url("session_detail", pk=session.pk)
    return _render(
        request,
        area,
        "service_detail.html",
        {
            "service": service,
            "page": page,
            "attendance_percent": round(100 * stats.service_attendance_rate(service)),
            "now": timezone.now(),
            "urls": {
                "list": area.url("service_list"),
                "edit": area.url("service_edit", pk=service.pk),
                "new_session": area.url("session_create", pk=service.pk),
            },
        },
    )


# --- Sessions -------------------------------------------------------------------------------
def _session_urls(area: Area, session: ServiceSession) -> dict:
    urls = {
        "service": area.url("service_detail", pk=session.service_id),
        "detail": area.url("session_detail", pk=session.pk),
        "edit": area.url("session_edit", pk=session.pk),
        "cancel": area.url("session_cancel", pk=session.pk),
        "held": area.url("session_held", pk=session.pk),
        "attendance": area.url("attendance", pk=session.pk),
    }
    if session.service.eligibility == Eligibility.PUBLIC:
        urls["checkin_csv"] = area.url("checkin_csv", pk=session.pk)
    return urls


def _session_form(request, area: Area, session: ServiceSession):
    creating = session.pk is None
    if not creating and session.status != SessionStatus.SCHEDULED:
        messages.error(request, _("Only a scheduled session can be changed."))
        return redirect(area.url("session_detail", pk=session.pk))
    form = SessionForm(request.POST or None, instance=session)
    if request.method == "POST" and form.is_valid():
        waiting = 0 if creating else selectors.waitlist(session).count()
        try:
            session = actions.session_save(actor=request.user, session=form.instance)
        except ValidationError as error:
            add_action_errors(form, error)
        except Conflict as conflict:
            messages.error(request, conflict.message)
        else:
            promoted = waiting - selectors.waitlist(session).count() if waiting else 0
            if creating:
                messages.success(request, _("Session created."))
            elif promoted:
                messages.success(
                    request,
                    ngettext(
                        "Session saved; %(count)s person moved up from the waitlist and was told by email.",
                        "Session saved; %(count)s people moved up from the waitlist and were told by email.",
                        promoted,
                    )
                    % {"count": promoted},
                )
            else:
                messages.success(request, _("Session saved."))
            return redirect(area.url("session_detail", pk=session.pk))
    service = session.service
    cancel_url = area.url("service_detail", pk=service.pk) if creating else area.url("session_detail", pk=session.pk)
    return _render(
        request,
        area,
        "session_form.html",
        {
            "form": form,
            "service": service,
            "session": None if creating else session,
            "cancel_url": cancel_url,
            "service_url": area.url("service_detail", pk=service.pk),
        },
    )


@site_action(MANAGE)  # read-only roles do not even open the form
def session_create(request, area: Area, pk: int):
    service = _service(area, pk)
    return _session_form(request, area, ServiceSession(service=service, site=service.site))


@site_action(MANAGE)  # read-only roles do not even open the form
def session_edit(request, area: Area, pk: int):
    return _session_form(request, area, _session(area, pk))


def _registration_lists(area: Area, session: ServiceSession) -> dict:
    """The session's confirmed, waitlisted (in promotion order) and cancelled registrations,
    and their counts: two queries whatever their number."""
    others = list(
        area.registrations()
        .filter(session=session)
        .exclude(status=RegistrationStatus.WAITLISTED)
        .select_related("startup")
        .order_by("created_at", "pk")
    )
    confirmed = [r for r in others if r.status == RegistrationStatus.CONFIRMED]
    cancelled = [r for r in others if r.status == RegistrationStatus.CANCELLED]
    waitlisted = list(selectors.waitlist(session).filter(site=session.site_id).select_related("startup"))
    ratings = [r.rating for r in confirmed if r.rating]
    present = sum(1 for r in confirmed if r.attendance == Attendance.PRESENT)
    no_show = sum(1 for r in confirmed if r.attendance == Attendance.NO_SHOW)
    return {
        "confirmed": confirmed,
        "waitlisted": waitlisted,
        "cancelled": cancelled,
        "counts": {
            "confirmed": len(confirmed),
            "waitlisted": len(waitlisted),
            "cancelled": len(cancelled),
            "free": max(0, session.seats - len(confirmed)),
            "present": present,
            "no_show": no_show,
            "not_taken": len(confirmed) - present - no_show,
            "ratings": len(ratings),
            "rating_average": sum(ratings) / len(ratings) if ratings else None,
            "attendance_percent": round(100 * stats.attendance_rate(present, no_show)),
        },
    }


def session_detail(request, area: Area, pk: int):
    session = _session(area, pk)
    now = timezone.now()
    return _render(
        request,
        area,
        "session_detail.html",
        {
            "session": session,
            "service": session.service,
            "urls": _session_urls(area, session),
            "now": now,
            "is_over": session.ends_at <= now,
            "is_scheduled": session.status == SessionStatus.SCHEDULED,
            "is_public": session.service.eligibility == Eligibility.PUBLIC,
            **_registration_lists(area, session),
        },
    )


@site_action(MANAGE)  # read-only roles do not even open the form
def session_cancel(request, area: Area, pk: int):
    session = _session(area, pk)
    detail_url = area.url("session_detail", pk=session.pk)
    if session.status != SessionStatus.SCHEDULED:
        messages.error(request, _("Only a scheduled session can be cancelled."))
        return redirect(detail_url)
    live = selectors.live_registrations(session).filter(site=session.site_id).count()
    form = SessionCancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.session_cancel(actor=request.user, session=session, reason=form.cleaned_data["reason"].strip())
        except ValidationError as error:
            add_action_errors(form, error)
        except Conflict as conflict:
            messages.error(request, conflict.message)
            return redirect(detail_url)
        else:
            messages.success(
                request,
                ngettext(
                    "The session is cancelled; %(count)s registered person was told by email.",
                    "The session is cancelled; %(count)s registered people were told by email.",
                    live,
                )
                % {"count": live},
            )
            return redirect(detail_url)
    return _render(
        request,
        area,
        "session_cancel.html",
        {
            "form": form,
            "session": session,
            "service": session.service,
            "live": live,
            "urls": _session_urls(area, session),
        },
    )


def session_held(request, area: Area, pk: int):
    session = _session(area, pk)
    try:
        actions.session_mark_held(actor=request.user, session=session)
    except Conflict as conflict:
        messages.error(request, conflict.message)
    else:
        messages.success(request, _("The session is marked as held: its attendance now counts in the rates."))
    return redirect(area.url("session_detail", pk=session.pk))


# --- Attendance and check-in ------------------------------------------------------------------
def _attendance_counts(area: Area, session: ServiceSession) -> dict:
    return (
        area.registrations()
        .filter(session=session, status=RegistrationStatus.CONFIRMED)
        .aggregate(
            confirmed=Count("pk"),
            present=Count("pk", filter=Q(attendance=Attendance.PRESENT)),
            no_show=Count("pk", filter=Q(attendance=Attendance.NO_SHOW)),
        )
    )


def attendance(request, area: Area, pk: int):
    """One row per confirmed participant with big Present / No-show buttons. Plain forms
    (a POST then a redirect back to the row); with htmx only the row and the counts are
    swapped. For public events, "present" is the check-in on the day."""
    session = _session(area, pk)
    page_url = area.url("attendance", pk=session.pk)
    is_htmx = request.headers.get("HX-Request") == "true"
    row_error = None
    if request.method == "POST":  # `manage` only: the middleware refuses the others (sites.roles)
        form = AttendanceForm(request.POST)
        if not form.is_valid():
            if is_htmx:
                return HttpResponse(status=400)
            messages.error(request, _("Choose Present or No-show for a participant of the list."))
            return redirect(page_url)
        registration = get_object_or_404(
            area.registrations().filter(session=session, status=RegistrationStatus.CONFIRMED).select_related("startup"),
            pk=form.cleaned_data["registration"],
        )
        try:
            if session.status == SessionStatus.CANCELLED:
                raise Conflict(_("This session is cancelled: there is no attendance to take."))
            registration = actions.attendance_mark(
                actor=request.user, registration=registration, attendance=form.value()
            )
        except Conflict as conflict:
            row_error = conflict.message
            if not is_htmx:
                messages.error(request, conflict.message)
        if is_htmx:
            return _render(
                request,
                area,
                "_attendance_row.html",
                {
                    "registration": registration,
                    "session": session,
                    "page_url": page_url,
                    "row_error": row_error,
                    "counts": _attendance_counts(area, session),
                    "oob": True,
                },
            )
        if row_error is None:
            messages.success(
                request,
                _("%(name)s: %(attendance)s.")
                % {"name": registration.name, "attendance": registration.get_attendance_display()},
            )
        return redirect(f"{page_url}#registration-{registration.pk}")

    participants = (
        area.registrations()
        .filter(session=session, status=RegistrationStatus.CONFIRMED)
        .select_related("startup")
        .order_by("name", "pk")
    )
    query = (request.GET.get("q") or "").strip()[:100]
    if query:
        participants = participants.filter(
            Q(name__icontains=query) | Q(email__icontains=query) | Q(organisation__icontains=query)
        )
    return _render(
        request,
        area,
        "attendance.html",
        {
            "session": session,
            "service": session.service,
            "participants": list(participants),
            "query": query,
            "counts": _attendance_counts(area, session),
            "page_url": page_url,
            "urls": _session_urls(area, session),
            "is_public": session.service.eligibility == Eligibility.PUBLIC,
            "is_cancelled": session.status == SessionStatus.CANCELLED,
        },
    )


def _csv_cell(value) -> str:
    text = "" if value is None else str(value)
    # Spreadsheets run cells starting with = + - @ as formulas (CSV injection).
    return "'" + text if text.startswith(CSV_FORMULA_PREFIXES) else text


def checkin_csv(request, area: Area, pk: int):
    """The check-in list of a public event (confirmed and waitlisted people)."""
    session = _session(area, pk)
    if session.service.eligibility != Eligibility.PUBLIC:
        raise Http404
    registrations = (
        area.registrations()
        .filter(session=session)
        .exclude(status=RegistrationStatus.CANCELLED)
        .order_by("status", "name", "pk")
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_("Name"), _("Email"), _("Organisation"), _("Status"), _("Checked in at")])
    for registration in registrations:
        checked_in = (
            timezone.localtime(registration.checked_in_at).strftime("%Y-%m-%d %H:%M")
            if registration.checked_in_at
            else ""
        )
        writer.writerow(
            [
                _csv_cell(registration.name),
                _csv_cell(registration.email),
                _csv_cell(registration.organisation),
                _csv_cell(registration.get_status_display()),
                checked_in,
            ]
        )
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    day = timezone.localtime(session.starts_at).date().isoformat()
    owner = area.site.slug if area.site else "network"
    response["Content-Disposition"] = f'attachment; filename="checkin-{owner}-{session.pk}-{day}.csv"'
    return response


# --- Routes ----------------------------------------------------------------------------------
# (name, path after the area's prefix, view, POST only)
_ROUTES = [
    ("service_list", "services/", service_list, False),
    ("service_create", "services/new/", service_create, False),
    ("service_detail", "services/<int:pk>/", service_detail, False),
    ("service_edit", "services/<int:pk>/edit/", service_edit, False),
    ("session_create", "services/<int:pk>/sessions/new/", session_create, False),
    ("session_detail", "sessions/<int:pk>/", session_detail, False),
    ("session_edit", "sessions/<int:pk>/edit/", session_edit, False),
    ("session_cancel", "sessions/<int:pk>/cancel/", session_cancel, False),
    ("session_held", "sessions/<int:pk>/held/", session_held, True),
    ("attendance", "sessions/<int:pk>/attendance/", attendance, False),
    ("checkin_csv", "sessions/<int:pk>/checkin.csv", checkin_csv, False),
]


def _routes(prefix: str, wrap, name_prefix: str) -> list:
    patterns = []
    for name, route, core, post_only in _ROUTES:
        if prefix.endswith("services/"):  # no /network/services/services/
            route = route.removeprefix("services/")
        view = wrap(core)
        if post_only:
            view = require_POST(view)
        patterns.append(path(prefix + route, view, name=f"{name_prefix}_{name}"))
    return patterns


# Site back-office (scoped by SiteScopeMiddleware): /manage/<site>/services/… and
# /manage/<site>/sessions/…; head office's e-Technopark offer: /network/services/… and
# /network/services/sessions/….
urlpatterns = [
    *_routes("manage/<slug:site_slug>/", site_area_view, "manage"),
    *_routes("network/services/", network_area_view, "network"),
]
