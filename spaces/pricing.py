"""What a room booking costs (issue 20): the startup's free hours first, then the cheapest of
the room's rates for the rest. Money is Decimal in MAD, excluding tax, to the centime."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
HALF_DAY_HOURS = Decimal(4)
ZERO = Decimal("0")


@dataclass(frozen=True)
class Price:
    allowance_hours: Decimal  # taken from the month's free hours
    charged_hours: Decimal
    price_mad: Decimal


def rate_price(*, hour: Decimal, half_day: Decimal, day: Decimal, hours: Decimal) -> Decimal:
    """The cheapest way to pay `hours` of one day: by the hour, by half days (4 h), half days
    and the odd hours by the hour, or the day rate (a booking never runs past one day)."""
    if hours <= 0:
        return ZERO.quantize(CENT)
    halves, rest = divmod(hours, HALF_DAY_HOURS)
    options = [
        hours * hour,
        day,
        (halves + (1 if rest else 0)) * half_day,
        halves * half_day + rest * hour,
    ]
    return min(options).quantize(CENT, rounding=ROUND_HALF_UP)


def booking_price(room, *, hours: Decimal, free_hours_left: Decimal) -> Price:
    """The price of `hours` in `room` when the startup has `free_hours_left` this month."""
    allowance = min(max(free_hours_left, ZERO), hours)
    charged = hours - allowance
    price = rate_price(
        hour=room.price_hour_mad, half_day=room.price_half_day_mad, day=room.price_day_mad, hours=charged
    )
    return Price(allowance_hours=allowance, charged_hours=charged, price_mad=price)
