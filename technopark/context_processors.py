from django.conf import settings
from django.utils.translation import get_language_bidi

from sites.scoping import managed_site_ids


def navigation(request):
    """What the base layout needs: text direction and the sites the user works at."""
    user = getattr(request, "user", None)
    manage_sites = []
    if user is not None and user.is_authenticated:
        from sites.models import Site

        ids = managed_site_ids(user)
        manage_sites = (
            Site.objects.order_by("slug") if ids is None else Site.objects.filter(pk__in=ids).order_by("slug")
        )
    return {
        "text_direction": "rtl" if get_language_bidi() else "ltr",
        "manage_sites": manage_sites,
        "portal_languages": settings.LANGUAGES,
    }
