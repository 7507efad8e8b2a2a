"""pg_dump / pg_restore for `make backup` and `make restore`, on the database the portal
itself uses (Django's settings: DATABASE_URL or .env). The connection goes through libpq's
environment variables, so the password never appears on a command line."""

import os
import subprocess
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError


def pg_environment() -> dict[str, str]:
    """The PG* variables of the default database; refuses anything but PostgreSQL."""
    db = settings.DATABASES["default"]
    engine = db["ENGINE"]
    if "sqlite3" in engine:
        raise CommandError(
            f"The database is SQLite ({db['NAME']}), not PostgreSQL: set DATABASE_URL=postgres://... "
            "or, for SQLite, stop the portal and copy that file (with any -wal/-shm files) instead."
        )
    if "postgresql" not in engine:
        raise CommandError(f"The database engine is {engine}, not PostgreSQL: set DATABASE_URL=postgres://...")
    values = {
        "PGHOST": db.get("HOST") or "",
        "PGPORT": str(db.get("PORT") or ""),
        "PGUSER": db.get("USER") or "",
        "PGPASSWORD": db.get("PASSWORD") or "",
        "PGDATABASE": db["NAME"],
        "PGSSLMODE": (db.get("OPTIONS") or {}).get("sslmode", ""),
    }
    return {**os.environ, **{name: value for name, value in values.items() if value}}


def run(command: list[str], env: dict[str, str]) -> None:
    try:
        subprocess.run(command, env=env, check=True)  # noqa: S603 (fixed programs, arguments from settings)
    except FileNotFoundError as error:
        raise CommandError(f"{command[0]} is missing: install the PostgreSQL client (postgresql-client).") from error
    except subprocess.CalledProcessError as error:
        raise CommandError(f"{command[0]} failed with exit code {error.returncode}.") from error


def describe(env: dict[str, str]) -> str:
    return f"database {env['PGDATABASE']} on {env.get('PGHOST') or 'the local socket'}"


def backup_path(value: str | None, stamp: str) -> Path:
    return Path(value) if value else settings.BASE_DIR / "backups" / f"technopark-{stamp}.dump"
