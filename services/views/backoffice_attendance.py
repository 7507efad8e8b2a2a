"""Services back-office: taking a session's attendance (check-in on the day for public
events) and the check-in list of a public event, in both areas (`backoffice_area.Area`)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Conflict
from core.exports import csv_response

from .. import actions
from ..forms.backoffice import AttendanceForm
from ..models import Eligibility, SessionStatus
from ..selectors import backoffice as backoffice_selectors
from .backoffice_area import Area, area_render, area_routes, area_session, session_urls


# --- Attendance and check-in ------------------------------------------------------------------
def attendance(request, area: Area, pk: int):
    """One row per confirmed participant with big Present / No-show buttons, from the
    session's start on (before, the page says from when). Plain forms (a POST then a
    redirect back to the row); with htmx only the row and the counts are swapped. For
    public events, "present" is the check-in on the day."""
    session = area_session(area, pk)
    page_url = area.url("attendance", pk=session.pk)
    is_htmx = request.headers.get("HX-Request") == "true"
    is_open = actions.attendance_is_open(session=session)
    row_error = None
    if request.method == "POST":  # `manage` only: the middleware refuses the others (sites.roles)
        form = AttendanceForm(request.POST)
        if not form.is_valid():
            if is_htmx:
                return HttpResponse(status=400)
            messages.error(request, _("Choose Present or No-show for a participant of the list."))
            return redirect(page_url)
        registration = get_object_or_404(
            backoffice_selectors.session_participants(site=area.site, session=session),
            pk=form.cleaned_data["registration"],
        )
        registration.session = session  # the one just read: no second query
        try:
            if session.status == SessionStatus.CANCELLED:
                raise Conflict(_("This session is cancelled: there is no attendance to take."))
            registration = actions.attendance_mark(
                actor=request.user, registration=registration, attendance=form.value()
            )
        except (Conflict, ValidationError) as error:
            row_error = error.message if isinstance(error, Conflict) else " ".join(error.messages)
            if not is_htmx:
                messages.error(request, row_error)
        if is_htmx:
            return area_render(
                request,
                area,
                "_attendance_row.html",
                {
                    "registration": registration,
                    "session": session,
                    "page_url": page_url,
                    "row_error": row_error,
                    "is_open": is_open,
                    "counts": backoffice_selectors.session_attendance_counts(site=area.site, session=session),
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

    query = (request.GET.get("q") or "").strip()[:100]
    participants = backoffice_selectors.session_participants(site=area.site, session=session, query=query)
    return area_render(
        request,
        area,
        "attendance.html",
        {
            "session": session,
            "service": session.service,
            "participants": list(participants),
            "query": query,
            "counts": backoffice_selectors.session_attendance_counts(site=area.site, session=session),
            "page_url": page_url,
            "urls": session_urls(area, session),
            "is_public": session.service.eligibility == Eligibility.PUBLIC,
            "is_cancelled": session.status == SessionStatus.CANCELLED,
            "is_open": is_open,
        },
    )


def checkin_csv(request, area: Area, pk: int):
    """The check-in list of a public event (confirmed and waitlisted people)."""
    session = area_session(area, pk)
    if session.service.eligibility != Eligibility.PUBLIC:
        raise Http404
    registrations = backoffice_selectors.session_checkin_rows(site=area.site, session=session)
    rows = (
        [
            registration.name,
            registration.email,
            registration.organisation,
            registration.get_status_display(),
            timezone.localtime(registration.checked_in_at).strftime("%Y-%m-%d %H:%M")
            if registration.checked_in_at
            else "",
        ]
        for registration in registrations
    )
    day = timezone.localtime(session.starts_at).date().isoformat()
    owner = area.site.slug if area.site else "network"
    return csv_response(
        filename=f"checkin-{owner}-{session.pk}-{day}.csv",
        header=[_("Name"), _("Email"), _("Organisation"), _("Status"), _("Checked in at")],
        rows=rows,
    )


# (name, path after the area's prefix, view, POST only)
urlpatterns = area_routes(
    [
        ("attendance", "sessions/<int:pk>/attendance/", attendance, False),
        ("checkin_csv", "sessions/<int:pk>/checkin.csv", checkin_csv, False),
    ]
)
