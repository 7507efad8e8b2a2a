from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission


def requires_mfa(user) -> bool:
    """Whether `user` must have TOTP when REQUIRE_STAFF_MFA is on: head office, admin users
    and anyone with a role at a site."""
    from sites.scoping import managed_site_list

    return user.is_head_office or user.is_staff or bool(managed_site_list(user))


# A request's user may carry whether they have TOTP, as of the request's start
# (`remember_totp`, cached with the session by accounts.identity).
TOTP_ATTRIBUTE = "_has_totp"


def has_totp(user) -> bool:
    from allauth.mfa.models import Authenticator

    known = getattr(user, TOTP_ATTRIBUTE, None)
    if known is not None:
        return known
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def remember_totp(user) -> None:
    """Put `has_totp` on a request's user when the staff MFA rule reads it on every request."""
    if settings.REQUIRE_STAFF_MFA and requires_mfa(user):
        setattr(user, TOTP_ATTRIBUTE, has_totp(user))


def head_office_required(view):
    """Head-office staff only: anonymous users go to the login page, others get 403."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not request.user.is_head_office:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def is_site_manager(request) -> bool:
    """Whether the user may change `request.site`'s data (under /manage/<site>/): head
    office, or a manager of that site; committee and team members only read. Cached per
    request."""
    if not hasattr(request, "_is_site_manager"):
        from sites.models import MembershipRole, SiteMembership

        user = request.user
        request._is_site_manager = user.is_head_office or (
            SiteMembership.objects.filter(site=request.site, user=user, role=MembershipRole.MANAGER).exists()
        )
    return request._is_site_manager


def require_site_manager(request) -> None:
    if not is_site_manager(request):
        raise PermissionDenied


class IsHeadOffice(BasePermission):
    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.is_head_office)
