"""The request's tenancy scope is computed when a site-owned row is first read, not before:
a request that reads none (a probe, a cached page) pays no query for it. The isolation
matrix proves the scope still holds everywhere."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sites.scoping import LazyIds


def test_lazy_ids_compute_once_on_first_read():
    calls = []

    def compute():
        calls.append(1)
        return [3, 1]

    ids = LazyIds(compute)
    assert calls == []
    assert len(ids) == 2 and 3 in ids and list(ids) == [3, 1] and ids == [3, 1] and ids[0] == 3 and bool(ids)
    assert calls == [1]
    assert not LazyIds(list)  # empty
    rebuilt = type(ids)(value for value in ids)  # how Django rebuilds lookup values
    assert rebuilt == [3, 1] and isinstance(rebuilt, list)


@pytest.mark.django_db
def test_a_request_reading_no_site_row_runs_no_scope_query(client_for, world):
    client = client_for("manager_a")
    client.get("/health/live/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/health/live/").status_code == 200
    tables = " ".join(query["sql"] for query in queries)
    assert "sitemembership" not in tables and "incubator" not in tables


@pytest.mark.django_db
def test_the_scope_is_applied_when_rows_are_read(client_for, world):
    response = client_for("manager_b").get("/api/v1/admissions/")
    assert response.status_code == 200
    assert [row["site"] for row in response.json()["results"]] == ["site-b"]
