"""Site back-office: undoing an office allocation (issue 18). A mistaken allocation made
today is cancelled the same day (it never happened: kept, marked cancelled, audited, the
office free again); a running one is released from a chosen day after its start. Both go
through a confirmation page that works without JavaScript, and no write URL answers a GET
with a 405."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django_scopes import scopes_disabled

from core.models import AuditEntry
from startups import actions
from startups.models import OfficeAllocation
from tests.factories import OfficeFactory

from . import test_offices
from .test_offices import DAY, OFFICES, TODAY, _resident

# Every test here uses the world: built once for the module (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("shared_world")

# The fixtures shared with the sibling module: pytest finds a fixture by its name in the module.
manager = test_offices.manager
committee_a = test_offices.committee_a

ALLOCATIONS = "/manage/site-a/allocations/"


def _allocate_today(manager, site_a, *, starts_on=TODAY) -> OfficeAllocation:
    """Allocate a new office of site A through its page, as the manager did by mistake."""
    resident = _resident(site_a)
    with scopes_disabled():
        office = OfficeFactory(site=site_a, number="A-220")
    response = manager.post(
        f"{OFFICES}{office.pk}/allocate/", {"admission": resident.pk, "starts_on": starts_on.isoformat()}
    )
    assert response.status_code == 302
    with scopes_disabled():
        return OfficeAllocation.objects.select_related("office", "admission").get(office=office)


def _get(pk) -> OfficeAllocation:
    with scopes_disabled():
        return OfficeAllocation.objects.get(pk=pk)


# --- Cancelling -----------------------------------------------------------------------------------
def test_an_allocation_made_today_is_cancelled_the_same_day(manager, site_a, world, manager_a):
    allocation = _allocate_today(manager, site_a)
    office_url = f"{OFFICES}{allocation.office_id}/"
    cancel_url = f"{ALLOCATIONS}{allocation.pk}/cancel/"
    assert cancel_url in manager.get(office_url).content.decode()
    # The confirmation page says what will happen; only its POST cancels.
    page = manager.get(cancel_url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Cancel the allocation of office A-220 to" in html and "It will count as never having happened" in html
    assert _get(allocation.pk).cancelled_at is None

    response = manager.post(cancel_url, follow=True)
    assert response.redirect_chain == [(office_url, 302)]
    assert "The allocation of office A-220 to Cedar Labs is cancelled" in response.content.decode()
    cancelled = _get(allocation.pk)
    assert cancelled.cancelled_at is not None and cancelled.cancelled_by == manager_a
    assert (cancelled.starts_on, cancelled.ends_on) == (TODAY, None)  # kept as it was, for the history
    with scopes_disabled():
        entry = AuditEntry.objects.get(
            content_type=ContentType.objects.get_for_model(OfficeAllocation),
            object_id=str(allocation.pk),
            action="update",
        )
    assert entry.actor == manager_a and entry.changes["cancelled_at"][0] is None
    # The office is free again: shown as such, counted as such, allocatable over the same dates.
    row = next(row for row in response.context["allocations"] if row.pk == allocation.pk)
    assert row.is_cancelled and not (row.is_current or row.can_release or row.can_cancel)
    assert "Free today" in response.content.decode()
    assert manager.get(OFFICES).context["summary"]["occupied_offices"] == 1  # A-101 only
    again = manager.post(
        f"{office_url}allocate/", {"admission": allocation.admission_id, "starts_on": TODAY.isoformat()}
    )
    assert again.status_code == 302
    with scopes_disabled():
        assert OfficeAllocation.objects.filter(office=allocation.office).not_cancelled().count() == 1


def test_a_future_allocation_is_cancelled_and_a_running_one_is_not(manager, site_a, world):
    future = _allocate_today(manager, site_a, starts_on=TODAY + 10 * DAY)
    assert manager.post(f"{ALLOCATIONS}{future.pk}/cancel/").status_code == 302
    assert _get(future.pk).is_cancelled
    # Twice: refused on the page, nothing changes.
    cancelled_at = _get(future.pk).cancelled_at
    twice = manager.post(f"{ALLOCATIONS}{future.pk}/cancel/")
    assert twice.status_code == 200
    assert "This allocation is already cancelled." in twice.content.decode()
    assert _get(future.pk).cancelled_at == cancelled_at

    # allocation_a has run since 2022: the page explains and offers the release instead.
    running_url = f"{ALLOCATIONS}{world['allocation_a']}/cancel/"
    page = manager.get(running_url).content.decode()
    assert "it has run, so it is released rather than cancelled" in page
    assert f"{ALLOCATIONS}{world['allocation_a']}/release/" in page
    assert "Cancel the allocation of office" not in page
    refused = manager.post(running_url)
    assert refused.status_code == 200  # the GET-able page again, with the message
    assert "This allocation began on 2022-01-01: it has run, release it instead." in refused.content.decode()
    assert not _get(world["allocation_a"]).is_cancelled
    assert (
        f"{ALLOCATIONS}{world['allocation_a']}/cancel/"
        not in manager.get(f"{OFFICES}{world['office_a']}/").content.decode()
    )


def test_a_cancelled_allocation_holds_nothing(manager, site_a, world, manager_a, unscoped):
    allocation = _allocate_today(manager, site_a)
    actions.residency.allocation_cancel(actor=manager_a, allocation=allocation)
    assert not OfficeAllocation.objects.running_on(TODAY).filter(pk=allocation.pk).exists()
    residents = manager.get("/manage/site-a/residents/", {"office": "none"}).context["page"]
    assert allocation.admission_id in [admission.pk for admission in residents]
    # Nothing to release; the residency's exit leaves it alone.
    response = manager.post(f"{ALLOCATIONS}{allocation.pk}/release/", {"ends_on": (TODAY + DAY).isoformat()})
    assert "This allocation is cancelled: there is nothing to release." in response.content.decode()
    actions.admission_exit(actor=manager_a, admission=allocation.admission, ended_on=TODAY, reason="graduated")
    assert _get(allocation.pk).ends_on is None


# --- Releasing ------------------------------------------------------------------------------------
def test_the_release_page_confirms_the_day_the_office_is_free(manager, world):
    url = f"{ALLOCATIONS}{world['allocation_a']}/release/"
    page = manager.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Choose the day office A-101 is free again: " in html and "keeps it until the day before" in html
    assert page.context["form"]["ends_on"].value() == TODAY  # today by default
    assert "/cancel/" not in html  # it has run: no cancelling
    assert _get(world["allocation_a"]).ends_on is None  # a GET changes nothing
    # The office page links to this page rather than releasing in one click.
    office = manager.get(f"{OFFICES}{world['office_a']}/").content.decode()
    assert f'href="{url}"' in office and f'action="{url}"' not in office


def test_an_allocation_starting_today_is_not_released_today_but_cancelled(manager, site_a, world):
    allocation = _allocate_today(manager, site_a)
    url = f"{ALLOCATIONS}{allocation.pk}/release/"
    page = manager.get(url)
    assert page.context["form"]["ends_on"].value() == TODAY + DAY  # the earliest day that means something
    assert f"{ALLOCATIONS}{allocation.pk}/cancel/" in page.content.decode()
    zero_days = manager.post(url, {"ends_on": TODAY.isoformat()})
    assert zero_days.status_code == 200
    assert zero_days.context["form"].errors["ends_on"] == [
        f"The end must come after the start. This allocation starts on {TODAY.isoformat()}: "
        "to undo it, cancel it instead."
    ]
    assert _get(allocation.pk).ends_on is None
    # Released from tomorrow: one day.
    assert manager.post(url, {"ends_on": (TODAY + DAY).isoformat()}).status_code == 302
    assert _get(allocation.pk).ends_on == TODAY + DAY


# --- Reloads, roles, other sites ------------------------------------------------------------------
def test_reloading_after_a_refused_allocation_never_gives_a_405(manager, site_a, world):
    url = f"{OFFICES}{world['office_a']}/allocate/"
    refused = manager.post(url, {"admission": _resident(site_a).pk, "starts_on": TODAY.isoformat()})
    assert refused.status_code == 200  # A-101 is taken: the office page with the message
    reload = manager.get(url)
    assert reload.status_code == 302 and reload["Location"] == f"{OFFICES}{world['office_a']}/"
    for action in ("release", "cancel"):
        assert manager.get(f"{ALLOCATIONS}{world['allocation_a']}/{action}/").status_code == 200


def test_committee_member_reads_the_pages_but_cannot_cancel(client, site_a, world, committee_a, manager):
    allocation = _allocate_today(manager, site_a)
    client.force_login(committee_a)
    for action, sentence in (("cancel", "can cancel an allocation"), ("release", "can release an office")):
        page = client.get(f"{ALLOCATIONS}{allocation.pk}/{action}/")
        assert page.status_code == 200
        assert f"Only the site's managers {sentence}." in page.content.decode()
    assert client.post(f"{ALLOCATIONS}{allocation.pk}/cancel/").status_code == 403
    assert not _get(allocation.pk).is_cancelled


@pytest.mark.parametrize("action", ["cancel", "release"])
def test_another_sites_allocation_is_404(manager, site_b, world, action):
    with scopes_disabled():
        allocation_b = OfficeAllocation.objects.create(
            office_id=world["office_b"], admission_id=world["admission_b"], site=site_b, starts_on=TODAY
        )
    url = f"{ALLOCATIONS}{allocation_b.pk}/{action}/"
    assert manager.get(url).status_code == 404
    assert manager.post(url, {"ends_on": (TODAY + DAY).isoformat()}).status_code == 404
    assert not _get(allocation_b.pk).is_cancelled and _get(allocation_b.pk).ends_on is None
