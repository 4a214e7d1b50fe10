#!/bin/bash
# 32 clients call migrate.upgrade('head') at once on a 200-revision history
# whose bodies append to a ledger.  Each revision must run exactly once, no
# client may see an error, and the project must end at its head.
#
# Runs inside the throw-away cluster of test/run.sh (PG* variables set).
set -euo pipefail

CLIENTS=${STRESS_CLIENTS:-32}
REVISIONS=${STRESS_REVISIONS:-200}
ROUNDS=${STRESS_ROUNDS:-3}
db=migrate_stress
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

dropdb --if-exists "$db" >/dev/null 2>&1
createdb "$db"
psql -X -q -v ON_ERROR_STOP=1 -d "$db" >/dev/null <<SQL
CREATE EXTENSION migrate;
CREATE TABLE ledger (rev text NOT NULL, pid int NOT NULL DEFAULT pg_backend_pid());
SELECT migrate.register('r' || i,
	format('INSERT INTO ledger (rev) VALUES (%L)', 'r' || i),
	format('DELETE FROM ledger WHERE rev = %L', 'r' || i),
	down_revision => CASE WHEN i > 1 THEN 'r' || (i - 1) END)
  FROM generate_series(1, $REVISIONS) AS i;
SQL

# Each client runs the upgrade ROUNDS times; the first to get the lock does
# the work, the others wait for it and then find nothing to do.
echo "SELECT count(*) FROM migrate.upgrade('head');" >"$work/upgrade.sql"
start=$(date +%s.%N)
pgbench -n -d "$db" -c "$CLIENTS" -j 2 -t "$ROUNDS" -f "$work/upgrade.sql" >"$work/pgbench.log" 2>&1 || {
	cat "$work/pgbench.log"
	echo "pgbench failed"
	exit 1
}
end=$(date +%s.%N)
grep -E "number of (transactions actually processed|failed transactions)" "$work/pgbench.log" || true

result=$(psql -X -A -t -d "$db" <<SQL
SELECT
	(SELECT count(*) FROM ledger),
	(SELECT count(DISTINCT rev) FROM ledger),
	(SELECT count(*) FROM (SELECT rev FROM ledger GROUP BY rev HAVING count(*) > 1) d),
	(SELECT string_agg(c, ',') FROM migrate.current() c),
	(SELECT count(*) FROM migrate.log WHERE operation = 'upgrade'),
	(SELECT count(DISTINCT pid) FROM ledger);
SQL
)
IFS='|' read -r rows distinct dups current logged pids <<<"$result"
processed=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$work/pgbench.log")
failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$work/pgbench.log")

printf '%s clients x %s calls on %s revisions in %.2f s: %s ledger rows, %s distinct, %s applied twice, head %s, %s log rows, %s backend(s) did the work, %s/%s calls ok, %s failed\n' \
	"$CLIENTS" "$ROUNDS" "$REVISIONS" "$(awk "BEGIN{print $end - $start}")" "$rows" "$distinct" "$dups" \
	"$current" "$logged" "$pids" "${processed:-?}" "$((CLIENTS * ROUNDS))" "${failed:-0}"

ok=true
[ "$rows" = "$REVISIONS" ] || { echo "FAIL: expected $REVISIONS ledger rows, got $rows"; ok=false; }
[ "$distinct" = "$REVISIONS" ] || { echo "FAIL: expected $REVISIONS distinct revisions, got $distinct"; ok=false; }
[ "$dups" = 0 ] || { echo "FAIL: $dups revisions ran more than once"; ok=false; }
[ "$current" = "r$REVISIONS" ] || { echo "FAIL: expected head r$REVISIONS, got $current"; ok=false; }
[ "$logged" = "$REVISIONS" ] || { echo "FAIL: expected $REVISIONS log rows, got $logged"; ok=false; }
[ "${processed:-0}" = "$((CLIENTS * ROUNDS))" ] || { echo "FAIL: not every call succeeded"; ok=false; }
[ "${failed:-0}" = 0 ] || { echo "FAIL: $failed calls failed"; ok=false; }
dropdb "$db"
$ok
