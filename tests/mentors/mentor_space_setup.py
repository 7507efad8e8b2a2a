"""The helpers and fixtures of the tests of the mentor's own space (test_mentor_space_*.py):
its URLs, signing in, the world's mentor and another one."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django_scopes import scopes_disabled

from accounts.models import User
from mentors.models import MentorProfile
from tests.factories import MentorProfileFactory, WeeklyRuleFactory

PROFILE = "/mentor/profile/"
AVAILABILITY = "/mentor/availability/"
AGENDA = "/mentor/agenda/"
HOUR = datetime.timedelta(hours=1)


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _login(client, user):
    client.cookies["django_language"] = "en"
    client.force_login(user)
    return client


@pytest.fixture
def mentor_user(world):
    return User.objects.get(pk=world["mentor_user"])


@pytest.fixture
def mentor(world):
    return MentorProfile.objects.get(pk=world["mentor"])


@pytest.fixture
def as_mentor(client, mentor_user):
    return _login(client, mentor_user)


@pytest.fixture
def other_mentor(world, site_b):
    with scopes_disabled():
        profile = MentorProfileFactory(user__email="other.mentor@example.ma", sites=[site_b])
        WeeklyRuleFactory(mentor=profile)
    return profile
