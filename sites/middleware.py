from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from rest_framework import exceptions

from .roles import actions_at, required_action
from .scoping import incubator_scope, managed_incubator, managed_site, site_scope, user_scope

# The URL keyword that makes a route a tenant's back-office: `/manage/<site_slug>/…` (and
# `/api/v1/manage/<site_slug>/…`), `/incubators/<incubator_slug>/manage/…`.
TENANTS = (
    ("site_slug", managed_site, "site", site_scope),
    ("incubator_slug", managed_incubator, "incubator", incubator_scope),
)


def _api_unauthenticated(request) -> JsonResponse:
    """DRF's 401 for an API call without valid credentials (`WWW-Authenticate: Token`): an
    invalid token (the token middleware left the request anonymous) or none at all."""
    if request.headers.get("Authorization"):
        error = exceptions.AuthenticationFailed(_("Invalid token."))
    else:
        error = exceptions.NotAuthenticated()
    response = JsonResponse({"detail": str(error.detail)}, status=401)
    response["WWW-Authenticate"] = "Token"
    return response


class SiteScopeMiddleware:
    """Runs every view and its template rendering inside a tenant scope.

    `/manage/<slug>/…` and `/api/v1/manage/<slug>/…` are scoped to that one site, after
    checking the user works there (404 for a missing site and for someone else's alike;
    without valid credentials, the login page, or on the API the 401 its schema promises);
    `/incubators/<slug>/manage/…` likewise to one partner incubator, for its managers.
    Every other request is scoped to the sites and incubators the user may see.

    Under a site it also enforces the member's role (`sites.roles`), before the view runs:
    `request.site_actions` says what the user may do there; a safe method needs `read`,
    any other `manage`, unless the view declares its action (`@site_action`). A member
    without it gets 403 (JSON on the API); non-members never get this far (404).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            kwargs = resolve(request.path_info, getattr(request, "urlconf", None)).kwargs
        except Resolver404:  # the handler answers 404, in the user's scope
            kwargs = {}
        for keyword, find, attribute, tenant_scope in TENANTS:
            if keyword in kwargs:
                return self._tenant(request, kwargs[keyword], find, attribute, tenant_scope)
        with user_scope(request.user):
            return self.get_response(request)

    def _tenant(self, request, slug, find, attribute, tenant_scope):
        is_api = request.path_info.startswith("/api/")
        user = request.user
        if not user.is_authenticated:
            if is_api:  # the same 401 for every slug: it tells nothing about which sites exist
                return _api_unauthenticated(request)
            return redirect_to_login(request.get_full_path())
        tenant = find(user, slug, request=request)
        if tenant is None:
            if is_api:
                return JsonResponse({"detail": _("Not found.")}, status=404)
            raise Http404
        setattr(request, attribute, tenant)
        if attribute == "site":
            request.site_actions = actions_at(user, tenant)
        with tenant_scope(tenant):
            return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        actions = getattr(request, "site_actions", None)
        if actions is None:  # not under /manage/<site>/
            return None
        if required_action(view_func, request.method) in actions:
            return None
        if request.path_info.startswith("/api/"):
            return JsonResponse({"detail": str(exceptions.PermissionDenied.default_detail)}, status=403)
        raise PermissionDenied
