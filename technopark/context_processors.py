from django.conf import settings
from django.utils.translation import get_language_bidi

from sites.scoping import managed_sites


def navigation(request):
    """What the base layout needs: text direction and the sites the user works at."""
    user = getattr(request, "user", None)
    # Lazy: one query when the layout lists them (head office has the network menu instead).
    manage_sites = managed_sites(user).order_by("slug") if user is not None else []
    return {
        "text_direction": "rtl" if get_language_bidi() else "ltr",
        "manage_sites": manage_sites,
        "portal_languages": settings.LANGUAGES,
    }
