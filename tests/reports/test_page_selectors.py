"""The reads behind the reports pages (issue 17: views and forms thin), called directly: head
office's audit trail and its filters (the form validates, the selector filters), the public
figures page's snapshots (never a site's row), and a region's sites for the dashboards.

The pages themselves (contents, isolation, query counts) are tested by the sibling modules."""

import datetime
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone, translation
from django_scopes import scopes_disabled

from core.models import AuditEntry
from reports import selectors
from reports.forms.audit import AuditFilterForm
from reports.models import KpiSnapshot
from sites.models import Region, Site
from tests.factories import SiteFactory

from .test_public import store

pytestmark = pytest.mark.django_db


# --- The audit trail ---------------------------------------------------------------------------
@pytest.fixture
def trail(site_a, site_b):
    site_type = ContentType.objects.get_for_model(Site)
    region_type = ContentType.objects.get_for_model(Region)

    def entry(day: int, **fields) -> AuditEntry:
        row = AuditEntry.objects.create(
            actor_email=fields.pop("actor_email", "amal@example.ma"),
            action=fields.pop("action", AuditEntry.Action.UPDATE),
            content_type=fields.pop("content_type", site_type),
            object_id="1",
            **fields,
        )
        # `created_at` is written on insert: set the day afterwards.
        created = timezone.make_aware(datetime.datetime(2027, 3, day, 12))
        AuditEntry.objects.filter(pk=row.pk).update(created_at=created)
        return row

    with scopes_disabled():
        return {
            "first": entry(1, object_repr="Technopark Rabat", site=site_a),
            "second": entry(2, object_repr="Région Souss", content_type=region_type, action="create"),
            "third": entry(3, object_repr="Technopark Agadir", site=site_b, actor_email="badr@example.ma"),
        }


def listed(**filters) -> list[int]:
    with scopes_disabled():  # head office's view: every site's entries
        return [entry.pk for entry in selectors.audit_entries(**filters)]


def test_the_audit_trail_applies_each_filter(trail, site_a):
    first, second, third = trail["first"].pk, trail["second"].pk, trail["third"].pk
    assert listed() == [third, second, first]  # latest first
    assert listed(q="BADR") == [third]  # the person
    assert listed(q="souss") == [second]  # the record
    assert listed(action="create") == [second]
    assert listed(content_type=ContentType.objects.get_for_model(Region)) == [second]
    assert listed(site=site_a) == [first]
    assert listed(since=datetime.date(2027, 3, 2), until=datetime.date(2027, 3, 2)) == [second]  # inclusive


def test_the_audit_form_hands_its_filters_only_when_valid(trail, site_b):
    with scopes_disabled():
        valid = AuditFilterForm({"q": "", "site": site_b.slug, "since": "2027-03-01"})
        assert listed(**valid.filters()) == [trail["third"].pk]
        assert AuditFilterForm({"since": "not a date", "q": "badr"}).filters() == {}
        assert AuditFilterForm(None).filters() == {}
    assert set(selectors.audited_content_types().values_list("app_label", flat=True)) <= set(selectors.AUDITED_APPS)


def test_every_app_that_writes_is_in_the_audit_trails_filter():
    """An app with an `actions` module writes audited records: head office can pick them."""
    writers = {
        config.label
        for config in apps.get_app_configs()
        if "site-packages" not in config.path  # the portal's own apps
        and ((Path(config.path) / "actions.py").exists() or (Path(config.path) / "actions").is_dir())
    }
    assert writers and writers <= set(selectors.AUDITED_APPS)
    with translation.override("en"):
        labels = {str(choice.model_class()._meta.verbose_name) for choice in selectors.audited_content_types()}
    assert {"invoice", "payment", "room booking"} <= labels


# --- The public figures page and the dashboards -------------------------------------------------
def test_the_public_snapshots_are_the_latest_network_and_region_rows(site_a):
    today = datetime.date(2027, 3, 10)
    region = site_a.region
    with scopes_disabled():
        store("network", today - datetime.timedelta(days=2))
        latest = store("network", today - datetime.timedelta(days=1))
        store("network", today + datetime.timedelta(days=1))  # after `today`: not read
        store(f"region:{region.code}", latest.as_of, supported_now=7)
        store(f"region:{region.code}", today - datetime.timedelta(days=2), supported_now=3)
        # A site's row of that date is never read, whatever its scope label says.
        KpiSnapshot.objects.filter(pk=store("site:site-a", latest.as_of).pk).update(site=site_a)

        assert selectors.latest_network_snapshot(today=today) == latest
        assert selectors.supported_now_by_region(as_of=latest.as_of) == {region.pk: 7}
        assert selectors.latest_network_snapshot(today=today - datetime.timedelta(days=3)) is None


def test_a_regions_scope_is_its_sites_ids_in_order(site_a):
    other = SiteFactory(region=site_a.region)
    SiteFactory(region__code="MA-04")  # another region's
    assert selectors.region_site_ids(site_a.region) == (site_a.pk, other.pk)
