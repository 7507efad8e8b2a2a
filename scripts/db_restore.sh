#!/usr/bin/env bash
# make restore BACKUP_FILE=...: pg_restore of a `make backup` file into the portal's
# PostgreSQL database (DATABASE_URL). --clean --if-exists drops the objects it restores
# first, so the database ends up as it was when the backup was taken; --no-owner makes
# the DATABASE_URL user the owner of everything.
set -euo pipefail
cd "$(dirname "$0")/.."

file=${BACKUP_FILE:-}
if [ -z "$file" ]; then
  echo "Usage: make restore BACKUP_FILE=backups/technopark-<timestamp>.dump" >&2
  exit 2
fi
if [ ! -f "$file" ]; then
  echo "No such backup file: $file" >&2
  exit 2
fi
source scripts/pg_env.sh

pg_restore --clean --if-exists --no-owner --exit-on-error --single-transaction --dbname="$PGDATABASE" "$file"
echo "Restored $file into database $PGDATABASE on ${PGHOST:-local socket}"
