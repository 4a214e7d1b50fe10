#!/bin/bash
# The hot reads go through the extension's indexes directly.  While one
# session rebuilds those indexes with REINDEX CONCURRENTLY (which swaps and
# drops index relations under running queries), clients keep calling the
# functions that read them: no call may fail.
#
# Runs inside the throw-away cluster of test/run.sh (PG* variables set).
set -euo pipefail

CLIENTS=${REINDEX_CLIENTS:-4}
SECONDS_TO_RUN=${REINDEX_SECONDS:-15}
db=migrate_reindex
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

dropdb --if-exists "$db" >/dev/null 2>&1
createdb "$db"
psql -X -q -v ON_ERROR_STOP=1 -d "$db" >/dev/null <<SQL
CREATE EXTENSION migrate;
SET client_min_messages = warning;
SELECT migrate.register('r' || i, 'SELECT 1',
	down_revision => CASE WHEN i > 1 THEN 'r' || (i - 1) END, project => 'p')
  FROM generate_series(1, 50) AS i;
SELECT count(*) FROM migrate.upgrade('head', 'p');
SQL

cat >"$work/reindex.sql" <<SQL
REINDEX INDEX CONCURRENTLY migrate.revision_project_seq;
REINDEX INDEX CONCURRENTLY migrate.revision_pkey;
REINDEX INDEX CONCURRENTLY migrate.project_pkey;
REINDEX INDEX CONCURRENTLY migrate.version_pkey;
SQL
# each client: a graph read (cache check), a no-op run, a registration
# already there (revision_pkey) and the version rows (version_pkey)
cat >"$work/calls.sql" <<SQL
SELECT count(*) FROM migrate.heads('p');
SELECT count(*) FROM migrate.upgrade('head', 'p');
SELECT migrate.register('r1', 'SELECT 1', project => 'p');
SELECT count(*) FROM migrate.current('p');
SQL

pgbench -n -d "$db" -c 1 -T "$SECONDS_TO_RUN" -f "$work/reindex.sql" >"$work/reindex.log" 2>&1 &
reindexer=$!
pgbench -n -d "$db" -c "$CLIENTS" -j 2 -T "$SECONDS_TO_RUN" -f "$work/calls.sql" >"$work/calls.log" 2>&1 || true
wait "$reindexer" || true

grep -E "number of transactions actually processed|number of failed transactions" "$work/calls.log" || true
reindexed=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$work/reindex.log")
calls=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$work/calls.log")
errors=$(grep -c "ERROR" "$work/calls.log" || true)
echo "rounds of REINDEX CONCURRENTLY of the four indexes: ${reindexed:-0}; client rounds: ${calls:-0}; client errors: $errors"
if [ "$errors" -ne 0 ]; then
	grep "ERROR" "$work/calls.log" | sort | uniq -c | head
	exit 1
fi
if [ "${reindexed:-0}" -lt 1 ] || [ "${calls:-0}" -lt 100 ]; then
	cat "$work/reindex.log" "$work/calls.log"
	echo "too little ran to show anything"
	exit 1
fi
dropdb "$db"
echo "reindex: ok"
