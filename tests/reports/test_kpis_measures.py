"""The KPI engine against small datasets built by hand (MISSION.md, "KPI definitions"):
the 5-year survival rate, jobs and revenue from the declarations, export shares. Scopes
and who counts where: test_kpis_scopes.py.

Every expected figure is worked out in the comments next to the data, never by re-running
the engine's own logic. Sites: casa-1 and casa-2 in region MA-06, rabat in MA-04.
"""

from decimal import Decimal

import pytest

from reports.kpis import headline, parse_scope

from ..factories import StartupFactory
from . import kpis_setup
from .kpis_setup import ETECHNOPARK, RESIDENT, D, admit, day, declare

# The fixtures shared with the sibling modules: pytest finds a fixture by its name in the module.
sites = kpis_setup.sites

pytestmark = pytest.mark.django_db


# --- 5-year survival -----------------------------------------------------------------------


@pytest.fixture
def cohorts(sites):
    """D = 2024-06-30, so the cohort is founded on or before D − 5 years = 2019-06-30.

    At casa-1:
      a  founded 2019-06-30 (exactly D − 5 years), open            → cohort, survivor
      b  founded 2019-07-01 (one day later), closed 2020-01-01     → not in the cohort
      c  founded 2015-03-10, closed 2020-03-09 (day before mark)   → cohort, not a survivor
      e  founded 2015-03-10, closed 2020-03-10 (on the mark)       → cohort, survivor
      u  founding date unknown                                     → not in the cohort
      g  founded 2010, admitted only after D                       → not supported at D
    At casa-2: c again (two sites), h founded 2012-05-05 closed 2014-01-01 → not a survivor,
      f founded 2010-01-01, open → survivor.
    """
    casa1, casa2 = sites["casa-1"], sites["casa-2"]
    a = StartupFactory(founded_on=day("2019-06-30"))
    b = StartupFactory(founded_on=day("2019-07-01"), closed_on=day("2020-01-01"))
    c = StartupFactory(founded_on=day("2015-03-10"), closed_on=day("2020-03-09"))
    e = StartupFactory(founded_on=day("2015-03-10"), closed_on=day("2020-03-10"))
    u = StartupFactory(founded_on=None)
    g = StartupFactory(founded_on=day("2010-01-01"))
    h = StartupFactory(founded_on=day("2012-05-05"), closed_on=day("2014-01-01"))
    f = StartupFactory(founded_on=day("2010-01-01"))
    for startup in (a, b, c, e, u):
        admit(startup, casa1, ETECHNOPARK, "2019-09-01")
    admit(g, casa1, RESIDENT, "2024-07-01")
    for startup in (c, h, f):
        admit(startup, casa2, RESIDENT, "2013-01-01", ended_on="2016-01-01")


def test_survival_at_a_site(cohorts):
    # casa-1 cohort {a, c, e}: survivors a, e → 2/3.
    result = headline(parse_scope("site:casa-1"), D)
    assert result.startups_supported_total == 5  # a, b, c, e, u
    assert str(result.survival_rate_5y) == "0.6667"


def test_survival_counts_past_admissions(cohorts):
    # casa-2 cohort {c, h, f} (admissions long ended: "supported since 2001" still counts
    # them): survivor f only → 1/3.
    assert str(headline(parse_scope("site:casa-2"), D).survival_rate_5y) == "0.3333"


def test_survival_in_region_and_network(cohorts):
    # Region MA-06 = network here: cohort {a, c, e, h, f} (c once): survivors a, e, f → 3/5.
    assert headline(parse_scope("region:MA-06"), D).survival_rate_5y == Decimal("0.6")
    assert headline(parse_scope("network"), D).survival_rate_5y == Decimal("0.6")


def test_survival_cohort_follows_d(cohorts):
    # D + 1 day = 2024-07-01: b (founded 2019-07-01) joins the cohort, closed before its
    # mark; g is now supported and founded 2010, open. casa-1 cohort {a, b, c, e, g}:
    # survivors a, e, g → 3/5.
    assert headline(parse_scope("site:casa-1"), day("2024-07-01")).survival_rate_5y == Decimal("0.6")
    # D − 1 day: a (founded 2019-06-30) drops out; cohort {c, e} → 1/2.
    assert headline(parse_scope("site:casa-1"), day("2024-06-29")).survival_rate_5y == Decimal("0.5")


def test_survival_with_29_february(sites):
    casa1 = sites["casa-1"]
    # Both founded 29 Feb 2020; their fifth anniversary is 28 Feb 2025 (no 29th that year).
    on_mark = StartupFactory(founded_on=day("2020-02-29"), closed_on=day("2025-02-28"))
    day_before = StartupFactory(founded_on=day("2020-02-29"), closed_on=day("2025-02-27"))
    for startup in (on_mark, day_before):
        admit(startup, casa1, ETECHNOPARK, "2021-01-01")
    scope = parse_scope("site:casa-1")
    # D = 2025-02-28: D − 5 years = 2020-02-28, before their founding: empty cohort → 0.
    assert headline(scope, day("2025-02-28")).survival_rate_5y == Decimal("0")
    # D = 2025-03-01: D − 5 years = 2020-03-01, both in; only the one closed on the mark
    # survives → 1/2.
    assert headline(scope, day("2025-03-01")).survival_rate_5y == Decimal("0.5")


def test_survival_when_d_is_29_february(sites):
    casa1 = sites["casa-1"]
    # D = 2024-02-29: D − 5 years = 2019-02-28 (no 29th in 2019).
    inside = StartupFactory(founded_on=day("2019-02-28"))  # in the cohort, open → survivor
    outside = StartupFactory(founded_on=day("2019-03-01"), closed_on=day("2020-01-01"))  # not in the cohort
    for startup in (inside, outside):
        admit(startup, casa1, ETECHNOPARK, "2020-01-01")
    # Cohort {inside} → 1/1 (were `outside` counted it would be 1/2).
    assert headline(parse_scope("site:casa-1"), day("2024-02-29")).survival_rate_5y == Decimal("1")


# --- jobs and revenue ----------------------------------------------------------------------


@pytest.fixture
def declarations(sites):
    """At casa-1, D = 2024-06-30 (known: fiscal years ≤ 2023; revenue year: 2023).

    j1 now   2022: 5+2 jobs; 2023: 10+3 jobs, 1 000 000.50 MAD; 2024: 100+100, 9 999 999 MAD
    j2 now   only 2015: 4+1 jobs, 700 000 MAD
    j3 now   no declaration at all
    j4 past  (2020–2021) 2023: 2+0 jobs, 999 MAD
    j5 later (from 2024-07-01) 2023: 50+50 jobs, 5 000 MAD
    j6 now   2023: 1+1 jobs, 250 000.25 MAD
    """
    casa1 = sites["casa-1"]
    j1, j2, j3, j4, j5, j6 = (StartupFactory() for _ in range(6))
    for startup in (j1, j2, j3, j6):
        admit(startup, casa1, RESIDENT, "2020-01-01")
    admit(j4, casa1, RESIDENT, "2020-01-01", ended_on="2021-12-31")
    admit(j5, casa1, RESIDENT, "2024-07-01")
    declare(j1, 2022, jobs=(5, 2), revenue="800000")
    declare(j1, 2023, jobs=(10, 3), revenue="1000000.50")
    declare(j1, 2024, jobs=(100, 100), revenue="9999999")
    declare(j2, 2015, jobs=(4, 1), revenue="700000")
    declare(j4, 2023, jobs=(2, 0), revenue="999")
    declare(j5, 2023, jobs=(50, 50), revenue="5000")
    declare(j6, 2023, jobs=(1, 1), revenue="250000.25")


def test_jobs_use_each_startups_latest_known_declaration(declarations):
    # j1 latest known is 2023 (13; 2024 is the year of D, not known yet); j2 its old 2015
    # (5); j3 none (0); j4 supported in the past (2); j6 2 — j5 is not supported yet.
    # 13 + 5 + 0 + 2 + 2 = 22.
    assert headline(parse_scope("site:casa-1"), D).jobs_total == 22


def test_revenue_sums_last_fiscal_year_of_startups_supported_now(declarations):
    # Fiscal 2023 over j1, j2, j3, j6: 1 000 000.50 + 0 (j2 declared only 2015) + 0 (j3)
    # + 250 000.25; j4 (no longer supported) and j5 (not yet) are left out.
    revenue = headline(parse_scope("site:casa-1"), D).annual_revenue_mad
    assert isinstance(revenue, Decimal)
    assert revenue == Decimal("1250000.75")
    assert str(revenue) == "1250000.75"


def test_declarations_for_the_year_of_d_become_known_next_year(declarations):
    # 31 Dec 2024: still the 2023 figures, plus j5, supported since 1 July (2023: 100 jobs,
    # 5 000 MAD): jobs 22 + 100 = 122; revenue 1 250 000.75 + 5 000 = 1 255 000.75.
    last_day = headline(parse_scope("site:casa-1"), day("2024-12-31"))
    assert (last_day.jobs_total, last_day.annual_revenue_mad) == (122, Decimal("1255000.75"))
    # 1 Jan 2025: j1's 2024 declaration is known (200 jobs) and is the revenue year.
    # Jobs 200 + 5 + 0 + 2 + 100 + 2 = 309; fiscal 2024 revenue: j1's 9 999 999 only.
    first_day = headline(parse_scope("site:casa-1"), day("2025-01-01"))
    assert (first_day.jobs_total, first_day.annual_revenue_mad) == (309, Decimal("9999999.00"))


# --- exports -------------------------------------------------------------------------------


@pytest.fixture
def exporters(sites):
    """At rabat, D = 2024-06-30, all but x8 supported now.

    x1  2023: 100 MAD exported to SN                          → exports, Africa
    x2  2023: 100 MAD to FR                                   → exports, not Africa
    x3  2023: 100 MAD to FR and CI                            → exports, Africa
    x4  2022: 500 MAD to SN; 2023: 0 MAD, no destination      → neither (latest known counts)
    x5  no declaration                                        → neither, but in the denominator
    x6  2023: 0; 2024: 900 MAD to SN (year of D, not known)   → neither
    x7  only 2010: 50 MAD to SN (its latest known)            → exports, Africa
    x8  2023: 100 MAD to SN, but its admission ended in 2022  → left out entirely
    """
    rabat = sites["rabat"]
    xs = [StartupFactory() for _ in range(8)]
    for startup in xs[:7]:
        admit(startup, rabat, ETECHNOPARK, "2021-01-01")
    admit(xs[7], rabat, RESIDENT, "2021-01-01", ended_on="2022-01-01")
    x1, x2, x3, x4, x5, x6, x7, x8 = xs
    declare(x1, 2023, revenue="1000", exports="100", countries=["SN"])
    declare(x2, 2023, revenue="1000", exports="100", countries=["FR"])
    declare(x3, 2023, revenue="1000", exports="100", countries=["FR", "CI"])
    declare(x4, 2022, revenue="1000", exports="500", countries=["SN"])
    declare(x4, 2023, revenue="1000")
    declare(x6, 2023, revenue="1000")
    declare(x6, 2024, revenue="1000", exports="900", countries=["SN"])
    declare(x7, 2010, revenue="1000", exports="50", countries=["SN"])
    declare(x8, 2023, revenue="1000", exports="100", countries=["SN"])


def test_export_shares_use_the_latest_known_declaration(exporters):
    # Denominator: x1–x7 = 7. Exporters x1, x2, x3, x7 → 4/7 = 0.571428… → 0.5714.
    # To Africa x1, x3, x7 → 3/7 = 0.428571… → 0.4286.
    result = headline(parse_scope("site:rabat"), D)
    assert result.supported_now == 7
    assert str(result.export_share) == "0.5714"
    assert str(result.export_africa_share) == "0.4286"


def test_export_shares_next_year(exporters):
    # 2025-01-01: x6's 2024 declaration (900 MAD to SN) is now its latest known → exporters
    # x1, x2, x3, x6, x7 = 5/7 → 0.7143; Africa x1, x3, x6, x7 = 4/7 → 0.5714.
    result = headline(parse_scope("site:rabat"), day("2025-01-01"))
    assert (str(result.export_share), str(result.export_africa_share)) == ("0.7143", "0.5714")
