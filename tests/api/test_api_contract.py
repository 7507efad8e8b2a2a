"""The API keeps the promises of its schema (the findings of the schemathesis run, each
pinned by a plain test): the back-office answers 401 to anonymous callers, NUL characters
and non-object bodies are a 400, amounts are the strings the schema describes, and every
operation documents the errors the kernel gives (core/schema.py)."""

import pytest
from django.test import Client

from core.schema import NO_NUL_PATTERN

MEMBERS = "/api/v1/manage/{slug}/members/"


def _schema() -> dict:
    response = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


# --- The back-office API: 401 for anonymous callers, 404 for strangers ---------------------
@pytest.mark.parametrize("slug", ["site-a", "no-such-site"])
def test_anonymous_callers_of_the_back_office_api_get_401(client, site_a, slug):
    response = client.get(MEMBERS.format(slug=slug))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert set(response.json()) == {"detail"}


@pytest.mark.parametrize("slug", ["site-a", "no-such-site"])
def test_an_invalid_token_on_the_back_office_api_is_401_alike(client, site_a, slug):
    response = client.get(MEMBERS.format(slug=slug), HTTP_AUTHORIZATION="Token not-a-token")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_every_site_answers_anonymous_callers_the_same(client, site_a):
    """The 401 tells nothing about which sites exist."""
    existing = client.get(MEMBERS.format(slug="site-a"))
    missing = client.get(MEMBERS.format(slug="no-such-site"))
    assert (existing.status_code, existing.json()) == (missing.status_code, missing.json())


@pytest.mark.parametrize("persona", ["outsider", "founder_a", "manager_b"])
def test_signed_in_strangers_still_get_404(client_for, personas, persona):
    assert client_for(persona).get(MEMBERS.format(slug="site-a")).status_code == 404


# --- NUL characters ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("/api/v1/sites/?region=%00", "region"),  # a parameter no serializer reads
        ("/api/v1/services/?q=a%00b", "q"),
        ("/api/v1/calls/?x%00=1", "detail"),  # in a name
    ],
)
def test_a_nul_character_in_the_query_string_is_a_400(client, db, url, key):
    response = client.get(url)
    assert response.status_code == 400
    assert set(response.json()) == {key}


def test_a_nul_character_in_a_body_string_is_a_400(client, db):
    response = client.post(
        "/api/v1/auth/token/", {"email": "a@example.ma", "password": "x\x00y"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "password" in response.json()


# --- Bodies are objects -------------------------------------------------------------------------
TOKEN = "/api/v1/auth/token/"


@pytest.mark.parametrize("body", ["abc", "[1, 2]", "0", "email"])
def test_a_form_body_that_is_not_key_value_pairs_is_a_400(client, db, body):
    response = client.post(TOKEN, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert set(response.json()) == {"detail"}


@pytest.mark.parametrize("value", ["abc", "[1, 2]", "0", "{'email': 'a@example.ma'}"])
def test_a_multipart_body_that_is_not_named_fields_is_a_400(client, db, value):
    body = f"--b0\r\n{value}--b0--\r\n"
    response = client.post(TOKEN, body, content_type="multipart/form-data; boundary=b0")
    assert response.status_code == 400
    assert set(response.json()) == {"detail"}


def test_forms_and_multipart_objects_still_work(client, db):
    """Well-formed forms reach the view (here: its field errors, not a parse error)."""
    for response in (
        client.post(TOKEN, "email=&password=", content_type="application/x-www-form-urlencoded"),
        client.post(TOKEN, {"email": "", "password": ""}),  # multipart
        client.post(TOKEN, "--b0--\r\n", content_type="multipart/form-data; boundary=b0"),  # an empty object
    ):
        assert response.status_code == 400
        assert set(response.json()) == {"email", "password"}


# --- Amounts are the strings the schema describes ----------------------------------------------
@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ({"funds_raised_mad": 0}, "application/json"),  # a number
        ({"funds_raised_mad": "1e3"}, "application/json"),
        ({"funds_raised_mad": ""}, None),  # an empty multipart field is not "absent"
    ],
)
def test_amounts_must_match_their_pattern(client_for, world, body, content_type):
    client = client_for("founder_a")
    data = {"startup": world["startup_a"], "fiscal_year": 2020, **body}
    if content_type is None:
        response = client.post("/api/v1/declarations/", data)
    else:
        response = client.post("/api/v1/declarations/", data, content_type=content_type)
    assert response.status_code == 400
    assert "funds_raised_mad" in response.json()


def test_an_empty_last_value_without_its_crlf_is_still_a_value(client_for, world):
    """Werkzeug (schemathesis' WSGI client) writes an empty value as `name="x"` CRLF CRLF
    `--boundary`: Django alone would drop the field, and the amount would pass as absent."""
    fields = {"startup": world["startup_a"], "fiscal_year": 2020}
    body = "".join(f'--b0\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n' for k, v in fields.items())
    body += '--b0\r\nContent-Disposition: form-data; name="funds_raised_mad"\r\n\r\n--b0--\r\n'
    response = client_for("founder_a").post(
        "/api/v1/declarations/", body, content_type="multipart/form-data; boundary=b0"
    )
    assert response.status_code == 400
    assert "funds_raised_mad" in response.json()


# --- The schema documents the kernel's errors -----------------------------------------------------
def test_every_operation_documents_the_errors_the_kernel_gives(db):
    schema = _schema()
    operations = {
        (method.upper(), path): operation
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    }
    assert operations
    for (method, path), operation in operations.items():
        codes = set(operation["responses"])
        assert "400" in codes, (method, path)
        if path != TOKEN:  # it takes no credentials
            assert {"401", "403"} <= codes, (method, path)
        if method == "POST":
            assert "413" in codes, (method, path)
        if "{" in path:
            assert "404" in codes, (method, path)
    assert "429" in operations[("POST", TOKEN)]["responses"]  # throttled
    assert "401" in operations[("GET", MEMBERS.replace("{slug}", "{site_slug}"))]["responses"]


def test_request_strings_say_that_nul_is_invalid(db):
    schema = _schema()
    startups = schema["paths"]["/api/v1/startups/"]["get"]["parameters"]
    assert {p["name"]: p["schema"] for p in startups}["q"]["pattern"] == NO_NUL_PATTERN
    token_request = schema["components"]["schemas"]["TokenRequestRequest"]["properties"]
    assert token_request["password"]["pattern"] == NO_NUL_PATTERN
    # Slugs keep their own (stricter) pattern.
    assert {p["name"]: p["schema"] for p in startups}["sector"]["pattern"] == r"^[-a-zA-Z0-9_]+$"
