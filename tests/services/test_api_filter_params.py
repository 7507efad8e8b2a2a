"""The services API's list filters (FilterSets, core.filters): a parameter given empty is a
400 naming it, but for `q`, which does not filter when empty."""

import pytest

from tests.api_client import ids

# Every test here uses the world: built once for the module (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_world")]

LISTS = {
    "services": ["site", "dimension", "format", "language", "type"],
    "sessions": ["site", "dimension", "service", "from", "to"],
    "registrations": ["status", "upcoming"],
    "programmes": ["site"],
    "partners": ["category", "international"],
    "incubators": ["site", "region"],
}


@pytest.mark.parametrize(("path", "name"), [(path, name) for path, names in LISTS.items() for name in names])
def test_an_empty_filter_is_400_naming_it(api, path, name):
    response = api("staff").get(f"/api/v1/{path}/?{name}=")
    assert response.status_code == 400
    assert list(response.json()) == [name]


@pytest.mark.parametrize("path", ["services", "partners"])
def test_an_empty_q_does_not_filter(api, path):
    client = api("anonymous")
    everything = ids(client.get(f"/api/v1/{path}/"))
    assert everything
    assert ids(client.get(f"/api/v1/{path}/?q=")) == everything
