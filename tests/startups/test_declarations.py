"""Yearly declarations: the founder's form (validation, upsert), who sees what, the site
managers' page, and the monthly reminders."""

import datetime
import decimal

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scopes_disabled

from core.models import AuditEntry
from startups import tasks
from startups.actions import declarations as declaration_actions
from startups.models import Declaration, TeamRole
from tests.factories import (
    AdmissionFactory,
    DeclarationFactory,
    StartupFactory,
    StartupMemberFactory,
    UserFactory,
)
from tests.querycount import settle

# Every test here uses the world: built once for the module (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("shared_world")

LAST_YEAR = timezone.localdate().year - 1
FIGURES = {
    "fiscal_year": str(LAST_YEAR),
    "direct_jobs": "8",
    "indirect_jobs": "3",
    "revenue_mad": "1500000",
    "export_revenue_mad": "400000.50",
    "export_countries": ["SN", "FR"],
    "funds_raised_mad": "250000",
}


def page(world):
    return f"/startups/{world['startup_a']}/declarations/"


@pytest.fixture
def founder(client, founder_a, world):
    client.force_login(founder_a)
    return client


# --- The founder's page -------------------------------------------------------------------
def test_founder_sees_the_declarations_and_a_form_for_last_year(founder, world):
    response = founder.get(page(world))
    assert response.status_code == 200
    assert response.context["can_edit"] and response.context["missing_last_year"]
    assert response.context["form"]["fiscal_year"].value() == LAST_YEAR
    assert [d.fiscal_year for d in response.context["declarations"]] == [2024]


def test_founder_declares_a_year(founder, world, founder_a, unscoped):
    response = founder.post(page(world), FIGURES)
    assert response.status_code == 302
    declaration = Declaration.objects.get(startup=world["startup_a"], fiscal_year=LAST_YEAR)
    assert declaration.export_revenue_mad == decimal.Decimal("400000.50")
    assert sorted(country.code for country in declaration.export_countries) == ["FR", "SN"]
    assert declaration.exports_to_africa and declaration.declared_by == founder_a
    entry = AuditEntry.objects.get(content_type__model="declaration", object_id=str(declaration.pk))
    assert entry.actor == founder_a and entry.action == "create"


def test_declaring_a_year_again_updates_it(founder, world, unscoped):
    founder.post(page(world), FIGURES)
    response = founder.post(page(world), {**FIGURES, "direct_jobs": "9", "export_countries": ["CI"]})
    assert response.status_code == 302
    declaration = Declaration.objects.get(startup=world["startup_a"], fiscal_year=LAST_YEAR)
    assert declaration.direct_jobs == 9
    assert [country.code for country in declaration.export_countries] == ["CI"]
    assert Declaration.objects.filter(startup=world["startup_a"]).count() == 2  # 2024 and last year


def test_editing_an_existing_year_prefills_the_form(founder, world):
    response = founder.get(page(world) + "?year=2024")
    assert response.context["editing"]
    assert response.context["form"].instance.pk == world["declaration_a"]
    response = founder.get(page(world) + "?year=not-a-year")
    assert response.status_code == 200 and not response.context["editing"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"export_revenue_mad": "2000000"}, "export_revenue_mad"),
        ({"fiscal_year": str(timezone.localdate().year)}, "fiscal_year"),
        ({"fiscal_year": str(timezone.localdate().year + 3)}, "fiscal_year"),
        ({"export_countries": ["SN", "XX"]}, "export_countries"),
        ({"revenue_mad": "-5"}, "revenue_mad"),
        ({"direct_jobs": "many"}, "direct_jobs"),
    ],
)
def test_invalid_figures_re_render_with_the_error_and_keep_what_was_typed(founder, world, change, field, unscoped):
    response = founder.post(page(world), {**FIGURES, **change})
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors
    assert not form.non_field_errors()  # one clear message, on the field
    assert form.data["indirect_jobs"] == "3"
    assert not Declaration.objects.filter(startup=world["startup_a"], fiscal_year=LAST_YEAR).exists()


def test_team_members_see_but_cannot_declare(client, world, unscoped):
    member = UserFactory()
    StartupMemberFactory(startup_id=world["startup_a"], user=member, role=TeamRole.MEMBER)
    client.force_login(member)
    response = client.get(page(world))
    assert response.status_code == 200
    assert response.context["form"] is None and not response.context["can_edit"]
    assert client.post(page(world), FIGURES).status_code == 403
    assert not Declaration.objects.filter(fiscal_year=LAST_YEAR).exists()


@pytest.mark.parametrize("persona", ["outsider", "manager_a", "manager_b", "staff"])
def test_others_get_404(client_for, world, persona):
    client = client_for(persona)
    assert client.get(page(world)).status_code == 404
    assert client.post(page(world), FIGURES).status_code == 404


def test_a_startup_not_admitted_cannot_declare_yet(client, founder_a, world, unscoped):
    startup = StartupFactory()
    StartupMemberFactory(startup=startup, user=founder_a)
    client.force_login(founder_a)
    url = f"/startups/{startup.pk}/declarations/"
    response = client.get(url)
    assert response.status_code == 200 and response.context["form"] is None
    assert client.post(url, FIGURES).status_code == 403


def test_the_founders_page_is_o1_in_queries(founder, world, unscoped):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert founder.get(page(world)).status_code == 200
        return len(queries)

    settle(founder)
    before = count()
    for year in range(1990, 2020):
        DeclarationFactory(startup_id=world["startup_a"], fiscal_year=year)
    assert count() == before


# --- The site managers' page ------------------------------------------------------------------
MANAGE = "/manage/site-a/declarations/"


def test_manager_sees_who_has_not_declared_last_year(client, manager_a, world):
    client.force_login(manager_a)
    response = client.get(MANAGE)
    assert response.status_code == 200
    assert response.context["year"] == LAST_YEAR and response.context["status"] == "missing"
    assert [admission.startup_id for admission in response.context["page"]] == [world["startup_a"]]
    assert b"founder.a@example.ma" in response.content
    assert response.context["declared_count"] == 0


def test_manager_sees_the_declarations_of_the_sites_startups_only(client, manager_a, world):
    client.force_login(manager_a)
    response = client.get(MANAGE, {"year": "2024", "status": "declared"})
    assert [declaration.pk for declaration in response.context["page"]] == [world["declaration_a"]]
    assert b"Souss Agri" not in response.content  # site B's startup
    assert response.context["missing_count"] == 0  # startup_a declared 2024


@pytest.mark.parametrize("query", [{"year": "abc"}, {"year": "1800"}, {"year": str(LAST_YEAR + 1)}, {"status": "x"}])
def test_bad_parameters_fall_back_to_last_year(client, manager_a, world, query):
    client.force_login(manager_a)
    response = client.get(MANAGE, query)
    assert response.status_code == 200
    assert response.context["year"] == LAST_YEAR and response.context["status"] == "missing"


def test_manager_b_gets_404_on_site_a(client, manager_b, world):
    client.force_login(manager_b)
    assert client.get(MANAGE).status_code == 404


def test_the_managers_page_is_o1_in_queries(client, manager_a, site_a, world, unscoped):
    client.force_login(manager_a)

    def count(query):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(MANAGE, query).status_code == 200
        return len(queries)

    settle(client)
    missing, declared = count({}), count({"status": "declared", "year": "2024"})
    for _n in range(35):
        startup = StartupFactory()
        StartupMemberFactory(startup=startup)
        AdmissionFactory(startup=startup, site=site_a)
        DeclarationFactory(startup=startup, fiscal_year=2024)
    assert count({}) == missing
    assert count({"status": "declared", "year": "2024"}) == declared


# --- Reminders ----------------------------------------------------------------------------------
@pytest.fixture
def reminder_world(world, site_a, site_b, unscoped):
    """startup_a (founder_a, French) and startup_b (an Arabic-speaking founder) have not
    declared last year; a third startup has; a fourth has left the network."""
    founder_b = UserFactory(email="founder.b@example.ma", language="ar")
    StartupMemberFactory(startup_id=world["startup_b"], user=founder_b)
    StartupMemberFactory(startup_id=world["startup_a"], user=UserFactory(email="member.a@example.ma"), role="member")
    declared = StartupFactory()
    StartupMemberFactory(startup=declared, user=UserFactory(email="declared@example.ma"))
    AdmissionFactory(startup=declared, site=site_a)
    DeclarationFactory(startup=declared, fiscal_year=LAST_YEAR)
    gone = StartupFactory()
    StartupMemberFactory(startup=gone, user=UserFactory(email="gone@example.ma"))
    # Left more than five years ago: no longer followed (tests/startups/test_alumni_reminders.py).
    AdmissionFactory(
        startup=gone,
        site=site_b,
        starts_on=datetime.date(2018, 1, 1),
        ended_on=datetime.date(2020, 6, 30),
        exit_reason="graduated",
    )
    return world


def test_reminders_go_to_founders_of_undeclared_active_startups_in_their_language(
    reminder_world, monkeypatch, django_capture_on_commit_callbacks
):
    languages = {}
    render = declaration_actions.email_render

    def spy(*, template, context, language=None):
        languages[context["user"].email] = language
        return render(template=template, context=context, language=language)

    monkeypatch.setattr(declaration_actions, "email_render", spy)  # where the reminder action renders
    with django_capture_on_commit_callbacks(execute=True):
        sent = tasks.send_declaration_reminders.delay().get()
    assert sent == 2
    assert sorted(message.to[0] for message in mail.outbox) == ["founder.a@example.ma", "founder.b@example.ma"]
    assert languages == {"founder.a@example.ma": "fr", "founder.b@example.ma": "ar"}
    message = next(message for message in mail.outbox if message.to == ["founder.a@example.ma"])
    assert str(LAST_YEAR) in message.subject
    assert f"http://127.0.0.1:8000/startups/{reminder_world['startup_a']}/declarations/" in message.body


def test_a_second_run_the_same_month_sends_nothing(reminder_world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_declaration_reminders() == 2
        assert tasks.send_declaration_reminders() == 0
    assert len(mail.outbox) == 2


def test_reminders_take_a_fixed_number_of_queries(reminder_world, django_assert_max_num_queries, site_a):
    with scopes_disabled():
        for _n in range(30):
            StartupMemberFactory(startup=AdmissionFactory(site=site_a).startup)
    # A fixed cost to find who has not declared, then per startup one claim (transaction,
    # get-or-insert: the durable row is what makes a second run send nothing) and one outbox row.
    with django_assert_max_num_queries(4 + 32 * 7):
        assert tasks.send_declaration_reminders() == 32
