"""The "Head office" group: what head office may do in the Django admin (issue 18), and every
active head-office account in it (with admin access, `is_staff`). From now on User.save and
accounts.signals keep the group's members in step with the role.

Its permissions, the least head office needs there (the portal's own pages do the rest):

- core: view outgoing messages (the outbox: status, attempts, last error; the admin has no
  resend action, the flush retries on its own) and view the audit trail. Neither is ever
  changed nor deleted by hand.
- accounts: view and change users (name, role, language, active, admin access). Not add
  (accounts are made by sign-up and invitations), not delete (an account is anonymised on
  its owner's request, never deleted: the history keeps its rows). Superuser status, groups
  and single permissions stay read-only for anyone but a superuser, and a superuser's
  account cannot be changed by anyone else (accounts.admin.UserAdmin).
- tp_sites: view and change regions (the 12 regions of Morocco, by ISO code: renamed,
  never added); view, add and change sectors, sites and site memberships. Nothing deleted
  (a site is closed by its status; a role is removed on the site's team page, which tells
  the person). Partners and partner incubators are not in the admin: head office runs them
  on the portal's network pages, so no permission is given for them.

Fixed here rather than imported, like any migration: a later change is a new migration.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Head office"  # accounts.models.HEAD_OFFICE_GROUP
HEAD_OFFICE = "head_office"  # accounts.models.Role.HEAD_OFFICE
PERMISSIONS = {
    "core": ["view_outboxmessage", "view_auditentry"],
    "accounts": ["view_user", "change_user"],
    "tp_sites": [
        "view_region",
        "change_region",
        "view_sector",
        "add_sector",
        "change_sector",
        "view_site",
        "add_site",
        "change_site",
        "view_sitemembership",
        "add_sitemembership",
        "change_sitemembership",
    ],
}


def head_office_group_create(apps, schema_editor):
    using = schema_editor.connection.alias
    # On a new database the permissions are created after the last migration
    # (post_migrate): create those of the apps named here now.
    for label in PERMISSIONS:
        create_permissions(global_apps.get_app_config(label), apps=apps, verbosity=0, using=using)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    User = apps.get_model("accounts", "User")

    group, _ = Group.objects.using(using).get_or_create(name=GROUP)
    permissions = []
    for label, codenames in PERMISSIONS.items():
        found = list(Permission.objects.using(using).filter(content_type__app_label=label, codename__in=codenames))
        missing = set(codenames) - {permission.codename for permission in found}
        if missing:
            raise RuntimeError(f"permissions missing for {label}: {sorted(missing)}")
        permissions += found
    group.permissions.set(permissions)

    head_office = User.objects.using(using).filter(role=HEAD_OFFICE, is_active=True)
    head_office.filter(is_staff=False).update(is_staff=True)
    group.user_set.add(*head_office)


def head_office_group_delete(apps, schema_editor):
    # The members' admin access stays: it may have been given before this migration.
    apps.get_model("auth", "Group").objects.using(schema_editor.connection.alias).filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_api_token"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0001_initial"),
        ("tp_sites", "0006_partners_and_incubators_from_services"),
    ]

    operations = [migrations.RunPython(head_office_group_create, head_office_group_delete)]
