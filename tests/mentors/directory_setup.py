"""The helpers and fixtures of the startup side of mentoring's tests (test_directory_*.py):
signing in, reading a request's messages and the bookings, a mentor's free slots and the
URL that books one."""

import datetime
from urllib.parse import urlencode

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone
from django_scopes import scopes_disabled

from mentors.models import Booking, MentorProfile
from mentors.selectors.slots import free_slots

HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


@pytest.fixture
def en(client):
    client.cookies["django_language"] = "en"
    return client


def as_user(client, user):
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def texts(response) -> list[str]:
    """The messages this request added (not those left over from earlier requests)."""
    return [str(message) for message in get_messages(response.wsgi_request)._queued_messages]


def bookings(**filters) -> list[Booking]:
    with scopes_disabled():
        return list(Booking.objects.filter(**filters).order_by("pk"))


def booking(pk) -> Booking:
    with scopes_disabled():
        return Booking.objects.get(pk=pk)


def mentor_of(world) -> MentorProfile:
    return MentorProfile.objects.get(pk=world["mentor"])


def slot_on(mentor, days_ahead: int, index: int = 0):
    """The `index`-th free slot of the local day `days_ahead` from today."""
    day = timezone.localdate() + datetime.timedelta(days=days_ahead)
    return free_slots(mentor, date_from=day, date_to=day)[index]


def book_url(mentor_pk: int, start: datetime.datetime | str) -> str:
    value = start if isinstance(start, str) else start.isoformat()
    return f"/mentors/{mentor_pk}/book/?" + urlencode({"start": value})


def tuesday_in_a_week() -> datetime.date:
    """A Tuesday 7 to 13 days ahead: clear of the world's upcoming bookings (3 days ahead)."""
    today = timezone.localdate()
    return today + datetime.timedelta(days=(1 - today.weekday()) % 7 + 7)
