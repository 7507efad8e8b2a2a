"""What a cached identity (accounts.identity) is made of moves its stamps on when it
changes: every write goes through `save`/`delete` (a queryset's `delete` sends these
signals too) or, for users, through `UserQuerySet.update`.

API tokens (accounts.ApiToken) die with a new password, whichever way it was set, and with
a change of role or site membership (the token's role fingerprint no longer matches: the
authentication would refuse it anyway; revoking it here keeps it dead if the role comes
back)."""

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from sites.models import Region, Site, SiteMembership

from .actions import api_tokens_revoke_all, api_tokens_revoke_stale
from .identity import identity_changed, sessions_changed
from .models import ApiToken, TokenRevocation, User, UserSession

# What a token's role fingerprint is made of, on the user's row (accounts.selectors).
ROLE_FIELDS = frozenset({"role", "is_active", "is_staff", "is_superuser"})


@receiver([post_save, post_delete], sender=User)
def user_changed(sender, instance, **kwargs):
    identity_changed(instance.pk)


@receiver([post_save, post_delete], sender=UserSession)
def session_row_changed(sender, instance, **kwargs):
    """A sign-out, a revocation, new last activity: that session's identity only."""
    sessions_changed(instance.session_key)


@receiver([post_save, post_delete], sender=SiteMembership)
@receiver([post_save, post_delete], sender=Authenticator)
def user_row_changed(sender, instance, **kwargs):
    identity_changed(instance.user_id)


@receiver(post_save, sender=Site)
@receiver(post_save, sender=Region)
def site_changed(sender, instance, **kwargs):
    """The people who work at the site (or the region's sites) carry it with their identity;
    a deleted site's memberships go first, each with its own signal."""
    if not settings.IDENTITY_CACHE_SECONDS:
        return
    sites = Site.objects.filter(pk=instance.pk) if sender is Site else Site.objects.filter(region=instance)
    identity_changed(*{pk for pk in sites.values_list("memberships__user", flat=True) if pk is not None})


def _has_live_tokens(user_pk) -> bool:
    return ApiToken.objects.filter(user_id=user_pk, revoked_at__isnull=True).exists()


@receiver(post_save, sender=User)
def user_tokens_follow(sender, instance, created, update_fields=None, **kwargs):
    if created:
        return
    # `set_password` (password change and reset, the admin's form, `changepassword`) leaves
    # the new password on `_password` until the save is done; a hasher upgrade at sign-in
    # does not (Django clears it before that save).
    if getattr(instance, "_password", None) is not None:
        if _has_live_tokens(instance.pk):
            api_tokens_revoke_all(user=instance, reason=TokenRevocation.PASSWORD)
        return
    if update_fields is not None and not ROLE_FIELDS & set(update_fields):
        return  # e.g. the last sign-in's time
    if _has_live_tokens(instance.pk):
        api_tokens_revoke_stale(user=instance)


@receiver([post_save, post_delete], sender=SiteMembership)
def membership_tokens_follow(sender, instance, **kwargs):
    if _has_live_tokens(instance.user_id):
        user = User.objects.filter(pk=instance.user_id).first()
        if user is not None:
            api_tokens_revoke_stale(user=user)
