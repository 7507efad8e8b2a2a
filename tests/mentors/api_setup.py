"""The helpers and fixtures of the mentors API's tests (test_api_*.py): the clients, the
world's mentor, a booking of the world, the free slots of a mentor (`ids`, `post`: tests/api_client.py)."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django_scopes import scopes_disabled

from mentors.models import Booking, MentorProfile

LOCAL = ZoneInfo("Africa/Casablanca")
ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?[+-]\d\d:\d\d$")


def today() -> datetime.date:
    return datetime.datetime.now(LOCAL).date()


@pytest.fixture
def mentor(world, unscoped) -> MentorProfile:
    return MentorProfile.objects.get(pk=world["mentor"])


@pytest.fixture
def mentor_client(client, world, mentor):
    client.force_login(mentor.user)
    return client


def _booking(world, name: str) -> Booking:
    with scopes_disabled():
        return Booking.objects.select_related("mentor").get(pk=world[name])


def _slots(client, mentor_id: int, first: datetime.date, last: datetime.date | None = None) -> list[dict]:
    response = client.get(f"/api/v1/mentors/{mentor_id}/slots/?from={first}&to={last or first}")
    assert response.status_code == 200, response.content
    return response.json()
