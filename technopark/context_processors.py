from django.conf import settings
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language_bidi

from sites.scoping import managed_site_list


def navigation(request):
    """What the base layout needs: text direction and the sites the user works at."""
    user = getattr(request, "user", None)
    # Lazy: read only when the layout lists them (head office has the network menu instead).
    manage_sites = SimpleLazyObject(lambda: managed_site_list(user)) if user is not None else []
    return {
        "text_direction": "rtl" if get_language_bidi() else "ltr",
        "manage_sites": manage_sites,
        "portal_languages": settings.LANGUAGES,
    }
