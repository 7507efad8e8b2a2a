"""The residents list is a cached fragment that any committed change of what it shows
replaces at once (startups.signals, technopark.versions): an admission, an office or an
allocation of the site, a startup or its sectors. Until then the cached rows are served
without a query for them."""

import datetime

import pytest
from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from sites.models import Sector
from startups.models import Admission, Office, OfficeAllocation, Startup
from tests.factories import AdmissionFactory, StartupFactory

LIST = "/manage/site-a/residents/"
TODAY = timezone.localdate()


@pytest.fixture
def manager(client, world, manager_a):
    client.cookies["django_language"] = "en"
    client.force_login(manager_a)
    return client


def _html(client) -> str:
    response = client.get(LIST)
    assert response.status_code == 200
    return response.content.decode()


def _atlas() -> Startup:
    with scopes_disabled():
        return Startup.objects.get(brand_name="Atlas Data")


@pytest.mark.django_db
def test_a_second_request_is_served_from_the_cache(manager, django_assert_max_num_queries):
    assert "Atlas Data" in _html(manager)
    with scopes_disabled():
        Startup.objects.filter(brand_name="Atlas Data").update(brand_name="Renamed quietly")  # no signal
    with django_assert_max_num_queries(8):  # session, user, site, membership: no row query
        html = _html(manager)
    assert "Atlas Data" in html and "Renamed quietly" not in html


@pytest.mark.django_db
def test_a_committed_change_of_a_startup_shows_at_once(manager, django_capture_on_commit_callbacks):
    _html(manager)
    startup = _atlas()
    with django_capture_on_commit_callbacks(execute=True):
        startup.brand_name = "Atlas Renamed"
        startup.save()
    assert "Atlas Renamed" in _html(manager)
    with django_capture_on_commit_callbacks(execute=True):
        startup.sectors.add(Sector.objects.get(code="greentech"))
    assert Sector.objects.get(code="greentech").name in _html(manager)


@pytest.mark.django_db
def test_a_new_admission_and_an_office_change_show_at_once(manager, site_a, django_capture_on_commit_callbacks):
    _html(manager)
    with django_capture_on_commit_callbacks(execute=True), scopes_disabled():
        AdmissionFactory(
            site=site_a,
            kind="resident",
            startup=StartupFactory(brand_name="Newcomer"),
            starts_on=TODAY - datetime.timedelta(days=3),
        )
    assert "Newcomer" in _html(manager)
    with django_capture_on_commit_callbacks(execute=True), scopes_disabled():
        office = OfficeAllocation.objects.get(admission__startup__brand_name="Atlas Data").office
        office.number = "Z-999"
        office.save()
    assert "Z-999" in _html(manager)


@pytest.mark.django_db
def test_a_rolled_back_change_moves_nothing(manager, site_a, django_capture_on_commit_callbacks):
    _html(manager)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
        scopes_disabled(),
    ):
        Admission.objects.filter(site=site_a).first().save()
        raise RuntimeError
    assert callbacks == []


@pytest.mark.django_db
def test_another_sites_change_keeps_this_sites_fragment(manager, site_b, django_capture_on_commit_callbacks):
    _html(manager)
    with scopes_disabled():
        Startup.objects.filter(brand_name="Atlas Data").update(brand_name="Renamed quietly")  # no signal
    with django_capture_on_commit_callbacks(execute=True), scopes_disabled():
        office = Office.objects.filter(site=site_b).first() or Office.objects.create(site=site_b, number="B-1")
        office.save()
    assert "Atlas Data" in _html(manager)  # still the cached fragment of site A
