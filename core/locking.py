"""Row locks that give up cleanly: a request that waits too long for a row another
transaction holds gets a Conflict (409, "try again") instead of hanging or failing with a 500."""

from django.db import OperationalError, connection
from django.db.models import Model, QuerySet

from .errors import Conflict

LOCK_TIMEOUT = "5s"


def lock_row(queryset: QuerySet, pk, *, busy_message: str, timeout: str | None = None) -> Model:
    """`queryset.get(pk=pk)`, locked until the transaction ends. Call inside
    `transaction.atomic()`. Only the row itself is locked, not the rows `select_related`
    joins. PostgreSQL waits at most `timeout` for the lock; SQLite
    serialises writing transactions and reports a busy database the same way."""
    try:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL lock_timeout = '{timeout or LOCK_TIMEOUT}'")
        return queryset.select_for_update(of=("self",)).get(pk=pk)
    except OperationalError as error:  # lock timeout (PostgreSQL) or busy database (SQLite)
        raise Conflict(busy_message) from error
