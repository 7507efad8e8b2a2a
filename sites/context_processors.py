import functools

from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language_bidi

from .scoping import managed_site_list


@functools.cache
def layout_urls() -> dict[str, str]:
    """The URLs of the layout's forms and links: the same for every request while the process
    runs (no user's data), so reversed once."""
    return {
        name: reverse(view)
        for name, view in {
            "set_language": "set_language",
            "profile": "accounts:profile",
            "logout": "account_logout",
            "login": "account_login",
            "signup": "account_signup",
        }.items()
    }


def navigation(request):
    """What the base layout needs: text direction and the sites the user works at."""
    user = getattr(request, "user", None)
    # Lazy: read only when the layout lists them (head office has the network menu instead).
    manage_sites = SimpleLazyObject(lambda: managed_site_list(user, request=request)) if user is not None else []
    return {
        "text_direction": "rtl" if get_language_bidi() else "ltr",
        "manage_sites": manage_sites,
        "layout_urls": layout_urls(),
    }
