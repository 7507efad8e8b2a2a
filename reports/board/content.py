"""What a board report says (reports.board): its scope and month, its figures and tables,
computed by the KPI engine, and how they read in the active language (the PDF and the
XLSX share them).

A report covers one scope — the network, or one site — and one month:
- the headline KPIs at the month's last day (reports.kpis.headline), compared with the
  previous month's end and with the same month a year earlier;
- the activity of the month (reports.activity.activity);
- the trends by year up to the month's end (reports.trends.yearly).
It is written in its requester's language (French for the monthly beat, and for Arabic:
the PDF's standard fonts have no Arabic glyphs, see `report_language`).
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import formats, timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from core.templatetags.rates import percent_text
from sites.models import Site

from .. import activity as activity_module
from .. import trends as trends_module
from ..kpis import Headline, KpiScope, headline
from ..models import BoardReportStep

FIRST_MONTH = datetime.date(2001, 1, 1)  # the network's first site opened in 2001
# The languages a report is written in; others (Arabic) get French.
REPORT_LANGUAGES = ("fr", "en")


# --- Scopes and months ----------------------------------------------------------------------
def month_end(month: datetime.date) -> datetime.date:
    """The last day of `month`'s month."""
    following = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)


def previous_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def last_complete_month(today: datetime.date | None = None) -> datetime.date:
    return previous_month(today or timezone.localdate())


def report_scope(label: str) -> tuple[KpiScope, Site | None]:
    """The KPI scope and site named by a report's scope label: "network" or "site:<slug>".
    ValidationError for anything else (regions have no board report)."""
    kind, _separator, key = (label or "").partition(":")
    if kind == "network" and not key:
        return KpiScope("network", "", None), None
    if kind == "site" and key:
        site = Site.objects.filter(slug=key).first()
        if site is not None:
            return KpiScope("site", site.slug, (site.pk,)), site
    raise ValidationError({"scope": _("Choose the network or one of its sites.")})


def report_language(user) -> str:
    """The requester's language if reports are written in it, else French (the monthly
    beat has no requester; Arabic would need a font with Arabic glyphs and text shaping,
    which the PDF's standard fonts do not have)."""
    language = (getattr(user, "language", "") or "")[:2]
    return language if language in REPORT_LANGUAGES else settings.LANGUAGE_CODE


# --- Content --------------------------------------------------------------------------------
COUNT, RATE, MONEY = "count", "rate", "money"
HEADLINE_FIGURES = [
    ("startups_supported_total", gettext_lazy("Startups supported since 2001"), COUNT),
    ("residents_total", gettext_lazy("Residents (ever)"), COUNT),
    ("supported_now", gettext_lazy("Startups supported now"), COUNT),
    ("residents_now", gettext_lazy("Residents now"), COUNT),
    ("survival_rate_5y", gettext_lazy("5-year survival rate"), RATE),
    ("jobs_total", gettext_lazy("Jobs (direct and indirect)"), COUNT),
    ("annual_revenue_mad", gettext_lazy("Cumulative annual revenue (MAD)"), MONEY),
    ("export_share", gettext_lazy("Share of exporting startups"), RATE),
    ("export_africa_share", gettext_lazy("Share exporting to Africa"), RATE),
]


@dataclass(frozen=True)
class FigureRow:
    key: str
    label: str
    kind: str  # count, rate (0–1) or money (MAD)
    # None: a rate with nothing to divide (reports.kpis.shown_rate), and so is its change.
    current: int | Decimal | None  # at the month's end
    previous: int | Decimal | None  # at the previous month's end
    year_ago: int | Decimal | None  # at the end of the same month a year earlier

    @property
    def change_previous(self) -> int | Decimal | None:
        return _change(self.current, self.previous)

    @property
    def change_year_ago(self) -> int | Decimal | None:
        return _change(self.current, self.year_ago)


def _change(current, before):
    return None if current is None or before is None else current - before


@dataclass(frozen=True)
class BoardContent:
    scope: KpiScope
    scope_name: str
    month: datetime.date
    month_end: datetime.date
    previous_end: datetime.date
    year_ago_end: datetime.date
    generated_at: datetime.datetime
    language: str
    headline: list[FigureRow]
    activity: activity_module.Activity
    trends: list[trends_module.YearPoint]


def headline_rows(current: Headline, previous: Headline, year_ago: Headline) -> list[FigureRow]:
    return [
        FigureRow(key, str(label), kind, current.shown(key), previous.shown(key), year_ago.shown(key))
        for key, label, kind in HEADLINE_FIGURES
    ]


def board_content(
    scope: KpiScope,
    *,
    scope_name: str,
    month: datetime.date,
    progress: Callable[[str], None] = lambda step: None,
) -> BoardContent:
    """Everything a report shows, computed by the KPI engine in the active language.
    `progress(step)` is called as each step starts."""
    end = month_end(month)
    previous_end = month - datetime.timedelta(days=1)
    year_ago_end = month_end(month.replace(year=month.year - 1))
    progress(BoardReportStep.HEADLINE)
    rows = headline_rows(headline(scope, end), headline(scope, previous_end), headline(scope, year_ago_end))
    progress(BoardReportStep.ACTIVITY)
    month_activity = activity_module.activity(scope, date_from=month, date_to=end)
    progress(BoardReportStep.TRENDS)
    years = trends_module.yearly(scope, as_of=end)
    return BoardContent(
        scope=scope,
        scope_name=scope_name,
        month=month,
        month_end=end,
        previous_end=previous_end,
        year_ago_end=year_ago_end,
        generated_at=timezone.localtime(),
        language=translation.get_language() or settings.LANGUAGE_CODE,
        headline=rows,
        activity=month_activity,
        trends=years,
    )


# --- Formatting (the active language's conventions) ------------------------------------------
def format_number(value, places: int = 0) -> str:
    return formats.number_format(value, places, use_l10n=True, force_grouping=True)


def format_value(value, kind: str) -> str:
    """A figure as text; "—" for None (a rate with nothing to divide, no median)."""
    if value is None:
        return "—"
    if kind == RATE:
        return percent_text(value)
    if kind == MONEY:
        return format_number(value, 2)
    return format_number(value)


def format_change(value, kind: str) -> str:
    if value is None:
        return "—"
    sign = "+" if value > 0 else ("-" if value < 0 else "±")
    if kind == RATE:
        return _("%(sign)s%(points)s pt") % {"sign": sign, "points": format_number(abs(Decimal(value)) * 100, 1)}
    return sign + format_value(abs(value), kind)


def format_date(day: datetime.date) -> str:
    return formats.date_format(day, "DATE_FORMAT")


def format_month(month: datetime.date) -> str:
    return capfirst(formats.date_format(month, "F Y"))


def report_title(content: BoardContent) -> str:
    return _("Board report · %(scope)s · %(month)s") % {
        "scope": content.scope_name,
        "month": format_month(content.month),
    }


def trend_columns() -> list[tuple[str, str, str]]:
    return [
        ("startups_supported_total", _("Supported since 2001"), COUNT),
        ("supported_now", _("Supported at year end"), COUNT),
        ("jobs_total", _("Jobs"), COUNT),
        ("annual_revenue_mad", _("Revenue (MAD)"), MONEY),
        ("export_share", _("Exporting"), RATE),
        ("survival_rate_5y", _("5-year survival"), RATE),
    ]


def headline_header(content: BoardContent) -> list[str]:
    return [
        _("Indicator"),
        format_date(content.month_end),
        format_date(content.previous_end),
        pgettext("difference between two dates", "Change"),
        format_date(content.year_ago_end),
        pgettext("difference between two dates", "Change"),
    ]


def funnel_rows(funnel: activity_module.Funnel, *, text: bool) -> list[list]:
    """The application funnel as (label, value) rows: formatted text, or typed values."""
    rows = [
        (_("Applications submitted"), funnel.submitted, COUNT),
        (_("Admitted"), funnel.admitted, COUNT),
        (_("Rejected"), funnel.rejected, COUNT),
        (_("Pending"), funnel.pending, COUNT),
        (_("Withdrawn"), funnel.withdrawn, COUNT),
        (_("Admission rate"), funnel.shown_admission_rate, RATE),
        (_("Median days to a decision"), funnel.median_days_to_decision, "days"),
    ]
    if not text:
        return [[label, value, kind] for label, value, kind in rows]
    result = []
    for label, value, kind in rows:
        if kind == "days":
            result.append([label, "—" if value is None else format_number(value, 1)])
        else:
            result.append([label, format_value(value, kind)])
    return result
