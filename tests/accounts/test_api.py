from django.conf import settings

from tests.factories import UserFactory


def test_token_then_me(client, manager_a, site_a):
    response = client.post("/api/v1/auth/token/", {"email": "MANAGER.A@example.ma", "password": settings.DEMO_PASSWORD})
    assert response.status_code == 200, response.content
    token = response.json()["token"]
    me = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}")
    assert me.status_code == 200
    assert me.json()["email"] == "manager.a@example.ma"
    assert me.json()["memberships"] == [{"site": "site-a", "role": "manager"}]
    # The same token opens the site-scoped API of its own site, not another one.
    assert client.get("/api/v1/manage/site-a/members/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 200
    assert client.get("/api/v1/manage/site-b/members/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 404


def test_every_token_request_gives_a_new_working_token(client, manager_a):
    data = {"email": manager_a.email, "password": settings.DEMO_PASSWORD, "name": "cron"}
    first, second = (client.post("/api/v1/auth/token/", data).json() for _ in range(2))
    assert first["token"] != second["token"] and first["id"] != second["id"]
    assert first["expires_at"]
    for key in (first["token"], second["token"]):
        assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200


def test_token_refused_for_wrong_password_and_unverified_email(client, db):
    UserFactory(email="new@example.ma", verified=False)
    wrong = client.post("/api/v1/auth/token/", {"email": "new@example.ma", "password": "nope-nope-nope"})
    assert wrong.status_code == 400
    unverified = client.post("/api/v1/auth/token/", {"email": "new@example.ma", "password": settings.DEMO_PASSWORD})
    assert unverified.status_code == 400
    assert "detail" in unverified.json()


def test_token_request_validation_is_json(client, db):
    response = client.post("/api/v1/auth/token/", {"email": "not-an-email"})
    assert response.status_code == 400
    assert set(response.json()) == {"email", "password"}


def test_invalid_token_is_401(client, db):
    response = client.get("/api/v1/me/", HTTP_AUTHORIZATION="Token nope")
    assert response.status_code == 401


def test_members_api_lists_only_the_site_team(client, manager_a, manager_b, staff):
    client.force_login(staff)
    response = client.get("/api/v1/manage/site-a/members/")
    assert [member["email"] for member in response.json()["results"]] == ["manager.a@example.ma"]


def test_sites_api_filters(client, site_a, site_b):
    response = client.get("/api/v1/sites/?region=MA-04")
    assert [site["slug"] for site in response.json()["results"]] == ["site-b"]
    regions = client.get("/api/v1/regions/").json()
    assert regions["count"] == 12
    assert regions["results"][0]["code"] == "MA-01"


def test_sites_api_is_constant_in_queries(client, db, django_assert_max_num_queries):
    from tests.factories import SiteFactory

    SiteFactory()
    with django_assert_max_num_queries(4):
        client.get("/api/v1/sites/")
    SiteFactory.create_batch(49)
    with django_assert_max_num_queries(4):
        response = client.get("/api/v1/sites/")
    assert response.json()["count"] == 50
