"""The network dashboard (head office) and the site dashboard (a site's staff): the shown
figures on a small hand-built dataset (dashboards_setup.py), filters, form errors, who may
see what, the comparison read from the snapshots and bounded query counts. The exports:
test_dashboards_exports.py. The engine's figures themselves are proven in test_kpis_*.py,
test_trends*.py and test_activity*.py; here the pages must show them."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scopes_disabled

from reports.exports import Money, Rate
from reports.kpis import headline, parse_scope
from reports.models import KpiSectorSnapshot, KpiSnapshot
from reports.snapshots import snapshots_compute
from sites.models import Sector
from tests.factories import (
    AdmissionFactory,
    ApplicationFactory,
    CallFactory,
    DeclarationFactory,
    OfficeFactory,
    RegistrationFactory,
    ServiceFactory,
    ServiceSessionFactory,
    StartupFactory,
)

from . import dashboards_setup
from .dashboards_setup import NETWORK, SITE_A, D, _get, day

# The fixtures shared with the sibling modules: pytest finds a fixture by its name in the module.
dataset = dashboards_setup.dataset
english = dashboards_setup.english


def shown(response, name: str) -> str:
    """The headline figure `name` as the page shows it."""
    match = re.search(rf'data-kpi="{name}">([^<]*)<', response.content.decode())
    assert match, name
    return match.group(1)


def headline_shown(response) -> dict:
    names = [
        "startups_supported_total",
        "residents_total",
        "supported_now",
        "residents_now",
        "survival_rate_5y",
        "jobs_total",
        "annual_revenue_mad",
        "export_share",
        "export_africa_share",
    ]
    return {name: shown(response, name) for name in names}


# --- The network dashboard ------------------------------------------------------------------


def test_head_office_sees_the_network_figures(english, dataset, client_for):
    response = _get(client_for, "staff", NETWORK, {"as_of": "2026-06-30"})
    assert response.status_code == 200
    assert headline_shown(response) == {
        "startups_supported_total": "4",
        "residents_total": "3",
        "supported_now": "3",
        "residents_now": "2",
        "survival_rate_5y": "66.7%",
        "jobs_total": "25",
        "annual_revenue_mad": "2,000,000.00\xa0MAD",
        "export_share": "66.7%",
        "export_africa_share": "33.3%",
    }
    dashboard = response.context["dashboard"]
    assert dashboard.scope.label == "network" and dashboard.as_of == D
    # The amount's card is wider than the others rather than break "… 676,00 درهم" in two.
    assert [card["name"] for card in dashboard.headline_cards if card["wide"]] == ["annual_revenue_mad"]
    # The default period: the 12 months ending at the date of the figures.
    assert (dashboard.date_from, dashboard.date_to) == (day("2025-07-01"), D)
    assert "Whole network, figures as of June 30, 2026" in response.content.decode()


def test_comparison_tables_by_site_and_region(dataset, client_for):
    response = _get(client_for, "staff", NETWORK, {"as_of": "2026-06-30"})
    tables = response.context["sections"]["tables"]
    sites = {row[0]: row for row in tables["sites"].rows}
    # Site, region, status, the nine figures, then the share of the startups supported now
    # that declared 2025 (A: one of its two).
    assert sites["Technopark site-a"][:3] == ["Technopark site-a", "MA-06", "Opérationnel"]
    assert sites["Technopark site-a"][3:] == [
        *[2, 1, 2, 1, Rate("1"), 7, Money("1200000"), Rate("0.5"), Rate("0.5")],
        Rate("0.5"),
    ]
    assert sites["Technopark site-b"][3:] == [
        *[2, 2, 1, 1, Rate("0.5"), 18, Money("800000"), Rate("1"), Rate("0")],
        Rate("1"),
    ]
    assert sites["Technopark site-c"][3:6] == [0, 0, 0]
    regions = {row[1]: row for row in tables["regions"].rows}
    assert len(regions) == 12
    assert regions["MA-06"][2:6] == [2, 2, 1, 2]  # two sites; A's figures (C has none)
    assert regions["MA-04"][3:] == sites["Technopark site-b"][3:]
    assert regions["MA-12"][2:] == [0, 0, 0, 0, 0, None, 0, Money("0"), None, None, None]  # nothing to divide
    coverage = {row[1]: row[2:] for row in tables["coverage"].rows}
    # Operational, under construction, planned, supported now.
    assert coverage["MA-06"] == [1, 0, 1, 2]
    assert coverage["MA-04"] == [1, 0, 0, 1]
    assert coverage["MA-01"] == [0, 0, 0, 0]
    # Nothing was snapshotted: every row computed live, and the page says so.
    assert response.context["dashboard"].source.snapshot_day is None
    assert "computed live" in response.content.decode() or "calculés" in response.content.decode()


def test_trends_and_activity_are_shown(english, dataset, client_for):
    response = _get(client_for, "staff", NETWORK, {"as_of": "2026-06-30"})
    tables = response.context["sections"]["tables"]
    years = {row[0]: row for row in tables["years"].rows}
    assert sorted(years) == list(range(2001, 2027))
    # 2026: the figures at D, equal to the headline.
    # Then the share of the startups supported now that declared the year before (s1, s4).
    assert years[2026][1:] == [D, 4, 3, 25, Money("2000000"), Rate("0.6667"), Rate("0.6667"), Rate("0.6667")]
    # 2019, at 31 December: s1 (2020) not yet admitted; s3 at B (resident since 2018), which
    # declared 2019 but not 2018.
    assert years[2019][2:4] == [1, 1] and years[2019][-1] == Rate("0")
    assert years[2001][-1] is None  # nobody to count
    cohorts = {row[0]: row[1:] for row in tables["cohorts"].rows}
    assert cohorts == {2015: [1, 1, Rate("1")], 2017: [1, 0, Rate("0")], 2019: [1, 1, Rate("1")]}
    dimensions = {row[0]: row[1:] for row in tables["dimensions"].rows}
    assert dimensions["Access to financing"] == [1, 2, 1, Rate("0.5")]
    assert dimensions["Access to skills"] == [0, 0, 0, None]  # no participant: nothing to divide
    funnel = dict(tables["funnel"].rows)
    assert funnel["Submitted"] == 2 and funnel["Admitted"] == 1 and funnel["Pending"] == 1
    assert funnel["Median days to decision"] == Decimal("10.0")
    occupancy = {row[0]: row[1:] for row in tables["occupancy"].rows}
    assert occupancy["Technopark site-a"] == [4, 1, Rate("0.25")]
    body = response.content.decode()
    # Each chart has its canvas and its data table; the data for the charts is JSON.
    for key in ("sites", "coverage", "years_startups", "years_jobs", "years_revenue", "years_rates", "cohorts"):
        assert f'data-chart="{key}"' in body
    assert body.count("Data table of the chart") == len(response.context["sections"]["charts"])
    assert 'id="dashboard-charts"' in body and "chart.umd.min.js" in body
    assert "<script>" not in body  # the CSP forbids inline scripts


def test_filters_change_the_figures(english, dataset, client_for):
    client = client_for("staff")
    by_region = client.get(NETWORK, {"as_of": "2026-06-30", "region": "MA-04"})
    assert by_region.context["dashboard"].scope.label == "region:MA-04"
    assert headline_shown(by_region) == {
        "startups_supported_total": "2",
        "residents_total": "2",
        "supported_now": "1",
        "residents_now": "1",
        "survival_rate_5y": "50.0%",
        "jobs_total": "18",
        "annual_revenue_mad": "800,000.00\xa0MAD",
        "export_share": "100.0%",
        "export_africa_share": "0.0%",
    }
    # The per-site table shows the region's sites; the region's row is marked.
    assert [row[0] for row in by_region.context["sections"]["tables"]["sites"].rows] == ["Technopark site-b"]
    assert by_region.context["sections"]["tables"]["regions"].highlight == {3}  # MA-04, the fourth

    by_site = client.get(NETWORK, {"as_of": "2026-06-30", "site": "site-a", "region": "MA-06"})
    assert by_site.context["dashboard"].scope.label == "site:site-a"
    assert shown(by_site, "startups_supported_total") == "2" and shown(by_site, "jobs_total") == "7"

    by_sector = client.get(NETWORK, {"as_of": "2026-06-30", "sector": "ict"})
    # ict: s1 (now) and s3 (closed early): 2 ever, both residents, 1 now; survival 1/2.
    assert headline_shown(by_sector) == {
        "startups_supported_total": "2",
        "residents_total": "2",
        "supported_now": "1",
        "residents_now": "1",
        "survival_rate_5y": "50.0%",
        "jobs_total": "10",
        "annual_revenue_mad": "1,200,000.00\xa0MAD",
        "export_share": "100.0%",
        "export_africa_share": "100.0%",
    }
    sites = {row[0]: row[3:6] for row in by_sector.context["sections"]["tables"]["sites"].rows}
    assert sites["Technopark site-b"] == [1, 1, 0]  # s3 only: ever, resident, not now

    # An earlier date: at the end of 2019 only s3 was supported (at B).
    earlier = client.get(NETWORK, {"as_of": "2019-12-31"})
    assert shown(earlier, "startups_supported_total") == "1" and shown(earlier, "supported_now") == "1"

    # A period: nothing happened in 2025.
    period = client.get(NETWORK, {"as_of": "2026-06-30", "date_from": "2025-01-01", "date_to": "2025-12-31"})
    assert dict(period.context["sections"]["tables"]["funnel"].rows)["Submitted"] == 0
    assert "From Jan. 1, 2025 to Dec. 31, 2025" in period.content.decode()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"region": "MA-99"}, "region"),
        ({"site": "nowhere"}, "site"),
        ({"sector": "nothing"}, "sector"),
        ({"as_of": "yesterday"}, "as_of"),
        ({"as_of": "2999-01-01"}, "as_of"),
        ({"as_of": "1999-12-31"}, "as_of"),
        ({"region": "MA-04", "site": "site-a"}, "site"),  # site A is in MA-06
        ({"date_from": "2026-05-01", "date_to": "2026-04-01"}, "date_from"),
        ({"date_from": "2026-13-01"}, "date_from"),
    ],
)
def test_bad_filters_are_form_errors(english, dataset, client_for, params, field):
    response = _get(client_for, "staff", NETWORK, params)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert response.context["dashboard"] is None
    assert "Please correct the errors below." in response.content.decode()
    # The export of the same filters is refused, not a 500.
    export = client_for("staff").get(f"{NETWORK}export/sites/", {**params, "format": "csv"})
    assert export.status_code == 400


@pytest.mark.parametrize(
    ("persona", "status"),
    [("anonymous", 302), ("outsider", 403), ("founder_a", 403), ("manager_a", 403), ("manager_b", 403)],
)
def test_only_head_office_sees_the_network_dashboard(dataset, client_for, persona, status):
    assert _get(client_for, persona, NETWORK).status_code == status
    assert _get(client_for, persona, f"{NETWORK}export/sites/", {"format": "csv"}).status_code == status


# --- Snapshots for the comparison -----------------------------------------------------------


def test_comparison_reads_the_snapshot_of_a_past_date(english, dataset, client_for, site_a):
    snapshots_compute(as_of=D)
    # A snapshot row that differs from the live figures proves where the table reads.
    with scopes_disabled():
        KpiSnapshot.objects.filter(scope="site:site-a", as_of=D).update(jobs_total=700)
    response = _get(client_for, "staff", NETWORK, {"as_of": "2026-06-30"})
    sites = {row[0]: row for row in response.context["sections"]["tables"]["sites"].rows}
    assert sites["Technopark site-a"][8] == 700
    assert shown(response, "jobs_total") == "25"  # the network's own row was not changed
    source = response.context["dashboard"].source
    assert source.snapshot_day == D and source.live == 0 and source.from_snapshot == 3 + 12
    assert "Figures of the nightly snapshot of June 30, 2026." in response.content.decode()
    # The headline of a past date is its snapshot too (a read), like the KPI API's.
    with scopes_disabled():
        KpiSnapshot.objects.filter(scope="network", as_of=D).update(jobs_total=900)
    assert shown(_get(client_for, "staff", NETWORK, {"as_of": "2026-06-30"}), "jobs_total") == "900"
    # A sector filter: the sector's snapshot rows.
    with scopes_disabled():
        KpiSectorSnapshot.objects.filter(scope="site:site-a", as_of=D, sector__code="ict").update(jobs_total=701)
    by_sector = _get(client_for, "staff", NETWORK, {"as_of": "2026-06-30", "sector": "ict"})
    assert by_sector.context["dashboard"].source.snapshot_day == D
    sites = {row[0]: row for row in by_sector.context["sections"]["tables"]["sites"].rows}
    assert sites["Technopark site-a"][8] == 701


def test_comparison_for_today_reads_last_nights_snapshot(dataset, client_for):
    today = timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    snapshots_compute(as_of=yesterday)
    with scopes_disabled():
        KpiSnapshot.objects.filter(scope="site:site-b").delete()  # e.g. a site added today
    response = _get(client_for, "staff", NETWORK)
    source = response.context["dashboard"].source
    assert source.snapshot_day == yesterday and source.live == 1
    # An older snapshot is not "today".
    with scopes_disabled():
        KpiSnapshot.objects.update(as_of=today - datetime.timedelta(days=2))
    cache.clear()  # the page's figures are kept KPI_CACHE_SECONDS: computed again
    assert _get(client_for, "staff", NETWORK).context["dashboard"].source.snapshot_day is None


# --- The site dashboard ---------------------------------------------------------------------


def test_manager_a_sees_site_a_dashboard(english, dataset, client_for):
    response = _get(client_for, "manager_a", SITE_A, {"as_of": "2026-06-30"})
    assert response.status_code == 200
    assert headline_shown(response) == {
        "startups_supported_total": "2",
        "residents_total": "1",
        "supported_now": "2",
        "residents_now": "1",
        "survival_rate_5y": "100.0%",
        "jobs_total": "7",
        "annual_revenue_mad": "1,200,000.00\xa0MAD",
        "export_share": "50.0%",
        "export_africa_share": "50.0%",
    }
    tables = response.context["sections"]["tables"]
    assert set(tables) == {
        "headline",
        "years",
        "cohorts",
        "dimensions",
        "mentoring",
        "occupancy",
        "rooms",
        "billing",
        "funnel",
        "satisfaction",
        "ratings",
    }
    assert dict(tables["funnel"].rows)["Submitted"] == 2
    form = response.context["form"]
    assert set(form.fields) == {"as_of", "sector", "date_from", "date_to"}  # no region or site choice
    # A sector filter on the site.
    greentech = _get(client_for, "manager_a", SITE_A, {"as_of": "2026-06-30", "sector": "greentech"})
    assert shown(greentech, "startups_supported_total") == "1" and shown(greentech, "jobs_total") == "0"


@pytest.mark.parametrize(
    ("persona", "status"),
    [("anonymous", 302), ("outsider", 404), ("founder_a", 404), ("manager_b", 404), ("staff", 200)],
)
def test_the_site_dashboard_is_for_the_sites_staff(dataset, client_for, persona, status):
    assert _get(client_for, persona, SITE_A).status_code == status
    assert _get(client_for, persona, f"{SITE_A}export/headline/", {"format": "csv"}).status_code == status


def test_site_dashboard_bad_filters(english, dataset, client_for):
    response = _get(client_for, "manager_a", SITE_A, {"as_of": "2026-02-30", "sector": "x"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"as_of", "sector"}


# --- Query counts ---------------------------------------------------------------------------


def _add_startups(site_a, site_b, count: int) -> None:
    """`count` startups in ict, alternately at A and B, each with a declaration, an
    application, a registration at a held session and an office allocation at its site."""
    from startups.models import OfficeAllocation

    ict = Sector.objects.get(code="ict")
    held_at = datetime.datetime(2026, 3, 10, 9, tzinfo=datetime.UTC)
    with scopes_disabled():
        for index in range(count):
            site = site_a if index % 2 else site_b
            startup = StartupFactory(founded_on=day("2016-01-01"))
            startup.sectors.add(ict)
            admission = AdmissionFactory(startup=startup, site=site, starts_on=day("2021-01-01"))
            DeclarationFactory(startup=startup, fiscal_year=2025)
            ApplicationFactory(
                call=CallFactory(site=site),
                startup=startup,
                status="admitted",
                submitted_at=held_at,
                decided_at=held_at + datetime.timedelta(days=3),
            )
            session = ServiceSessionFactory(
                service=ServiceFactory(site=site),
                starts_at=held_at,
                ends_at=held_at + datetime.timedelta(hours=1),
                registration_deadline=held_at,
                status="held",
            )
            RegistrationFactory(session=session, startup=startup, attendance="present")
            office = OfficeFactory(site=site)
            OfficeAllocation.objects.create(office=office, admission=admission, site=site, starts_on=day("2021-01-01"))


def _queries(client, url, params) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    ("url", "persona", "params"),
    [
        (NETWORK, "staff", {"as_of": "2026-06-30"}),
        (NETWORK, "staff", {"as_of": "2026-06-30", "sector": "ict", "region": "MA-06"}),
        (SITE_A, "manager_a", {"as_of": "2026-06-30"}),
        (f"{NETWORK}export/all/", "staff", {"as_of": "2026-06-30", "format": "xlsx"}),
    ],
)
def test_queries_do_not_grow_with_the_startups(client_for, site_a, site_b, url, persona, params):
    client = client_for(persona)
    _add_startups(site_a, site_b, 1)
    client.get(url, params)  # warm-up (session, content types)
    one = _queries(client, url, params)
    _add_startups(site_a, site_b, 29)
    assert headline(parse_scope("network"), D).startups_supported_total == 30
    assert _queries(client, url, params) == one


def test_comparison_from_snapshots_is_cheap(dataset, client_for, django_assert_max_num_queries):
    snapshots_compute(as_of=D)
    for year in range(2001, 2026):
        snapshots_compute(as_of=datetime.date(year, 12, 31))
    client = client_for("staff")
    client.get(NETWORK, {"as_of": "2026-06-30"})
    # Headline (live) + the snapshots of every site and region + year-ends + activity, and
    # the session, user, form and template's own reads: well under one query per scope.
    with django_assert_max_num_queries(45):
        client.get(NETWORK, {"as_of": "2026-06-30"})
