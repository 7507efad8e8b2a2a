"""billing.money (issue 21): Decimal arithmetic of invoices, half up to the centime, VAT per rate."""

import random
from decimal import Decimal

import pytest

from billing.money import CENT, LineAmounts, cents, line_amounts, prorata, totals

D = Decimal


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (D("0.005"), D("0.01")),
        (D("0.004"), D("0.00")),
        (D("2.675"), D("2.68")),  # 2.675 as a float is 2.67499999… and would round down
        (D("1.005"), D("1.01")),
        (D("-0.005"), D("-0.01")),  # half away from zero: a credit note mirrors its invoice
        (D("1234.5"), D("1234.50")),
        (7, D("7.00")),
    ],
)
def test_cents_rounds_half_up(value, expected):
    result = cents(value)
    assert result == expected
    assert result.as_tuple().exponent == -2
    assert D("0.01") == CENT


@pytest.mark.parametrize("value", [2.675, 0.1, float("nan")])
def test_floats_are_refused(value):
    with pytest.raises(TypeError):
        cents(value)
    with pytest.raises(TypeError):
        line_amounts(quantity=value, unit_price=D("1"), vat_rate=D("20"))
    with pytest.raises(TypeError):
        line_amounts(quantity=D("1"), unit_price=value, vat_rate=D("20"))
    with pytest.raises(TypeError):
        line_amounts(quantity=D("1"), unit_price=D("1"), vat_rate=value)
    with pytest.raises(TypeError):
        totals([(D("1"), value, D("20"))])
    with pytest.raises(TypeError):
        prorata(monthly=value, days=1, days_in_month=30)


@pytest.mark.parametrize("value", ["1.00", True, None])
def test_other_types_are_refused(value):
    with pytest.raises(TypeError):
        cents(value)


@pytest.mark.parametrize("value", [D("NaN"), D("Infinity"), D("-Infinity")])
def test_non_finite_decimals_are_refused(value):
    with pytest.raises(ValueError):
        cents(value)


def test_line_amounts():
    line = line_amounts(quantity=D("3"), unit_price=D("0.335"), vat_rate=D("20"))
    assert line == LineAmounts(
        quantity=D("3"), unit_price=D("0.335"), vat_rate=D("20"), excl_tax=D("1.01"), vat=D("0.20")
    )
    assert line.incl_tax == D("1.21")
    # 12 m² at 85.50 MAD, VAT 20 %.
    rent = line_amounts(quantity=D("12"), unit_price=D("85.50"), vat_rate=D("20"))
    assert (rent.excl_tax, rent.vat, rent.incl_tax) == (D("1026.00"), D("205.20"), D("1231.20"))


def test_line_amounts_accepts_ints_and_negative_quantities():
    line = line_amounts(quantity=2, unit_price=1500, vat_rate=20)
    assert (line.excl_tax, line.vat) == (D("3000.00"), D("600.00"))
    assert isinstance(line.quantity, Decimal)
    credit = line_amounts(quantity=D("-1"), unit_price=D("0.025"), vat_rate=D("20"))
    assert (credit.excl_tax, credit.vat) == (D("-0.03"), D("-0.01"))


@pytest.mark.parametrize("rate", [D("-0.01"), D("100.01"), -1, 101])
def test_vat_rate_out_of_range_is_refused(rate):
    with pytest.raises(ValueError):
        line_amounts(quantity=D("1"), unit_price=D("1"), vat_rate=rate)
    with pytest.raises(ValueError):
        totals([(D("1"), D("1"), rate)])


@pytest.mark.parametrize("rate", [D("0"), D("7"), D("100")])
def test_vat_rate_bounds_are_accepted(rate):
    assert line_amounts(quantity=D("1"), unit_price=D("10"), vat_rate=rate).vat == cents(rate / 10)


def test_totals_round_vat_once_per_rate():
    lines = [
        # 20 %: three lines of 33.33; per line 6.666 → 6.67 (20.01 in all), per rate 99.99 → 19.998 → 20.00.
        (D("1"), D("33.33"), D("20")),
        (D("1"), D("33.33"), D("20")),
        (D("1"), D("33.33"), D("20")),
        # 0 %: exempt.
        (D("2"), D("1500"), D("0")),
        # 10 %: three lines of 0.15; per line 0.015 → 0.02 (0.06), per rate 0.45 → 0.045 → 0.05.
        (D("1"), D("0.15"), D("10")),
        (D("1"), D("0.15"), D("10")),
        (D("1"), D("0.15"), D("10")),
    ]
    result = totals(lines)
    assert result.vat_by_rate == {D("0"): D("0.00"), D("10"): D("0.05"), D("20"): D("20.00")}
    assert list(result.vat_by_rate) == [D("0"), D("10"), D("20")]  # sorted by rate
    assert result.excl_tax == D("3100.44")
    assert result.vat == D("20.05")
    assert result.incl_tax == D("3120.49")

    # Rounding each line's VAT would have given another (wrong) total: 20.01 + 0.06.
    per_line = sum(line_amounts(quantity=q, unit_price=p, vat_rate=r).vat for q, p, r in lines)
    assert per_line == D("20.07") != result.vat


def test_totals_of_nothing():
    result = totals([])
    assert (result.excl_tax, result.vat, result.incl_tax, result.vat_by_rate) == (D("0"), D("0"), D("0"), {})


def test_totals_accept_a_generator_and_equal_rates_written_differently():
    result = totals((D("1"), D(price), rate) for price, rate in [("10", D("20")), ("5", D("20.00"))])
    assert result.vat_by_rate == {D("20"): D("3.00")}
    assert len(result.vat_by_rate) == 1


def test_totals_are_exact_sums_of_their_parts():
    rng = random.Random(21)
    rates = [D("0"), D("7"), D("10"), D("14"), D("20")]
    for _ in range(200):
        lines = [
            (D(rng.randint(-3, 40)) / 4, D(rng.randint(1, 999_999)) / 1000, rng.choice(rates))
            for _ in range(rng.randint(1, 12))
        ]
        result = totals(lines)
        parts = [line_amounts(quantity=q, unit_price=p, vat_rate=r) for q, p, r in lines]
        assert result.excl_tax == sum(line.excl_tax for line in parts)
        assert result.vat == sum(result.vat_by_rate.values())
        assert result.incl_tax == result.excl_tax + result.vat
        for rate, vat in result.vat_by_rate.items():
            base = sum(line.excl_tax for line in parts if line.vat_rate == rate)
            assert vat == cents(base * rate / 100)
        for figure in (result.excl_tax, result.vat, result.incl_tax, *result.vat_by_rate.values()):
            assert figure.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("monthly", "days", "days_in_month", "expected"),
    [
        (D("3000"), 15, 30, D("1500.00")),
        (D("2500"), 1, 31, D("80.65")),  # 80.645… half up
        (D("2500"), 31, 31, D("2500.00")),
        (D("2500"), 0, 31, D("0.00")),
        (D("1000"), 10, 28, D("357.14")),
    ],
)
def test_prorata(monthly, days, days_in_month, expected):
    assert prorata(monthly=monthly, days=days, days_in_month=days_in_month) == expected


@pytest.mark.parametrize(
    ("days", "days_in_month", "error"),
    [(-1, 30, ValueError), (31, 30, ValueError), (1, 0, ValueError), (1.5, 30, TypeError), (1, D("30"), TypeError)],
)
def test_prorata_refuses_impossible_days(days, days_in_month, error):
    with pytest.raises(error):
        prorata(monthly=D("3000"), days=days, days_in_month=days_in_month)
