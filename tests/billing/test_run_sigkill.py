"""The monthly run killed by SIGKILL (kill -9) in a real process while it writes the third
startup's draft, then run again: exactly one invoice per startup, site and month.
PostgreSQL: the child process needs the test database, which SQLite keeps in memory."""

import datetime
import os
import signal
import subprocess
import sys
import textwrap
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django_scopes import scopes_disabled

from billing.models import Invoice
from tests.billing.test_issue import issuer
from tests.billing.test_run import allocate
from tests.factories import SiteFactory

ON_POSTGRES = connection.vendor == "postgresql"
NOVEMBER = datetime.date(2026, 11, 1)

# The child runs the command as cron or a worker would, and kills itself (SIGKILL: no
# cleanup, no rollback of its own) once the third startup's draft is written, inside that
# startup's transaction: the database drops what it had not committed.
CHILD = textwrap.dedent(
    """
    import os, signal
    import django

    django.setup()
    from django.core.management import call_command
    from billing.actions import run

    create, made = run.invoice_draft_create, []

    def dies_within_the_third(**kwargs):
        made.append(create(**kwargs))
        if len(made) == 3:
            os.kill(os.getpid(), signal.SIGKILL)
        return made[-1]

    run.invoice_draft_create = dies_within_the_third
    call_command("issue_invoices", "--month", "2026-11")
    """
)


def _database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not ON_POSTGRES, reason="the killed process needs a database outside this one")
def test_a_run_killed_with_sigkill_then_rerun_leaves_one_invoice_per_startup():
    with scopes_disabled():
        site = SiteFactory(slug="casablanca")
        issuer(site)
        startups = [allocate(site, starts_on=datetime.date(2026, 1, 1)).admission.startup for _ in range(5)]

    env = {**os.environ, "DATABASE_URL": _database_url(), "DJANGO_SETTINGS_MODULE": "technopark.settings"}
    child = subprocess.run(
        [sys.executable, "-c", CHILD], env=env, cwd=settings.BASE_DIR, capture_output=True, timeout=120
    )

    assert child.returncode == -signal.SIGKILL, child.stderr.decode()[-2000:]
    with scopes_disabled():
        assert Invoice.objects.count() == 2  # the third startup's draft died with its transaction
        call_command("issue_invoices", "--month", "2026-11", stdout=StringIO())
        for startup in startups:
            assert Invoice.objects.filter(site=site, startup=startup, month=NOVEMBER).count() == 1
            assert Invoice.objects.get(startup=startup).lines.count() == 1
        assert Invoice.objects.count() == 5
