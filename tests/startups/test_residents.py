"""Site back-office: residents and e-Technopark members (list, filters, exports, detail,
renewal, exit, ending-soon alerts), tenant isolation and query counts."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scopes_disabled
from openpyxl import load_workbook

from sites.models import MembershipRole, Sector
from startups.models import Admission, AdmissionKind, Office, OfficeAllocation, Renewal, Startup
from tests.factories import AdmissionFactory, OfficeFactory, SiteMembershipFactory, StartupFactory

LIST = "/manage/site-a/residents/"
TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def _admission(site, *, name=None, ice=None, kind=AdmissionKind.RESIDENT, **kwargs) -> Admission:
    startup_kwargs = {}
    if name:
        startup_kwargs.update(legal_name=f"{name} SARL", brand_name=name)
    if ice:
        startup_kwargs["ice"] = ice
    with scopes_disabled():
        kwargs.setdefault("starts_on", TODAY - 400 * DAY)
        kwargs.setdefault("planned_end_on", TODAY + 800 * DAY)
        return AdmissionFactory(site=site, kind=kind, startup=StartupFactory(**startup_kwargs), **kwargs)


def _names(response) -> list[str]:
    return [str(admission.startup) for admission in response.context["page"]]


@pytest.fixture
def manager(client, world, manager_a):
    client.cookies["django_language"] = "en"
    client.force_login(manager_a)
    return client


@pytest.fixture
def committee_a(site_a):
    with scopes_disabled():
        return SiteMembershipFactory(site=site_a, role=MembershipRole.COMMITTEE).user


# --- List: scope, filters, search, sort, pagination -------------------------------------------
def test_list_shows_only_this_sites_active_admissions(manager, site_a):
    ended = _admission(site_a, name="Gone Tech", ended_on=TODAY - 10 * DAY, exit_reason="graduated")
    response = manager.get(LIST)
    assert response.status_code == 200
    assert _names(response) == ["Atlas Data"]  # not Souss Agri (site B), not the ended one
    html = response.content.decode()
    assert "Souss Agri" not in html
    assert "A-101" in html  # the current office

    ended_only = manager.get(LIST, {"status": "ended"})
    assert [a.pk for a in ended_only.context["page"]] == [ended.pk]
    assert set(_names(manager.get(LIST, {"status": "all"}))) == {"Atlas Data", "Gone Tech"}


def test_status_active_uses_the_active_at_today_rule(manager, site_a):
    _admission(site_a, name="Ends Today", ended_on=TODAY, exit_reason="closed")  # end is exclusive
    _admission(site_a, name="Ends Tomorrow", ended_on=TODAY + DAY, exit_reason="graduated")
    _admission(site_a, name="Starts Later", starts_on=TODAY + 5 * DAY)
    assert set(_names(manager.get(LIST))) == {"Atlas Data", "Ends Tomorrow"}
    assert set(_names(manager.get(LIST, {"status": "ended"}))) == {"Ends Today"}


def test_search_by_legal_name_brand_name_and_ice(manager, site_a):
    _admission(site_a, name="Oasis Pay", ice="123456789012345")
    assert _names(manager.get(LIST, {"q": "oasis"})) == ["Oasis Pay"]
    assert _names(manager.get(LIST, {"q": "Pay SARL"})) == ["Oasis Pay"]
    assert _names(manager.get(LIST, {"q": "6789012"})) == ["Oasis Pay"]
    assert _names(manager.get(LIST, {"q": "atlas"})) == ["Atlas Data"]
    assert _names(manager.get(LIST, {"q": "souss"})) == []  # site B is never searched
    assert "No admission matches" in manager.get(LIST, {"q": "nothing"}).content.decode()


def test_filter_by_kind_and_sector(manager, site_a, unscoped):
    remote = _admission(site_a, name="Remote One", kind=AdmissionKind.ETECHNOPARK, planned_end_on=None)
    sector = Sector.objects.create(code="zz-fintech", name_fr="Fintech", name_ar="فينتك", name_en="Fintech")
    remote.startup.sectors.add(sector)
    assert _names(manager.get(LIST, {"kind": "e-technopark"})) == ["Remote One"]
    assert _names(manager.get(LIST, {"kind": "resident"})) == ["Atlas Data"]
    assert _names(manager.get(LIST, {"sector": sector.pk})) == ["Remote One"]


def test_filter_by_office(manager, site_a, world, unscoped):
    other = _admission(site_a, name="Cedar Labs")
    office = OfficeFactory(site=site_a, number="A-202")
    OfficeAllocation.objects.create(office=office, admission=other, site=site_a, starts_on=TODAY - 30 * DAY)
    _admission(site_a, name="No Desk")
    past = _admission(site_a, name="Past Desk")
    OfficeAllocation.objects.create(
        office=OfficeFactory(site=site_a), admission=past, site=site_a, starts_on=TODAY - 90 * DAY, ends_on=TODAY
    )
    assert set(_names(manager.get(LIST, {"office": "any"}))) == {"Atlas Data", "Cedar Labs"}
    assert set(_names(manager.get(LIST, {"office": "none"}))) == {"No Desk", "Past Desk"}
    assert _names(manager.get(LIST, {"office": office.pk})) == ["Cedar Labs"]
    assert _names(manager.get(LIST, {"office": world["office_a"]})) == ["Atlas Data"]
    # Another site's office is not a choice: reported, ignored.
    response = manager.get(LIST, {"office": world["office_b"]})
    assert response.status_code == 200
    assert response.context["form"].errors["office"]
    assert set(_names(response)) == {"Atlas Data", "Cedar Labs", "No Desk", "Past Desk"}


def test_filter_by_contract_end(manager, site_a, unscoped):
    Admission.objects.update(planned_end_on=TODAY + 400 * DAY)
    _admission(site_a, name="Soon", planned_end_on=TODAY + 20 * DAY)
    _admission(site_a, name="Later", planned_end_on=TODAY + 100 * DAY)
    _admission(site_a, name="Overdue", planned_end_on=TODAY - 3 * DAY)
    limit = (TODAY + 50 * DAY).isoformat()
    assert set(_names(manager.get(LIST, {"ends_before": limit}))) == {"Soon", "Overdue"}
    assert _names(manager.get(LIST, {"ending_soon": "on"})) == ["Soon"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("startup", ["Alpha", "Bravo", "Charlie"]),
        ("-startup", ["Charlie", "Bravo", "Alpha"]),
        ("start", ["Bravo", "Charlie", "Alpha"]),
        ("-start", ["Alpha", "Charlie", "Bravo"]),
        ("end", ["Charlie", "Alpha", "Bravo"]),
        ("-end", ["Bravo", "Alpha", "Charlie"]),
        ("kind", ["Alpha", "Charlie", "Bravo"]),  # e-technopark < resident, then by name
        ("-kind", ["Bravo", "Alpha", "Charlie"]),
        (";drop table", ["Alpha", "Bravo", "Charlie"]),  # unknown: default order
    ],
)
def test_sorting(client, site_a, manager_a, sort, expected):
    client.force_login(manager_a)
    _admission(site_a, name="Alpha", starts_on=TODAY - 10 * DAY, planned_end_on=TODAY + 300 * DAY)
    _admission(
        site_a, name="Bravo", kind=AdmissionKind.RESIDENT, starts_on=TODAY - 900 * DAY, planned_end_on=TODAY + 900 * DAY
    )
    _admission(site_a, name="Charlie", kind=AdmissionKind.ETECHNOPARK, starts_on=TODAY - 50 * DAY, planned_end_on=TODAY)
    with scopes_disabled():
        Admission.objects.filter(startup__brand_name="Alpha").update(kind=AdmissionKind.ETECHNOPARK)
    response = client.get(LIST, {"sort": sort})
    assert response.status_code == 200
    assert _names(response) == expected


def test_pagination_50_per_page(client, site_a, manager_a):
    client.force_login(manager_a)
    for number in range(51):
        _admission(site_a, name=f"Startup {number:02d}")
    first = client.get(LIST)
    assert len(first.context["page"]) == 50
    assert first.context["page"].paginator.count == 51
    second = client.get(LIST, {"page": 2})
    assert _names(second) == ["Startup 50"]
    assert client.get(LIST, {"page": "abc"}).status_code == 200
    assert client.get(LIST, {"page": "999"}).status_code == 200


@pytest.mark.parametrize(
    "params",
    [
        {"office": "abc", "ends_before": "notadate", "sort": ";drop"},
        {"sector": "x", "kind": "robot", "status": "zombie", "page": "-1"},
        {"q": "x" * 500, "ending_soon": "maybe", "format": "pdf"},
        {"office": "999999999999999999999", "sector": "99999999"},
        {"q": "\x00'\"<script>"},
    ],
)
def test_junk_parameters_never_500(manager, params):
    response = manager.get(LIST, params)
    assert response.status_code == 200
    assert "<script>" not in response.content.decode().split("<main", 1)[1].split("</main>")[0]


def test_filter_form_keeps_its_values(manager):
    response = manager.get(LIST, {"q": "atlas", "kind": "resident", "ends_before": "2031-05-01", "status": "all"})
    html = response.content.decode()
    assert 'value="atlas"' in html
    assert 'value="2031-05-01"' in html
    assert '<option value="all" selected>' in html
    assert '<option value="resident" selected>' in html


def test_list_is_constant_in_queries(client, site_a, manager_a, django_assert_max_num_queries, unscoped):
    client.force_login(manager_a)
    sector = Sector.objects.create(code="zz-ict", name_fr="TIC", name_ar="تك", name_en="ICT")

    def add(count):
        for _number in range(count):
            admission = _admission(site_a)
            admission.startup.sectors.add(sector)
            OfficeAllocation.objects.create(
                office=OfficeFactory(site=site_a), admission=admission, site=site_a, starts_on=TODAY - DAY
            )

    add(1)
    with CaptureQueriesContext(connection) as one:
        assert client.get(LIST).status_code == 200
    add(49)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(LIST)
    assert len(response.context["page"]) == 50
    for export in ("csv", "xlsx"):
        with django_assert_max_num_queries(len(one.captured_queries)):
            response = client.get(LIST, {"format": export})
            content = b"".join(response.streaming_content) if response.streaming else response.content
        assert content


# --- Exports --------------------------------------------------------------------------------------
def _csv_rows(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(content), delimiter=";"))


def _xlsx_rows(response) -> list[list]:
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


HEADER = ["Startup", "ICE", "Kind", "Start", "Planned end", "Ended on", "Exit reason", "Current office", "Sectors"]


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"


def test_csv_export_is_the_filtered_list(manager, site_a, world, english, unscoped):
    sector = Sector.objects.create(code="zz-ict", name_fr="TIC", name_ar="تك", name_en="ICT")
    Startup.objects.get(pk=world["startup_a"]).sectors.add(sector)
    _admission(site_a, name="=cmd|' /C calc'!A0", kind=AdmissionKind.ETECHNOPARK, planned_end_on=None)
    response = manager.get(LIST, {"format": "csv", "kind": "resident"})
    assert response.status_code == 200
    filename = f"residents-site-a-{TODAY.isoformat()}.csv"
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    rows = _csv_rows(response)
    assert rows[0] == HEADER
    startup_a = Startup.objects.get(pk=world["startup_a"])
    assert rows[1:] == [["Atlas Data", startup_a.ice, "Resident", "2022-01-01", "2027-01-01", "", "", "A-101", "ICT"]]
    everything = _csv_rows(manager.get(LIST, {"format": "csv", "status": "all"}))
    # A formula-like name is neutralised for spreadsheets.
    assert [row[0] for row in everything if "calc" in row[0]] == ["'=cmd|' /C calc'!A0"]


def test_xlsx_export_is_the_filtered_list(manager, site_a, world, english, unscoped):
    _admission(site_a, name="Oasis Pay", ended_on=TODAY - DAY, exit_reason="closed")
    response = manager.get(LIST, {"format": "xlsx", "status": "all", "sort": "-startup"})
    assert response.status_code == 200
    assert f"residents-site-a-{TODAY.isoformat()}.xlsx" in response["Content-Disposition"]
    rows = _xlsx_rows(response)
    assert rows[0] == HEADER
    assert [row[0] for row in rows[1:]] == ["Oasis Pay", "Atlas Data"]
    oasis = rows[1]
    assert oasis[2] == "Resident"
    assert oasis[5].date() == TODAY - DAY
    assert oasis[6] == "Closed"
    assert rows[2][3].date() == datetime.date(2022, 1, 1)
    assert rows[2][7] == "A-101"


@pytest.mark.parametrize("persona", ["manager_a", "staff"])
@pytest.mark.parametrize("export", ["csv", "xlsx"])
def test_exports_of_site_a_never_contain_site_b(client, personas, world, site_b, persona, export):
    for number in range(3):
        _admission(site_b, name=f"Bee {number}")
    client.force_login(personas[persona])
    response = client.get(LIST, {"format": export, "status": "all"})
    rows = _csv_rows(response) if export == "csv" else _xlsx_rows(response)
    names = [row[0] for row in rows[1:]]
    assert names == ["Atlas Data"]


def test_manager_b_cannot_export_site_a(client, world, manager_b):
    client.force_login(manager_b)
    assert client.get(LIST, {"format": "csv"}).status_code == 404
    assert client.get(LIST, {"format": "xlsx"}).status_code == 404


# --- Detail, renewal, exit ------------------------------------------------------------------------
def test_detail_shows_the_summary_and_histories(manager, world, manager_a, unscoped):
    admission = Admission.objects.get(pk=world["admission_a"])
    Renewal.objects.create(
        admission=admission,
        site=admission.site,
        previous_end_on=datetime.date(2026, 1, 1),
        new_end_on=datetime.date(2027, 1, 1),
        actor=manager_a,
    )
    response = manager.get(f"{LIST}{admission.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Atlas Data SARL" in html
    assert "A-101" in html
    assert list(response.context["renewals"])[0].new_end_on == datetime.date(2027, 1, 1)
    assert f'action="/manage/site-a/residents/{admission.pk}/renew/"' in html


def test_detail_of_another_sites_admission_is_404(manager, world):
    assert manager.get(f"{LIST}{world['admission_b']}/").status_code == 404
    assert manager.post(f"{LIST}{world['admission_b']}/renew/", {"new_end_on": "2027-06-01"}).status_code == 404
    assert (
        manager.post(f"{LIST}{world['admission_b']}/exit/", {"ended_on": "2026-01-01", "reason": "closed"}).status_code
        == 404
    )
    assert manager.get(f"{LIST}99999999/").status_code == 404


def test_renew_within_the_cap(manager, site_a, unscoped):
    admission = _admission(site_a, starts_on=datetime.date(2024, 3, 1), planned_end_on=datetime.date(2026, 3, 1))
    response = manager.post(f"{LIST}{admission.pk}/renew/", {"new_end_on": "2028-03-01"})
    assert response.status_code == 302
    admission.refresh_from_db()
    assert admission.planned_end_on == datetime.date(2028, 3, 1)
    renewal = Renewal.objects.get(admission=admission)
    assert (renewal.previous_end_on, renewal.new_end_on) == (datetime.date(2026, 3, 1), datetime.date(2028, 3, 1))


def test_renew_beyond_the_cap_is_refused_with_the_message(manager, world, unscoped):
    pk = world["admission_a"]  # started 2022-01-01 at a 5-year site: at most until 2027-01-01
    response = manager.post(f"{LIST}{pk}/renew/", {"new_end_on": "2027-06-30"})
    assert response.status_code == 200
    assert "A residency at this site lasts at most until 2027-01-01." in response.content.decode()
    assert response.context["renew_form"].errors["new_end_on"]
    assert 'value="2027-06-30"' in response.content.decode()  # what was typed is kept
    assert Admission.objects.get(pk=pk).planned_end_on == datetime.date(2027, 1, 1)
    assert not Renewal.objects.filter(admission_id=pk).exists()


def test_renew_with_junk_is_a_form_error(manager, world):
    response = manager.post(f"{LIST}{world['admission_a']}/renew/", {"new_end_on": "soon"})
    assert response.status_code == 200
    assert response.context["renew_form"].errors


def test_exit_closed_releases_offices_and_closes_the_startup(manager, world, unscoped):
    pk = world["admission_a"]
    ended_on = TODAY - 5 * DAY
    response = manager.post(
        f"{LIST}{pk}/exit/", {"ended_on": ended_on.isoformat(), "reason": "closed", "note": "Wound up."}
    )
    assert response.status_code == 302
    admission = Admission.objects.select_related("startup").get(pk=pk)
    assert (admission.ended_on, admission.exit_reason, admission.exit_note) == (ended_on, "closed", "Wound up.")
    assert admission.startup.closed_on == ended_on
    assert OfficeAllocation.objects.get(pk=world["allocation_a"]).ends_on == ended_on
    # Gone from the active list, and the office is free.
    assert manager.get(LIST).context["page"].paginator.count == 0
    assert "Free" in manager.get("/manage/site-a/offices/").content.decode()


def test_exit_graduated_keeps_the_startup_open(manager, world, unscoped):
    pk = world["admission_a"]
    response = manager.post(f"{LIST}{pk}/exit/", {"ended_on": TODAY.isoformat(), "reason": "graduated"})
    assert response.status_code == 302
    admission = Admission.objects.select_related("startup").get(pk=pk)
    assert admission.exit_reason == "graduated"
    assert admission.startup.closed_on is None
    assert OfficeAllocation.objects.get(pk=world["allocation_a"]).ends_on == TODAY


def test_exit_errors_rerender_the_form(manager, world, unscoped):
    pk = world["admission_a"]
    before_start = manager.post(f"{LIST}{pk}/exit/", {"ended_on": "2021-01-01", "reason": "closed"})
    assert before_start.status_code == 200
    assert "The exit cannot come before the start." in before_start.content.decode()
    bad_reason = manager.post(f"{LIST}{pk}/exit/", {"ended_on": TODAY.isoformat(), "reason": "vanished"})
    assert bad_reason.status_code == 200
    assert bad_reason.context["exit_form"].errors["reason"]
    assert Admission.objects.get(pk=pk).ended_on is None
    # Exiting twice: the second is a conflict shown on the page.
    manager.post(f"{LIST}{pk}/exit/", {"ended_on": TODAY.isoformat(), "reason": "graduated"})
    again = manager.post(f"{LIST}{pk}/exit/", {"ended_on": TODAY.isoformat(), "reason": "closed"})
    assert again.status_code == 200
    assert "This admission has already ended." in again.content.decode()


def test_committee_member_may_view_but_not_write(client, world, committee_a, unscoped):
    client.force_login(committee_a)
    pk = world["admission_a"]
    response = client.get(f"{LIST}{pk}/")
    assert response.status_code == 200
    assert "/renew/" not in response.content.decode()
    assert client.get(LIST).status_code == 200
    assert client.get(f"{LIST}ending/").status_code == 200
    assert client.post(f"{LIST}{pk}/renew/", {"new_end_on": "2026-12-31"}).status_code == 403
    assert client.post(f"{LIST}{pk}/exit/", {"ended_on": TODAY.isoformat(), "reason": "closed"}).status_code == 403
    assert Admission.objects.get(pk=pk).ended_on is None


def test_staff_may_write(client, world, staff, unscoped):
    client.force_login(staff)
    pk = world["admission_a"]
    response = client.post(f"{LIST}{pk}/exit/", {"ended_on": TODAY.isoformat(), "reason": "acquired"})
    assert response.status_code == 302
    assert Admission.objects.get(pk=pk).exit_reason == "acquired"


# --- Ending soon: page and the back-office home's panel -----------------------------------------
def test_ending_soon_page(manager, site_a, site_b, unscoped):
    Admission.objects.update(planned_end_on=TODAY + 400 * DAY)
    _admission(site_a, name="Soon", planned_end_on=TODAY + 10 * DAY)
    _admission(site_a, name="Not Yet", planned_end_on=TODAY + 61 * DAY)
    _admission(site_a, name="Remote", kind=AdmissionKind.ETECHNOPARK, planned_end_on=TODAY + 5 * DAY)
    _admission(site_b, name="Bee Soon", planned_end_on=TODAY + 10 * DAY)
    response = manager.get(f"{LIST}ending/")
    assert response.status_code == 200
    assert [str(admission.startup) for admission in response.context["admissions"]] == ["Soon"]
    assert "Bee Soon" not in response.content.decode()


def test_ending_soon_panel_on_the_site_home(manager, site_a, site_b, world):
    with scopes_disabled():
        Admission.objects.update(planned_end_on=TODAY + 400 * DAY)
    # The "To do" panel of the home (startups.home): its empty state, then this site's residency only.
    home = "/manage/site-a/"
    assert "Nothing to renew: no residency ends within 60 days." in manager.get(home).content.decode()
    _admission(site_a, name="Soon", planned_end_on=TODAY + 10 * DAY)
    _admission(site_b, name="Bee Soon", planned_end_on=TODAY + 10 * DAY)
    response = manager.get(home)
    html = response.content.decode()
    assert "Soon" in html
    assert "Bee Soon" not in html
    panel = next(panel for _template, panel in response.context["panels"] if panel["key"] == "residencies-ending")
    assert [str(admission.startup) for admission in panel["items"]] == ["Soon"]
    assert panel["count"] == 1


# --- Isolation --------------------------------------------------------------------------------------
def test_manager_b_gets_404_on_every_route_of_site_a(client, world, manager_b):
    client.force_login(manager_b)
    a = world
    for url in [
        LIST,
        f"{LIST}ending/",
        f"{LIST}{a['admission_a']}/",
        "/manage/site-a/offices/",
        "/manage/site-a/offices/new/",
        f"/manage/site-a/offices/{a['office_a']}/",
        f"/manage/site-a/offices/{a['office_a']}/edit/",
    ]:
        assert client.get(url).status_code == 404, url
    for url, data in [
        (f"{LIST}{a['admission_a']}/renew/", {"new_end_on": "2026-12-31"}),
        (f"{LIST}{a['admission_a']}/exit/", {"ended_on": "2026-01-01", "reason": "closed"}),
        ("/manage/site-a/offices/new/", {"number": "X", "floor": 0, "area_m2": 10, "seats": 1, "monthly_rent_mad": 0}),
        (f"/manage/site-a/offices/{a['office_a']}/edit/", {"number": "X"}),
        (f"/manage/site-a/offices/{a['office_a']}/allocate/", {"admission": a["admission_b"]}),
        (f"/manage/site-a/allocations/{a['allocation_a']}/release/", {"ends_on": "2030-01-01"}),
    ]:
        assert client.post(url, data).status_code == 404, url
    with scopes_disabled():
        assert Admission.objects.get(pk=a["admission_a"]).ended_on is None
        assert not Office.objects.filter(number="X").exists()
        assert OfficeAllocation.objects.get(pk=a["allocation_a"]).ends_on is None
