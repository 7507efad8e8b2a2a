"""The yearly check-in feeds the declarations (issue 22): an active startup without a
declaration of the year gets an estimate made from its answer (jobs, funds raised, the
revenue band's lower bound), which a later answer updates and a full declaration replaces;
a full declaration is never overwritten; a startup that stopped gets its closing date (the
survival KPI), audited; and a site's managers see the answers of their site's startups only,
who count as having answered."""

import datetime
import decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.models import AuditEntry
from startups import actions
from startups.models import AlumniCheckIn, Declaration, Startup
from tests.factories import AdmissionFactory, DeclarationFactory, StartupFactory, StartupMemberFactory
from tests.querycount import settle

# Every test here uses the world: built once for the module (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_world", "unscoped")]
YEAR = 2023  # a year over, that startup_a has not declared (the world declares 2024)
TODAY = timezone.localdate()


def _answer(startup_id: int, *, year: int = YEAR, **fields) -> AlumniCheckIn:
    values = {
        "still_active": True,
        "direct_jobs": 7,
        "indirect_jobs": 2,
        "revenue_band": "5m_20m",
        "funds_raised_mad": decimal.Decimal("300000"),
        "city": "Tanger",
        "country": "MA",
    }
    return AlumniCheckIn(startup_id=startup_id, fiscal_year=year, **(values | fields))


def _stopped(day: datetime.date) -> dict:
    return {"still_active": False, "closed_on": day, "direct_jobs": 0, "indirect_jobs": 0, "revenue_band": ""}


def _audited(model, pk) -> list[AuditEntry]:
    content_type = ContentType.objects.get_for_model(model)
    return list(AuditEntry.objects.filter(content_type=content_type, object_id=str(pk)).order_by("pk"))


def test_an_active_startups_answer_makes_an_estimated_declaration(world, founder_a):
    check_in = actions.check_in_save(actor=founder_a, check_in=_answer(world["startup_a"]))
    declaration = Declaration.objects.get(startup_id=world["startup_a"], fiscal_year=YEAR)
    assert declaration.from_check_in and declaration.declared_by == founder_a
    assert (declaration.direct_jobs, declaration.indirect_jobs) == (7, 2)
    assert declaration.revenue_mad == decimal.Decimal(5_000_000)  # the band's lower bound
    assert declaration.funds_raised_mad == decimal.Decimal(300_000) and declaration.export_revenue_mad == 0
    assert check_in.answered_by == founder_a
    for model, pk in ((AlumniCheckIn, check_in.pk), (Declaration, declaration.pk)):
        (entry,) = _audited(model, pk)
        assert entry.action == AuditEntry.Action.CREATE and entry.actor == founder_a


def test_answering_again_updates_the_answer_and_its_estimate(world, founder_a):
    actions.check_in_save(actor=founder_a, check_in=_answer(world["startup_a"]))
    actions.check_in_save(actor=founder_a, check_in=_answer(world["startup_a"], direct_jobs=9, revenue_band="over_20m"))
    check_in = AlumniCheckIn.objects.get()
    assert check_in.direct_jobs == 9
    declaration = Declaration.objects.get(startup_id=world["startup_a"], fiscal_year=YEAR)
    assert declaration.direct_jobs == 9 and declaration.revenue_mad == decimal.Decimal(20_000_000)
    assert declaration.from_check_in


def test_a_full_declaration_is_never_overwritten(world, founder_a):
    full = DeclarationFactory(startup_id=world["startup_a"], fiscal_year=YEAR, direct_jobs=40)
    actions.check_in_save(actor=founder_a, check_in=_answer(world["startup_a"]))
    full.refresh_from_db()
    assert full.direct_jobs == 40 and full.revenue_mad == decimal.Decimal("1200000.00") and not full.from_check_in
    assert not _audited(Declaration, full.pk)


def test_a_full_declaration_replaces_the_estimate_and_clears_the_flag(client, world, founder_a):
    actions.check_in_save(actor=founder_a, check_in=_answer(world["startup_a"]))
    client.force_login(founder_a)
    client.cookies["django_language"] = "en"
    page = client.get(f"/startups/{world['startup_a']}/declarations/").content.decode()
    assert "The 2023 figures are an estimate made from your answer to the yearly check-in" in page
    figures = {
        "fiscal_year": str(YEAR),
        "direct_jobs": "8",
        "indirect_jobs": "3",
        "revenue_mad": "6100000",
        "export_revenue_mad": "0",
        "funds_raised_mad": "0",
    }
    assert client.post(f"/startups/{world['startup_a']}/declarations/", figures).status_code == 302
    declaration = Declaration.objects.get(startup_id=world["startup_a"], fiscal_year=YEAR)
    assert not declaration.from_check_in and declaration.revenue_mad == decimal.Decimal(6_100_000)
    page = client.get(f"/startups/{world['startup_a']}/declarations/").content.decode()
    assert "estimate made from your answer" not in page
    # A later check-in of that year no longer touches it.
    actions.check_in_save(actor=founder_a, check_in=_answer(world["startup_a"], direct_jobs=1))
    declaration.refresh_from_db()
    assert declaration.direct_jobs == 8 and not declaration.from_check_in


def test_a_startup_that_stopped_gets_its_closing_date_audited(world, founder_a):
    day = datetime.date(YEAR, 10, 31)
    actions.check_in_save(actor=founder_a, check_in=_answer(world["startup_a"], **_stopped(day)))
    assert Startup.objects.get(pk=world["startup_a"]).closed_on == day
    (entry,) = _audited(Startup, world["startup_a"])
    assert entry.actor == founder_a and entry.changes == {"closed_on": [None, day.isoformat()]}
    assert not Declaration.objects.filter(startup_id=world["startup_a"], fiscal_year=YEAR).exists()


def test_a_corrected_answer_moves_or_clears_the_closing_date_it_set(world, founder_a):
    startup = world["startup_a"]
    actions.check_in_save(actor=founder_a, check_in=_answer(startup))  # an estimate first
    actions.check_in_save(actor=founder_a, check_in=_answer(startup, **_stopped(datetime.date(YEAR, 6, 1))))
    assert not Declaration.objects.filter(startup_id=startup, fiscal_year=YEAR).exists()  # its figures no longer hold
    actions.check_in_save(actor=founder_a, check_in=_answer(startup, **_stopped(datetime.date(YEAR, 7, 1))))
    assert Startup.objects.get(pk=startup).closed_on == datetime.date(YEAR, 7, 1)
    actions.check_in_save(actor=founder_a, check_in=_answer(startup))  # still active after all
    assert Startup.objects.get(pk=startup).closed_on is None
    assert Declaration.objects.get(startup_id=startup, fiscal_year=YEAR).from_check_in
    assert AlumniCheckIn.objects.count() == 1


def test_a_closing_date_recorded_otherwise_stays(world, founder_a):
    Startup.objects.filter(pk=world["startup_a"]).update(closed_on=datetime.date(2024, 2, 1))
    actions.check_in_save(actor=founder_a, check_in=_answer(world["startup_a"], **_stopped(datetime.date(YEAR, 5, 1))))
    assert Startup.objects.get(pk=world["startup_a"]).closed_on == datetime.date(2024, 2, 1)
    actions.check_in_save(actor=founder_a, check_in=_answer(world["startup_a"]))
    assert Startup.objects.get(pk=world["startup_a"]).closed_on == datetime.date(2024, 2, 1)


def test_an_exit_for_closing_down_still_records_the_closing_date(world, manager_a):
    from startups.models import Admission

    admission = Admission.objects.get(pk=world["admission_a"])
    actions.admission_exit(actor=manager_a, admission=admission, ended_on=datetime.date(2025, 3, 1), reason="closed")
    assert Startup.objects.get(pk=world["startup_a"]).closed_on == datetime.date(2025, 3, 1)
    assert _audited(Startup, world["startup_a"])[-1].changes == {"closed_on": [None, "2025-03-01"]}


# --- The site's managers ----------------------------------------------------------------------------
MANAGE = "/manage/site-a/declarations/"


@pytest.fixture
def answered(world, founder_a, site_a, site_b):
    """startup_a (site A) is active, an alumna of site A stopped, a startup of site B answered."""
    actions.check_in_save(actor=founder_a, check_in=_answer(world["startup_a"], city="Oujda"))
    stopped = StartupFactory(legal_name="Ferme Close SARL", brand_name="Ferme Close")
    StartupMemberFactory(startup=stopped)
    AdmissionFactory(
        startup=stopped,
        site=site_a,
        starts_on=datetime.date(2021, 1, 1),
        ended_on=TODAY - datetime.timedelta(days=90),
        exit_reason="graduated",
    )
    actions.check_in_save(actor=None, check_in=_answer(stopped.pk, **_stopped(datetime.date(YEAR, 9, 1))))
    actions.check_in_save(actor=None, check_in=_answer(world["startup_b"], city="Agadir"))
    return stopped


def test_a_manager_sees_the_answers_of_their_sites_startups_only(client, manager_a, answered):
    client.force_login(manager_a)
    client.cookies["django_language"] = "en"
    response = client.get(MANAGE, {"year": YEAR, "status": "check_ins"})
    page = response.content.decode()
    assert response.status_code == 200 and response.context["check_ins_count"] == 2
    assert "Atlas Data" in page and "Oujda" in page and "5 to 20 million MAD" in page and "still active" in page
    assert "Ferme Close" in page and "stopped on" in page
    assert "Souss Agri" not in page and "Agadir" not in page
    # Who answered counts as answered: not among who has not declared.
    missing = client.get(MANAGE, {"year": YEAR}).content.decode()
    assert "Atlas Data" not in missing.split("<tbody>")[1] and "Ferme Close" not in missing
    declared = client.get(MANAGE, {"year": YEAR, "status": "declared"}).content.decode()
    assert "Atlas Data" in declared and "estimate from the check-in" in declared


def test_another_sites_manager_sees_theirs_and_not_site_a(client, manager_b, answered):
    client.force_login(manager_b)
    assert client.get(MANAGE, {"year": YEAR, "status": "check_ins"}).status_code == 404
    response = client.get("/manage/site-b/declarations/", {"year": YEAR, "status": "check_ins"})
    page = response.content.decode()
    assert response.context["check_ins_count"] == 1 and "Souss Agri" in page
    assert "Atlas Data" not in page and "Ferme Close" not in page


def test_the_check_ins_tab_is_o1_in_queries(client, manager_a, site_a, answered):
    client.force_login(manager_a)
    settle(client)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(MANAGE, {"year": YEAR, "status": "check_ins"}).status_code == 200
        return len(queries)

    few = count()
    for _n in range(20):
        startup = StartupFactory()
        AdmissionFactory(startup=startup, site=site_a)
        actions.check_in_save(actor=StartupMemberFactory(startup=startup).user, check_in=_answer(startup.pk))
    assert count() == few


def test_the_demo_seeds_a_few_answers_once(site_a):
    from startups.demo_check_ins import seed_check_ins

    for number in range(2):
        startup = StartupFactory(ice=f"9{number:014d}")
        AdmissionFactory(
            startup=startup, site=site_a, ended_on=TODAY - datetime.timedelta(days=200), exit_reason="graduated"
        )
    assert seed_check_ins() == 2
    assert seed_check_ins() == 0
    assert Declaration.objects.filter(from_check_in=True, fiscal_year=TODAY.year - 1).count() == 2
