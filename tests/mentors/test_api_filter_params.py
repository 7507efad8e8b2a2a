"""The mentors API's list filters (FilterSets, core.filters): a parameter given empty is a
400 naming it, but for `q`, which does not filter when empty."""

import pytest

from tests.api_client import ids

# Every test here uses the world: built once for the module (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_world")]

LISTS = {
    "mentors": ["dimension", "sector", "language", "site", "remote", "kind", "tag"],
    "mentor-bookings": ["role", "status", "upcoming", "mentor", "startup"],
}


@pytest.mark.parametrize(("path", "name"), [(path, name) for path, names in LISTS.items() for name in names])
def test_an_empty_filter_is_400_naming_it(api, path, name):
    response = api("founder_a").get(f"/api/v1/{path}/?{name}=")
    assert response.status_code == 400
    assert list(response.json()) == [name]


def test_an_empty_q_does_not_filter(api):
    client = api("anonymous")
    everything = ids(client.get("/api/v1/mentors/"))
    assert everything
    assert ids(client.get("/api/v1/mentors/?q=")) == everything
