"""Deciding on an application in two steps (issue 18): the application page's form leads
to a confirmation page (posted to, changes nothing; a GET leads back) that restates the decision and the email the
founders get; its Confirm button (POST) decides, then the application page shows the next
steps: an office and the resident's page after an admission, the next application to review."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone, translation
from django.utils.formats import date_format

from core.models import AuditEntry
from startups.models import Admission, Application, ApplicationEvent, ApplicationStatus, Call, OfficeAllocation
from tests.factories import ApplicationFactory, OfficeFactory, StartupFactory, StartupMemberFactory

from . import pipeline_setup
from .pipeline_setup import decide

# Every test here uses the world: built once for the module (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("shared_world")

_english = pipeline_setup._english
_media = pipeline_setup._media

REASON = "Outside the site's vocation."


def _short(day: datetime.date) -> str:
    with translation.override("en"):
        return date_format(day, "SHORT_DATE_FORMAT")


@pytest.fixture
def newcomer(world, site_a, unscoped):
    """A submitted application to site A's call by a startup that is not admitted anywhere,
    with two active founders and an inactive one."""
    startup = StartupFactory(legal_name="Cèdre Robotique SARL", brand_name="Cèdre Robotique")
    first = StartupMemberFactory(startup=startup, user__email="amine@cedre.ma", user__full_name="Amine Cèdre").user
    StartupMemberFactory(startup=startup, user__email="zineb@cedre.ma")
    StartupMemberFactory(startup=startup, user__email="gone@cedre.ma", user__is_active=False)
    StartupMemberFactory(startup=startup, role="member", user__email="staffer@cedre.ma")
    application = ApplicationFactory(call=Call.objects.get(pk=world["call_a"]), startup=startup)
    return {"application": application, "startup": startup, "founder": first}


def _urls(application):
    base = f"/manage/site-a/applications/{application.pk}/"
    return base, f"{base}decision/"


def _snapshot(application):
    return (
        Application.objects.filter(pk=application.pk).values_list("status", "decision", "decided_at").get(),
        ApplicationEvent.objects.filter(application=application).count(),
        Admission.objects.filter(application=application).count(),
        AuditEntry.objects.count(),
    )


# --- The confirmation page ----------------------------------------------------------------------
def test_confirmation_page_restates_a_rejection_and_changes_nothing(
    client_for, newcomer, unscoped, django_assert_max_num_queries
):
    application = newcomer["application"]
    base, url = _urls(application)
    client = client_for("manager_a")
    # The application page's decision form posts to the confirmation page: its values
    # (the reason) stay out of URLs, which server logs and browser histories keep.
    page = client.get(base).content.decode()
    assert f'<form method="post" action="{url}"' in page
    mail.outbox.clear()
    query = {"decision": "reject", "reason": REASON}
    client.post(url, query)  # warm-up (a first POST saves the manager's language)
    before = _snapshot(application)
    with django_assert_max_num_queries(6):
        response = client.post(url, query)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Confirm the decision" in html
    assert "Cèdre Robotique" in html and "Résidence Casablanca 2026" in html
    assert "Reject" in html and "Submitted → Rejected" in html
    assert "Outside the site&#x27;s vocation." in html
    # The email, as the first founder reads it, and who gets it (active founders only).
    email = response.context["email"]
    assert email["subject"] == "Decision on your application: Résidence Casablanca 2026"
    assert "Hello Amine" in email["body"] and "not accepted this time" in email["body"] and REASON in email["body"]
    assert [user.email for user in response.context["recipients"]] == ["amine@cedre.ma", "zineb@cedre.ma"]
    assert "zineb@cedre.ma" in html and "gone@cedre.ma" not in html and "staffer@cedre.ma" not in html
    # Confirm posts the same values back; Back returns to the form with them.
    assert '<input type="hidden" name="decision" value="reject">' in html
    assert 'name="confirm" value="1"' in html
    assert 'name="back" value="1"' in html
    back = client.post(url, {**query, "back": "1"})
    assert back.status_code == 200 and "Confirm the decision" not in back.content.decode()
    assert back.context["decision_form"]["reason"].value() == REASON
    assert back.context["decision_form"]["decision"].value() == "reject"
    # Reloading the page posts it again and shows it again; a GET (a bookmark, the URL
    # typed again) leads to the application page. Nothing happened.
    assert client.post(url, query).status_code == 200
    assert client.get(url, query)["Location"] == base
    assert _snapshot(application) == before
    assert mail.outbox == []


def test_confirmation_page_of_an_admission_gives_the_residency_dates(client_for, newcomer, unscoped):
    application = newcomer["application"]
    _base, url = _urls(application)
    response = client_for("manager_a").post(url, {"decision": "admit_resident", "starts_on": "2026-09-01"})
    assert response.status_code == 200
    context = response.context
    assert context["admission_kind_label"] == "Resident"
    assert context["starts_on"] == datetime.date(2026, 9, 1)
    assert context["planned_end_on"] == datetime.date(2031, 9, 1)  # the site's 5 years
    html = response.content.decode()
    assert _short(datetime.date(2026, 9, 1)) in html and _short(datetime.date(2031, 9, 1)) in html
    assert "admitted as a resident" in context["email"]["body"]
    assert not Admission.objects.filter(application=application).exists()


def test_an_admission_without_a_date_starts_today_and_etechnopark_has_no_end(client_for, newcomer, unscoped):
    _base, url = _urls(newcomer["application"])
    response = client_for("manager_a").post(url, {"decision": "admit_etechnopark"})
    assert response.context["starts_on"] == timezone.localdate()
    assert response.context["planned_end_on"] is None
    assert "e-Technopark membership has no planned end" in response.content.decode()


def test_a_startup_without_founder_is_warned_that_nobody_is_emailed(client_for, world, unscoped):
    application = ApplicationFactory(
        call=Call.objects.get(pk=world["call_a"]), startup=StartupFactory(brand_name="Lonely")
    )
    _base, url = _urls(application)
    response = client_for("manager_a").post(url, {"decision": "waitlist"})
    assert response.context["email"] is None
    assert "nobody will be emailed" in response.content.decode()


def test_a_post_without_confirm_only_shows_the_confirmation_page(client_for, newcomer, unscoped):
    """A decision form from before the confirmation step (an old tab) decides nothing."""
    application = newcomer["application"]
    _base, url = _urls(application)
    client = client_for("manager_a")
    client.post(url, {"decision": "promote"})  # a first POST saves the manager's language (audited)
    before = _snapshot(application)
    response = client.post(url, {"decision": "reject", "reason": REASON})
    assert response.status_code == 200
    assert "Confirm the decision" in response.content.decode()
    assert _snapshot(application) == before


def test_another_sites_manager_cannot_see_the_confirmation_page(client_for, newcomer, unscoped):
    application = newcomer["application"]
    query = {"decision": "reject", "reason": REASON}
    for url in (f"/manage/site-b/applications/{application.pk}/decision/", _urls(application)[1]):
        assert client_for("manager_b").post(url, query).status_code == 404, url


# --- Confirm, then the next steps ------------------------------------------------------------------
def test_confirm_admits_and_the_application_page_shows_the_next_steps(
    client_for, newcomer, site_a, unscoped, django_capture_on_commit_callbacks
):
    application, startup = newcomer["application"], newcomer["startup"]
    base, url = _urls(application)
    client = client_for("manager_a")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = decide(client, url, {"decision": "admit_resident"})
    assert response.status_code == 302 and response["Location"] == base  # POST, redirect, GET
    application.refresh_from_db()
    assert application.status == ApplicationStatus.ADMITTED
    admission = Admission.objects.get(application=application)
    assert sorted(message.to[0] for message in mail.outbox) == ["amine@cedre.ma", "zineb@cedre.ma"]

    page = client.get(base)
    html = page.content.decode()
    assert "Next steps" in html
    assert f'href="/manage/site-a/offices/?startup={startup.pk}"' in html
    assert "Allocate an office" in html
    assert f'href="/manage/site-a/residents/{admission.pk}/"' in html and "Open the resident's page" in html
    # Reloading the confirmation page once decided leads back to the application page.
    reload = client.get(url, {"decision": "admit_resident"}, follow=True)
    assert reload.redirect_chain == [(base, 302)]
    assert "A decision was already taken on this application." in reload.content.decode()

    # The allocation step: the office list keeps the startup, its offices preselect it.
    listing = client.get(f"/manage/site-a/offices/?startup={startup.pk}")
    assert listing.context["allocating"] == admission
    office = OfficeFactory(site=site_a, number="A-777")
    detail = client.get(f"/manage/site-a/offices/{office.pk}/?startup={startup.pk}")
    assert detail.context["selected_pk"] == admission.pk
    assert f'value="{admission.pk}" checked' in detail.content.decode()
    response = client.post(
        f"/manage/site-a/offices/{office.pk}/allocate/",
        {"admission": admission.pk, "starts_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 302
    assert OfficeAllocation.objects.filter(office=office, admission=admission).exists()
    # Housed now: the application page no longer offers an office.
    page = client.get(base)
    assert page.context["offer_office"] is False
    assert "Allocate an office" not in page.content.decode()


def test_an_etechnopark_member_gets_no_office_step(client_for, newcomer, unscoped):
    application = newcomer["application"]
    base, url = _urls(application)
    client = client_for("manager_a")
    assert decide(client, url, {"decision": "admit_etechnopark"}).status_code == 302
    html = client.get(base).content.decode()
    assert "Next steps" in html and "Allocate an office" not in html
    assert "Open the member's page" in html


def test_a_rejection_leads_to_the_next_application_to_review(client_for, world, newcomer, unscoped):
    application = newcomer["application"]
    base, url = _urls(application)
    client = client_for("manager_a")
    # application_a (submitted in the world) is the other one waiting at site A; site B's never shows.
    Application.objects.filter(pk=world["application_a"]).update(
        submitted_at=timezone.now() - datetime.timedelta(days=9)
    )
    assert decide(client, url, {"decision": "reject", "reason": REASON}).status_code == 302
    page = client.get(base)
    assert page.context["next_application"].pk == world["application_a"]
    html = page.content.decode()
    assert f'href="/manage/site-a/applications/{world["application_a"]}/"' in html
    assert "Next application to review: <bdi>Atlas Data</bdi>" in html
    assert "Allocate an office" not in html
    # Once that one is decided too, nothing is left: the way back to the pipeline.
    Application.objects.filter(pk=world["application_a"]).update(status=ApplicationStatus.WITHDRAWN)
    page = client.get(base)
    assert page.context["next_application"] is None
    assert "No other application is waiting for the committee." in page.content.decode()


def test_open_applications_show_no_next_steps(client_for, newcomer, unscoped):
    page = client_for("manager_a").get(_urls(newcomer["application"])[0])
    assert page.context["show_next_steps"] is False
    assert "Next steps" not in page.content.decode()


def test_decided_application_page_is_constant_in_queries(
    client_for, world, newcomer, unscoped, django_assert_max_num_queries
):
    application = newcomer["application"]
    base, url = _urls(application)
    client = client_for("manager_a")
    decide(client, url, {"decision": "admit_resident"})
    client.get(base)
    with django_assert_max_num_queries(13):
        assert client.get(base).status_code == 200
