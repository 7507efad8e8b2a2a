"""At most 100 failed logins per hour per account, on every login path."""

from django.conf import settings

from tests.factories import UserFactory

LIMIT = 100


def _ip(n: int) -> str:
    # A different address each time: this proves the per-account limit, not the per-IP one.
    return f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"


def test_login_page_refuses_the_101st_attempt_even_with_the_right_password(client, db):
    user = UserFactory(email="target@example.ma")
    for n in range(LIMIT):
        response = client.post(
            "/accounts/login/", {"login": user.email, "password": "wrong-password"}, REMOTE_ADDR=_ip(n)
        )
        assert response.status_code == 200
        assert "_auth_user_id" not in client.session
    response = client.post(
        "/accounts/login/", {"login": user.email, "password": settings.DEMO_PASSWORD}, REMOTE_ADDR=_ip(LIMIT)
    )
    assert "_auth_user_id" not in client.session
    assert response.status_code == 200
    assert response.context["form"].errors


def test_failures_on_another_account_do_not_lock_this_one(client, db):
    user = UserFactory(email="target@example.ma")
    for n in range(LIMIT):
        client.post("/accounts/login/", {"login": "other@example.ma", "password": "x" * 12}, REMOTE_ADDR=_ip(n))
    response = client.post(
        "/accounts/login/", {"login": user.email, "password": settings.DEMO_PASSWORD}, REMOTE_ADDR=_ip(LIMIT)
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_api_token_path_shares_the_limit(client, db):
    user = UserFactory(email="target@example.ma")
    for n in range(LIMIT):
        response = client.post(
            "/api/v1/auth/token/", {"email": user.email, "password": "wrong-password"}, REMOTE_ADDR=_ip(n)
        )
        assert response.status_code == 400
    response = client.post(
        "/api/v1/auth/token/", {"email": user.email, "password": settings.DEMO_PASSWORD}, REMOTE_ADDR=_ip(LIMIT)
    )
    assert response.status_code == 429
    assert "detail" in response.json()


def test_login_page_failures_count_for_the_api_too(client, db):
    user = UserFactory(email="target@example.ma")
    for n in range(LIMIT):
        client.post("/accounts/login/", {"login": user.email, "password": "wrong-password"}, REMOTE_ADDR=_ip(n))
    response = client.post(
        "/api/v1/auth/token/", {"email": user.email, "password": settings.DEMO_PASSWORD}, REMOTE_ADDR=_ip(LIMIT)
    )
    assert response.status_code == 429


def test_admin_login_goes_through_allauth(client, db):
    user = UserFactory(email="admin@example.ma", is_staff=True, is_superuser=True)
    response = client.post("/admin/login/", {"username": user.email, "password": settings.DEMO_PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session
