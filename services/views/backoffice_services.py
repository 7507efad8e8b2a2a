"""Services back-office: a site's or the network's services and their sessions (creating,
editing, cancelling, marking held), in both areas (`backoffice_area.Area`)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.errors import Conflict
from core.forms import add_action_errors
from sites.roles import MANAGE, site_action

from .. import actions, stats
from ..forms.backoffice import ServiceFilterForm, ServiceForm, SessionCancelForm, SessionForm
from ..models import (
    Attendance,
    Eligibility,
    RegistrationStatus,
    Service,
    ServiceSession,
    SessionStatus,
)
from ..selectors import backoffice as backoffice_selectors
from .backoffice_area import Area, area_render, area_routes, area_service, area_session, session_urls

SERVICES_PER_PAGE = 50
SESSIONS_PER_PAGE = 25


# --- Services -------------------------------------------------------------------------------
def service_list(request, area: Area):
    form = ServiceFilterForm(request.GET)
    services = backoffice_selectors.backoffice_service_rows(site=area.site, **form.filters())
    page = Paginator(services, SERVICES_PER_PAGE).get_page(request.GET.get("page"))
    for service in page:
        service.backoffice_url = area.url("service_detail", pk=service.pk)
        service.attendance_percent = round(100 * stats.service_attendance_rate(service))
    return area_render(
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
    return area_render(
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
    return _service_form(request, area, area_service(area, pk))


def service_detail(request, area: Area, pk: int):
    service = get_object_or_404(
        backoffice_selectors.backoffice_service_rows(site=area.site).prefetch_related("languages"), pk=pk
    )
    sessions = backoffice_selectors.service_sessions_with_counts(site=area.site, service=service)
    page = Paginator(sessions, SESSIONS_PER_PAGE).get_page(request.GET.get("page"))
    for session in page:
        session.backoffice_url = area.url("session_detail", pk=session.pk)
    return area_render(
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
def _session_form(request, area: Area, session: ServiceSession):
    creating = session.pk is None
    if not creating and session.status != SessionStatus.SCHEDULED:
        messages.error(request, _("Only a scheduled session can be changed."))
        return redirect(area.url("session_detail", pk=session.pk))
    form = SessionForm(request.POST or None, instance=session)
    if request.method == "POST" and form.is_valid():
        waiting = 0 if creating else backoffice_selectors.waitlist(session=session).count()
        try:
            place = {"place_id": form.cleaned_data["place"]} if "place" in form.fields else {}
            session = actions.session_save(actor=request.user, session=form.instance, **place)
        except ValidationError as error:
            add_action_errors(form, error)
        except Conflict as conflict:
            messages.error(request, conflict.message)
        else:
            promoted = waiting - backoffice_selectors.waitlist(session=session).count() if waiting else 0
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
    return area_render(
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
    service = area_service(area, pk)
    return _session_form(request, area, ServiceSession(service=service, site=service.site))


@site_action(MANAGE)  # read-only roles do not even open the form
def session_edit(request, area: Area, pk: int):
    return _session_form(request, area, area_session(area, pk))


def _registration_lists(area: Area, session: ServiceSession) -> dict:
    """The session's confirmed, waitlisted (in promotion order) and cancelled registrations,
    and their counts: two queries whatever their number."""
    others, waitlisted = backoffice_selectors.session_registration_lists(site=area.site, session=session)
    confirmed = [r for r in others if r.status == RegistrationStatus.CONFIRMED]
    cancelled = [r for r in others if r.status == RegistrationStatus.CANCELLED]
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
    session = area_session(area, pk)
    now = timezone.now()
    return area_render(
        request,
        area,
        "session_detail.html",
        {
            "session": session,
            "service": session.service,
            "urls": session_urls(area, session),
            "now": now,
            "is_over": session.ends_at <= now,
            "is_scheduled": session.status == SessionStatus.SCHEDULED,
            "is_public": session.service.eligibility == Eligibility.PUBLIC,
            **_registration_lists(area, session),
        },
    )


@site_action(MANAGE)  # read-only roles do not even open the form
def session_cancel(request, area: Area, pk: int):
    session = area_session(area, pk)
    detail_url = area.url("session_detail", pk=session.pk)
    if session.status != SessionStatus.SCHEDULED:
        messages.error(request, _("Only a scheduled session can be cancelled."))
        return redirect(detail_url)
    live = backoffice_selectors.session_live_count(session=session)
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
    return area_render(
        request,
        area,
        "session_cancel.html",
        {
            "form": form,
            "session": session,
            "service": session.service,
            "live": live,
            "urls": session_urls(area, session),
        },
    )


def session_held(request, area: Area, pk: int):
    session = area_session(area, pk)
    try:
        actions.session_mark_held(actor=request.user, session=session)
    except Conflict as conflict:
        messages.error(request, conflict.message)
    else:
        messages.success(request, _("The session is marked as held: its attendance now counts in the rates."))
    return redirect(area.url("session_detail", pk=session.pk))


# (name, path after the area's prefix, view, POST only)
urlpatterns = area_routes(
    [
        ("service_list", "services/", service_list, False),
        ("service_create", "services/new/", service_create, False),
        ("service_detail", "services/<int:pk>/", service_detail, False),
        ("service_edit", "services/<int:pk>/edit/", service_edit, False),
        ("session_create", "services/<int:pk>/sessions/new/", session_create, False),
        ("session_detail", "sessions/<int:pk>/", session_detail, False),
        ("session_edit", "sessions/<int:pk>/edit/", session_edit, False),
        ("session_cancel", "sessions/<int:pk>/cancel/", session_cancel, False),
        ("session_held", "sessions/<int:pk>/held/", session_held, True),
    ]
)
