"""Monthly board reports, the pages of reports/views/board.py: requesting, following and
downloading a report, who may see and download what, and the list's query counts."""

import datetime
import io
import uuid

import pytest
from django.db import connection
from django.utils import timezone
from django_scopes import scopes_disabled
from openpyxl import load_workbook

from accounts.models import Role
from core.exports import XLSX_CONTENT_TYPE
from core.jobs import JobStatus
from reports.models import BoardReport, BoardReportStep
from tests.factories import UserFactory
from tests.querycount import settle

from . import board_setup
from .board_setup import MAY, _generate, _get, _report

# The fixtures shared with the sibling modules: pytest finds a fixture by its name in the module.
# `_english`, autouse, applies to every test here.
_english = board_setup._english
board_data = board_setup.board_data
queued = board_setup.queued


# --- Pages: head office -----------------------------------------------------------------------
def test_head_office_requests_a_report_from_the_list(client, site_a, staff, queued, django_capture_on_commit_callbacks):
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/network/reports/", {"scope": "site:site-a", "month": "2026-05"})
    with scopes_disabled():
        report = BoardReport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/network/reports/{report.pk}/"
    assert queued == [report.pk] and report.month == MAY

    page = client.get(f"/network/reports/{report.pk}/")
    assert page.status_code == 200
    assert f'hx-get="/network/reports/{report.pk}/status/"' in page.content.decode()
    fragment = client.get(f"/network/reports/{report.pk}/status/")
    assert fragment.status_code == 200 and "hx-trigger" in fragment.content.decode()
    assert "<html" not in fragment.content.decode()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"scope": "site:site-a", "month": "2026-13"}, "month"),
        ({"scope": "site:site-a", "month": "May"}, "month"),
        ({"scope": "site:site-a", "month": "2000-12"}, "month"),
        ({"scope": "site:site-a", "month": "2999-01"}, "month"),
        ({"scope": "region:MA-06", "month": "2026-05"}, "scope"),
        ({"scope": "", "month": "2026-05"}, "scope"),
    ],
)
def test_bad_requests_are_form_errors(client, site_a, staff, queued, data, field):
    client.force_login(staff)
    response = client.post("/network/reports/", data)
    assert response.status_code == 200
    assert response.context["request_form"].errors[field]
    with scopes_disabled():
        assert not BoardReport.objects.exists()


def test_the_progress_page_shows_the_step_then_the_downloads(
    client, board_data, staff, django_capture_on_commit_callbacks
):
    now = timezone.now()
    report = _report(
        status=JobStatus.RUNNING,
        claim=uuid.uuid4(),
        progress=35,
        step=BoardReportStep.ACTIVITY,
        started_at=now,
        heartbeat_at=now,
        language="en",  # regenerating keeps the report's language
    )
    client.force_login(staff)
    body = client.get(f"/network/reports/{report.pk}/status/").content.decode()
    assert "Activity of the month · 35%" in body and 'value="35"' in body and "hx-get" in body
    # Stalled: slower polling (the sweeper hands it to another worker), a button to try now.
    BoardReport.objects.filter(pk=report.pk).update(heartbeat_at=now - datetime.timedelta(hours=1))
    body = client.get(f"/network/reports/{report.pk}/status/").content.decode()
    assert 'hx-trigger="every 10s"' in body and "Another worker takes it over" in body and "Try again" in body
    # The button regenerates: the same row, done.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/network/reports/{report.pk}/regenerate/")
    assert response.status_code == 302
    body = client.get(f"/network/reports/{report.pk}/status/").content.decode()
    assert "hx-get" not in body
    assert f"/network/reports/{report.pk}/pdf/" in body and f"/network/reports/{report.pk}/xlsx/" in body
    pdf = client.get(f"/network/reports/{report.pk}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert 'filename="board-report-site-a-2026-05-en.pdf"' in pdf["Content-Disposition"]
    xlsx = client.get(f"/network/reports/{report.pk}/xlsx/")
    assert xlsx.status_code == 200 and xlsx["Content-Type"] == XLSX_CONTENT_TYPE
    assert load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).sheetnames[0] == "Report"


def test_a_report_that_is_not_done_has_no_download(client, site_a, staff):
    report = _report()
    client.force_login(staff)
    assert client.get(f"/network/reports/{report.pk}/pdf/").status_code == 404
    assert client.get(f"/network/reports/{report.pk}/xlsx/").status_code == 404


def test_head_office_lists_and_filters_every_report(client, site_a, site_b, staff):
    network = _report("network", site=None, status=JobStatus.DONE, pdf="a.pdf", xlsx="a.xlsx")
    a = _report("site:site-a")
    b = _report("site:site-b", status=JobStatus.FAILED)
    client.force_login(staff)
    listed = client.get("/network/reports/").context["page"].object_list
    assert {report.pk for report in listed} == {network.pk, a.pk, b.pk}
    listed = client.get("/network/reports/?scope=site:site-a").context["page"].object_list
    assert [report.pk for report in listed] == [a.pk]
    listed = client.get("/network/reports/?status=failed").context["page"].object_list
    assert [report.pk for report in listed] == [b.pk]
    # A bad filter is reported, not a 500; the valid ones still apply.
    response = client.get("/network/reports/?scope=region:MA-06&status=failed")
    assert response.status_code == 200 and response.context["filter_form"].errors["scope"]
    assert [report.pk for report in response.context["page"].object_list] == [b.pk]
    assert client.get("/network/reports/?page=999").status_code == 200


def _many_reports(count: int) -> None:
    from sites.models import Site

    with scopes_disabled():
        sites = list(Site.objects.order_by("slug"))
        existing = BoardReport.objects.count()
        for index in range(existing, existing + count):
            site = sites[index % len(sites)]
            BoardReport.objects.create(
                scope=f"site:{site.slug}",
                site=site,
                month=datetime.date(2001 + index // 12, index % 12 + 1, 1),
                status=JobStatus.DONE,
                pdf="x.pdf",
                xlsx="x.xlsx",
                requested_by=UserFactory(role=Role.HEAD_OFFICE),
            )


def _queries(client, url: str) -> int:
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize(("persona", "url"), [("staff", "/network/reports/"), ("manager_a", "/manage/site-a/reports/")])
def test_the_lists_cost_the_same_queries_whatever_the_number_of_reports(client, personas, persona, url):
    client.force_login(personas[persona])
    client.get(url)  # the first request of a session does a little more once
    settle(client)
    _many_reports(3)
    small = _queries(client, url)
    _many_reports(60)  # more than a page, across both sites
    assert _queries(client, url) == small
    assert small <= 9, small


# --- Isolation: a site's staff ----------------------------------------------------------------
@pytest.fixture
def three_reports(board_data, staff, django_capture_on_commit_callbacks):
    """Done reports of site A, site B and the network for May 2026."""
    reports = {}
    for key, scope in (("a", "site:site-a"), ("b", "site:site-b"), ("network", "network")):
        reports[key] = _report(scope, **({"site": None} if scope == "network" else {}))
        _generate(reports[key], django_capture_on_commit_callbacks)
        assert _get(reports[key].pk).status == "done"
    return reports


def test_a_site_manager_sees_and_downloads_only_their_sites_reports(client, three_reports, manager_a):
    a, b, network = three_reports["a"], three_reports["b"], three_reports["network"]
    client.force_login(manager_a)
    response = client.get("/manage/site-a/reports/")
    assert response.status_code == 200
    assert [report.pk for report in response.context["page"].object_list] == [a.pk]
    body = response.content.decode()
    assert f"/manage/site-a/reports/{a.pk}/pdf/" in body and f"/manage/site-a/reports/{a.pk}/xlsx/" in body
    pdf = client.get(f"/manage/site-a/reports/{a.pk}/pdf/")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert client.get(f"/manage/site-a/reports/{a.pk}/xlsx/").status_code == 200
    # Site B's report and the network's: not found through site A, nor through site B.
    for other in (b, network):
        for kind in ("pdf", "xlsx"):
            assert client.get(f"/manage/site-a/reports/{other.pk}/{kind}/").status_code == 404
            assert client.get(f"/manage/site-b/reports/{other.pk}/{kind}/").status_code == 404
    assert client.get("/manage/site-b/reports/").status_code == 404
    # Head office's pages are not theirs.
    for url in ("/network/reports/", f"/network/reports/{network.pk}/", f"/network/reports/{network.pk}/pdf/"):
        assert client.get(url).status_code == 403
    assert client.get(f"/network/reports/{a.pk}/xlsx/").status_code == 403


def test_head_office_downloads_any_report_and_through_a_site(client, three_reports, staff):
    client.force_login(staff)
    for report in three_reports.values():
        assert client.get(f"/network/reports/{report.pk}/pdf/").status_code == 200
    a, network = three_reports["a"], three_reports["network"]
    assert client.get(f"/manage/site-a/reports/{a.pk}/pdf/").status_code == 200
    assert client.get(f"/manage/site-a/reports/{network.pk}/pdf/").status_code == 404


# --- The page never contradicts the report's status -----------------------------------------
def _status_block(body: str) -> str:
    return body[body.index('<div id="report-status"') :]


def test_a_report_done_before_the_page_shows_is_not_said_to_be_generating(
    client, board_data, staff, django_capture_on_commit_callbacks
):
    """Celery eager (`make run` without a broker): the report is generated as its request
    commits, before the page it redirects to is shown. The message says what was asked;
    only the status block says where the report is: done, with its end and its files."""
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/network/reports/", {"scope": "site:site-a", "month": "2026-05"})
    report = _get(BoardReport.objects.values_list("pk", flat=True).get())
    assert report.status == JobStatus.DONE
    body = client.get(response["Location"]).content.decode()
    assert "being generated" not in body and "Report requested" in body
    status = _status_block(body)
    assert "The report is ready." in status and "Download the PDF" in status and "Finished" in status
    assert "hx-get" not in status  # nothing left to follow
    assert body.count("Finished") == 1  # said by the status block alone

    # Generated again (eagerly, within the request): the same.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/network/reports/{report.pk}/regenerate/")
    body = client.get(response["Location"]).content.decode()
    assert _get(report.pk).status == JobStatus.DONE
    assert "being generated" not in body and "Report requested again" in body
    assert "The report is ready." in _status_block(body)


def test_a_report_still_waiting_is_followed_by_its_status_block(client, site_a, staff, queued):
    client.force_login(staff)
    response = client.post("/network/reports/", {"scope": "site:site-a", "month": "2026-05"})
    body = client.get(response["Location"]).content.decode()
    status = _status_block(body)
    assert "Waiting for a worker" in status and "hx-get" in status and "The report is ready." not in body
    assert "Report requested" in body
    # A done report asked for again is not generated again: the message says it is done.
    with scopes_disabled():
        BoardReport.objects.update(status=JobStatus.DONE, progress=100, pdf="a.pdf", xlsx="a.xlsx")
    response = client.post("/network/reports/", {"scope": "site:site-a", "month": "2026-05"})
    body = client.get(response["Location"]).content.decode()
    assert "already done" in body and "The report is ready." in _status_block(body)
