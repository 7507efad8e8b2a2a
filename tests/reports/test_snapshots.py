"""Nightly KPI snapshots: one row per (scope, date) for the network, the 12 regions and
every site, equal to the engine's figures; reruns and racing runs change nothing but the
figures themselves."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, connections
from django_scopes import scopes_disabled

from reports.kpis import headline, parse_scope
from reports.models import KpiSnapshot
from reports.snapshots import FIGURES
from reports.tasks import compute_kpi_snapshots
from sites.models import Region, Site
from tests.factories import AdmissionFactory, DeclarationFactory, SiteFactory, StartupFactory

DAY = datetime.date(2026, 6, 30)


@pytest.fixture
def network(site_a, site_b, unscoped):
    startup = StartupFactory(founded_on=datetime.date(2016, 1, 1))
    AdmissionFactory(startup=startup, site=site_a, kind="resident", starts_on=datetime.date(2020, 1, 1))
    AdmissionFactory(startup=startup, site=site_b, kind="e-technopark", starts_on=datetime.date(2021, 1, 1))
    DeclarationFactory(
        startup=startup,
        fiscal_year=2025,
        direct_jobs=4,
        indirect_jobs=1,
        revenue_mad=Decimal("500"),
        export_revenue_mad=0,
    )
    return startup


def _rows():
    with scopes_disabled():
        return {row.scope: row for row in KpiSnapshot.objects.filter(as_of=DAY)}


def test_one_snapshot_per_scope_equal_to_the_engine(network, site_a, site_b):
    written = compute_kpi_snapshots.delay(DAY.isoformat()).get()
    rows = _rows()
    expected_scopes = {"network"} | {f"region:{code}" for code in Region.objects.values_list("code", flat=True)}
    expected_scopes |= {f"site:{slug}" for slug in Site.objects.values_list("slug", flat=True)}
    assert len(Region.objects.all()) == 12
    assert set(rows) == expected_scopes and written == len(expected_scopes)
    for label, row in rows.items():
        figures = headline(parse_scope(label), DAY).as_dict()
        assert {name: getattr(row, name) for name in FIGURES} == figures, label
    assert rows["site:site-a"].site == site_a and rows["site:site-a"].region is None
    assert rows["region:MA-04"].region.code == "MA-04" and rows["region:MA-04"].site is None
    # The startup admitted at both sites counts at each, once in the network.
    assert rows["site:site-a"].startups_supported_total == 1
    assert rows["site:site-b"].startups_supported_total == 1
    assert rows["network"].startups_supported_total == 1 and rows["network"].jobs_total == 5


def test_a_rerun_rewrites_the_same_rows(network, site_a):
    compute_kpi_snapshots.delay(DAY.isoformat()).get()
    first = _rows()
    compute_kpi_snapshots.delay(DAY.isoformat()).get()
    assert {label: row.pk for label, row in _rows().items()} == {label: row.pk for label, row in first.items()}
    # New data since: the rerun updates the figures in place.
    AdmissionFactory(startup=StartupFactory(), site=site_a, starts_on=datetime.date(2026, 1, 1))
    compute_kpi_snapshots.delay(DAY.isoformat()).get()
    after = _rows()
    assert len(after) == len(first)
    assert after["site:site-a"].startups_supported_total == 2
    assert after["network"].startups_supported_total == 2
    assert after["site:site-a"].pk == first["site:site-a"].pk


def test_the_database_refuses_a_second_row_for_a_scope_and_date(network):
    compute_kpi_snapshots.delay(DAY.isoformat()).get()
    row = _rows()["network"]
    with scopes_disabled(), pytest.raises(IntegrityError):
        KpiSnapshot.objects.create(**{name: getattr(row, name) for name in FIGURES}, scope="network", as_of=DAY)


def test_snapshots_of_a_site_are_scoped_to_it(network, site_a, site_b):
    from django_scopes import scope

    compute_kpi_snapshots.delay(DAY.isoformat()).get()
    with scope(site=site_a.pk):
        assert list(KpiSnapshot.objects.filter(as_of=DAY).values_list("scope", flat=True)) == ["site:site-a"]
        assert set(KpiSnapshot.objects.values_list("site", flat=True)) == {site_a.pk}


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="racing writers need PostgreSQL")
def test_two_beats_at_once_leave_one_row_per_scope():
    with scopes_disabled():
        SiteFactory(slug="casablanca")
    barrier = threading.Barrier(2)
    errors = []

    def run():
        try:
            barrier.wait()
            compute_kpi_snapshots(DAY.isoformat())
        except Exception as error:  # noqa: BLE001 — any error is the finding
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    with scopes_disabled():
        assert KpiSnapshot.objects.filter(as_of=DAY).count() == 1 + Region.objects.count() + Site.objects.count()
