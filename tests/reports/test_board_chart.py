"""reports.board.chart: the board report's SVG charts, drawn in Python."""

from decimal import Decimal

from reports.board import chart


def test_the_value_axis_has_round_steps_up_to_the_top():
    assert chart.nice_ticks(0) == [0.0, 1.0]
    assert chart.nice_ticks(7) == [0, 2, 4, 6, 8]
    assert chart.nice_ticks(13760) == [0, 5000, 10000, 15000]
    assert chart.nice_ticks(1.2) == [0, 0.5, 1.0, 1.5]


def test_a_missing_value_draws_nothing():
    years = [2023, 2024, 2025, 2026]
    bars = chart.bar_chart(years, chart.Series("Jobs", [0, None, 5, 7]), tick_text=str, label="Jobs", partial_last=True)
    assert bars.count("<rect") == 2  # neither the zero nor the missing year has a bar
    assert f'fill="{chart.PARTIAL}"' in bars  # the current year, at the month's end
    assert 'aria-label="Jobs"' in bars and "<script" not in bars and "http://www.w3.org/2000/svg" in bars

    rates = chart.Series("Exporting", [Decimal("0.5"), None, Decimal("0.25"), Decimal("0.3")])
    lines = chart.line_chart(years, [rates], tick_text=lambda value: f"{value:.0%}", label="<Rates>")
    assert lines.count("<polyline") == 1  # 2023 stands alone, 2025–2026 make the line
    assert lines.count("<circle") == 3 and "&lt;Rates&gt;" in lines and "100%" in lines
