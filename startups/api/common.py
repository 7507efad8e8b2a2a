"""Pieces several resources of the startups API share: today's date and the founder's
rights (writes for founders, checked against the startup in the body)."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions
from rest_framework.permissions import SAFE_METHODS, BasePermission

from ..models import Startup
from ..selectors.visibility import startups_of_member


def today() -> datetime.date:
    return timezone.localdate()


class FounderWrites(BasePermission):
    """Reads for anyone signed in; writes for founders of at least one startup (which one
    is checked against the body)."""

    message = gettext_lazy("Only a startup's founders can do this.")

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        return request.method in SAFE_METHODS or startups_of_member(request.user, founders_only=True).exists()


def founded(user, startup_id: int) -> Startup:
    """The startup with this id if `user` founded it, else 403 (whether it exists or not)."""
    startup = startups_of_member(user, founders_only=True).filter(pk=startup_id).first()
    if startup is None:
        raise exceptions.PermissionDenied(_("You are not a founder of this startup."))
    return startup
