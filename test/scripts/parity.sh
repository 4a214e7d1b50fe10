#!/bin/bash
# End-to-end parity with the real Alembic 1.8.1, through SQL: random graphs
# and commands, run by the extension and by Alembic (test/scripts/parity.py).
# Runs inside the throw-away cluster of test/run.sh (PG* variables set).
set -uo pipefail
db=migrate_parity
dropdb --if-exists "$db" >/dev/null 2>&1
createdb "$db" || exit 1
PGDATABASE=$db /usr/bin/python3 "$(dirname "$0")/parity.py" --cases "${PARITY_CASES:-300}"
status=$?
dropdb "$db"
exit $status
