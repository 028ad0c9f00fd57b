#!/bin/sh
# Creates or upgrades Temporal's two PostgreSQL databases, `temporal` and `temporal_visibility`, with the schema tool
# and the schema files of the same server version. Safe to run again: an existing database is kept and only the
# versions it lacks are applied. Run by `npm run cluster`, the cluster tests and compose's temporal-schema job.
#   POSTGRES_SEEDS, DB_PORT, POSTGRES_USER, POSTGRES_PWD   as in cluster.yaml
#   SCHEMA_DIR   the server's schema/ folder (the admin-tools image: /etc/temporal/schema)
#   SQL_TOOL     the schema tool (default temporal-sql-tool on PATH)
set -eu
: "${POSTGRES_SEEDS:=127.0.0.1}" "${DB_PORT:=5432}" "${POSTGRES_USER:=temporal}" "${POSTGRES_PWD:=}"
: "${SCHEMA_DIR:=/etc/temporal/schema}" "${SQL_TOOL:=temporal-sql-tool}"

for db in temporal temporal_visibility; do
  case "$db" in temporal) versioned="$SCHEMA_DIR/postgresql/v12/temporal/versioned" ;; *) versioned="$SCHEMA_DIR/postgresql/v12/visibility/versioned" ;; esac
  [ -d "$versioned" ] || { echo "setup-schema: no schema folder $versioned (SCHEMA_DIR)" >&2; exit 1; }
  tool() { SQL_PASSWORD="$POSTGRES_PWD" "$SQL_TOOL" --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$DB_PORT" -u "$POSTGRES_USER" --db "$db" "$@"; }
  # create-database fails on an existing database: that is the case to keep, so its error is only reported.
  tool create-database >/dev/null 2>&1 || echo "setup-schema: database $db exists; upgrading it" >&2
  # Version tables at 0.0 (a database already past 0.0 keeps its version); update-schema applies what is missing.
  tool setup-schema -v 0.0 >/dev/null
  tool update-schema -d "$versioned"
done
echo "setup-schema: temporal and temporal_visibility are up to date" >&2
