"""Issue 18: head office's audit trail (/network/audit/) shows field labels and values as
people read them, never raw keys, UTC offsets or microseconds; naming the related records
costs one query per related model, not one per entry."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from core.models import AuditEntry
from startups.models import Admission, Declaration
from tests.factories import StartupFactory

URL = "/network/audit/"


@pytest.fixture
def head_office(client, staff):
    staff.language = "fr"
    staff.save(update_fields=["language"])
    client.cookies["django_language"] = "fr"
    client.force_login(staff)
    return client


def record(model, changes: dict, *, site=None, action=AuditEntry.Action.UPDATE) -> AuditEntry:
    with scopes_disabled():
        return AuditEntry.objects.create(
            actor_email="staff@example.ma",
            action=action,
            content_type=ContentType.objects.get_for_model(model),
            object_id="1",
            object_repr="Atlas · 2025",
            site=site,
            changes=changes,
        )


def test_the_trail_reads_without_raw_keys_nor_utc(head_office, site_a):
    with scopes_disabled():
        startup = StartupFactory(brand_name="Atlas Tech")
    record(
        Declaration,
        {
            "declared_at": [None, "2026-12-06 14:20:07.414065+00:00"],
            "startup": [None, startup.pk],
            "exports_to_africa": [None, False],
        },
    )
    record(Admission, {"kind": ["e-technopark", "resident"], "site": [None, site_a.pk]}, site=site_a)
    text = head_office.get(URL).content.decode()
    for raw in ("declared_at", "exports_to_africa", "kind:", "+00:00", ".414065", "False", f">{startup.pk}<"):
        assert raw not in text, raw
    assert "Date de déclaration" in text and "06/12/2026 15:20" in text
    assert "<bdi>Atlas Tech</bdi>" in text and "<bdi>Non</bdi>" in text
    assert "<bdi>Membre e-Technopark</bdi> → <bdi>Résident</bdi>" in text
    assert f"<bdi>{site_a.name}</bdi>" in text


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(URL).status_code == 200
    return len(context.captured_queries)


def test_naming_related_records_does_not_grow_with_the_entries(head_office, site_a, site_b):
    def entries(count: int):
        for _ in range(count):
            with scopes_disabled():
                startup = StartupFactory()
            record(Declaration, {"startup": [None, startup.pk]})
            record(Admission, {"site": [site_a.pk, site_b.pk], "startup": [None, startup.pk]}, site=site_a)

    entries(1)
    head_office.get(URL)  # warm-up: the session, the content types
    few = _queries(head_office)
    entries(20)
    assert _queries(head_office) == few
