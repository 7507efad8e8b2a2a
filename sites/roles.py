"""What each role at a site may do: the one place where site roles become permissions.

A site membership has a role (`MembershipRole`); a request acts on a site's data with one of
three actions:

- `manage`: change the site's data (calls, offices, services, bookings, attendance...):
  the site's managers and head office;
- `review`: committee work on applications (scoring the ones assigned to you): committee
  members, managers and head office;
- `read`: every member of the site, and head office.

Under `/manage/<site>/…` and `/api/v1/manage/<site>/…` `SiteScopeMiddleware` enforces it
before any view runs, failing closed: safe methods (GET, HEAD, OPTIONS) need `read`, every
other method needs `manage`, unless the view declares the action it needs with
`@site_action(...)` (the committee's review form declares `review`; a form page that only
managers may even open declares `manage`). Flat routes, where the site comes from the object
(`/api/v1/mentor-bookings/<id>/cancel/`), ask `site_permission(user, site_id, action)`, or
use `SitePermission` (DRF, object level). Queries that list the users or sites with an
action use `roles_with(action)`.
"""

from enum import StrEnum
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from rest_framework.permissions import SAFE_METHODS, BasePermission

from .models import MembershipRole, Site
from .scoping import managed_site_list


class SiteAction(StrEnum):
    MANAGE = "manage"
    REVIEW = "review"
    READ = "read"


MANAGE, REVIEW, READ = SiteAction.MANAGE, SiteAction.REVIEW, SiteAction.READ

ROLE_ACTIONS: dict[str, frozenset[SiteAction]] = {
    MembershipRole.MANAGER: frozenset({MANAGE, REVIEW, READ}),
    MembershipRole.COMMITTEE: frozenset({REVIEW, READ}),
    MembershipRole.TEAM: frozenset({READ}),
}
HEAD_OFFICE_ACTIONS = frozenset(SiteAction)
NO_ACTIONS: frozenset[SiteAction] = frozenset()


def roles_with(action: SiteAction) -> list[str]:
    """The membership roles that may do `action` (for queries: `role__in=roles_with(...)`)."""
    return [role for role, actions in ROLE_ACTIONS.items() if action in actions]


def site_actions(user, site_id: int | None, *, request=None) -> frozenset[SiteAction]:
    """What `user` may do at the site `site_id`: everything for head office, their role's
    actions for a member, nothing otherwise (nor for a row of no site). Read from the
    database: the request's memberships (`managed_site_list`, one query per request) when
    `request` is given, else the one membership."""
    if site_id is None or not user.is_authenticated or not user.is_active:
        return NO_ACTIONS
    if user.is_head_office:
        return HEAD_OFFICE_ACTIONS
    if request is not None:
        role = next((site.member_role for site in managed_site_list(user, request=request) if site.pk == site_id), None)
    else:
        memberships = Site.objects.filter(pk=site_id, memberships__user=user)  # Site: not scoped
        role = memberships.values_list("memberships__role", flat=True).first()
    return ROLE_ACTIONS.get(role, NO_ACTIONS)


def actions_at(user, site: Site) -> frozenset[SiteAction]:
    """`site_actions` for a site found by `scoping.managed_site` (which carries the member's
    role): what the middleware puts on a site's requests, without a query."""
    if user.is_head_office:
        return site_actions(user, site.pk)
    return ROLE_ACTIONS.get(getattr(site, "member_role", None), NO_ACTIONS)


def site_permission(user, site_id: int | None, action: SiteAction, *, request=None) -> bool:
    """Whether `user` may do `action` at the site `site_id` (fails closed: unknown role,
    inactive user, no site → False)."""
    return action in site_actions(user, site_id, request=request)


def site_action(action: SiteAction):
    """Declare the action a site-scoped view needs for every method (default: `read` for
    safe methods, `manage` for the others). On a function view or a class-based view."""

    def declare(view):
        view.site_action = SiteAction(action)
        return view

    return declare


def required_action(view_func, method: str) -> SiteAction:
    """The action `method` on `view_func` needs (see `site_action`)."""
    declared = getattr(view_func, "site_action", None)
    if declared is None:  # a class-based view's `as_view()` function
        declared = getattr(getattr(view_func, "view_class", None), "site_action", None)
    if declared is not None:
        return declared
    return READ if method in SAFE_METHODS else MANAGE


def can(request, action: SiteAction) -> bool:
    """Whether the request's user may do `action` at `request.site` (set by the middleware
    under /manage/<site>/), e.g. to hide the buttons of read-only roles."""
    return action in getattr(request, "site_actions", NO_ACTIONS)


class SitePermission(BasePermission):
    """DRF, object level: the object's site (`obj.site_id`) must allow the view's
    `site_action` (default: `read` for safe methods, `manage` for the others); the 403 says
    the view's `site_permission_message` if it has one. Views that do not use `get_object`
    call `self.check_object_permissions(request, obj)`."""

    def has_object_permission(self, request, view, obj):
        action = getattr(view, "site_action", None) or (READ if request.method in SAFE_METHODS else MANAGE)
        if site_permission(request.user, getattr(obj, "site_id", None), action, request=request):
            return True
        self.message = getattr(view, "site_permission_message", None) or self.message
        return False


# --- Head office: the network-level role, above every site ------------------------------
def head_office_required(view):
    """Head-office staff only: anonymous users go to the login page, others get 403."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not request.user.is_head_office:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper
