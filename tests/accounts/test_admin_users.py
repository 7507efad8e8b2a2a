"""Issue 15, finding 6: "Add user" in the Django admin was a 500 (the model's validation
requires a password the form never set)."""

import json

import pytest

from accounts.models import Role, User
from core.models import AuditEntry

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/accounts/user/add/"
PASSWORD = "a-Long-and-rare-passphrase-2027"


def _admin(client, staff):
    client.force_login(staff)
    return client


def test_the_add_page_shows_the_creation_form(client, staff):
    response = _admin(client, staff).get(ADD_URL)
    assert response.status_code == 200
    content = response.content.decode()
    for name in ["email", "full_name", "role", "language", "usable_password", "password1", "password2"]:
        assert f'name="{name}"' in content, name
    assert 'name="is_superuser"' not in content  # rights are given on the change page


def test_adding_a_user_with_a_password(client, staff, unscoped):
    response = _admin(client, staff).post(
        ADD_URL,
        {
            "email": "Nouvelle.Manager@Example.MA",
            "full_name": "Nouvelle Manager",
            "role": Role.SITE_MANAGER,
            "language": "ar",
            "usable_password": "true",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    user = User.objects.get(email="nouvelle.manager@example.ma")
    assert response.status_code == 302
    assert response["Location"] == f"/admin/accounts/user/{user.pk}/change/"
    assert (user.full_name, user.role, user.language) == ("Nouvelle Manager", Role.SITE_MANAGER, "ar")
    assert user.check_password(PASSWORD)
    assert not user.is_staff and not user.is_superuser

    entry = AuditEntry.objects.get(content_type__model="user", object_id=str(user.pk), action="create")
    assert entry.actor == staff
    recorded = json.dumps(entry.changes)
    assert user.password not in recorded and user.calendar_token not in recorded
    assert entry.changes["email"] == [None, "nouvelle.manager@example.ma"]


def test_adding_a_user_who_sets_their_own_password(client, staff):
    response = _admin(client, staff).post(
        ADD_URL, {"email": "mentor.new@example.ma", "role": Role.MENTOR, "language": "fr", "usable_password": "false"}
    )
    assert response.status_code == 302
    user = User.objects.get(email="mentor.new@example.ma")
    assert not user.has_usable_password()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"email": "not-an-address"}, "email"),
        ({"email": "STAFF@example.ma"}, "email"),  # taken (addresses are kept in lower case)
        ({"password2": "something-else-2027"}, "password2"),
        ({"password1": "123", "password2": "123"}, "password2"),  # too short, too common
        ({"usable_password": "true", "password1": "", "password2": ""}, "password1"),
    ],
)
def test_bad_input_shows_the_form_again_with_errors(client, staff, data, field):
    count = User.objects.count()
    post = {
        "email": "someone@example.ma",
        "full_name": "",
        "role": Role.FOUNDER,
        "language": "fr",
        "usable_password": "true",
        "password1": PASSWORD,
        "password2": PASSWORD,
        **data,
    }
    response = _admin(client, staff).post(ADD_URL, post)
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert User.objects.count() == count


def test_the_change_page_still_works(client, staff, founder_a, unscoped):
    url = f"/admin/accounts/user/{founder_a.pk}/change/"
    assert _admin(client, staff).get(url).status_code == 200
    response = client.post(
        url,
        {"email": founder_a.email, "full_name": "Renamed", "role": Role.FOUNDER, "language": "fr", "is_active": "on"},
    )
    assert response.status_code == 302
    founder_a.refresh_from_db()
    assert founder_a.full_name == "Renamed"
