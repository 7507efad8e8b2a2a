"""The public "network in figures" page: the headline figures and the regional coverage
from the latest network and region snapshots, never a site's own figures."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import formats, timezone, translation

from reports.models import KpiSnapshot
from sites.models import Region, SiteStatus

from ..factories import SiteFactory

URL = "/figures/"


def store(label: str, as_of: datetime.date, **figures) -> KpiSnapshot:
    defaults = {
        "startups_supported_total": 0,
        "residents_total": 0,
        "supported_now": 0,
        "residents_now": 0,
        "survival_rate_5y": Decimal("0"),
        "jobs_total": 0,
        "annual_revenue_mad": Decimal("0"),
        "export_share": Decimal("0"),
        "export_africa_share": Decimal("0"),
    }
    keys = {}
    if label.startswith("region:"):
        keys["region"] = Region.objects.get(code=label.partition(":")[2])
    return KpiSnapshot.objects.create(scope=label, as_of=as_of, **keys, **{**defaults, **figures})


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def snapshots(site_a, site_b, today, unscoped):
    """An old snapshot, the latest one (yesterday's), and one dated tomorrow (not a fact
    yet: ignored). Site A's row carries a revenue that must never be shown."""
    latest = today - datetime.timedelta(days=1)
    store("network", today - datetime.timedelta(days=400), startups_supported_total=1111, jobs_total=2222)
    store(
        "network",
        latest,
        startups_supported_total=3012,
        residents_total=1400,
        supported_now=452,
        residents_now=210,
        survival_rate_5y=Decimal("0.8912"),
        jobs_total=15034,
        annual_revenue_mad=Decimal("900123456.78"),
        export_share=Decimal("0.2500"),
        export_africa_share=Decimal("0.1875"),
    )
    store("network", today + datetime.timedelta(days=1), startups_supported_total=9999)
    store("region:MA-06", latest, supported_now=321)
    store("region:MA-04", latest, supported_now=87)
    store("region:MA-06", today - datetime.timedelta(days=400), supported_now=5555)
    KpiSnapshot.objects.create(
        scope="site:site-a",
        site=site_a,
        as_of=latest,
        startups_supported_total=17,
        residents_total=17,
        supported_now=17,
        residents_now=17,
        survival_rate_5y=Decimal("1"),
        jobs_total=17,
        annual_revenue_mad=Decimal("7654321.00"),
        export_share=Decimal("0"),
        export_africa_share=Decimal("0"),
    )
    return latest


def _rows(html: str) -> dict[str, str]:
    """Region code → the table row's HTML."""
    rows = {}
    for chunk in html.split("<tr>")[1:]:
        row = chunk.split("</tr>")[0]
        code = row.strip().removeprefix("<td>")[:5]
        if code.startswith("MA-"):
            rows[code] = row
    return rows


def test_the_figures_come_from_the_latest_snapshots(client, snapshots, site_b, unscoped):
    client.cookies["django_language"] = "en"
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    with translation.override("en"):
        shown_date = formats.date_format(snapshots, "DATE_FORMAT")
    assert f"Figures as of {shown_date}" in html
    for text in ["3,012", "1,400", "452", "210", "15,034", "89.1&nbsp;%", "25.0&nbsp;%", "18.8&nbsp;%"]:
        assert text in html, text
    assert "900,123,457\xa0MAD" in html  # whole dirhams, never split before the unit
    assert f"fiscal year {snapshots.year - 1}" in html
    # Not the older snapshot, not tomorrow's, and nothing of a site's own row.
    for text in ["1,111", "2,222", "9,999", "5,555", "7,654,321", "7654321"]:
        assert text not in html, text

    rows = _rows(html)
    assert len(rows) == 12
    assert rows["MA-06"].rstrip().endswith('<td class="text-end">321</td>')
    assert rows["MA-04"].rstrip().endswith('<td class="text-end">87</td>')
    assert rows["MA-12"].rstrip().endswith('<td class="text-end">—</td>')  # no row that day
    # Sites by status (live): site A (MA-06) and site B (MA-04) are operational.
    assert '<span class="badge text-bg-success">1</span>' in rows["MA-06"]


def test_sites_operational_and_planned(client, site_a, site_b, unscoped):
    client.cookies["django_language"] = "en"
    SiteFactory(region=Region.objects.get(code="MA-01"), status=SiteStatus.PLANNED)
    SiteFactory(region=Region.objects.get(code="MA-01"), status=SiteStatus.UNDER_CONSTRUCTION)
    html = client.get(URL).content.decode()
    assert "2 operational sites" in html
    assert "2 sites under construction or planned" in html
    assert "regions with an operational site: 2/12" in html
    row = _rows(html)["MA-01"]
    assert '<td class="text-end">0</td>' in row and row.count('<td class="text-end">1</td>') == 2


def test_empty_state_before_the_first_nightly_run(client, site_a, unscoped):
    client.cookies["django_language"] = "en"
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "have not been computed yet" in html
    assert "Figures as of" not in html
    rows = _rows(html)
    assert len(rows) == 12 and all(row.rstrip().endswith('<td class="text-end">—</td>') for row in rows.values())


@pytest.mark.parametrize(("language", "expected"), [("fr", '<html lang="fr"'), ("ar", '<html lang="ar" dir="rtl"')])
def test_french_and_arabic(client, snapshots, language, expected):
    client.cookies["django_language"] = language
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert expected in html
    if language == "fr":
        assert "3\xa0012" in html and "89,1&nbsp;%" in html and "Casablanca-Settat" in html
    else:
        assert "الدار البيضاء - سطات" in html


def test_anonymous_visitors_see_it_and_the_home_page_links_to_it(client, snapshots):
    assert client.get(URL).status_code == 200
    assert reverse("reports:figures") == URL
    assert f'href="{URL}"' in client.get("/").content.decode()


def test_the_query_count_stays_constant(client, snapshots, today, unscoped, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):  # network row, region rows, regions × sites by status
        assert client.get(URL).status_code == 200
    # More sites, more history, a row per region: the same.
    for region in Region.objects.exclude(code__in=["MA-04", "MA-06"]):
        SiteFactory.create_batch(2, region=region)
        store(f"region:{region.code}", snapshots, supported_now=3)
    for days in range(2, 40):
        store("network", today - datetime.timedelta(days=days))
    with django_assert_max_num_queries(3):
        assert client.get(URL).status_code == 200
