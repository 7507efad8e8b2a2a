"""Activity figures of a scope over a period (MISSION.md, "Activity"): support sessions
held and their attendance per dimension, mentor hours delivered, office occupancy per site,
the application funnel and the median time to a decision.

CONTRACT (the dashboards and board reports build on it; the body is being written)."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from sites.models import Sector

from .kpis import KpiScope


@dataclass(frozen=True)
class DimensionActivity:
    dimension: str  # services.models.Dimension value
    label: str  # its translated label
    sessions_held: int  # sessions with status "held" starting in the period
    participants: int  # confirmed registrations at those sessions
    attended: int  # of which marked present
    attendance_rate: Decimal  # attended / participants, 0–1, 4 decimals (0 when none)


@dataclass(frozen=True)
class SiteOccupancy:
    site_id: int
    site_slug: str
    site_name: str
    offices: int  # offices in service at the site
    occupied: int  # of which allocated on `date_to`
    rate: Decimal  # occupied / offices, 0–1, 4 decimals


@dataclass(frozen=True)
class Funnel:
    submitted: int  # applications submitted in the period (any status after draft)
    admitted: int  # of which admitted
    rejected: int
    pending: int  # submitted / under review / waitlisted
    withdrawn: int
    admission_rate: Decimal  # admitted / submitted, 0–1, 4 decimals
    median_days_to_decision: Decimal | None  # submitted_at → decided_at of decided ones, 1 decimal


@dataclass(frozen=True)
class Activity:
    date_from: datetime.date
    date_to: datetime.date
    dimensions: list[DimensionActivity]  # the four dimensions, always, in Dimension order
    mentor_sessions: int
    mentor_hours: Decimal  # 1 decimal
    occupancy: list[SiteOccupancy]  # the scope's operational sites, by name
    funnel: Funnel


def activity(
    scope: KpiScope, *, date_from: datetime.date, date_to: datetime.date, sector: Sector | None = None
) -> Activity:
    raise NotImplementedError
