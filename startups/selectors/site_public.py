"""What a site's public page (/sites/<slug>/) shows of the startups app: its open calls for
applications (sites.extensions.SITE_PUBLIC_PANELS, registered in StartupsConfig.ready())."""

from core.multilingual import translated_order

from .visibility import open_calls

SITE_PANEL_SIZE = 5


def site_open_calls_panel(site) -> dict:
    """The "Open calls" block of `site`'s public page (run in that site's scope): its calls
    open today (public: a call not open yet or closed stays out), the nearest deadline first."""
    calls = open_calls().filter(site=site).order_by("closes_on", translated_order("title"), "pk")[:SITE_PANEL_SIZE]
    return {"site": site, "calls": list(calls)}
