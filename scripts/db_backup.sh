#!/usr/bin/env bash
# make backup: pg_dump (custom format) of the portal's PostgreSQL database (DATABASE_URL)
# into backups/technopark-<UTC timestamp>.dump, or into BACKUP_FILE when it is set.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/pg_env.sh

file=${BACKUP_FILE:-backups/technopark-$(date -u +%Y%m%dT%H%M%SZ).dump}
mkdir -p "$(dirname "$file")"
# Write to a temporary name first: a failed dump never leaves a plausible-looking file.
pg_dump --format=custom --file="$file.partial" "$PGDATABASE"
mv "$file.partial" "$file"
echo "Backed up database $PGDATABASE on ${PGHOST:-local socket} to $file ($(du -h "$file" | cut -f1))"
