import re

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _

from .scoping import managed_site, site_scope, user_scope

SITE_PATH = re.compile(r"^/(?P<api>api/v1/)?manage/(?P<slug>[-\w]+)/")


class SiteScopeMiddleware:
    """Runs every view and its template rendering inside a tenant scope.

    `/manage/<slug>/…` and `/api/v1/manage/<slug>/…` are scoped to that one site, after
    checking the user works there (404 for a missing site and for someone else's alike).
    Every other request is scoped to the sites the user may see.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        match = SITE_PATH.match(request.path_info)
        if match is None:
            with user_scope(request.user):
                return self.get_response(request)

        is_api = bool(match["api"])
        user = request.user
        if not user.is_authenticated and not is_api:
            return redirect_to_login(request.get_full_path())
        site = managed_site(user, match["slug"])
        if site is None:
            if is_api:
                return JsonResponse({"detail": _("Not found.")}, status=404)
            raise Http404
        request.site = site
        with site_scope(site):
            return self.get_response(request)
