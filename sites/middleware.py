import re

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _

from .scoping import incubator_scope, managed_incubator, managed_site, site_scope, user_scope

SITE_PATH = re.compile(r"^/(?P<api>api/v1/)?manage/(?P<slug>[-\w]+)/")
INCUBATOR_PATH = re.compile(r"^/(?P<api>api/v1/)?incubators/(?P<slug>[-\w]+)/manage/")


class SiteScopeMiddleware:
    """Runs every view and its template rendering inside a tenant scope.

    `/manage/<slug>/…` and `/api/v1/manage/<slug>/…` are scoped to that one site, after
    checking the user works there (404 for a missing site and for someone else's alike);
    `/incubators/<slug>/manage/…` likewise to one partner incubator, for its managers.
    Every other request is scoped to the sites and incubators the user may see.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for pattern, find, attribute, tenant_scope in (
            (SITE_PATH, managed_site, "site", site_scope),
            (INCUBATOR_PATH, managed_incubator, "incubator", incubator_scope),
        ):
            match = pattern.match(request.path_info)
            if match is not None:
                return self._tenant(request, match, find, attribute, tenant_scope)
        with user_scope(request.user):
            return self.get_response(request)

    def _tenant(self, request, match, find, attribute, tenant_scope):
        is_api = bool(match["api"])
        user = request.user
        if not user.is_authenticated and not is_api:
            return redirect_to_login(request.get_full_path())
        tenant = find(user, match["slug"])
        if tenant is None:
            if is_api:
                return JsonResponse({"detail": _("Not found.")}, status=404)
            raise Http404
        setattr(request, attribute, tenant)
        with tenant_scope(tenant):
            return self.get_response(request)
