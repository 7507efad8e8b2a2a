"""Helpers of the API tests of every app: the ids of a list's page, a JSON POST. The
`api` fixture (a persona's client with the world in place) is in tests/conftest.py."""


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")
