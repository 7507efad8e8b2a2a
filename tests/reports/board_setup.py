"""The dataset, fixtures and helpers of the monthly board reports' tests
(test_board_generation.py, test_board_content.py, test_board_pages.py).

The dataset (`board_data`) is May 2026 at site A; every expected figure is worked out in the
comments next to the data. In May 2026 Casablanca is at UTC+1; timestamps are in UTC."""

import datetime
import io
from decimal import Decimal

import pytest
from django_scopes import scopes_disabled
from pypdf import PdfReader

from mentors.models import Attendance as BookingAttendance
from reports.board.jobs import generate_board_report
from reports.models import BoardReport
from services.models import Attendance, SessionStatus
from startups.models import ApplicationStatus, OfficeAllocation
from tests.factories import (
    AdmissionFactory,
    ApplicationFactory,
    BookingFactory,
    CallFactory,
    DeclarationFactory,
    MentorProfileFactory,
    OfficeFactory,
    RegistrationFactory,
    ServiceFactory,
    ServiceSessionFactory,
    StartupFactory,
)

MAY = datetime.date(2026, 5, 1)


def utc(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _english(client, staff):
    # Assertions read English; reports are written in the requester's language.
    staff.language = "en"
    staff.save(update_fields=["language"])
    client.cookies["django_language"] = "en"


@pytest.fixture
def board_data(site_a, site_b, unscoped):
    """Site A, May 2026.

    Startups:
    - S1, founded 2015-03-01, resident at A since 2020-01-01 (office A-1); declared 2025:
      5 + 2 jobs, 1,200,000 MAD, exports to Senegal.
    - S2, founded 2024-05-01, e-Technopark member at A since 2026-05-10; no declaration.
    - S3 at site B only (network figures, never site A's).
    Headline figures of site A:
                               31 May 2026   30 April 2026   31 May 2025
      supported since 2001         2 (S1,S2)     1 (S1)          1 (S1)
      residents (ever)             1             1               1
      supported now                2             1               1
      residents now                1             1               1
      5-year survival              100 %         100 %           100 %   (S1 only, never closed)
      jobs                         7             7               0       (2025 known from 2026 on)
      revenue (fiscal year − 1)    1,200,000     1,200,000       0       (no 2024 declaration)
      exporting                    50 % (1/2)    100 % (1/1)     0 %     (nothing known in 2025)
      exporting to Africa          50 %          100 %           0 %
    Activity of May 2026 at A:
    - access to financing: 1 session held on 12 May (another on 28 April is outside, a
      cancelled one on 20 May does not count), 2 confirmed registrations, 1 present →
      50 %; the other dimensions are zeros;
    - mentoring: 90 minutes on 20 May → 1 session, 1.5 h (a no-show on 21 May is left out);
    - offices: 2 in service at A, 1 allocated (S1's) on 31 May → 50 %;
    - applications submitted in May at A: 2, one admitted after 4 days, one under review →
      admission rate 50 %, median 4.0 days.
    """
    s1 = StartupFactory(legal_name="Atlas Data SARL", brand_name="Atlas Data", founded_on=datetime.date(2015, 3, 1))
    admission = AdmissionFactory(startup=s1, site=site_a, kind="resident", starts_on=datetime.date(2020, 1, 1))
    DeclarationFactory(
        startup=s1,
        fiscal_year=2025,
        direct_jobs=5,
        indirect_jobs=2,
        revenue_mad=Decimal("1200000.00"),
        export_revenue_mad=Decimal("300000.00"),
        export_countries=["SN"],
    )
    s2 = StartupFactory(founded_on=datetime.date(2024, 5, 1))
    AdmissionFactory(
        startup=s2, site=site_a, kind="e-technopark", starts_on=datetime.date(2026, 5, 10), planned_end_on=None
    )
    s3 = StartupFactory(founded_on=datetime.date(2019, 1, 1))
    AdmissionFactory(startup=s3, site=site_b, kind="resident", starts_on=datetime.date(2021, 1, 1))

    service = ServiceFactory(site=site_a, dimension="financing")
    held = ServiceSessionFactory(service=service, starts_at=utc("2026-05-12T09:00"), status=SessionStatus.HELD)
    RegistrationFactory(session=held, attendance=Attendance.PRESENT)
    RegistrationFactory(session=held, attendance=Attendance.NO_SHOW)
    april = ServiceSessionFactory(service=service, starts_at=utc("2026-04-28T09:00"), status=SessionStatus.HELD)
    RegistrationFactory(session=april, attendance=Attendance.PRESENT)
    ServiceSessionFactory(service=service, starts_at=utc("2026-05-20T09:00"), status=SessionStatus.CANCELLED)

    mentor = MentorProfileFactory()
    BookingFactory(
        mentor=mentor,
        site=site_a,
        startup=s1,
        starts_at=utc("2026-05-20T09:00"),
        ends_at=utc("2026-05-20T10:30"),
        attendance=BookingAttendance.HELD,
    )
    BookingFactory(
        mentor=mentor,
        site=site_a,
        startup=s1,
        starts_at=utc("2026-05-21T09:00"),
        ends_at=utc("2026-05-21T10:00"),
        attendance=BookingAttendance.STARTUP_NO_SHOW,
    )

    office = OfficeFactory(site=site_a, number="A-1")
    OfficeFactory(site=site_a, number="A-2")
    OfficeAllocation.objects.create(
        office=office, admission=admission, site=site_a, starts_on=datetime.date(2020, 1, 1)
    )

    call = CallFactory(site=site_a)
    ApplicationFactory(
        call=call,
        status=ApplicationStatus.ADMITTED,
        submitted_at=utc("2026-05-04T10:00"),
        decided_at=utc("2026-05-08T10:00"),
    )
    ApplicationFactory(call=call, status=ApplicationStatus.UNDER_REVIEW, submitted_at=utc("2026-05-15T10:00"))


def _report(scope="site:site-a", month=MAY, **fields) -> BoardReport:
    with scopes_disabled():
        if scope != "network":
            from sites.models import Site

            fields.setdefault("site", Site.objects.get(slug=scope.partition(":")[2]))
        return BoardReport.objects.create(scope=scope, month=month, **fields)


def _get(pk) -> BoardReport:
    with scopes_disabled():
        return BoardReport.objects.select_related("site").get(pk=pk)


def _generate(report, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = generate_board_report.delay(report.pk).get()
    return result


def pdf_text(data: bytes) -> str:
    """The text of every page of a PDF, as pypdf extracts it (no-break spaces kept)."""
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def queued(monkeypatch):
    """The ids handed to the task, without running it."""
    sent = []
    monkeypatch.setattr(generate_board_report, "delay", lambda report_id: sent.append(report_id))
    return sent
