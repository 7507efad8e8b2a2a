"""Shared set-up of the startups API's tests (test_api_*.py): a persona's client with the
world in place, today's date, reading the ids of a list and posting JSON."""

import pytest
from django.utils import timezone

TODAY = timezone.localdate()


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


@pytest.fixture
def api(client_for, world):
    """`api("manager_a")` → a client signed in as that persona, with the world in place."""
    return client_for
