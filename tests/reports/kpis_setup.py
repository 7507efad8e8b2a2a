"""Shared set-up of the KPI engine's tests (test_kpis_*.py): the date of the figures,
admitting a startup and writing its declaration in one line, and the sites: casa-1 and
casa-2 in region MA-06, rabat in MA-04; MA-12 has no site at all (an empty scope)."""

import datetime
from decimal import Decimal

import pytest

from startups.models import AdmissionKind

from ..factories import AdmissionFactory, DeclarationFactory, SiteFactory

RESIDENT = AdmissionKind.RESIDENT
ETECHNOPARK = AdmissionKind.ETECHNOPARK
D = datetime.date(2024, 6, 30)  # declarations known at D: fiscal years ≤ 2023


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def admit(startup, site, kind=RESIDENT, starts_on="2020-01-01", ended_on=None):
    return AdmissionFactory(
        startup=startup,
        site=site,
        kind=kind,
        starts_on=day(starts_on),
        ended_on=day(ended_on) if ended_on else None,
        exit_reason="graduated" if ended_on else "",
    )


def declare(startup, year, jobs=(0, 0), revenue="0", exports="0", countries=()):
    direct, indirect = jobs
    return DeclarationFactory(
        startup=startup,
        fiscal_year=year,
        direct_jobs=direct,
        indirect_jobs=indirect,
        revenue_mad=Decimal(revenue),
        export_revenue_mad=Decimal(exports),
        export_countries=list(countries),
    )


@pytest.fixture
def sites(unscoped):
    return {
        "casa-1": SiteFactory(slug="casa-1", region__code="MA-06"),
        "casa-2": SiteFactory(slug="casa-2", region__code="MA-06"),
        "rabat": SiteFactory(slug="rabat", region__code="MA-04"),
    }
