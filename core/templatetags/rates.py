"""`{% load rates %}`: a rate as every page shows it.

    {{ share|percent }}   →  89.1% (English), 89,1 % (French): a share from 0 to 1, one decimal
    {{ None|percent }}    →  a dash, its reason ("Not applicable: nothing to divide") read
                             by screen readers and shown as a tooltip

A rate with nothing to divide (no startup, no session, no registration…) is None and never
0 %: its caller says so (reports.kpis.shown_rate). Code that writes a page's cells calls
`percent` too (reports.exports.display); a PDF, without markup, `percent_text`."""

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils import formats
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

register = template.Library()

PERCENT_PLACES = Decimal("0.1")


def percent_text(share) -> str:
    """A share (0–1: Decimal, float or int) as a percentage with one decimal, rounded half
    up (Django's number_format would cut it), in the active language's format."""
    share = Decimal(str(share)) if isinstance(share, float) else Decimal(share)
    rounded = (share * 100).quantize(PERCENT_PLACES, rounding=ROUND_HALF_UP)
    # Translators: a percentage; French and Arabic put a no-break space before the sign.
    return _("%(percent)s%%") % {"percent": formats.number_format(rounded, 1, force_grouping=True)}


@register.filter
def percent(share) -> str | SafeString:
    """`percent_text`, or for None the dash of a rate with nothing to divide."""
    if share is None:
        reason = _("Not applicable: nothing to divide")
        return format_html(
            '<span aria-hidden="true" title="{}">—</span><span class="visually-hidden">{}</span>', reason, reason
        )
    return percent_text(share)
