"""Trends by year for the dashboards and board reports: the headline figures at each
year's end (read from year-end snapshots; live for a sector filter), and 5-year survival
by founding cohort.

CONTRACT (the dashboards and board reports build on it; the body is being written)."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from sites.models import Sector

from .kpis import KpiScope

FIRST_YEAR = 2001


@dataclass(frozen=True)
class YearPoint:
    year: int
    as_of: datetime.date  # 31 December of `year`, or today for the current year
    startups_supported_total: int
    supported_now: int
    jobs_total: int
    annual_revenue_mad: Decimal
    export_share: Decimal
    survival_rate_5y: Decimal


@dataclass(frozen=True)
class CohortSurvival:
    founding_year: int
    founded: int  # startups of the scope founded that year whose 5th anniversary is ≤ as_of
    survived: int  # not closed before their 5th anniversary
    rate: Decimal  # 0–1, 4 decimals


def yearly(
    scope: KpiScope, *, as_of: datetime.date, sector: Sector | None = None, first_year: int = FIRST_YEAR
) -> list[YearPoint]:
    raise NotImplementedError


def survival_by_cohort(scope: KpiScope, *, as_of: datetime.date, sector: Sector | None = None) -> list[CohortSurvival]:
    raise NotImplementedError
