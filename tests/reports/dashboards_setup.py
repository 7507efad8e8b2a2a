"""Shared set-up of the dashboard tests (test_dashboards_*.py, test_dashboard_queries.py,
test_figures_cache.py): the small hand-built dataset whose figures the pages must show,
the dashboards' URLs, an English client and a persona's GET."""

import datetime
from decimal import Decimal

import pytest

from sites.models import Sector, SiteStatus
from tests.factories import (
    AdmissionFactory,
    ApplicationFactory,
    CallFactory,
    DeclarationFactory,
    OfficeFactory,
    RegistrationFactory,
    ServiceFactory,
    ServiceSessionFactory,
    SiteFactory,
    StartupFactory,
)

D = datetime.date(2026, 6, 30)
NETWORK = "/network/dashboard/"
SITE_A = "/manage/site-a/dashboard/"


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


@pytest.fixture
def dataset(site_a, site_b, unscoped):
    """Site A (MA-06, operational), site B (MA-04, operational), site C (MA-06, planned).

    s1 ict        founded 2015-03-01  resident at A since 2020 (open)        2025: 5+2 jobs, 1.2 M MAD, exports to SN
    s2 greentech  founded 2024-05-01  e-Technopark at A since 2025 (open)    no declaration
    s3 ict        founded 2017-01-10, closed 2021-01-09 (before its 5th anniversary)
                                      resident at B 2018 → 2021-01-09        2019: 3+0 jobs, 100 000 MAD, no export
    s4 greentech  founded 2019-06-01  resident at B since 2023 (open)        2025: 10+5 jobs, 800 000 MAD, exports to FR

    At D = 2026-06-30, network: supported 4 (s1–s4), residents ever 3 (s1, s3, s4), now 3
    (s1, s2, s4), residents now 2 (s1, s4); survival: cohort founded by 2021-06-30 = s1, s3,
    s4, of which s3 closed early → 2/3; jobs 7 + 3 + 15 = 25; revenue of 2025 over the now
    ones 1 200 000 + 800 000; exports 2 of 3 (s1, s4), to Africa 1 of 3 (s1).

    Activity at A in the 12 months to D: one financing training held on 2026-03-10 with two
    confirmed registrations, one present; two applications submitted in 2026, one admitted
    after 10 days. Four offices at A, one allocated to s1."""
    ict, greentech = Sector.objects.get(code="ict"), Sector.objects.get(code="greentech")
    SiteFactory(slug="site-c", region__code="MA-06", status=SiteStatus.PLANNED)
    s1 = StartupFactory(brand_name="Atlas", founded_on=day("2015-03-01"))
    s2 = StartupFactory(brand_name="Argan", founded_on=day("2024-05-01"))
    s3 = StartupFactory(brand_name="Closed", founded_on=day("2017-01-10"), closed_on=day("2021-01-09"))
    s4 = StartupFactory(brand_name="Souss", founded_on=day("2019-06-01"))
    s1.sectors.add(ict)
    s2.sectors.add(greentech)
    s3.sectors.add(ict)
    s4.sectors.add(greentech)
    a1 = AdmissionFactory(startup=s1, site=site_a, kind="resident", starts_on=day("2020-01-01"))
    AdmissionFactory(startup=s2, site=site_a, kind="e-technopark", starts_on=day("2025-01-01"))
    AdmissionFactory(
        startup=s3,
        site=site_b,
        kind="resident",
        starts_on=day("2018-01-01"),
        ended_on=day("2021-01-09"),
        exit_reason="closed",
    )
    AdmissionFactory(startup=s4, site=site_b, kind="resident", starts_on=day("2023-01-01"))
    DeclarationFactory(
        startup=s1,
        fiscal_year=2025,
        direct_jobs=5,
        indirect_jobs=2,
        revenue_mad=Decimal("1200000"),
        export_revenue_mad=Decimal("300000"),
        export_countries=["SN"],
    )
    DeclarationFactory(
        startup=s3,
        fiscal_year=2019,
        direct_jobs=3,
        indirect_jobs=0,
        revenue_mad=Decimal("100000"),
        export_revenue_mad=Decimal("0"),
        export_countries=[],
    )
    DeclarationFactory(
        startup=s4,
        fiscal_year=2025,
        direct_jobs=10,
        indirect_jobs=5,
        revenue_mad=Decimal("800000"),
        export_revenue_mad=Decimal("200000"),
        export_countries=["FR"],
    )
    # Activity at A.
    held_at = datetime.datetime(2026, 3, 10, 9, tzinfo=datetime.UTC)
    session = ServiceSessionFactory(
        service=ServiceFactory(site=site_a, dimension="financing"),
        starts_at=held_at,
        ends_at=held_at + datetime.timedelta(hours=2),
        registration_deadline=held_at - datetime.timedelta(hours=1),
        status="held",
    )
    RegistrationFactory(session=session, startup=s1, attendance="present")
    RegistrationFactory(session=session, startup=s2, attendance="no_show")
    call = CallFactory(site=site_a, opens_on=day("2026-01-01"), closes_on=day("2026-02-01"))
    submitted = datetime.datetime(2026, 1, 15, 10, tzinfo=datetime.UTC)
    ApplicationFactory(
        call=call,
        startup=s2,
        status="admitted",
        submitted_at=submitted,
        decided_at=submitted + datetime.timedelta(days=10),
    )
    ApplicationFactory(call=call, startup=s4, status="under_review", submitted_at=submitted)
    offices = [OfficeFactory(site=site_a, number=f"A-{n}") for n in range(1, 5)]
    from startups.models import OfficeAllocation

    OfficeAllocation.objects.create(office=offices[0], admission=a1, site=site_a, starts_on=day("2020-01-01"))
    return {"s1": s1, "s2": s2, "s3": s3, "s4": s4}


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


def _get(client_for, persona, url, params=None):
    return client_for(persona).get(url, params or {})
