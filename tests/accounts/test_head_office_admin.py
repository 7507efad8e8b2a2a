"""Issue 18: head office (not a superuser) works in the Django admin through the "Head office"
group (migration accounts.0005): the outbox, the audit trail, users, sites. Every active
head-office account is in the group and has admin access, and only they are."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from accounts.demo import DOMAIN
from accounts.models import HEAD_OFFICE_GROUP, Role, User
from core.models import OutboxMessage
from tests.factories import UserFactory
from tests.querycount import ListRoute, check_list_route
from tests.sites.test_list_queries import membership_row, region_row, sector_row, site_row
from tests.technopark.test_list_queries import audit_row, outbox_row

from .test_list_queries import user_row

pytestmark = pytest.mark.django_db

# What the group may do, as migration accounts.0005 documents it: nothing is deleted.
GROUP_PERMISSIONS = {
    "core.view_outboxmessage",
    "core.view_auditentry",
    "accounts.view_user",
    "accounts.change_user",
    "tp_sites.view_region",
    "tp_sites.change_region",
    *(
        f"tp_sites.{verb}_{model}"
        for verb in ["view", "add", "change"]
        for model in ["sector", "site", "sitemembership"]
    ),
}
CHANGELISTS = [
    "/admin/core/outboxmessage/",
    "/admin/core/auditentry/",
    "/admin/accounts/user/",
    "/admin/tp_sites/site/",
    "/admin/tp_sites/region/",
    "/admin/tp_sites/sector/",
    "/admin/tp_sites/sitemembership/",
]


@pytest.fixture
def head_office(db):
    """Head-office staff as the role makes them: not a superuser, no rights of their own."""
    return UserFactory(email="head.office@example.ma", role=Role.HEAD_OFFICE)


def _in_group(user) -> bool:
    return user.groups.filter(name=HEAD_OFFICE_GROUP).exists()


def test_the_group_gives_what_head_office_needs_and_nothing_to_delete():
    group = Group.objects.get(name=HEAD_OFFICE_GROUP)
    granted = {
        f"{app}.{codename}" for app, codename in group.permissions.values_list("content_type__app_label", "codename")
    }
    assert granted == GROUP_PERMISSIONS


def test_head_office_is_in_the_group_with_admin_access(head_office, manager_a, founder_a):
    assert head_office.is_staff and not head_office.is_superuser
    assert _in_group(head_office)
    assert head_office.has_perm("core.view_outboxmessage") and not head_office.has_perm("accounts.delete_user")
    assert not _in_group(manager_a) and not manager_a.is_staff
    assert not _in_group(founder_a)


@pytest.mark.parametrize("url", ["/admin/", *CHANGELISTS])
def test_head_office_opens_the_admin(client, head_office, url):
    client.force_login(head_office)
    response = client.get(url)
    assert response.status_code == 200
    assert "permission to view or edit anything" not in response.content.decode()


def test_the_admin_index_lists_head_offices_models_only(client, head_office):
    client.force_login(head_office)
    content = client.get("/admin/").content.decode()
    for url in CHANGELISTS:
        assert f'href="{url}"' in content, url
    assert 'href="/admin/accounts/apitoken/"' not in content
    assert 'href="/admin/auth/group/"' not in content


def test_head_office_reads_a_message_of_the_outbox(client, head_office):
    message = OutboxMessage.objects.create(
        to=["someone@example.ma"], subject="Votre réservation", body="Bonjour", status="failed", last_error="timeout"
    )
    client.force_login(head_office)
    response = client.get(f"/admin/core/outboxmessage/{message.pk}/change/")
    assert response.status_code == 200
    assert "timeout" in response.content.decode()
    assert client.post(f"/admin/core/outboxmessage/{message.pk}/change/", {"subject": "x"}).status_code == 403
    assert client.get(f"/admin/core/outboxmessage/{message.pk}/delete/").status_code == 403


def test_head_office_may_not_delete_nor_add_users(client, head_office, founder_a):
    client.force_login(head_office)
    assert client.get(f"/admin/accounts/user/{founder_a.pk}/delete/").status_code == 403
    assert client.post(f"/admin/accounts/user/{founder_a.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/admin/accounts/user/add/").status_code == 403
    assert User.objects.filter(pk=founder_a.pk).exists()


def test_head_office_changes_a_user_but_not_their_rights(client, head_office, founder_a):
    url = f"/admin/accounts/user/{founder_a.pk}/change/"
    client.force_login(head_office)
    content = client.get(url).content.decode()
    assert 'name="role"' in content
    for name in ["is_superuser", "groups", "user_permissions"]:
        assert f'name="{name}"' not in content, name
    response = client.post(
        url,
        {
            "email": founder_a.email,
            "full_name": "Renamed",
            "role": Role.FOUNDER,
            "language": "fr",
            "is_active": "on",
            "is_superuser": "on",
        },
    )
    assert response.status_code == 302
    founder_a.refresh_from_db()
    assert founder_a.full_name == "Renamed" and not founder_a.is_superuser


def test_head_office_may_not_take_over_a_superusers_account(client, head_office, staff):
    url = f"/admin/accounts/user/{staff.pk}/change/"
    client.force_login(head_office)
    assert client.get(url).status_code == 200  # to read
    response = client.post(url, {"email": "taken@example.ma", "role": Role.HEAD_OFFICE, "language": "fr"})
    assert response.status_code == 403
    staff.refresh_from_db()
    assert staff.email == "staff@example.ma"


@pytest.mark.parametrize("url", ["/admin/", "/admin/core/outboxmessage/", "/admin/tp_sites/site/"])
def test_a_site_manager_stays_out_of_the_admin(client, manager_a, url):
    client.force_login(manager_a)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert client.get(response["Location"]).status_code == 403


# --- The group follows the role ------------------------------------------------------------
def test_a_role_change_away_from_head_office_leaves_the_group(head_office):
    head_office.role = Role.SITE_MANAGER
    head_office.save(update_fields=["role"])
    assert not _in_group(head_office)
    head_office.role = Role.HEAD_OFFICE
    head_office.save(update_fields=["role"])
    assert _in_group(head_office)


def test_a_deactivated_head_office_account_leaves_the_group(head_office):
    head_office.is_active = False
    head_office.save()
    assert not _in_group(head_office)


def test_the_admins_form_moves_a_user_in_and_out_of_the_group(client, staff, founder_a):
    """The form posts `groups` (empty here) after saving the user: the role still decides."""
    url = f"/admin/accounts/user/{founder_a.pk}/change/"
    data = {"email": founder_a.email, "full_name": "", "language": "fr", "is_active": "on", "groups": []}
    client.force_login(staff)
    assert client.post(url, {**data, "role": Role.HEAD_OFFICE}).status_code == 302
    founder_a.refresh_from_db()
    assert founder_a.is_staff and _in_group(founder_a)

    assert client.post(url, {**data, "role": Role.SITE_MANAGER, "is_staff": "on"}).status_code == 302
    founder_a.refresh_from_db()
    assert not _in_group(founder_a)


def test_the_group_is_not_given_by_hand(client, staff, founder_a):
    group = Group.objects.get(name=HEAD_OFFICE_GROUP)
    founder_a.groups.add(group)
    assert not _in_group(founder_a)
    url = f"/admin/accounts/user/{founder_a.pk}/change/"
    client.force_login(staff)
    data = {"email": founder_a.email, "role": Role.FOUNDER, "language": "fr", "is_active": "on", "groups": [group.pk]}
    assert client.post(url, data).status_code == 302
    assert not _in_group(founder_a)


def test_seed_demos_staff_works_in_the_admin(client, settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=None)
    staff = User.objects.get(email=f"staff@{DOMAIN}")
    assert _in_group(staff) and staff.is_staff and not staff.is_superuser
    client.force_login(staff)
    assert client.get("/admin/core/outboxmessage/").status_code == 200


# --- Head office's lists scale ---------------------------------------------------------------
def head_office_setup(ctx) -> dict:
    return {"head_office": UserFactory(role=Role.HEAD_OFFICE)}


@pytest.mark.parametrize(
    ("url", "row"),
    [
        ("/admin/core/outboxmessage/", outbox_row),
        ("/admin/core/auditentry/", audit_row),
        ("/admin/accounts/user/", user_row),
        ("/admin/tp_sites/site/", site_row),
        ("/admin/tp_sites/region/", region_row),
        ("/admin/tp_sites/sector/", sector_row),
        ("/admin/tp_sites/sitemembership/", membership_row),
    ],
)
def test_head_offices_lists_do_not_grow_with_rows(url, row, client, personas, site_a, site_b):
    route = ListRoute(url, url, "head_office", row, head_office_setup)
    check_list_route(route, client=client, personas=personas, site_a=site_a, site_b=site_b)
