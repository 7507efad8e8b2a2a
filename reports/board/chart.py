"""The board report's charts as inline SVG, drawn here in Python: no script, no network, no
image file; WeasyPrint lays them out with the page (reports.board.pdf).

A chart is one series by year as bars (`bar_chart`) or one or more rate series as lines
(`line_chart`). The SVG holds only shapes, figures and years; titles and legends are the
page's HTML, in the report's language. Time runs left to right in every language, as in
the dashboards' charts. A value of None (a rate with nothing to divide) draws nothing: no
bar, a gap in the line, never a zero.
"""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 260, 112  # user units; the SVG is scaled to its box's width
LEFT, RIGHT, TOP, BOTTOM = 40, 6, 8, 16  # room for the value axis (start) and the years (bottom)
INK, GRID, MUTED = "#1f3b57", "#d5dce3", "#5b6775"
COLOURS = ("#1f6f8b", "#c0762c", "#5a8f3d", "#8a4f9e")  # series, in legend order
PARTIAL = "#9dbfcf"  # the current year's bar: its figures are at the month's end, not 31 December


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[int | Decimal | float | None]  # one per year, None: nothing to show
    colour: str = COLOURS[0]
    dashed: bool = False


def nice_ticks(top: float, count: int = 4) -> list[float]:
    """0 and round steps (1, 2, 2.5 or 5 × 10ⁿ) up to at least `top`."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return [index * step for index in range(math.ceil(top / step - 1e-9) + 1)]


def _year_labels(years: Sequence[int]) -> set[int]:
    """The years written under the axis: the first, every fifth, and the last unless it
    would touch its labelled neighbour."""
    shown = {years[0]} if years else set()
    shown.update(year for year in years if year % 5 == 0)
    if years and all(years[-1] - year >= 3 for year in shown if year != years[-1]):
        shown.add(years[-1])
    return shown


def _frame(years: Sequence[int], ticks: list[float], tick_text: Callable[[float], str], label: str) -> list[str]:
    """The SVG's opening, the value grid with its labels, and the years."""
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top = ticks[-1]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
        f'role="img" aria-label="{escape(label)}" class="chart" font-family="Noto Sans, Noto Sans Arabic" '
        f'font-size="7" direction="ltr">'
    ]
    for tick in ticks:
        y = TOP + plot_height - plot_height * tick / top
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.2f}" x2="{WIDTH - RIGHT}" y2="{y:.2f}" stroke="{GRID}" stroke-width="0.5"/>'
        )
        parts.append(
            f'<text x="{LEFT - 3}" y="{y + 2.4:.2f}" text-anchor="end" fill="{MUTED}">{escape(tick_text(tick))}</text>'
        )
    band = plot_width / max(len(years), 1)
    for index, year in enumerate(years):
        if year in _year_labels(years):
            x = LEFT + band * (index + 0.5)
            parts.append(f'<text x="{x:.2f}" y="{HEIGHT - 5}" text-anchor="middle" fill="{MUTED}">{year}</text>')
    parts.append(
        f'<line x1="{LEFT}" y1="{TOP + plot_height}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_height}" '
        f'stroke="{INK}" stroke-width="0.7"/>'
    )
    return parts


def bar_chart(
    years: Sequence[int],
    series: Series,
    *,
    tick_text: Callable[[float], str],
    label: str,
    partial_last: bool = False,
) -> SafeString:
    """One bar per year; the last one lighter when `partial_last` (the current year, at the
    month's end)."""
    values = [None if value is None else float(value) for value in series.values]
    ticks = nice_ticks(max((value for value in values if value is not None), default=0))
    parts = _frame(years, ticks, tick_text, label)
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    band = plot_width / max(len(years), 1)
    for index, value in enumerate(values):
        if not value:
            continue
        height = plot_height * value / ticks[-1]
        colour = PARTIAL if partial_last and index == len(values) - 1 else series.colour
        parts.append(
            f'<rect x="{LEFT + band * (index + 0.15):.2f}" y="{TOP + plot_height - height:.2f}" '
            f'width="{band * 0.7:.2f}" height="{height:.2f}" fill="{colour}"/>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — figures and escaped text only


def line_chart(
    years: Sequence[int], series: Sequence[Series], *, tick_text: Callable[[float], str], label: str
) -> SafeString:
    """Rates (0–1) by year, one line per series on a 0–100 % axis; None breaks a line."""
    ticks = [0.0, 0.25, 0.5, 0.75, 1.0]
    parts = _frame(years, ticks, tick_text, label)
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    band = plot_width / max(len(years), 1)
    for line in series:
        dash = ' stroke-dasharray="3 2"' if line.dashed else ""
        runs: list[list[tuple[float, float]]] = [[]]
        for index, value in enumerate(line.values):
            if value is None:
                runs.append([])
                continue
            x = LEFT + band * (index + 0.5)
            y = TOP + plot_height - plot_height * min(max(float(value), 0.0), 1.0)
            runs[-1].append((x, y))
        for run in runs:
            if len(run) > 1:
                points = " ".join(f"{x:.2f},{y:.2f}" for x, y in run)
                parts.append(
                    f'<polyline points="{points}" fill="none" stroke="{line.colour}" stroke-width="1.4"{dash}/>'
                )
            for x, y in run:
                parts.append(f'<circle cx="{x:.2f}" cy="{y:.2f}" r="1.3" fill="{line.colour}"/>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — figures and escaped text only
