"""`{% load multilingual %}`: say when staff-written content is shown in French because the
reader's language has no version of it yet (core.multilingual).

    <h1>{{ service.title }}</h1>
    {% fallback_note service "title" "summary" "description" %}
    → <p class="fallback-note …">Not available in Arabic yet: shown in French.</p>

`inline=True` gives a `<span class="d-block …">` for a card or a table cell. Nothing at all
when every field listed is in the reader's language (or empty), and never on French pages.
No query: the versions are columns of the row already read."""

from django import template
from django.utils.html import format_html

from ..multilingual import content_language, fallback_message, shown_in_default

register = template.Library()


@register.simple_tag
def fallback_note(obj, *fields: str, inline: bool = False) -> str:
    language = content_language()
    if not shown_in_default(obj, *fields, language=language):
        return ""
    element = "span" if inline else "p"
    css = "d-block small text-body-secondary fw-normal" if inline else "small text-body-secondary"
    return format_html('<{} class="fallback-note {}">{}</{}>', element, css, fallback_message(language), element)
