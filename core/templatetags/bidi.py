"""`{% load bidi %}`: user-written names isolated from the text around them.

    {{ startup|bdi }}  →  <bdi>Atlas Tech</bdi>   (escaped; nothing for an empty value)
    {% blocktranslate with name=user.full_name|bdi %}Hello {{ name }}{% endblocktranslate %}

Only in element content: never inside an attribute, `<title>`, `<option>` or `<textarea>`,
where markup is not allowed (there `nobidi` removes the controls instead)."""

from django import template
from django.utils.html import format_html

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
