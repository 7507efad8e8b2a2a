"""The head-office upload page (/network/import/): preview, errors, confirmation without a
second upload (applied by a Celery job, eager in tests), permissions and the size limit."""

from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scopes_disabled

from core.models import AuditEntry
from startups.importer import MAX_FILE_BYTES
from startups.models import Admission, Declaration, ImportJob, Startup
from startups.views import history
from startups.views.history import SESSION_KEY


@pytest.fixture(autouse=True)
def _english(client, staff):
    # Assertions read English; the report is written in the confirming user's language.
    staff.language = "en"
    staff.save(update_fields=["language"])
    client.cookies["django_language"] = "en"


FIXTURES = Path(__file__).parent / "fixtures"
URL = "/network/import/"
CONFIRM_URL = "/network/import/confirm/"


def upload(name: str, content: bytes | None = None) -> SimpleUploadedFile:
    content = content if content is not None else (FIXTURES / name).read_bytes()
    return SimpleUploadedFile(name, content, content_type="text/csv")


def written():
    with scopes_disabled():
        return Startup.objects.count(), Admission.objects.count(), Declaration.objects.count()


@pytest.fixture(autouse=True)
def _stash_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(history, "STASH_DIR", tmp_path / "stash")


@pytest.fixture
def head_office(client, staff, site_a, site_b):
    client.force_login(staff)
    return client


def test_the_page_shows_the_upload_form(head_office):
    response = head_office.get(URL)
    assert response.status_code == 200
    assert b'enctype="multipart/form-data"' in response.content
    assert "report" not in response.context


def test_upload_shows_a_preview_and_writes_nothing(head_office):
    response = head_office.post(URL, {"startups": upload("startups.csv"), "declarations": upload("declarations.csv")})
    assert response.status_code == 200
    report = response.context["report"]
    assert report.ok and not report.applied
    assert report.counts["startup"]["created"] == 3
    assert len(response.context["preview_changes"]) == 11
    assert response.context["confirm_form"] is not None
    assert b"Oasis Data SARL" in response.content
    assert written() == (0, 0, 0)
    token = head_office.session[SESSION_KEY]["token"]
    assert (history.STASH_DIR / token / "startups.csv").is_file()


def test_the_preview_shows_labels_and_values_people_read(head_office):
    response = head_office.post(URL, {"startups": upload("startups.csv"), "declarations": upload("declarations.csv")})
    text = response.content.decode()
    for raw in ("kind:", "legal_form:", "starts_on:", "revenue_mad:", "+00:00", "resident", ">sarl<"):
        assert raw not in text, raw
    assert '<span class="fw-semibold">Kind</span>: <bdi>Resident</bdi>' in text
    assert '<span class="fw-semibold">Legal form</span>: <bdi>SARL</bdi>' in text
    assert '<span class="fw-semibold">Founding date</span>: <bdi>03/02/2015</bdi>' in text
    assert '<span class="fw-semibold">Revenue (MAD)</span>: <bdi>3,100,000.50</bdi>' in text
    assert '<span class="fw-semibold">Export destinations</span>: <bdi>Côte d&#x27;Ivoire, Senegal</bdi>' in text
    assert "Oasis Data SARL · site-a · Resident · 01/01/2017" in text


def test_confirming_imports_without_a_second_upload(head_office, staff, django_capture_on_commit_callbacks):
    head_office.post(URL, {"startups": upload("startups.csv"), "declarations": upload("declarations.csv")})
    token = head_office.session[SESSION_KEY]["token"]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = head_office.post(CONFIRM_URL, {"token": token})
    job = ImportJob.objects.get()
    assert len(callbacks) == 1  # the job
    assert response.status_code == 302 and response.url == f"/network/import/jobs/{job.pk}/"
    assert (job.status, job.created_by, job.processed_rows, job.total_rows) == ("done", staff, 11, 11)
    assert (job.startups_name, job.declarations_name) == ("startups.csv", "declarations.csv")
    assert written() == (3, 4, 4)
    with scopes_disabled():
        # 11 imported records and the job itself, audited by name without the files' texts.
        assert AuditEntry.objects.filter(actor=staff).count() == 12
        queued = AuditEntry.objects.get(actor=staff, object_id=str(job.pk), content_type__model="importjob")
    assert set(queued.changes) == {"startups_name", "declarations_name", "total_rows"}
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["success"]
    assert SESSION_KEY not in head_office.session
    assert not (history.STASH_DIR / token).exists()
    # The same token cannot import twice.
    response = head_office.post(CONFIRM_URL, {"token": token})
    assert response.status_code == 302
    assert [m.level_tag for m in get_messages(response.wsgi_request)][-1] == "error"
    assert written() == (3, 4, 4)


def test_bad_rows_are_listed_and_cannot_be_confirmed(head_office):
    response = head_office.post(URL, {"startups": upload("startups_bad.csv")})
    assert response.status_code == 200
    errors = response.context["report"].errors
    assert [error.line for error in errors] == [3, 4, 5, 6, 7, 8, 9, 10]
    assert "confirm_form" not in response.context
    assert b'id="import-errors"' in response.content
    assert SESSION_KEY not in head_office.session
    assert written() == (0, 0, 0)


def test_a_forged_or_foreign_token_imports_nothing(head_office, client, staff):
    head_office.post(URL, {"startups": upload("startups.csv")})
    response = head_office.post(CONFIRM_URL, {"token": "../../etc"})
    assert response.status_code == 302
    assert written() == (0, 0, 0)


def test_no_file_is_a_form_error(head_office):
    response = head_office.post(URL, {})
    assert response.status_code == 200
    assert [error.code for error in response.context["form"].non_field_errors().as_data()] == ["no_file"]


def test_an_oversize_file_is_refused_with_a_clear_message(head_office):
    big = b"name,ice\n" + b"x" * MAX_FILE_BYTES
    response = head_office.post(URL, {"startups": upload("startups.csv", big)})
    assert response.status_code == 200
    errors = response.context["form"].errors.as_data()["startups"]
    assert [error.code for error in errors] == ["too_large"]
    assert "5.0" in str(errors[0].message) or "5,0" in str(errors[0].message)
    assert "report" not in response.context


def test_a_file_that_is_not_csv_text_is_reported(head_office):
    response = head_office.post(URL, {"startups": upload("startups.csv", b"\x89PNG\r\n\x1a\n\x00\x00")})
    assert response.status_code == 200
    assert [error.code for error in response.context["report"].errors] == ["encoding"]


@pytest.mark.parametrize("persona", ["manager_a", "founder_a", "outsider"])
def test_only_head_office_may_import(client, personas, persona, site_a):
    client.force_login(personas[persona])
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"startups": upload("startups.csv")}).status_code == 403
    assert client.post(CONFIRM_URL, {"token": "x"}).status_code == 403
    assert written() == (0, 0, 0)


def test_anonymous_visitors_are_sent_to_the_login_page(client, db):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response.url
    assert client.post(CONFIRM_URL, {"token": "x"}).status_code == 302


def test_when_the_portal_changed_since_the_preview_nothing_is_written(
    head_office, site_b, django_capture_on_commit_callbacks
):
    from tests.factories import AdmissionFactory, StartupFactory

    head_office.post(URL, {"startups": upload("startups.csv")})
    token = head_office.session[SESSION_KEY]["token"]
    with scopes_disabled():
        medina = StartupFactory(legal_name="Medina Games", ice="002345678000012", founded_on="2018-01-10")
        AdmissionFactory(startup=medina, site=site_b, kind="e-technopark", starts_on="2020-01-01")
    with django_capture_on_commit_callbacks(execute=True):
        response = head_office.post(CONFIRM_URL, {"token": token})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    assert job.status == "failed" and "changed since the preview" in job.error
    assert [error["code"] for error in job.report["errors"]] == ["two_open_admissions"]
    assert written() == (1, 1, 0)  # only what the test created
    page = head_office.get(response.url)
    assert b'id="import-errors"' in page.content and b"hx-trigger" not in page.content
