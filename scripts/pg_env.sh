# Sourced by db_backup.sh and db_restore.sh: exports PGHOST, PGPORT, PGUSER, PGPASSWORD,
# PGDATABASE (and PGSSLMODE) for the database the portal itself uses, resolved by Django's
# settings (DATABASE_URL, or .env), so that the password never appears on a command line.
# Refuses when that database is not PostgreSQL.
PYTHON_BIN=${PYTHON_BIN:-.venv/bin/python}
pg_env=$(DJANGO_SETTINGS_MODULE=technopark.settings "$PYTHON_BIN" - <<'PY'
import shlex
import sys

from django.conf import settings

db = settings.DATABASES["default"]
engine = db["ENGINE"]
if "sqlite3" in engine:
    sys.exit(
        f"The database is SQLite ({db['NAME']}), not PostgreSQL: set DATABASE_URL=postgres://... "
        "or, for SQLite, stop the portal and copy that file (with any -wal/-shm files) instead."
    )
if "postgresql" not in engine and "postgis" not in engine:
    sys.exit(f"The database engine is {engine}, not PostgreSQL: set DATABASE_URL=postgres://...")
values = {
    "PGHOST": db.get("HOST") or "",
    "PGPORT": str(db.get("PORT") or ""),
    "PGUSER": db.get("USER") or "",
    "PGPASSWORD": db.get("PASSWORD") or "",
    "PGDATABASE": db["NAME"],
    "PGSSLMODE": (db.get("OPTIONS") or {}).get("sslmode", ""),
}
for name, value in values.items():
    if value:
        print(f"export {name}={shlex.quote(value)}")
PY
)
eval "$pg_env"
unset pg_env
