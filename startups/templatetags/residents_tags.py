"""`{% residents_ending_soon_alert site %}`: a warning block on the site's back-office home
listing the residencies whose planned end falls within 60 days. Render it only inside the
site's scope (any `/manage/<site_slug>/` page)."""

from django import template

from .. import selectors

register = template.Library()

ENDING_SOON_DAYS = 60
SHOWN = 5


@register.inclusion_tag("startups/residents/_ending_soon_alert.html")
def residents_ending_soon_alert(site):
    admissions = selectors.residents_ending_soon(days=ENDING_SOON_DAYS).filter(site=site)
    shown = list(admissions[:SHOWN])
    count = len(shown) if len(shown) < SHOWN else admissions.count()
    return {"site": site, "admissions": shown, "count": count, "days": ENDING_SOON_DAYS}
