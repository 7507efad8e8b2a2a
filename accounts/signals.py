"""API tokens (accounts.ApiToken) die with a new password, whichever way it was set, and with
a change of role or site membership (the token's role fingerprint no longer matches: the
authentication would refuse it anyway; revoking it here keeps it dead if the role comes
back)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from sites.models import SiteMembership

from .actions import api_tokens_revoke_all, api_tokens_revoke_stale
from .models import ApiToken, TokenRevocation, User

# What a token's role fingerprint is made of, on the user's row (accounts.selectors).
ROLE_FIELDS = frozenset({"role", "is_active", "is_staff", "is_superuser"})


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
