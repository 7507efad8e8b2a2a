"""`{% load formats %}`: dates, numbers, amounts and lists as the page's language writes them.

    {{ session.starts_at|format_datetime }}   10 décembre 2026 à 10:30 · 10 دجنبر 2026، 10:30
    {{ day|format_date }}                     10 décembre 2026 (also format_short_date,
                                              format_weekday_date, format_weekday, format_month,
                                              format_short_datetime, format_time)
    {{ count|format_number }}                 1 234 567 (grouped; `|format_number:1`: one decimal)
    {{ revenue|format_amount }}               <bdi class="text-nowrap">1 419 208 302,00 MAD</bdi>
                                              (`|format_amount:0`: whole dirhams)
    {{ office.area_m2|format_area }}          <bdi class="text-nowrap">30 000 m²</bdi>
    {{ languages|format_list }}               arabe, français · العربية، الفرنسية
    {{ names|format_list:"bdi" }}             each item isolated in <bdi>

The text comes from core.formatting (emails, PDF and spreadsheets call it directly). Keep the
machine-readable value in `<time datetime="{{ day|date:'c' }}">`. Amounts and areas are
isolated (`<bdi>`) and never wrapped, so "درهم" stays after its number in an Arabic line;
inside an attribute or `<title>`, use the `_text` variants (plain text)."""

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from .. import formatting

register = template.Library()

for _name in (
    "format_date",
    "format_short_date",
    "format_datetime",
    "format_short_datetime",
    "format_time",
    "format_weekday_date",
    "format_weekday_datetime",
    "format_weekday",
    "format_month",
):
    register.filter(_name, getattr(formatting, _name), expects_localtime=True, is_safe=False)


@register.filter
def format_number(value, decimals=None) -> str:
    """`|format_number:1`: one decimal; `|format_number:"-2"`: up to two, none when whole."""
    return formatting.format_number(value, _places(decimals, None))


def _places(decimals, default: int | None) -> int | None:
    return default if decimals in (None, "") else int(decimals)


@register.filter
def format_amount_text(value, decimals=None) -> str:
    return formatting.format_amount(value, decimals=_places(decimals, 2))


@register.filter
def format_area_text(value) -> str:
    return formatting.format_area(value)


@register.filter
def format_amount(value, decimals=None) -> str:
    """`|format_amount:0`: whole dirhams (a headline figure)."""
    text = formatting.format_amount(value, decimals=_places(decimals, 2))
    return format_html('<bdi class="text-nowrap">{}</bdi>', text) if text else ""


@register.filter
def format_area(value) -> str:
    text = formatting.format_area(value)
    return format_html('<bdi class="text-nowrap">{}</bdi>', text) if text else ""


@register.filter(needs_autoescape=True)
def format_list(value, arg: str = "", autoescape: bool = True) -> str:
    """The items joined by the language's separator, each escaped; `"bdi"`: each one
    isolated (names, codes: Latin names in an Arabic list keep their own order)."""
    if not value:
        return ""
    escape = conditional_escape if autoescape else str
    items = [escape(str(item)) for item in value]
    if arg == "bdi":
        items = [format_html("<bdi>{}</bdi>", item) for item in items]
    return mark_safe(conditional_escape(formatting.list_separator()).join(items))  # noqa: S308 (items escaped)


@register.simple_tag
def list_separator() -> str:
    """Between the items of a `{% for %}` list: `{% if not forloop.last %}{% list_separator %}{% endif %}`."""
    return formatting.list_separator()
