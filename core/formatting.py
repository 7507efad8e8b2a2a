"""Dates, numbers, amounts and lists as each language writes them, in plain text (issue 19).

One function per kind of value, for every place that writes one: templates through
`{% load formats %}` (core/templatetags/formats.py, which adds the markup), emails, PDF and
XLSX code directly. `language=None` is the active language; otherwise the text is written in
that language whatever is active (a report for a board, an email to a recipient).

    format_date(day)              fr "10 décembre 2026"   ar "10 دجنبر 2026"   en "Dec. 10, 2026"
    format_datetime(moment)       fr "10 décembre 2026 à 10:30"   ar "10 دجنبر 2026، 10:30"
    format_amount(Decimal("1419208302"))
                                  fr "1 419 208 302,00 MAD"   ar "1 419 208 302,00 درهم"
                                  en "1,419,208,302.00 MAD"
    format_list(["a", "b"])       fr/en "a, b"   ar "a، b"

Groups and units are joined by no-break spaces (U+00A0), so an amount is never split across
lines; U+00A0 is a "common separator" for the bidirectional algorithm, like the comma, so a
grouped number stays one number inside an Arabic line. Formats are technopark/formats/<lang>.

Aware datetimes are shown in the current time zone (Africa/Casablanca), as templates do."""

import datetime
import re
from contextlib import nullcontext
from decimal import ROUND_HALF_UP, Decimal

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

NBSP = "\xa0"
ARABIC_COMMA = "\u060c"


def _language(language: str | None):
    """Write in `language` (None: the active one)."""
    if language is None or language == translation.get_language():
        return nullcontext()
    return translation.override(language)


def _local(value):
    """An aware datetime in the current time zone, unless a template's `|timezone:` filter
    chose one (Django marks its result `convert_to_local_time = False`)."""
    if (
        isinstance(value, datetime.datetime)
        and timezone.is_aware(value)
        and getattr(value, "convert_to_local_time", True)
    ):
        return timezone.localtime(value)
    return value


# Formats Django does not name, read from the same modules (technopark/formats/<lang>), with
# these defaults for a language that has no module.
EXTRA_FORMATS = {
    "WEEKDAY_DATE_FORMAT": "l j F Y",  # "jeudi 10 décembre 2026"
    "WEEKDAY_DAY_FORMAT": "l j F",  # "jeudi 10 décembre"
    "WEEKDAY_DATETIME_FORMAT": "l j F Y H:i",
}


def _named_format(name: str) -> str:
    for module in formats.get_format_modules(translation.get_language()):
        value = getattr(module, name, None)
        if value is not None:
            return value
    return EXTRA_FORMATS[name]


UNESCAPED_DAY = re.compile(r"(?<!\\)j")


def _render(value, format_name: str) -> str:
    """`value` in a named format (or a format string) of the active language; French writes
    the first of the month "1er": "1er novembre 2026"."""
    value = _local(value)
    pattern = formats.get_format(format_name)
    if translation.get_language() == "fr" and getattr(value, "day", None) == 1:
        pattern = UNESCAPED_DAY.sub(r"j\\e\\r", pattern)
    return formats.date_format(value, pattern)


def _date_format(value, format_name: str, language: str | None) -> str:
    if value is None or value == "":
        return ""
    with _language(language):
        return _render(value, format_name)


def format_date(value, *, language: str | None = None) -> str:
    """A day in words: "10 décembre 2026", "10 دجنبر 2026" (DATE_FORMAT)."""
    return _date_format(value, "DATE_FORMAT", language)


def format_short_date(value, *, language: str | None = None) -> str:
    """A day in figures: "10/12/2026" (SHORT_DATE_FORMAT)."""
    return _date_format(value, "SHORT_DATE_FORMAT", language)


def format_datetime(value, *, language: str | None = None) -> str:
    """A moment: "10 décembre 2026 à 10:30", "10 دجنبر 2026، 10:30" (DATETIME_FORMAT)."""
    return _date_format(value, "DATETIME_FORMAT", language)


def format_short_datetime(value, *, language: str | None = None) -> str:
    """A moment in figures: "10/12/2026 10:30" (SHORT_DATETIME_FORMAT)."""
    return _date_format(value, "SHORT_DATETIME_FORMAT", language)


def format_weekday_date(value, *, language: str | None = None) -> str:
    """A day with its weekday: "jeudi 10 décembre 2026", "الخميس 10 دجنبر 2026",
    "Thursday, December 10, 2026"."""
    if value is None or value == "":
        return ""
    with _language(language):
        return _render(value, _named_format("WEEKDAY_DATE_FORMAT"))


def format_weekday_datetime(value, *, language: str | None = None) -> str:
    """A moment with its weekday: "jeudi 10 décembre 2026 à 10:30",
    "الخميس 10 دجنبر 2026، 10:30", "Thursday, December 10, 2026, 10:30"."""
    if value is None or value == "":
        return ""
    with _language(language):
        return _render(value, _named_format("WEEKDAY_DATETIME_FORMAT"))


def format_weekday(value, *, language: str | None = None) -> str:
    """A day of this year's calendar, without the year: "jeudi 10 décembre"."""
    if value is None or value == "":
        return ""
    with _language(language):
        return _render(value, _named_format("WEEKDAY_DAY_FORMAT"))


def format_month(value, *, language: str | None = None) -> str:
    """A month: "décembre 2026", "دجنبر 2026", "December 2026" (YEAR_MONTH_FORMAT)."""
    return _date_format(value, "YEAR_MONTH_FORMAT", language)


def format_time(value, *, language: str | None = None) -> str:
    """A time of day: "10:30" (TIME_FORMAT)."""
    if value is None or value == "":
        return ""
    with _language(language):
        value = _local(value)
        if isinstance(value, datetime.datetime):
            value = value.time()
        return formats.time_format(value, "TIME_FORMAT")


def _decimal(value) -> Decimal:
    return Decimal(str(value)) if isinstance(value, float) else Decimal(value)


def format_number(value, decimals: int | None = None, *, language: str | None = None) -> str:
    """A number with its thousands grouped: "1 234 567,5" (fr), "1,234,567.5" (en).
    `decimals`: that many places, rounded half up; negative (as `floatformat`'s "-2"): at
    most that many, none for a whole number; None: as many as the value has."""
    if value is None or value == "":
        return ""
    if decimals is not None:
        value = _decimal(value)
        if decimals < 0:
            decimals = 0 if value == value.to_integral_value() else -decimals
        value = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    with _language(language):
        return formats.number_format(value, decimals, use_l10n=True, force_grouping=True)


def format_amount(value, *, language: str | None = None, decimals: int = 2) -> str:
    """An amount in MAD, two decimals (`decimals=0` for a headline figure), never split
    across lines: "1 419 208 302,00 MAD" (fr), "1,419,208,302.00 MAD" (en),
    "1 419 208 302,00 درهم" (ar)."""
    if value is None or value == "":
        return ""
    with _language(language):
        amount = format_number(value, decimals)
        return (_("%(amount)s MAD") % {"amount": amount}).replace(" ", NBSP)


def format_area(value, *, language: str | None = None) -> str:
    """A floor area: "30 000 m²", "12,5 m²" (at most two decimals, none when whole), never
    split across lines."""
    if value is None or value == "":
        return ""
    with _language(language):
        area = format_number(value, -2)
        # Translators: a floor area in square metres; keep the no-break space before the unit.
        return (_("%(area)s m²") % {"area": area}).replace(" ", NBSP)


def list_separator(*, language: str | None = None) -> str:
    """The separator of a list's items: ", ", or the Arabic comma "، " in Arabic."""
    code = language or translation.get_language() or ""
    return ARABIC_COMMA + " " if code.split("-")[0] == "ar" else ", "


def format_list(value, *, language: str | None = None) -> str:
    """Items joined as the language does: "arabe, français", "العربية، الفرنسية"."""
    if value is None:
        return ""
    with _language(language):
        return list_separator(language=language).join(str(item) for item in value)
