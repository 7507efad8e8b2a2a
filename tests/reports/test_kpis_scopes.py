"""The KPI engine against small datasets built by hand (MISSION.md, "KPI definitions"):
scopes (parse_scope), the rate and anniversary helpers, who counts in a site, a region
and the network, a sector filter and the headline's query count. Survival, jobs, revenue
and exports: test_kpis_measures.py.

Every expected figure is worked out in the comments next to the data, never by re-running
the engine's own logic. Sites: casa-1 and casa-2 in region MA-06, rabat in MA-04; MA-12
has no site at all (an empty scope).
"""

import datetime
from decimal import Decimal

import pytest

from reports.kpis import KpiScope, anniversary, headline, parse_scope, rate

from ..factories import AdmissionFactory, DeclarationFactory, SiteFactory, StartupFactory
from . import kpis_setup
from .kpis_setup import ETECHNOPARK, RESIDENT, D, admit, day, declare

# The fixtures shared with the sibling modules: pytest finds a fixture by its name in the module.
sites = kpis_setup.sites

pytestmark = pytest.mark.django_db


def figures(scope_text: str, as_of: datetime.date) -> dict:
    scope = parse_scope(scope_text)
    assert scope is not None, scope_text
    return headline(scope, as_of).as_dict()


def expected(
    supported=0,
    residents=0,
    now=0,
    residents_now=0,
    survival="0",
    jobs=0,
    revenue="0",
    export="0",
    africa="0",
) -> dict:
    return {
        "startups_supported_total": supported,
        "residents_total": residents,
        "supported_now": now,
        "residents_now": residents_now,
        "survival_rate_5y": Decimal(survival),
        "jobs_total": jobs,
        "annual_revenue_mad": Decimal(revenue),
        "export_share": Decimal(export),
        "export_africa_share": Decimal(africa),
    }


# --- parse_scope ---------------------------------------------------------------------------


def test_parse_scope_network():
    scope = parse_scope("network")
    assert scope == KpiScope("network", "", None)
    assert scope.label == "network"


def test_parse_scope_region_lists_its_sites(sites):
    scope = parse_scope("region:MA-06")
    assert scope == KpiScope("region", "MA-06", tuple(sorted([sites["casa-1"].pk, sites["casa-2"].pk])))
    assert scope.label == "region:MA-06"
    # A region that exists but has no site is a valid, empty scope.
    assert parse_scope("region:MA-12") == KpiScope("region", "MA-12", ())


def test_parse_scope_site(sites):
    scope = parse_scope("site:rabat")
    assert scope == KpiScope("site", "rabat", (sites["rabat"].pk,))
    assert scope.label == "site:rabat"


@pytest.mark.parametrize(
    "text",
    ["region:MA-99", "site:nowhere", "network:x", "", None, "site:", "region:", "foo", "foo:bar", ":network"],
)
def test_parse_scope_names_nothing(sites, text):
    assert parse_scope(text) is None


# --- rate and anniversary ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("part", "whole", "text"),
    [
        (0, 0, "0.0000"),  # empty denominator
        (3, 0, "0.0000"),
        (0, 5, "0.0000"),
        (1, 3, "0.3333"),  # 0.33333… rounds down
        (2, 3, "0.6667"),  # 0.66666… rounds up
        (1, 32, "0.0313"),  # 0.03125 exactly: half up, not half even (0.0312)
        (5, 5, "1.0000"),
    ],
)
def test_rate_has_four_decimals(part, whole, text):
    assert str(rate(part, whole)) == text


def test_anniversary_of_29_february():
    assert anniversary(day("2020-02-29"), 5) == day("2025-02-28")  # common year: 28 February
    assert anniversary(day("2020-02-29"), 4) == day("2024-02-29")  # leap year: unchanged
    assert anniversary(day("2025-02-28"), -5) == day("2020-02-28")
    assert anniversary(day("2024-02-29"), -5) == day("2019-02-28")  # D − 5 years from a leap day
    assert anniversary(day("2019-06-30"), 5) == day("2024-06-30")


# --- scope membership: counts, jobs, revenue, exports per site / region / network ---------


@pytest.fixture
def network(sites):
    """Six startups; jobs and revenue are powers of two so every sum names its startups.

    s1 resident at casa-1 and e-Technopark member at casa-2 (both open)  jobs 1, rev 1000, exports to SN
    s2 e-Technopark at casa-1 (open)                                      jobs 2, rev 2000
    s3 e-Technopark at casa-1 2015–2016, resident 2019 → ends exactly D   jobs 4, rev 4000
    s4 resident at casa-1 from D + 1 day                                  jobs 8, rev 8000
    s5 resident at rabat (open)                                           jobs 16, rev 16000, exports to FR
    s6 resident at casa-2 2018 → ends D + 1 day                           jobs 32, rev 32000
    Every declaration is for 2023 (known at D); only s1 and s5 export.
    """
    casa1, casa2, rabat = sites["casa-1"], sites["casa-2"], sites["rabat"]
    s1, s2, s3, s4, s5, s6 = (StartupFactory() for _ in range(6))
    admit(s1, casa1, RESIDENT, "2020-01-01")
    admit(s1, casa2, ETECHNOPARK, "2021-01-01")
    admit(s2, casa1, ETECHNOPARK, "2022-01-01")
    admit(s3, casa1, ETECHNOPARK, "2015-01-01", ended_on="2016-01-01")
    admit(s3, casa1, RESIDENT, "2019-01-01", ended_on="2024-06-30")
    admit(s4, casa1, RESIDENT, "2024-07-01")
    admit(s5, rabat, RESIDENT, "2023-01-01")
    admit(s6, casa2, RESIDENT, "2018-01-01", ended_on="2024-07-01")
    for weight, startup in enumerate([s1, s2, s3, s4, s5, s6]):
        jobs = 2**weight
        exports, countries = {0: ("100", ["SN"]), 4: ("100", ["FR"])}.get(weight, ("0", []))
        declare(startup, 2023, jobs=(jobs, 0), revenue=str(1000 * jobs), exports=exports, countries=countries)


def test_site_counts_each_of_its_startups(network):
    # casa-1 at D: ever s1 (res), s2 (e-T), s3 (res, e-T) — s4 starts after D; now s1, s2
    # (s3 ended exactly at D). Jobs 1+2+4; revenue of the now ones 1000+2000; exports: s1
    # of {s1, s2} → 1/2, and to Africa (SN) too.
    assert figures("site:casa-1", D) == expected(
        supported=3, residents=2, now=2, residents_now=1, jobs=7, revenue="3000", export="0.5", africa="0.5"
    )
    # casa-2 at D: s1 (e-Technopark here, so not a resident of casa-2) and s6 (resident, ends
    # D + 1: still active). Jobs 1+32, revenue 1000+32000, exports 1/2, Africa 1/2.
    assert figures("site:casa-2", D) == expected(
        supported=2, residents=1, now=2, residents_now=1, jobs=33, revenue="33000", export="0.5", africa="0.5"
    )
    # rabat: s5 alone, exports to France only.
    assert figures("site:rabat", D) == expected(
        supported=1, residents=1, now=1, residents_now=1, jobs=16, revenue="16000", export="1", africa="0"
    )


def test_region_counts_a_two_site_startup_once(network):
    # MA-06 = casa-1 + casa-2: ever s1, s2, s3, s6 (s1 once, not twice); residents s1, s3, s6;
    # now s1, s2, s6; resident now s1 (casa-1), s6. Jobs 1+2+4+32 = 39; revenue
    # 1000+2000+32000; exports s1 of 3 → 0.3333, same for Africa.
    assert figures("region:MA-06", D) == expected(
        supported=4,
        residents=3,
        now=3,
        residents_now=2,
        jobs=39,
        revenue="35000",
        export="0.3333",
        africa="0.3333",
    )
    # MA-04 holds only rabat.
    assert figures("region:MA-04", D) == figures("site:rabat", D)


def test_network_counts_every_startup_once(network):
    # Ever s1, s2, s3, s5, s6 (s4 starts after D); residents s1, s3, s5, s6; now s1, s2,
    # s5, s6; residents now s1, s5, s6. Jobs 1+2+4+16+32 = 55; revenue
    # 1000+2000+16000+32000 = 51000; exports s1, s5 of 4 → 0.5; Africa s1 of 4 → 0.25.
    assert figures("network", D) == expected(
        supported=5,
        residents=4,
        now=4,
        residents_now=3,
        jobs=55,
        revenue="51000",
        export="0.5",
        africa="0.25",
    )


def test_admission_boundaries_move_with_d(network):
    # The day before D, s3's residency (ending at D) is still active at casa-1.
    assert figures("site:casa-1", day("2024-06-29"))["supported_now"] == 3
    # D + 1 day: s4 starts at casa-1 (ever s1–s4, now s1, s2, s4, residents now s1, s4);
    # s6's residency ends exactly that day, so casa-2 keeps only s1 (an e-Technopark member).
    # casa-1 jobs 1+2+4+8, revenue 1000+2000+8000, exports s1 of 3.
    assert figures("site:casa-1", day("2024-07-01")) == expected(
        supported=4,
        residents=3,
        now=3,
        residents_now=2,
        jobs=15,
        revenue="11000",
        export="0.3333",
        africa="0.3333",
    )
    assert figures("site:casa-2", day("2024-07-01")) == expected(
        supported=2, residents=1, now=1, residents_now=0, jobs=33, revenue="1000", export="1", africa="1"
    )
    # Before anyone's first admission (s3's e-Technopark membership, 2015): nothing.
    assert figures("network", day("2014-12-31")) == expected()
    # During s3's first, e-Technopark-only stint: supported but never a resident.
    assert figures("site:casa-1", day("2015-06-01")) == expected(supported=1, now=1, jobs=0)


def test_empty_scopes_give_zero_everywhere(network, sites):
    # MA-12 has no site; a fresh site has no admission: all counts 0, all rates 0 (empty
    # denominators), revenue 0 MAD.
    empty = SiteFactory(slug="empty", region__code="MA-06")
    for text in ("region:MA-12", f"site:{empty.slug}"):
        result = headline(parse_scope(text), D)
        assert result.as_dict() == expected()
        assert str(result.survival_rate_5y) == "0.0000"
        assert str(result.export_share) == "0.0000"
        assert str(result.export_africa_share) == "0.0000"
        assert result.annual_revenue_mad == Decimal("0") and isinstance(result.annual_revenue_mad, Decimal)


def test_empty_database_gives_zero(db):
    assert headline(parse_scope("network"), D).as_dict() == expected()


# --- query count ---------------------------------------------------------------------------


def _portfolio(site, size: int) -> None:
    """`size` startups, each with an admission (some ended), declarations and founding
    dates that put some of them in the survival cohort."""
    for number in range(size):
        startup = StartupFactory(
            founded_on=day("2012-01-01") if number % 2 else day("2021-01-01"),
            closed_on=day("2016-01-01") if number % 4 == 1 else None,
        )
        kind = RESIDENT if number % 3 else ETECHNOPARK
        admit(startup, site, kind, "2020-01-01", ended_on="2023-01-01" if number % 5 == 4 else None)
        declare(startup, 2022, jobs=(number, 1), revenue="1000", exports="10", countries=["SN"])
        declare(startup, 2023, jobs=(number, 2), revenue="2000", exports="0" if number % 2 else "20")


HEADLINE_QUERIES = 1  # one grouped query, whatever the portfolio


@pytest.mark.parametrize("size", [1, 30])
@pytest.mark.parametrize("scope_text", ["site:casa-1", "region:MA-06", "network"])
def test_headline_query_count_does_not_grow(sites, django_assert_num_queries, size, scope_text):
    _portfolio(sites["casa-1"], size)
    scope = parse_scope(scope_text)
    with django_assert_num_queries(HEADLINE_QUERIES):
        result = headline(scope, D)
    assert result.startups_supported_total == size


def test_a_sector_keeps_its_startups_only(unscoped):
    """Two startups at one site, one in fintech (5 jobs), one in agritech with two sectors
    (3 jobs): filtered on agritech, only the second counts."""
    from sites.models import Sector

    fintech, agritech = Sector.objects.order_by("pk")[:2]
    site = SiteFactory()
    first, second = StartupFactory(), StartupFactory()
    first.sectors.set([fintech])
    second.sectors.set([agritech, fintech])
    for startup, jobs in ((first, 5), (second, 3)):
        AdmissionFactory(startup=startup, site=site, kind="resident", starts_on=datetime.date(2022, 1, 1))
        DeclarationFactory(startup=startup, fiscal_year=2023, direct_jobs=jobs, indirect_jobs=0, export_revenue_mad=0)
    scope = KpiScope("site", site.slug, (site.pk,))
    day = datetime.date(2024, 6, 30)
    only_agritech = headline(scope, day, sector=agritech)
    assert (only_agritech.startups_supported_total, only_agritech.jobs_total) == (1, 3)
    both = headline(scope, day, sector=fintech)  # the second is in both sectors: counted once
    assert (both.startups_supported_total, both.jobs_total, both.residents_now) == (2, 8, 2)
    assert headline(scope, day).jobs_total == 8
