"""Shared set-up of the services back-office tests (test_backoffice_*.py): a site
manager's and head office's signed-in clients (in English) and the helpers both modules
use."""

import datetime

import pytest
from django_scopes import scopes_disabled

from core.models import AuditEntry

HOUR = datetime.timedelta(hours=1)
LIST = "/manage/site-a/services/"


@pytest.fixture
def manager(client, world, manager_a):
    client.cookies["django_language"] = "en"
    client.force_login(manager_a)
    return client


@pytest.fixture
def head_office(client, world, staff):
    client.cookies["django_language"] = "en"
    client.force_login(staff)
    return client


def _get(model, pk):
    with scopes_disabled():
        return model.objects.get(pk=pk)


def _audited(**filters) -> bool:
    with scopes_disabled():
        return AuditEntry.objects.filter(**filters).exists()
