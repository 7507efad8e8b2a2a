"""The helpers and fixtures of the mentoring back-office's tests (test_backoffice_*.py): site A's
hours ledger URL, signing in as head office or site A's manager, reading a request's
messages and the audit trail."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages
from django_scopes import scopes_disabled

from core.models import AuditEntry

HOURS_A = "/manage/site-a/mentoring/hours/"


def _as(client, user):
    client.cookies["django_language"] = "en"
    client.force_login(user)
    return client


@pytest.fixture
def head_office(client, world, staff):
    return _as(client, staff)


@pytest.fixture
def manager(client, world, manager_a):
    return _as(client, manager_a)


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _audited(instance, actor) -> bool:
    with scopes_disabled():
        return AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(instance), object_id=str(instance.pk), actor=actor
        ).exists()
