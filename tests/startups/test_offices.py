"""Site back-office: offices (list with occupancy, create/edit, detail with history),
allocation to residents (clashes, other sites' rows) and release; query counts.

The PostgreSQL concurrency proof lives in test_office_race.py."""

import datetime
import decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scopes_disabled

from core.models import AuditEntry
from sites.models import MembershipRole
from startups.models import Admission, AdmissionKind, Office, OfficeAllocation
from tests.factories import AdmissionFactory, OfficeFactory, SiteMembershipFactory, StartupFactory

OFFICES = "/manage/site-a/offices/"
TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)
VALID = {
    "number": "A-305",
    "floor": "3",
    "area_m2": "18.50",
    "seats": "4",
    "monthly_rent_mad": "1200",
    "is_active": "on",
}


@pytest.fixture
def manager(client, world, manager_a):
    client.cookies["django_language"] = "en"
    client.force_login(manager_a)
    return client


@pytest.fixture
def committee_a(site_a):
    with scopes_disabled():
        return SiteMembershipFactory(site=site_a, role=MembershipRole.COMMITTEE).user


def _resident(site, name="Cedar Labs", **kwargs) -> Admission:
    kwargs.setdefault("starts_on", TODAY - 100 * DAY)
    kwargs.setdefault("planned_end_on", TODAY + 900 * DAY)
    with scopes_disabled():
        return AdmissionFactory(site=site, startup=StartupFactory(legal_name=f"{name} SARL", brand_name=name), **kwargs)


# --- List and occupancy ---------------------------------------------------------------------------
def test_list_shows_offices_occupancy_and_summary(manager, site_a, site_b, world):
    with scopes_disabled():
        OfficeFactory(site=site_a, number="A-102", area_m2="24.00")
        OfficeFactory(site=site_a, number="A-900", area_m2="50.00", is_active=False)
        OfficeFactory(site=site_b, number="B-555")
    response = manager.get(OFFICES)
    assert response.status_code == 200
    html = response.content.decode()
    assert "A-101" in html and "A-102" in html
    assert "B-101" not in html and "B-555" not in html
    assert "Atlas Data" in html  # occupies A-101
    assert "Free" in html
    summary = response.context["summary"]
    assert (summary["occupied_offices"], summary["offices"]) == (1, 2)  # out-of-service A-900 not counted
    assert (summary["occupied_area"], summary["area"]) == (decimal.Decimal("16"), decimal.Decimal("40"))
    assert summary["area_rate"] == decimal.Decimal("40.0")
    assert summary["office_rate"] == decimal.Decimal("50.0")


def test_empty_site_has_zero_rates(client, site_a, manager_a):
    client.force_login(manager_a)
    response = client.get(OFFICES)
    assert response.status_code == 200
    assert response.context["summary"]["area_rate"] == 0
    assert response.context["summary"]["office_rate"] == 0
    # No office in service: nothing to divide, shown "—" with its reason, never "0 %".
    client.cookies["django_language"] = "en"
    html = client.get(OFFICES).content.decode()
    rate = html[html.index("Occupancy rate") :].split("</div>")[0]
    assert '<span aria-hidden="true" title="Not applicable: nothing to divide">—</span>' in rate
    assert "%" not in rate


def test_list_is_constant_in_queries(client, site_a, manager_a, django_assert_max_num_queries):
    client.force_login(manager_a)

    def add(count):
        for _number in range(count):
            with scopes_disabled():
                office = OfficeFactory(site=site_a)
                OfficeAllocation.objects.create(
                    office=office, admission=_resident(site_a), site=site_a, starts_on=TODAY - DAY
                )

    add(1)
    with CaptureQueriesContext(connection) as one:
        assert client.get(OFFICES).status_code == 200
    add(34)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(OFFICES)
    assert len(response.context["page"]) == 35
    with scopes_disabled():
        office = Office.objects.filter(site=site_a).first()
    with CaptureQueriesContext(connection) as detail_one:
        client.get(f"{OFFICES}{office.pk}/")
    for _number in range(10):
        with scopes_disabled():
            allocation = OfficeAllocation.objects.filter(office=office).order_by("starts_on").first()
            OfficeAllocation.objects.create(
                office=office,
                admission=_resident(site_a),
                site=site_a,
                starts_on=allocation.starts_on - 20 * DAY,
                ends_on=allocation.starts_on,
            )
    with django_assert_max_num_queries(len(detail_one.captured_queries)):
        assert client.get(f"{OFFICES}{office.pk}/").status_code == 200


# --- Create and edit ------------------------------------------------------------------------------
def test_create_an_office(manager, site_a):
    response = manager.post(f"{OFFICES}new/", VALID)
    assert response.status_code == 302
    with scopes_disabled():
        office = Office.objects.get(number="A-305")
        assert office.site == site_a
        assert office.area_m2 == decimal.Decimal("18.50")
        assert AuditEntry.objects.filter(object_id=str(office.pk), action="create").exists()


def test_duplicate_number_is_a_clear_form_error(manager, world):
    response = manager.post(f"{OFFICES}new/", {**VALID, "number": "A-101"})
    assert response.status_code == 200
    assert "Office A-101 already exists at this site" in response.content.decode()
    with scopes_disabled():
        assert Office.objects.filter(number="A-101").count() == 1
    # The same number at another site is fine: numbers are unique per site.
    response = manager.post(f"{OFFICES}new/", {**VALID, "number": "B-101"})
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("field", "value"),
    [("area_m2", "0"), ("area_m2", "-3"), ("seats", "0"), ("seats", "-1"), ("monthly_rent_mad", "-1"), ("floor", "x")],
)
def test_invalid_office_values_are_form_errors(manager, field, value):
    response = manager.post(f"{OFFICES}new/", {**VALID, field: value})
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert 'value="A-305"' in response.content.decode()  # what was typed is kept
    with scopes_disabled():
        assert not Office.objects.filter(number="A-305").exists()


def test_free_rent_is_allowed(manager):
    assert manager.post(f"{OFFICES}new/", {**VALID, "monthly_rent_mad": "0"}).status_code == 302


def test_edit_an_office(manager, world):
    url = f"{OFFICES}{world['office_a']}/edit/"
    assert manager.get(url).status_code == 200
    response = manager.post(url, {**VALID, "number": "A-101", "seats": "6"})
    assert response.status_code == 302
    with scopes_disabled():
        assert Office.objects.get(pk=world["office_a"]).seats == 6
    with scopes_disabled():
        OfficeFactory(site=Office.objects.get(pk=world["office_a"]).site, number="A-777")
    clash = manager.post(url, {**VALID, "number": "A-777"})
    assert clash.status_code == 200
    assert "Office A-777 already exists at this site" in clash.content.decode()


def test_another_sites_office_is_404(manager, world):
    office_b = world["office_b"]
    assert manager.get(f"{OFFICES}{office_b}/").status_code == 404
    assert manager.get(f"{OFFICES}{office_b}/edit/").status_code == 404
    assert manager.post(f"{OFFICES}{office_b}/edit/", VALID).status_code == 404
    with scopes_disabled():
        assert Office.objects.get(pk=office_b).number == "B-101"


# --- Detail, allocation and release ---------------------------------------------------------------
def test_detail_shows_history_and_only_this_sites_active_residents(manager, site_a, world):
    resident = _resident(site_a)
    remote = _resident(site_a, name="Remote Co", kind=AdmissionKind.ETECHNOPARK, planned_end_on=None)
    ended = _resident(site_a, name="Gone Co", ended_on=TODAY - DAY, exit_reason="graduated")
    response = manager.get(f"{OFFICES}{world['office_a']}/")
    assert response.status_code == 200
    assert [allocation.pk for allocation in response.context["allocations"]] == [world["allocation_a"]]
    choices = set(response.context["allocation_form"].fields["admission"].queryset.values_list("pk", flat=True))
    assert choices == {resident.pk}  # admission_a holds office A-101: not offered another one
    assert world["admission_b"] not in choices and remote.pk not in choices and ended.pk not in choices
    assert [admission.pk for admission in response.context["choices"]] == [resident.pk]


def test_allocate_a_free_office(manager, site_a, world):
    resident = _resident(site_a)
    with scopes_disabled():
        office = OfficeFactory(site=site_a, number="A-210")
    response = manager.post(
        f"{OFFICES}{office.pk}/allocate/", {"admission": resident.pk, "starts_on": TODAY.isoformat(), "ends_on": ""}
    )
    assert response.status_code == 302
    with scopes_disabled():
        allocation = OfficeAllocation.objects.get(office=office)
    assert (allocation.admission_id, allocation.starts_on, allocation.ends_on) == (resident.pk, TODAY, None)
    assert allocation.site_id == site_a.pk
    assert "Cedar Labs" in manager.get(OFFICES).content.decode()


def test_allocation_clash_is_refused_with_the_conflict_message(manager, site_a, world):
    resident = _resident(site_a)
    with scopes_disabled():
        before = list(OfficeAllocation.objects.values_list("pk", "office", "admission", "starts_on", "ends_on"))
    # office_a is allocated to admission_a from 2022-01-01 until further notice.
    response = manager.post(
        f"{OFFICES}{world['office_a']}/allocate/",
        {"admission": resident.pk, "starts_on": TODAY.isoformat(), "ends_on": (TODAY + 30 * DAY).isoformat()},
    )
    assert response.status_code == 200
    assert "Office A-101 is already allocated over these dates." in response.content.decode()
    assert response.context["allocation_form"]["admission"].value() == str(resident.pk)  # typed values kept
    with scopes_disabled():
        after = list(OfficeAllocation.objects.values_list("pk", "office", "admission", "starts_on", "ends_on"))
    assert after == before


def test_two_overlapping_allocations_second_refused(manager, site_a):
    first, second = _resident(site_a, name="First Co"), _resident(site_a, name="Second Co")
    with scopes_disabled():
        office = OfficeFactory(site=site_a, number="A-400")
    url = f"{OFFICES}{office.pk}/allocate/"
    start, end = TODAY + 10 * DAY, TODAY + 100 * DAY
    ok = manager.post(url, {"admission": first.pk, "starts_on": start.isoformat(), "ends_on": end.isoformat()})
    assert ok.status_code == 302
    clash = manager.post(
        url, {"admission": second.pk, "starts_on": (end - DAY).isoformat(), "ends_on": (end + 50 * DAY).isoformat()}
    )
    assert clash.status_code == 200
    assert "Office A-400 is already allocated over these dates." in clash.content.decode()
    # Back to back (the end is excluded) is fine.
    after = manager.post(url, {"admission": second.pk, "starts_on": end.isoformat(), "ends_on": ""})
    assert after.status_code == 302
    with scopes_disabled():
        assert list(
            OfficeAllocation.objects.filter(office=office).order_by("starts_on").values_list("admission", flat=True)
        ) == [
            first.pk,
            second.pk,
        ]


def test_another_sites_admission_or_office_cannot_be_allocated(manager, site_a, world):
    with scopes_disabled():
        office = OfficeFactory(site=site_a, number="A-500")
        count = OfficeAllocation.objects.count()
    # Site B's admission is not among the choices: a form error.
    response = manager.post(
        f"{OFFICES}{office.pk}/allocate/", {"admission": world["admission_b"], "starts_on": TODAY.isoformat()}
    )
    assert response.status_code == 200
    assert response.context["allocation_form"].errors["admission"]
    # Site B's office is not found.
    resident = _resident(site_a)
    response = manager.post(
        f"{OFFICES}{world['office_b']}/allocate/", {"admission": resident.pk, "starts_on": TODAY.isoformat()}
    )
    assert response.status_code == 404
    with scopes_disabled():
        assert OfficeAllocation.objects.count() == count


def test_allocation_form_errors(manager, site_a, world):
    resident = _resident(site_a)
    with scopes_disabled():
        office = OfficeFactory(site=site_a, number="A-600")
        retired = OfficeFactory(site=site_a, number="A-601", is_active=False)
    url = f"{OFFICES}{office.pk}/allocate/"
    backwards = manager.post(
        url, {"admission": resident.pk, "starts_on": TODAY.isoformat(), "ends_on": (TODAY - DAY).isoformat()}
    )
    assert backwards.status_code == 200
    assert backwards.context["allocation_form"].errors["ends_on"]
    junk = manager.post(url, {"admission": "abc", "starts_on": "tomorrow"})
    assert junk.status_code == 200
    assert set(junk.context["allocation_form"].errors) == {"admission", "starts_on"}
    out_of_service = manager.post(
        f"{OFFICES}{retired.pk}/allocate/", {"admission": resident.pk, "starts_on": TODAY.isoformat()}
    )
    assert out_of_service.status_code == 200
    assert "This office is out of service." in out_of_service.content.decode()
    with scopes_disabled():
        assert not OfficeAllocation.objects.filter(office__in=[office, retired]).exists()


def test_release_an_allocation(manager, world):
    url = f"/manage/site-a/allocations/{world['allocation_a']}/release/"
    response = manager.post(url, {"ends_on": TODAY.isoformat()})
    assert response.status_code == 302
    assert response["Location"] == f"{OFFICES}{world['office_a']}/"
    with scopes_disabled():
        assert OfficeAllocation.objects.get(pk=world["allocation_a"]).ends_on == TODAY
    assert manager.get(OFFICES).context["summary"]["occupied_offices"] == 0


def test_release_errors(manager, world):
    url = f"/manage/site-a/allocations/{world['allocation_a']}/release/"
    too_early = manager.post(url, {"ends_on": "2021-12-31"})
    assert too_early.status_code == 200
    assert "The end must come after the start." in too_early.content.decode()
    assert manager.post(url, {"ends_on": "junk"}).status_code == 200
    with scopes_disabled():
        assert OfficeAllocation.objects.get(pk=world["allocation_a"]).ends_on is None
    # Releasing an allocation that already ends by then: a conflict message.
    manager.post(url, {"ends_on": TODAY.isoformat()})
    again = manager.post(url, {"ends_on": (TODAY + DAY).isoformat()})
    assert again.status_code == 200
    assert "This allocation already ends by then." in again.content.decode()


def test_release_of_another_sites_allocation_is_404(manager, site_b, world):
    with scopes_disabled():
        allocation_b = OfficeAllocation.objects.create(
            office_id=world["office_b"], admission_id=world["admission_b"], site=site_b, starts_on=TODAY - 10 * DAY
        )
    response = manager.post(f"/manage/site-a/allocations/{allocation_b.pk}/release/", {"ends_on": TODAY.isoformat()})
    assert response.status_code == 404
    with scopes_disabled():
        assert OfficeAllocation.objects.get(pk=allocation_b.pk).ends_on is None


# --- Roles ---------------------------------------------------------------------------------------------
def test_committee_member_may_view_but_not_write(client, world, committee_a, site_a):
    client.force_login(committee_a)
    resident = _resident(site_a)
    for url in (OFFICES, f"{OFFICES}{world['office_a']}/"):
        response = client.get(url)
        assert response.status_code == 200
        assert "/allocate/" not in response.content.decode()
    posts = [
        (f"{OFFICES}new/", VALID),
        (f"{OFFICES}{world['office_a']}/edit/", {**VALID, "number": "A-101"}),
        (f"{OFFICES}{world['office_a']}/allocate/", {"admission": resident.pk, "starts_on": TODAY.isoformat()}),
        (f"/manage/site-a/allocations/{world['allocation_a']}/release/", {"ends_on": TODAY.isoformat()}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    with scopes_disabled():
        assert not Office.objects.filter(number="A-305").exists()
        assert OfficeAllocation.objects.get(pk=world["allocation_a"]).ends_on is None


def test_staff_may_write(client, staff, world):
    client.force_login(staff)
    assert client.post(f"{OFFICES}new/", VALID).status_code == 302
    with scopes_disabled():
        assert Office.objects.get(number="A-305").site.slug == "site-a"
