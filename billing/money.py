"""Invoice arithmetic in Decimal, never float: amounts to the centime, half up.

A line's excl-tax amount is rounded once (quantity × unit price). VAT follows the Moroccan
practice "TVA par taux": for each rate it is computed once, on the sum of the excl-tax amounts
at that rate, so a document's figures add up exactly (VAT = Σ VAT per rate, incl. tax = excl.
tax + VAT). A line's own `vat` is for display only and is never summed.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def _decimal(value: object, name: str) -> Decimal:
    """A finite Decimal from a Decimal or an int; a float (or anything else) is refused."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"{name} must be a Decimal or an int, not {type(value).__name__}: money is never float.")
    number = Decimal(value)
    if not number.is_finite():
        raise ValueError(f"{name} must be a finite number, not {value}.")
    return number


def _rate(value: object) -> Decimal:
    rate = _decimal(value, "vat_rate")
    if rate < 0 or rate > HUNDRED:
        raise ValueError(f"vat_rate is a percentage between 0 and 100, not {rate}.")
    return rate


def cents(value: Decimal | int) -> Decimal:
    """Rounded to the centime, half up (away from zero): 0.005 → 0.01, 2.675 → 2.68."""
    return _decimal(value, "value").quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class LineAmounts:
    quantity: Decimal
    unit_price: Decimal
    vat_rate: Decimal
    excl_tax: Decimal
    vat: Decimal

    @property
    def incl_tax(self) -> Decimal:
        return self.excl_tax + self.vat


def line_amounts(*, quantity: Decimal, unit_price: Decimal, vat_rate: Decimal) -> LineAmounts:
    """One line: excl. tax = cents(quantity × unit price), VAT = cents(excl. tax × rate / 100).

    A negative quantity or unit price is accepted (a credit note's or a discount's line)."""
    quantity = _decimal(quantity, "quantity")
    unit_price = _decimal(unit_price, "unit_price")
    rate = _rate(vat_rate)
    excl_tax = cents(quantity * unit_price)
    return LineAmounts(
        quantity=quantity,
        unit_price=unit_price,
        vat_rate=rate,
        excl_tax=excl_tax,
        vat=cents(excl_tax * rate / HUNDRED),
    )


@dataclass(frozen=True)
class Totals:
    excl_tax: Decimal
    vat_by_rate: dict[Decimal, Decimal]
    vat: Decimal
    incl_tax: Decimal


def totals(lines: Iterable[tuple[Decimal, Decimal, Decimal]]) -> Totals:
    """A document's totals from its (quantity, unit price, VAT rate) lines.

    `vat_by_rate` is sorted by rate; each rate's VAT is rounded once, on the sum of the
    excl-tax amounts at that rate. Every rate met is listed, even when its VAT is zero."""
    excl_by_rate: dict[Decimal, Decimal] = {}
    for quantity, unit_price, vat_rate in lines:
        line = line_amounts(quantity=quantity, unit_price=unit_price, vat_rate=vat_rate)
        excl_by_rate[line.vat_rate] = excl_by_rate.get(line.vat_rate, Decimal("0.00")) + line.excl_tax
    vat_by_rate = {rate: cents(excl_by_rate[rate] * rate / HUNDRED) for rate in sorted(excl_by_rate)}
    excl_tax = sum(excl_by_rate.values(), Decimal("0.00"))
    vat = sum(vat_by_rate.values(), Decimal("0.00"))
    return Totals(excl_tax=excl_tax, vat_by_rate=vat_by_rate, vat=vat, incl_tax=excl_tax + vat)


def prorata(*, monthly: Decimal, days: int, days_in_month: int) -> Decimal:
    """A partial month's rent: cents(monthly × days / days in the month)."""
    monthly = _decimal(monthly, "monthly")
    for name, value in (("days", days), ("days_in_month", days_in_month)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{name} must be an int, not {type(value).__name__}.")
    if days_in_month <= 0:
        raise ValueError(f"days_in_month must be positive, not {days_in_month}.")
    if not 0 <= days <= days_in_month:
        raise ValueError(f"days must be between 0 and {days_in_month}, not {days}.")
    return cents(monthly * days / days_in_month)
