"""Input limits (issue 15, finding 4 and part of 6): JSON depth, size and shape; the request
size cap of each route, refused from Content-Length before the body is read; names isolated
from the text around them (U+202E)."""

import io
import json
import os

import pytest
from django.core import mail
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.test import RequestFactory
from django_scopes import scopes_disabled
from PIL import Image

from core import api
from core.emails import email_send_on_commit
from core.limits import route_request_cap
from core.models import OutboxMessage
from core.parsers import JSONBodyError, json_depth, load_json_object
from core.validators import MAX_LOGO_BYTES, MAX_PITCH_DECK_BYTES
from services.models import Registration
from startups.importer import MAX_FILE_BYTES
from startups.models import Office, Startup

MB = 1024 * 1024
NESTED = "[" * 50_000 + "]" * 50_000
TOKEN_URL = "/api/v1/auth/token/"
RLO_NAME = "abc\u202edef"


@pytest.fixture(autouse=True)
def _english(client):
    client.cookies["django_language"] = "en"


def post_json(client, url, body: str, **extra):
    return client.post(url, body, content_type="application/json", **extra)


# --- JSON: depth, shape, size ----------------------------------------------------------------
def test_depth_is_measured_linearly_and_ignores_brackets_in_strings():
    assert json_depth("{}") == 1
    assert json_depth('"x"') == 0
    assert json_depth('{"a": [1, {"b": "[[[[\\"[[{"}]}') == 3
    assert json_depth(NESTED) == 50_000


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("[1, 2]", "must be an object"),
        ('"text"', "must be an object"),
        ("42", "must be an object"),
        ("null", "must be an object"),
        ('{"a": NaN}', "not valid JSON"),
        ("{", "not valid JSON"),
        (b"\xff\xfe", "not valid UTF-8"),
        ('{"a": ' * 33 + "1" + "}" * 33, "nested too deeply"),
    ],
)
def test_load_json_object_refuses(raw, message):
    from django.utils import translation

    with translation.override("en"), pytest.raises(JSONBodyError, match=message):
        load_json_object(raw)


def test_load_json_object_accepts_32_levels():
    raw = '{"a": ' * 31 + '["[[[[[[["]' + "}" * 31
    assert json_depth(raw) == 32
    assert load_json_object(raw)["a"]["a"]


@pytest.mark.django_db
def test_deeply_nested_json_to_the_token_endpoint_is_a_400(client):
    # Before: RecursionError in json.loads, a 500.
    response = post_json(client, TOKEN_URL, NESTED)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "The JSON body is nested too deeply: 32 levels at most."}


@pytest.mark.django_db
@pytest.mark.parametrize("body", ["[]", '["a@example.ma", "secret"]', '"text"', "3", "null"])
def test_a_body_that_is_not_an_object_is_a_400(client, body):
    response = post_json(client, TOKEN_URL, body)
    assert response.status_code == 400
    assert response.json() == {"detail": "The JSON body must be an object ({…})."}


@pytest.mark.django_db
def test_nested_or_non_object_json_to_an_authenticated_endpoint_is_a_400(client_for, world):
    client = client_for("founder_a")
    for body in (NESTED, "[1]"):
        response = post_json(client, "/api/v1/applications/", body)
        assert response.status_code == 400
        assert set(response.json()) == {"detail"}
    # An object goes on to the serializer as before.
    response = post_json(client, "/api/v1/applications/", json.dumps({"startup": "x"}))
    assert response.status_code == 400 and "detail" not in response.json()


@pytest.mark.django_db
def test_a_json_body_over_the_size_limit_is_a_413(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"email": "a@example.ma", "password": "x" * 2000})
    response = post_json(client, TOKEN_URL, body)
    assert response.status_code == 413
    assert response.json() == {"detail": "The request is too large: 1000\xa0bytes at most."}


# --- Request size caps -----------------------------------------------------------------------
# The test client's FakePayload raises if anything reads more bytes than the body has: a
# Content-Length larger than the body it comes with also proves the body was never read.
@pytest.mark.django_db
def test_an_over_cap_content_length_on_a_form_is_a_413_before_the_view(client_for, site_a):
    client = client_for("manager_a")
    data = {"number": "B-12", "floor": "1", "area_m2": "20", "seats": "4", "monthly_rent_mad": "1000"}
    response = client.post("/manage/site-a/offices/new/", data, CONTENT_LENGTH=str(2 * MB))
    assert response.status_code == 413
    assert "Request too large" in response.content.decode()
    assert "The request is too large: 1.0\xa0MB at most." in response.content.decode()
    assert response.templates[0].name == "413.html"
    with scopes_disabled():
        assert not Office.objects.exists()


@pytest.mark.django_db
def test_an_over_cap_content_length_on_the_api_is_a_413_json(client):
    response = post_json(client, TOKEN_URL, '{"email": "a@example.ma"}', CONTENT_LENGTH=str(60 * MB))
    assert response.status_code == 413
    assert response.json() == {"detail": "The request is too large: 1.0\xa0MB at most."}


@pytest.mark.django_db
def test_an_upload_route_has_a_larger_cap_but_not_an_endless_one(client_for):
    client = client_for("outsider")
    response = client.post("/startups/new/", {"legal_name": "X"}, CONTENT_LENGTH=str(60 * MB))
    assert response.status_code == 413
    assert "3.0\xa0MB" in response.content.decode()  # 1 MB of fields + a 2 MB logo
    assert not Startup.objects.exists()


@pytest.mark.django_db
def test_an_upload_route_accepts_a_body_under_its_cap(client_for):
    client = client_for("outsider")
    image = Image.frombytes("RGB", (640, 640), os.urandom(640 * 640 * 3))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    assert MB < len(buffer.getvalue()) < MAX_LOGO_BYTES  # over the default cap, under the logo's
    logo = SimpleUploadedFile("logo.png", buffer.getvalue(), content_type="image/png")
    data = {
        "legal_name": "Tamazight Tech SARL",
        "brand_name": "Tamazight Tech",
        "ice": "001234567000089",
        "legal_form": "sarl",
        "stage": "prototype",
        "description": "Speech recognition.",
        "contact_email": "hello@tamazight.example.ma",
        "contact_phone": "06 61 23 45 67",
        "logo": logo,
    }
    response = client.post("/startups/new/", data)
    assert response.status_code == 302
    assert Startup.objects.get().logo


@pytest.mark.django_db
def test_route_caps_come_from_the_file_validators():
    default = MB
    factory = RequestFactory()
    caps = {
        "/accounts/login/": default,
        "/api/v1/auth/token/": default,
        "/no/such/page/": default,
        "/startups/new/": default + MAX_LOGO_BYTES,
        "/startups/1/edit/": default + MAX_LOGO_BYTES,
        "/applications/1/edit/": default + MAX_PITCH_DECK_BYTES,
        "/network/import/": default + 2 * MAX_FILE_BYTES,
        "/mentor/profile/": default + MAX_LOGO_BYTES,
        "/network/partners/new/": default + MAX_LOGO_BYTES,
        "/network/partners/1/edit/": default + MAX_LOGO_BYTES,
        "/admin/startups/startup/add/": default + MAX_LOGO_BYTES,
        "/admin/startups/application/1/change/": default + MAX_PITCH_DECK_BYTES,
        "/admin/mentors/mentorprofile/add/": default + MAX_LOGO_BYTES,
    }
    for url, cap in caps.items():
        assert route_request_cap(factory.post(url)) == cap, url


@pytest.mark.django_db
@pytest.mark.parametrize("length", ["abc", "-1", "1e6", "12 34"])
def test_an_invalid_content_length_is_a_400_not_a_500(client, length):
    response = post_json(client, TOKEN_URL, "{}", CONTENT_LENGTH=length)
    assert response.status_code == 400
    assert response.json() == {"detail": "The Content-Length header is not a number."}
    response = client.post("/accounts/login/", {}, CONTENT_LENGTH=length)
    assert response.status_code == 400


@pytest.mark.django_db
def test_form_fields_over_data_upload_max_memory_size_are_a_413_not_a_500(client_for, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000  # under the route cap: Django's check applies
    client = client_for("manager_a")
    response = client.post("/manage/site-a/offices/new/", {"number": "x" * 2000})
    assert response.status_code == 413
    with scopes_disabled():
        assert not Office.objects.exists()
    # Through DRF (form-encoded body to an API operation): JSON.
    response = client.post(TOKEN_URL, {"email": "a@example.ma", "password": "x" * 2000})
    assert response.status_code == 413
    assert set(response.json()) == {"detail"}


def test_handler400_answers_413_for_a_body_too_big_and_json_under_the_api(rf):
    response = api.handler400(rf.post("/manage/site-a/offices/new/"), RequestDataTooBig("too big"))
    assert response.status_code == 413
    response = api.handler400(rf.post(TOKEN_URL), RequestDataTooBig("too big"))
    assert response.status_code == 413 and set(json.loads(response.content)) == {"detail"}
    response = api.handler400(rf.post(TOKEN_URL), SuspiciousOperation("odd"))
    assert response.status_code == 400 and set(json.loads(response.content)) == {"detail"}


# --- Names isolated from the text around them ------------------------------------------------
def test_the_bdi_filter_isolates_and_escapes():
    template = Template("{% load bidi %}{{ name|bdi }}|{{ empty|bdi }}|{{ name|nobidi }}")
    rendered = template.render(Context({"name": "<b>abc\u202edef</b>", "empty": ""}))
    assert rendered == "<bdi>&lt;b&gt;abc\u202edef&lt;/b&gt;</bdi>||&lt;b&gt;abcdef&lt;/b&gt;"


def _isolated_everywhere(html: str) -> None:
    assert f"<bdi>{RLO_NAME}</bdi>" in html
    # Every occurrence is isolated (in attributes and titles the control is removed).
    assert html.count(RLO_NAME) == html.count(f"<bdi>{RLO_NAME}</bdi>")


@pytest.mark.django_db
def test_a_right_to_left_override_in_a_name_is_isolated(client_for, world, founder_a, unscoped):
    founder_a.full_name = RLO_NAME
    founder_a.save()
    Registration.objects.filter(pk=world["registration_a"]).update(name=RLO_NAME)
    Startup.objects.filter(pk=world["startup_a"]).update(brand_name=RLO_NAME)

    manager = client_for("manager_a")
    attendance = manager.get(f"/manage/site-a/sessions/{world['session_a']}/attendance/")
    assert attendance.status_code == 200
    _isolated_everywhere(attendance.content.decode())
    booking = manager.get(f"/manage/site-a/mentoring/{world['booking_a']}/")
    assert booking.status_code == 200
    _isolated_everywhere(booking.content.decode())  # the startup and who booked

    founder = client_for("founder_a")
    startup = founder.get(f"/startups/{world['startup_a']}/")
    assert startup.status_code == 200
    _isolated_everywhere(startup.content.decode())  # the startup, the team, the menu


@pytest.mark.django_db
def test_plain_text_emails_lose_direction_controls(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email_send_on_commit(to=["a@example.ma"], subject=f"Hello {RLO_NAME}", body=f"Hello \u2067{RLO_NAME}\u2069,")
    message = OutboxMessage.objects.get()
    assert message.subject == "Hello abcdef" and message.body == "Hello abcdef,"
    assert mail.outbox[-1].body == "Hello abcdef,"
