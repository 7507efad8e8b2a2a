"""The network's site list filters (a django-filter FilterSet validated by serializer
fields, core.filters): what a filter keeps, and a 400 that names the parameter for junk."""

import pytest

from sites.models import SiteStatus
from tests.factories import SiteFactory

URL = "/api/v1/sites/"


@pytest.fixture
def sites(db):
    return {
        "casablanca": SiteFactory(slug="casablanca"),
        "rabat-planned": SiteFactory(slug="rabat-planned", region__code="MA-04", status=SiteStatus.PLANNED),
        "rabat": SiteFactory(slug="rabat", region__code="MA-04"),
    }


def slugs(response) -> list[str]:
    assert response.status_code == 200, response.content
    return sorted(site["slug"] for site in response.json()["results"])


def test_sites_filter_by_region_and_status(client, sites):
    assert slugs(client.get(URL)) == ["casablanca", "rabat", "rabat-planned"]
    assert slugs(client.get(URL, {"region": "MA-04"})) == ["rabat", "rabat-planned"]
    assert slugs(client.get(URL, {"region": "MA-04", "status": "planned"})) == ["rabat-planned"]
    assert slugs(client.get(URL, {"region": "MA-12"})) == []


@pytest.mark.parametrize(
    "params",
    [{"region": "Casablanca"}, {"region": ""}, {"status": "closed"}, {"status": ""}, {"region": "MA-6%d"}],
)
def test_a_malformed_filter_is_a_400_naming_it(client, sites, params):
    response = client.get(URL, params)
    assert response.status_code == 400
    body = response.json()
    (name,) = params
    assert list(body) == [name] and all(isinstance(message, str) and message for message in body[name])
