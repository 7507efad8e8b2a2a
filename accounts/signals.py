"""What a cached identity (accounts.identity) is made of moves its stamps on when it
changes: every write goes through `save`/`delete` (a queryset's `delete` sends these
signals too) or, for users, through `UserQuerySet.update`."""

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from sites.models import Region, Site, SiteMembership

from .identity import identity_changed, sessions_changed
from .models import User, UserSession


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
