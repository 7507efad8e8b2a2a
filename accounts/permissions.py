from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _
from rest_framework.permissions import BasePermission


def requires_mfa(user, *, request=None) -> bool:
    """Whether `user` must have TOTP when REQUIRE_STAFF_MFA is on: head office, admin users
    and anyone with a role at a site (the request's memberships when `request` is given:
    read once per request, shared with the navigation and the tenancy check)."""
    from sites.scoping import managed_site_list

    return user.is_head_office or user.is_staff or bool(managed_site_list(user, request=request))


# Whether the request's user has TOTP, read with their row (accounts.sessions, accounts.
# authentication): (user pk, answer), on the request, for that request only.
REQUEST_TOTP = "_tp_has_totp"


def totp_exists(user_ref: str = "pk") -> Exists:
    """EXISTS "the user at `user_ref` (an outer query's field) has TOTP", to read it with the
    user's row in the same query (an index lookup on the authenticator's user)."""
    from allauth.mfa.models import Authenticator

    return Exists(Authenticator.objects.filter(user=OuterRef(user_ref), type=Authenticator.Type.TOTP))


def has_totp(user, *, request=None) -> bool:
    """Read from the database for every request (never cached: it decides what the user may
    use): with the user's row when the request read it so, else by its own query."""
    from allauth.mfa.models import Authenticator

    if request is not None:
        known = getattr(getattr(request, "_request", request), REQUEST_TOTP, None)
        if known is not None and known[0] == user.pk:
            return known[1]
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def mfa_enrolment_missing(user, *, request=None) -> bool:
    """The one MFA rule of every signed-in request, pages and API alike (session or token):
    with REQUIRE_STAFF_MFA on, an account that `requires_mfa` and has no TOTP may use
    nothing but the MFA and sign-out pages. accounts.middleware.RequireStaffMFAMiddleware
    applies it to every request (a redirect to TOTP enrolment on pages, 403 JSON on the
    API) and accounts.authentication to every DRF view, whatever its URL."""
    return bool(
        settings.REQUIRE_STAFF_MFA
        and user is not None
        and user.is_authenticated
        and requires_mfa(user, request=request)
        and not has_totp(user, request=request)
    )


def mfa_gate_blocks(request, user) -> bool:
    """`mfa_enrolment_missing(user)`, worked out once per request (the middleware and DRF's
    authentication both ask). `request`: Django's request or DRF's."""
    if not settings.REQUIRE_STAFF_MFA:
        return False  # without reading `user`: it may be lazy (accounts.middleware)
    request = getattr(request, "_request", request)
    known = getattr(request, "_mfa_gate", None)
    if known is None or known[0] != user.pk:
        known = (user.pk, mfa_enrolment_missing(user, request=request))
        request._mfa_gate = known
    return known[1]


def mfa_required_message() -> str:
    return _("Two-factor authentication is required for this account: set it up on the portal first.")


# What a site role may do at its site (manage, review, read) is decided in one place:
# `sites.roles`, enforced for every /manage/<site>/ request by `sites.middleware`.


class IsHeadOffice(BasePermission):
    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.is_head_office)
