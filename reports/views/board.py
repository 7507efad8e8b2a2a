"""Monthly board reports (reports.board): head office requests, follows, lists and
downloads them under /network/reports/; a site's staff list and download their own site's
reports under /manage/<site>/reports/.

- Head office (`head_office_required`): every report, the network's and every site's, read
  in `network_scope()`. The report page polls its status block with htmx every 2 s while
  the report is queued or running (a "Refresh" link without JavaScript), like the history
  import's job page. That block is the one place that says where a report is (status,
  progress, start and end): the messages after a request only say what was asked.
- A site's staff: under /manage/<site>/, `SiteScopeMiddleware` has checked that the user
  works at the site and scoped every query to it; network reports (no site) and other
  sites' reports are out of that scope, so they answer 404.
- The files are never public media: every download goes through a view that checks who
  asks, and only a done report has files.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import Conflict
from core.exports import XLSX_CONTENT_TYPE
from core.forms import add_action_errors
from core.jobs import JobStatus
from sites.roles import head_office_required
from sites.scoping import network_scope
from sites.selectors import site_choices

from ..board import jobs
from ..board.content import report_language
from ..board.files import report_filename
from ..board.pdf import PDF_CONTENT_TYPE
from ..forms.board import BoardReportFilterForm, BoardReportRequestForm
from ..models import BoardReport
from ..selectors import board_reports_listed, board_reports_of_site

PAGE_SIZE = 25
CONTENT_TYPES = {"pdf": PDF_CONTENT_TYPE, "xlsx": XLSX_CONTENT_TYPE}


def _download(report: BoardReport, kind: str) -> FileResponse:
    """The report's PDF or XLSX as an attachment; 404 unless the report is done and its
    file is there."""
    field = getattr(report, kind)
    if report.status != JobStatus.DONE or not field:
        raise Http404
    try:
        handle = field.open("rb")
    except OSError as error:  # listed but missing from storage
        raise Http404 from error
    response = FileResponse(
        handle, as_attachment=True, filename=report_filename(report, kind), content_type=CONTENT_TYPES[kind]
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Head office ------------------------------------------------------------------------------
def _network_report(pk: int) -> BoardReport:
    # Reviewed network-wide read: head office sees the reports of the network and every site.
    with network_scope():
        return get_object_or_404(board_reports_listed(), pk=pk)


@head_office_required
def board_reports(request):
    """Every report (filter by scope and status, paginated) and the form to request one
    (scope, month, and language: the requester's at first)."""
    sites = list(site_choices())
    request_form = BoardReportRequestForm(
        request.POST if request.method == "POST" else None, sites=sites, language=report_language(request.user)
    )
    if request.method == "POST" and request_form.is_valid():
        data = request_form.cleaned_data
        try:
            report = jobs.board_report_request(
                actor=request.user, scope=data["scope"], month=data["month"], language=data["language"] or None
            )
        except ValidationError as error:
            add_action_errors(request_form, error)
        else:
            if report.status == JobStatus.DONE:
                messages.info(request, _("This report is already done: download it below."))
            else:
                # What was done, not where the report is: a worker may finish it before the
                # page shows (or within this request, when tasks run eagerly). The page's
                # status block alone says where it is, and keeps saying it as it changes.
                messages.success(request, _("Report requested: the status below follows its progress."))
            return redirect("reports:board_report", pk=report.pk)
    filter_form = BoardReportFilterForm(request.GET, sites=sites)
    # Reviewed network-wide read: head office lists the reports of the network and every site.
    reports = board_reports_listed(**filter_form.filters())
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    return render(
        request,
        "reports/board/list.html",
        {"request_form": request_form, "filter_form": filter_form, "page": page},
    )


def _report_context(report: BoardReport) -> dict:
    return {"report": report, "stalled": report.is_stalled()}


@head_office_required
def board_report(request, pk: int):
    return render(request, "reports/board/report.html", _report_context(_network_report(pk)))


@head_office_required
def board_report_status(request, pk: int):
    """The status block alone, for the report page's htmx polling."""
    return render(request, "reports/board/_status.html", _report_context(_network_report(pk)))


@head_office_required
@require_POST
def board_report_regenerate(request, pk: int):
    report = _network_report(pk)
    try:
        jobs.board_report_regenerate(actor=request.user, report=report)
    except Conflict as conflict:
        messages.error(request, conflict.message)
    else:
        messages.success(request, _("Report requested again: the status below follows its progress."))
    return redirect("reports:board_report", pk=report.pk)


@head_office_required
def board_report_pdf(request, pk: int):
    return _download(_network_report(pk), "pdf")


@head_office_required
def board_report_xlsx(request, pk: int):
    return _download(_network_report(pk), "xlsx")


# --- A site's staff ---------------------------------------------------------------------------
def _site_report(request, pk: int) -> BoardReport:
    # In the site's scope: another site's report, or the network's, is not found.
    return get_object_or_404(board_reports_of_site(site=request.site), pk=pk)


@login_required
def site_board_reports(request, site_slug):
    reports = board_reports_of_site(site=request.site)
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "reports/board/site_list.html", {"site": request.site, "page": page})


@login_required
def site_board_report_pdf(request, site_slug, pk: int):
    return _download(_site_report(request, pk), "pdf")


@login_required
def site_board_report_xlsx(request, site_slug, pk: int):
    return _download(_site_report(request, pk), "xlsx")


SITE = "manage/<slug:site_slug>/"

urlpatterns = [
    path("network/reports/", board_reports, name="board_reports"),
    path("network/reports/<int:pk>/", board_report, name="board_report"),
    path("network/reports/<int:pk>/status/", board_report_status, name="board_report_status"),
    path("network/reports/<int:pk>/regenerate/", board_report_regenerate, name="board_report_regenerate"),
    path("network/reports/<int:pk>/pdf/", board_report_pdf, name="board_report_pdf"),
    path("network/reports/<int:pk>/xlsx/", board_report_xlsx, name="board_report_xlsx"),
    path(f"{SITE}reports/", site_board_reports, name="site_board_reports"),
    path(f"{SITE}reports/<int:pk>/pdf/", site_board_report_pdf, name="site_board_report_pdf"),
    path(f"{SITE}reports/<int:pk>/xlsx/", site_board_report_xlsx, name="site_board_report_xlsx"),
]
