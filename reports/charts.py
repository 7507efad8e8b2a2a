"""The charts of a dashboard (reports.views.dashboards), drawn from the tables the page
shows (reports.dashboards.Dashboard.tables): nothing is computed twice."""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from .dashboards import KPI_LABELS
from .exports import Table, chart_value, display


@dataclass
class Chart:
    """A chart and its data: drawn by static/reports/dashboards.js, listed as a table."""

    key: str
    title: str
    kind: str  # "bar" or "line"
    axis: str  # what the labels are (the first column of the chart's data table)
    labels: list[str]
    series: list[tuple[str, list]]  # (label, values as in tables: int, Rate, Money…)
    table: str  # the key of the exportable table the data comes from
    percent: bool = False

    def as_json(self) -> dict:
        return {
            "type": self.kind,
            "title": self.title,
            "percent": self.percent,
            "labels": self.labels,
            "series": [{"label": label, "values": [chart_value(v) for v in values]} for label, values in self.series],
        }

    @property
    def header(self) -> list[str]:
        return [label for label, _values in self.series]

    @property
    def display_rows(self) -> list[dict]:
        return [
            {"label": label, "cells": [display(values[index]) for _name, values in self.series]}
            for index, label in enumerate(self.labels)
        ]


def dashboard_charts(tables: dict[str, Table]) -> dict[str, Chart]:
    """The charts of the page, from the tables it shows (nothing is computed twice)."""
    charts: dict[str, Chart] = {}
    if "sites" in tables and tables["sites"].rows:
        rows = tables["sites"].rows
        charts["sites"] = Chart(
            "sites",
            _("Startups supported now, by site"),
            "bar",
            _("Site"),
            [row[0] for row in rows],
            [(_("Supported now"), [row[5] for row in rows]), (_("Residents now"), [row[6] for row in rows])],
            "sites",
        )
    if "coverage" in tables:
        rows = tables["coverage"].rows
        charts["coverage"] = Chart(
            "coverage",
            _("Startups supported now, by region"),
            "bar",
            _("Region"),
            [row[0] for row in rows],
            [(_("Supported now"), [row[5] for row in rows])],
            "coverage",
        )
    rows = tables["years"].rows
    labels = [str(row[0]) for row in rows]
    charts["years_startups"] = Chart(
        "years_startups",
        _("Startups supported"),
        "line",
        _("Year"),
        labels,
        [
            (str(KPI_LABELS["startups_supported_total"]), [r[2] for r in rows]),
            (_("Supported now"), [r[3] for r in rows]),
        ],
        "years",
    )
    charts["years_jobs"] = Chart(
        "years_jobs",
        _("Jobs"),
        "bar",
        _("Year"),
        labels,
        [(str(KPI_LABELS["jobs_total"]), [r[4] for r in rows])],
        "years",
    )
    charts["years_revenue"] = Chart(
        "years_revenue",
        _("Cumulative annual revenue (MAD)"),
        "bar",
        _("Year"),
        labels,
        [(str(KPI_LABELS["annual_revenue_mad"]), [r[5] for r in rows])],
        "years",
    )
    charts["years_rates"] = Chart(
        "years_rates",
        _("Export share and 5-year survival"),
        "line",
        _("Year"),
        labels,
        [
            (str(KPI_LABELS["export_share"]), [r[6] for r in rows]),
            (str(KPI_LABELS["survival_rate_5y"]), [r[7] for r in rows]),
        ],
        "years",
        percent=True,
    )
    rows = tables["cohorts"].rows
    charts["cohorts"] = Chart(
        "cohorts",
        _("5-year survival by founding year"),
        "bar",
        _("Founding year"),
        [str(row[0]) for row in rows],
        [(_("Survival rate"), [row[3] for row in rows])],
        "cohorts",
        percent=True,
    )
    rows = tables["dimensions"].rows
    charts["dimensions"] = Chart(
        "dimensions",
        _("Sessions and attendance by dimension"),
        "bar",
        _("Dimension"),
        [row[0] for row in rows],
        [
            (_("Sessions held"), [row[1] for row in rows]),
            (_("Participants"), [row[2] for row in rows]),
            (_("Attended"), [row[3] for row in rows]),
        ],
        "dimensions",
    )
    rows = tables["occupancy"].rows
    if rows:
        charts["occupancy"] = Chart(
            "occupancy",
            _("Office occupancy"),
            "bar",
            _("Site"),
            [row[0] for row in rows],
            [(_("Occupancy rate"), [row[3] for row in rows])],
            "occupancy",
            percent=True,
        )
    rows = tables["funnel"].rows[:5]
    charts["funnel"] = Chart(
        "funnel",
        _("Applications submitted in the period"),
        "bar",
        pgettext("application funnel", "Stage"),
        [row[0] for row in rows],
        [(_("Applications"), [row[1] for row in rows])],
        "funnel",
    )
    return charts
