"""Shares as the portal keeps them: a part of a whole, 0–1 to 4 decimals, rounded half up."""

from decimal import ROUND_HALF_UP, Decimal

RATE_PLACES = Decimal("0.0001")


def rate(part, whole) -> Decimal:
    """part / whole to 4 decimals; 0 when there is nothing to divide by (MISSION.md's
    definition, what KPI snapshots keep: `reports.kpis.shown_rate` is what is shown)."""
    if not whole:
        return Decimal("0.0000")
    return (Decimal(part) / Decimal(whole)).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)
