"""`make backup` / `make restore` refuse clearly what they cannot do (the round trip itself
runs in CI on PostgreSQL: .ci/run)."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


def test_restore_needs_an_existing_file(tmp_path):
    with pytest.raises(CommandError, match="Usage: make restore BACKUP_FILE="):
        call_command("db_restore")
    with pytest.raises(CommandError, match="No such backup file"):
        call_command("db_restore", str(tmp_path / "missing.dump"))


def test_backup_refuses_sqlite(settings, tmp_path):
    settings.DATABASES = {**settings.DATABASES, "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "x.db"}}
    with pytest.raises(CommandError, match="not PostgreSQL"):
        call_command("db_backup", "--file", str(tmp_path / "out.dump"))
    assert list(tmp_path.iterdir()) == []


def test_backup_refuses_other_engines(settings):
    settings.DATABASES = {**settings.DATABASES, "default": {"ENGINE": "django.db.backends.mysql", "NAME": "tp"}}
    with pytest.raises(CommandError, match="mysql, not PostgreSQL"):
        call_command("db_backup")
