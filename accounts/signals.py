"""API tokens (accounts.ApiToken) die with a new password, whichever way it was set, and with
a change of role or site membership (the token's role fingerprint no longer matches: the
authentication would refuse it anyway; revoking it here keeps it dead if the role comes
back).

The "Head office" group (HEAD_OFFICE_GROUP: head office's rights in the Django admin) holds
exactly the active head-office accounts, whatever saves the user: an action, the admin's
form (which sets `groups` after saving the user), a command. Not watched: queryset
`update()`s and changes made from the group's side (`group.user_set`)."""

import logging

from django.contrib.auth.models import Group
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from sites.models import SiteMembership

from .actions import api_tokens_revoke_all, api_tokens_revoke_stale
from .models import HEAD_OFFICE_GROUP, ApiToken, TokenRevocation, User

# What a token's role fingerprint is made of, on the user's row (accounts.selectors).
ROLE_FIELDS = frozenset({"role", "is_active", "is_staff", "is_superuser"})

logger = logging.getLogger(__name__)


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


# What decides whether a user is head office (User.is_head_office).
HEAD_OFFICE_FIELDS = frozenset({"role", "is_active"})


def head_office_group_sync(*, user: User) -> None:
    """Put `user` in the "Head office" group if they are active head office, else take them
    out of it. One query when nothing changes."""
    membership = User.groups.through.objects.filter(user_id=user.pk, group__name=HEAD_OFFICE_GROUP)
    if not user.is_head_office:
        membership.delete()
    elif not membership.exists():
        # The group and its rights come with migration accounts.0005. A database flushed
        # since (a test's) has none: an empty one keeps saving users possible, and says so.
        group, created = Group.objects.get_or_create(name=HEAD_OFFICE_GROUP)
        if created:
            logger.warning("the %s group was missing: created without rights (see accounts.0005)", group.name)
        user.groups.add(group)


@receiver(post_save, sender=User)
def user_head_office_group_follows(sender, instance, created, update_fields=None, raw=False, **kwargs):
    if raw:
        return  # loading a fixture: its rows say which groups
    if update_fields is not None and not HEAD_OFFICE_FIELDS & set(update_fields):
        return  # e.g. the last sign-in's time
    if created and not instance.is_head_office:
        return  # a new account is in no group
    head_office_group_sync(user=instance)


@receiver(m2m_changed, sender=User.groups.through)
def user_groups_keep_head_office(sender, instance, action, reverse, **kwargs):
    # The admin's user form sets `groups` to what it posted after the user was saved.
    if not reverse and action in ("post_add", "post_remove", "post_clear"):
        head_office_group_sync(user=instance)


@receiver([post_save, post_delete], sender=SiteMembership)
def membership_tokens_follow(sender, instance, **kwargs):
    if _has_live_tokens(instance.user_id):
        user = User.objects.filter(pk=instance.user_id).first()
        if user is not None:
            api_tokens_revoke_stale(user=user)
