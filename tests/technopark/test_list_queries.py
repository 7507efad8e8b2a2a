"""List pages of the project package (the home page's sites, the audit trail), and the check
that every list route of the portal has its query-count test (tests/querycount.py)."""

import importlib
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType

from core.models import AuditEntry, OutboxMessage
from sites.models import Site
from startups.models import Startup
from tests.factories import UserFactory
from tests.matrix import load_matrix
from tests.querycount import NOT_A_LIST, ListRoute, check_list_route, row_name
from tests.sites.test_list_queries import site_row

RECORD_TYPES = (Site, Startup, AuditEntry)


def audit_row(ctx, index: int):
    """A change by a different person, to a record of one of three types, at site A, B or none."""
    actor = UserFactory()
    return AuditEntry.objects.create(
        actor=actor,
        actor_email=actor.email,
        action=AuditEntry.Action.UPDATE,
        content_type=ContentType.objects.get_for_model(RECORD_TYPES[index % 3]),
        object_id=str(index),
        object_repr=row_name(index),
        site=[ctx.site_a, ctx.site_b, None][index % 3],
        changes={"status": ["planned", "operational"]},
    )


def outbox_row(ctx, index: int):
    return OutboxMessage.objects.create(to=[f"person{index}@example.ma"], subject=row_name(index), body="Bonjour")


ROUTES = [
    ListRoute("home", "/", "anonymous", site_row),
    ListRoute("audit_list", "/network/audit/", "staff", audit_row),
    ListRoute("admin:core_auditentry_changelist", "/admin/core/auditentry/", "staff", audit_row),
    ListRoute("admin:core_outboxmessage_changelist", "/admin/core/outboxmessage/", "staff", outbox_row),
]


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.test_id)
def test_list_queries_do_not_grow_with_rows(route, client, personas, site_a, site_b):
    check_list_route(route, client=client, personas=personas, site_a=site_a, site_b=site_b)


# --- Every list route is checked ------------------------------------------------------------
def _checked_routes() -> set[str]:
    names = set()
    for path in sorted(Path(__file__).parent.parent.glob("*/test*list_queries.py")):
        module = importlib.import_module(f"tests.{path.parent.name}.{path.stem}")
        names |= {route.name for route in module.ROUTES}
    return names


def _pages_and_endpoints() -> set[str]:
    """Every route the isolation matrix requests with GET (but allauth's account pages: no
    list there), and the admin's lists: each is either checked here or in NOT_A_LIST."""
    from django.contrib import admin

    routes = {
        name
        for name, route in load_matrix().items()
        if route.method == "get" and not name.startswith(("account_", "mfa_"))
    }
    return routes | {
        f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist" for model in admin.site._registry
    }


def test_every_list_route_has_its_query_count_test():
    unclassified = _pages_and_endpoints() - _checked_routes() - set(NOT_A_LIST)
    assert not unclassified, (
        "new pages or endpoints: add a ListRoute to tests/<app>/test_list_queries.py for a list, "
        f"else a line to NOT_A_LIST in tests/querycount.py: {sorted(unclassified)}"
    )


def test_the_checked_routes_exist_and_are_lists():
    routes = set(load_matrix()) | _pages_and_endpoints()
    assert _checked_routes() <= routes, _checked_routes() - routes
    assert set(NOT_A_LIST) <= routes, set(NOT_A_LIST) - routes
    assert not set(NOT_A_LIST) & _checked_routes(), set(NOT_A_LIST) & _checked_routes()
