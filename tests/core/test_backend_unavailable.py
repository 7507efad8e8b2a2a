"""A backend that does not answer gets a 503 with Retry-After, never a 500: signing out
while Redis is down (the session is kept whole, to be deleted once Redis is back), a broker
or database outage in any view; JSON under /api/."""

import json

import pytest
from django.contrib.sessions.models import Session
from django.db import OperationalError
from django.test import RequestFactory
from kombu.exceptions import OperationalError as BrokerDown

from core.middleware import BackendUnavailableMiddleware
from tests.technopark.test_scaling import _redis_down


@pytest.mark.django_db
def test_signing_out_while_redis_is_down_is_a_503_and_keeps_the_session(client_for):
    client = client_for("founder_a")  # signed in before the outage
    key = client.session.session_key
    with _redis_down():
        response = client.post("/accounts/logout/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Service momentanément indisponible" in response.content.decode()
    assert Session.objects.filter(session_key=key).exists()  # not half deleted


@pytest.mark.parametrize("error", [BrokerDown("Error 111"), OperationalError("could not connect to server")])
def test_an_outage_in_a_view_is_a_503(error):
    middleware = BackendUnavailableMiddleware(lambda request: None)
    page = middleware.process_exception(RequestFactory().get("/network/reports/"), error)
    api = middleware.process_exception(RequestFactory().get("/api/v1/kpis/"), error)
    assert (page.status_code, api.status_code) == (503, 503)
    assert page["Retry-After"] == api["Retry-After"] == "30"
    assert b"Technopark" in page.content
    assert json.loads(api.content)["detail"]


def test_other_errors_are_left_to_django():
    middleware = BackendUnavailableMiddleware(lambda request: None)
    assert middleware.process_exception(RequestFactory().get("/"), ValueError("bug")) is None
