"""`{% load bidi %}`: user-written names isolated from the text around them.

    {{ startup|bdi }}  →  <bdi>Atlas Tech</bdi>   (escaped; nothing for an empty value)
    {% blocktranslate with name=user.full_name|bdi %}Hello {{ name }}{% endblocktranslate %}

Only in element content: never inside an attribute, `<title>`, `<option>` or `<textarea>`,
where markup is not allowed (there `nobidi` removes the controls instead).

A block of text someone wrote (a description, a bio, a note, a question) takes its direction
from its own first letter: `dir="auto"` on the element that holds only it, or

    {{ service.description|paragraphs }}  →  <p dir="auto">…</p><p dir="auto">…</p>

so that a French sentence in an Arabic page keeps its period at its end (and the reverse).
Emails cannot rely on `dir="auto"` (mail clients drop it): `foreign_paragraphs` gives a
paragraph written wholly in the other direction's script its own direction."""

import re
import unicodedata

from django import template
from django.utils.html import format_html, linebreaks, strip_tags
from django.utils.safestring import SafeData, mark_safe
from django.utils.translation import get_language_bidi

from ..bidi import strip_bidi

register = template.Library()


@register.filter
def bdi(value) -> str:
    if value is None or value == "":
        return ""
    return format_html("<bdi>{}</bdi>", value)


@register.filter(is_safe=True)
def nobidi(value) -> str:
    """The value without direction controls (U+202A–U+202E, U+2066–U+2069); still safe if
    it was (removing characters that are not markup cannot create any)."""
    return "" if value is None else strip_bidi(str(value))


@register.filter(needs_autoescape=True)
def paragraphs(value, autoescape: bool = True) -> str:
    """`linebreaks`, each paragraph with `dir="auto"` (its direction from its first letter)."""
    if value is None or value == "":
        return ""
    html = linebreaks(value, autoescape and not isinstance(value, SafeData))
    return mark_safe(html.replace("<p>", '<p dir="auto">'))  # noqa: S308 (linebreaks escaped the text)


PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.DOTALL)


def _strong_directions(html: str) -> set[str]:
    """The directions ("ltr", "rtl") of the strong letters' directions in the text of `html`."""
    found = set()
    for char in strip_tags(html):
        kind = unicodedata.bidirectional(char)
        if kind == "L":
            found.add("ltr")
        elif kind in ("R", "AL"):
            found.add("rtl")
        if len(found) == 2:
            break
    return found


@register.filter(is_safe=True)
def foreign_paragraphs(html) -> str:
    """In the HTML of `linebreaks`: a paragraph with no letter of the page's direction and
    some of the other (a French note quoted in an Arabic email, a link) gets `dir` of the
    other; mixed paragraphs keep the page's direction."""
    page, other = ("rtl", "ltr") if get_language_bidi() else ("ltr", "rtl")

    def one(match: re.Match) -> str:
        found = _strong_directions(match[1])
        return f'<p dir="{other}">{match[1]}</p>' if found == {other} else match[0]

    return mark_safe(PARAGRAPH.sub(one, str(html)))  # noqa: S308 (only adds an attribute to safe HTML)


@register.filter
def text_dir(value) -> str:
    """`dir` for a block of text someone wrote, from its first strong letter ("ltr" or
    "rtl"; the page's when it has none), for renderers that do not honour `dir="auto"`
    (WeasyPrint: a French address in an Arabic PDF keeps its comma at its end)."""
    for char in str(value or ""):
        kind = unicodedata.bidirectional(char)
        if kind == "L":
            return "ltr"
        if kind in ("R", "AL"):
            return "rtl"
    return "rtl" if get_language_bidi() else "ltr"
