from django.conf import settings
from django.utils.translation import get_language_bidi


def navigation(request):
    """What the base layout needs: text direction and the sites the user works at."""
    user = getattr(request, "user", None)
    manage_sites = []
    if user is not None and user.is_authenticated and user.is_active:
        from sites.models import Site

        # Lazy, one query when the layout lists them (head office has the network menu);
        # the same sites as sites.scoping.managed_site_ids.
        manage_sites = (
            Site.objects.order_by("slug")
            if user.is_head_office
            else Site.objects.filter(memberships__user=user).distinct().order_by("slug")
        )
    return {
        "text_direction": "rtl" if get_language_bidi() else "ltr",
        "manage_sites": manage_sites,
        "portal_languages": settings.LANGUAGES,
    }
