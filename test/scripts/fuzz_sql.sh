#!/bin/bash
# Hostile input through every SQL entry point (test/scripts/fuzz_sql.py):
# each call succeeds or fails with a SQLSTATE, and the backend never crashes.
# Runs inside the throw-away cluster of test/run.sh (PG* variables set).
set -uo pipefail
db=migrate_fuzz
dropdb --if-exists "$db" >/dev/null 2>&1
createdb "$db" || exit 1
log=$(ls -t "${PG_CLUSTER_CONF_ROOT:-/nonexistent}"/../log/postgresql-*.log 2>/dev/null | head -1)
PGDATABASE=$db /usr/bin/python3 "$(dirname "$0")/fuzz_sql.py" --calls "${FUZZ_CALLS:-30000}" ${log:+--log "$log"}
status=$?
dropdb "$db"
exit $status
