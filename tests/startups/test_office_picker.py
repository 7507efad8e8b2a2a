"""The office allocation's resident picker (issue 18): only the site's residents who can
take an office, sorted by name, searched (htmx fragment, or a page reload without
JavaScript) by name or ICE with accents and case ignored; the posted choice is checked
against the same list; `?startup=` preselects the startup an admission's next steps sent."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.formats import date_format
from django_scopes import scopes_disabled

from startups.models import Admission, AdmissionKind, OfficeAllocation
from tests.factories import AdmissionFactory, OfficeFactory, StartupFactory

# Every test here uses the world: built once for the module (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("shared_world")

OFFICES = "/manage/site-a/offices/"
TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)
# The eligible residents of site A by name, accents and case ignored (not the database's
# byte order, which puts "delta AI" and "Écotech" after "Zénith Labs").
SORTED = ["Anciens Bureaux", "Bravo Bio", "delta AI", "Écotech", "Fennec Mobility", "Zénith Labs"]


@pytest.fixture
def manager(client, world, manager_a):
    client.cookies["django_language"] = "en"
    client.force_login(manager_a)
    return client


def _resident(site, name, **kwargs) -> Admission:
    kwargs.setdefault("starts_on", TODAY - 100 * DAY)
    kwargs.setdefault("planned_end_on", TODAY + 900 * DAY)
    return AdmissionFactory(site=site, startup=StartupFactory(legal_name=f"{name} SARL", brand_name=name), **kwargs)


def _allocate(admission, number, starts_on, ends_on=None, **kwargs):
    office = OfficeFactory(site=admission.site, number=number)
    return OfficeAllocation.objects.create(
        office=office, admission=admission, site=admission.site, starts_on=starts_on, ends_on=ends_on, **kwargs
    )


@pytest.fixture
def residents(world, site_a, site_b):
    """Site A's residents in every state, an office to allocate, and site B's look-alike."""
    with scopes_disabled():
        office = OfficeFactory(site=site_a, number="A-300")
        people = {
            "zenith": _resident(site_a, "Zénith Labs"),
            "ecotech": _resident(site_a, "Écotech"),
            "delta": _resident(site_a, "delta AI"),
            "upcoming": _resident(site_a, "Fennec Mobility", starts_on=TODAY + 20 * DAY),
            "cancelled": _resident(site_a, "Bravo Bio"),
            "former": _resident(site_a, "Anciens Bureaux"),
            # Never listed:
            "housed": _resident(site_a, "Housed Co"),
            "booked": _resident(site_a, "Booked Co"),
            "ended": _resident(site_a, "Gone Co", ended_on=TODAY - DAY, exit_reason="graduated"),
            "remote": _resident(site_a, "Remote Eco", kind=AdmissionKind.ETECHNOPARK, planned_end_on=None),
            "rabat": _resident(site_b, "Écotech Rabat"),
        }
        _allocate(people["cancelled"], "A-C1", TODAY + 5 * DAY, cancelled_at=timezone.now())
        _allocate(people["former"], "A-F1", TODAY - 90 * DAY, TODAY - 10 * DAY)
        _allocate(people["housed"], "A-H1", TODAY - 90 * DAY)
        _allocate(people["booked"], "A-B1", TODAY + 30 * DAY)
    return office, people


def _names(response) -> list[str]:
    return [str(admission.startup) for admission in response.context["choices"]]


def _short(day: datetime.date) -> str:
    with translation.override("en"):
        return date_format(day, "SHORT_DATE_FORMAT")


# --- Who is listed, in which order ------------------------------------------------------------------
def test_the_office_page_lists_only_residents_who_can_take_an_office_sorted(manager, residents):
    office, people = residents
    response = manager.get(f"{OFFICES}{office.pk}/")
    assert response.status_code == 200
    assert _names(response) == SORTED
    html = response.content.decode()
    # Radio buttons (a form field without JavaScript), no select of every resident.
    assert html.count('type="radio" name="admission"') == len(SORTED)
    assert '<select name="admission"' not in html
    for absent in ("housed", "booked", "ended", "remote", "rabat"):
        assert f'id="admission-{people[absent].pk}"' not in html, absent
    assert "Écotech Rabat" not in html and "Remote Eco" not in html and "Gone Co" not in html
    # Dates in the language's format, never ISO.
    start = people["zenith"].starts_on
    assert _short(start) in html and start.isoformat() not in html
    assert f"residency from {_short(TODAY + 20 * DAY)}" in html  # the upcoming one says so


def test_the_search_fragment_is_sorted_and_ignores_case_and_accents(manager, residents):
    office, people = residents
    url = f"{OFFICES}{office.pk}/residents/"
    everyone = manager.get(url)
    assert everyone.status_code == 200
    assert _names(everyone) == SORTED
    assert "<html" not in everyone.content.decode()  # a fragment, not a page
    assert _names(manager.get(url, {"q": "ECOTECH"})) == ["Écotech"]  # not site B's "Écotech Rabat"
    assert _names(manager.get(url, {"q": "zenith"})) == ["Zénith Labs"]
    assert _names(manager.get(url, {"q": "  labs  "})) == ["Zénith Labs"]
    assert _names(manager.get(url, {"q": "bio sarl"})) == ["Bravo Bio"]  # the legal name too
    assert _names(manager.get(url, {"q": people["delta"].startup.ice})) == ["delta AI"]
    nobody = manager.get(url, {"q": "Housed"})
    assert _names(nobody) == []
    assert "No resident without an office matches" in nobody.content.decode()


def test_the_current_choice_stays_first_while_searching(manager, residents):
    office, people = residents
    chosen = people["ecotech"].pk
    response = manager.get(f"{OFFICES}{office.pk}/residents/", {"q": "zen", "admission": chosen})
    assert _names(response) == ["Écotech", "Zénith Labs"]
    assert f'value="{chosen}" checked' in response.content.decode()
    # An id that is not a candidate is simply not shown.
    response = manager.get(f"{OFFICES}{office.pk}/residents/", {"q": "zen", "admission": people["housed"].pk})
    assert _names(response) == ["Zénith Labs"]
    # Nothing matches: said so, and the choice is still there to be posted.
    response = manager.get(f"{OFFICES}{office.pk}/residents/", {"q": "nobody", "admission": chosen})
    assert _names(response) == ["Écotech"]
    assert "No resident without an office matches" in response.content.decode()


def test_without_javascript_the_search_reloads_the_office_page(manager, residents):
    office, _people = residents
    response = manager.get(f"{OFFICES}{office.pk}/", {"q": "eco"})
    assert _names(response) == ["Écotech"]
    html = response.content.decode()
    assert f'<form method="get" action="{OFFICES}{office.pk}/#allocate" role="search"' in html
    assert f'hx-get="{OFFICES}{office.pk}/residents/"' in html
    assert 'value="eco"' in html


def test_the_picker_is_site_scoped(client, manager, residents, world, manager_b):
    office, _people = residents
    assert manager.get(f"{OFFICES}{world['office_b']}/residents/").status_code == 404
    client.force_login(manager_b)
    assert client.get(f"{OFFICES}{office.pk}/residents/").status_code == 404
    assert client.get(f"/manage/site-b/offices/{office.pk}/residents/").status_code == 404
    site_b = client.get(f"/manage/site-b/offices/{world['office_b']}/residents/", {"q": "eco"})
    assert _names(site_b) == ["Écotech Rabat"]


def test_the_picker_queries_do_not_grow_with_residents(manager, residents, site_a):
    office, _people = residents
    url = f"{OFFICES}{office.pk}/residents/"
    manager.get(url)
    with CaptureQueriesContext(connection) as few:
        manager.get(url)
    with CaptureQueriesContext(connection) as page_few:
        manager.get(f"{OFFICES}{office.pk}/")
    with scopes_disabled():
        for number in range(30):
            _resident(site_a, f"More {number:02d}")
    with CaptureQueriesContext(connection) as many:
        assert len(manager.get(url).context["choices"]) == len(SORTED) + 30
    with CaptureQueriesContext(connection) as page_many:
        manager.get(f"{OFFICES}{office.pk}/")
    assert len(many.captured_queries) == len(few.captured_queries)
    assert len(page_many.captured_queries) == len(page_few.captured_queries)


# --- The posted choice ---------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["housed", "booked", "ended", "remote", "rabat", "forged"])
def test_an_ineligible_or_forged_resident_is_a_clear_form_error(manager, residents, who):
    office, people = residents
    admission = people[who].pk if who in people else 987654
    response = manager.post(f"{OFFICES}{office.pk}/allocate/", {"admission": admission, "starts_on": TODAY.isoformat()})
    assert response.status_code == 200
    assert "This startup cannot take an office here" in response.content.decode()
    with scopes_disabled():
        assert not OfficeAllocation.objects.filter(office=office).exists()


def test_no_resident_chosen_is_a_form_error(manager, residents):
    office, _people = residents
    response = manager.post(f"{OFFICES}{office.pk}/allocate/", {"starts_on": TODAY.isoformat()})
    assert response.status_code == 200
    assert "Choose the resident who takes the office." in response.content.decode()


def test_an_office_cannot_be_allocated_before_the_residency_starts(manager, residents):
    office, people = residents
    upcoming = people["upcoming"]
    url = f"{OFFICES}{office.pk}/allocate/"
    early = manager.post(url, {"admission": upcoming.pk, "starts_on": TODAY.isoformat()})
    assert early.status_code == 200
    assert early.context["allocation_form"].errors["starts_on"]
    assert manager.post(url, {"admission": upcoming.pk, "starts_on": upcoming.starts_on.isoformat()}).status_code == 302
    with scopes_disabled():
        assert OfficeAllocation.objects.get(office=office).admission_id == upcoming.pk
    # Housed from then on: no longer a candidate.
    assert "Fennec Mobility" not in _names(manager.get(f"{OFFICES}{office.pk}/residents/"))


# --- Preselection from an admission's next steps -----------------------------------------------------
def test_startup_preselection(manager, residents):
    office, people = residents
    upcoming = people["upcoming"]
    response = manager.get(f"{OFFICES}{office.pk}/", {"startup": upcoming.startup_id})
    assert _names(response)[0] == "Fennec Mobility"  # first, and chosen
    assert response.context["selected_pk"] == upcoming.pk
    form = response.context["allocation_form"]
    assert form["starts_on"].value() == upcoming.starts_on  # from the day it moves in
    assert f'value="{upcoming.pk}" checked' in response.content.decode()
    # The search box keeps the startup for a reload without JavaScript.
    assert f'<input type="hidden" name="startup" value="{upcoming.startup_id}">' in response.content.decode()

    listing = manager.get(OFFICES, {"startup": upcoming.startup_id})
    assert listing.context["allocating"] == upcoming
    html = listing.content.decode()
    assert "Finding an office for <bdi>Fennec Mobility</bdi>" in html
    assert f"{OFFICES}{office.pk}/?startup={upcoming.startup_id}#allocate" in html

    # A startup that cannot take an office (housed, another site's, junk): a warning, nothing chosen.
    for startup in (people["housed"].startup_id, people["rabat"].startup_id, "junk"):
        response = manager.get(f"{OFFICES}{office.pk}/", {"startup": startup})
        assert response.status_code == 200
        assert response.context["selected_pk"] is None
        if startup != "junk":
            assert "The startup you came for cannot take an office here" in response.content.decode()
        assert manager.get(OFFICES, {"startup": startup}).context["allocating"] is None
