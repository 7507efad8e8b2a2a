"""Certificates (passport.actions.certificates_issue, run hourly by passport.tasks): of
attendance for each startup member checked in at a session once it is over; of completion
for a startup that attended a session of each service of a programme within its dates. Each
once; withdrawn when the attendance is corrected; listed on the founder's page with the
skills they cover, verifiable like attestations."""

import datetime

import pytest
from django.utils import timezone

from passport.actions import certificates_issue
from passport.models import Credential
from passport.tasks import issue_certificates
from services.models import Attendance, ProgrammeParticipant, RegistrationStatus
from tests.factories import (
    ProgrammeFactory,
    RegistrationFactory,
    ServiceFactory,
    ServiceSessionFactory,
    StartupMemberFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]
NOW = timezone.now()


def _attended(startup, service, *, days_ago: float = 1, attendance=Attendance.PRESENT, name="Salma Idrissi"):
    starts_at = NOW - datetime.timedelta(days=days_ago, hours=2)
    session = ServiceSessionFactory(service=service, starts_at=starts_at, status="held")
    return RegistrationFactory(session=session, startup=startup, name=name, attendance=attendance, language="ar")


@pytest.fixture
def member(site_a):
    return StartupMemberFactory(startup__legal_name="Atlas Data SARL", startup__brand_name="")


def test_an_attendance_is_certified_once_the_session_is_over(member, site_a):
    service = ServiceFactory(site=site_a, title="Lever des fonds", dimension="financing", service_type="training")
    registration = _attended(member.startup, service)
    _attended(member.startup, service, days_ago=-1)  # not over yet (it starts tomorrow)
    _attended(member.startup, service, attendance=Attendance.NO_SHOW, name="Absent")
    RegistrationFactory(session=registration.session, startup=None, attendance=Attendance.PRESENT)  # a visitor
    assert certificates_issue() == (1, 0)
    credential = Credential.objects.get()
    assert (credential.kind, credential.registration, credential.site) == ("attendance", registration, site_a)
    assert credential.holder_name == "Salma Idrissi" and credential.language == "ar" and not credential.ongoing
    assert credential.issued_by is None
    assert certificates_issue() == (0, 0)


def test_a_corrected_attendance_withdraws_its_certificate(member, site_a):
    registration = _attended(member.startup, ServiceFactory(site=site_a))
    certificates_issue()
    registration.attendance = Attendance.NO_SHOW
    registration.save()
    assert certificates_issue() == (0, 1)
    credential = Credential.objects.get()
    assert credential.revoked_at is not None and credential.revoke_reason
    registration.attendance, registration.status = Attendance.PRESENT, RegistrationStatus.CONFIRMED
    registration.save()
    assert certificates_issue() == (0, 0)  # revoked stays revoked: the site issues no second one


def test_a_programme_completed_within_its_dates(member, site_a):
    today = timezone.localdate()
    programme = ProgrammeFactory(
        site=site_a, title="Export Booster", starts_on=today - datetime.timedelta(days=60), ends_on=today
    )
    first, second = ServiceFactory(site=site_a, dimension="market"), ServiceFactory(site=site_a, dimension="skills")
    programme.services.add(first, second)
    ProgrammeParticipant.objects.create(programme=programme, site=site_a, startup=member.startup)
    _attended(member.startup, first, days_ago=10)
    _attended(member.startup, second, days_ago=90)  # before the programme: does not count
    assert certificates_issue() == (2, 0)  # the two attendances; no completion yet
    assert not Credential.objects.filter(kind="completion").exists()
    _attended(member.startup, second, days_ago=5)
    assert certificates_issue() == (2, 0)  # that attendance, and the completion
    completion = Credential.objects.get(kind="completion")
    assert completion.programme == programme and completion.starts_on == programme.starts_on
    assert certificates_issue() == (0, 0)


def test_the_hourly_task_covers_every_site_and_the_network(member, site_a, site_b):
    _attended(member.startup, ServiceFactory(site=site_b))
    _attended(member.startup, ServiceFactory(site=None, format="live_stream", service_type="seminar"))
    assert issue_certificates.delay().get() == (2, 0)
    assert {credential.site_id for credential in Credential.objects.all()} == {site_b.pk, None}


def test_a_certificate_on_the_founders_page_in_the_pdf_and_on_the_verification_page(client, member, site_a):
    service = ServiceFactory(site=site_a, title="Pitch clinic", dimension="financing", service_type="clinic")
    _attended(member.startup, service)
    certificates_issue()
    credential = Credential.objects.get()
    client.force_login(member.user)
    client.cookies["django_language"] = "en"
    page = client.get(f"/startups/{member.startup_id}/attestations/").content.decode()
    assert "Certificate of attendance" in page and "Salma Idrissi" in page and "Pitch clinic" in page
    assert "Access to financing" in page and "Clinic" in page
    verify = client.get(f"/verify/{credential.grouped_code}/", HTTP_ACCEPT="application/json").json()
    assert verify["valid"] is True and verify["kind"] == "attendance" and verify["holder"] == "Salma Idrissi"
    assert verify["skills"] == ["Access to financing", "Clinic"]
    assert "Salma Idrissi, of Atlas Data SARL, attended Pitch clinic (Clinic), run by" in verify["statement"]
    response = client.get(f"/startups/{member.startup_id}/attestations/{credential.pk}/pdf/")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
